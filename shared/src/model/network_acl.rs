//! A network ACL of its VPC, its subnet associations and its stateless entries.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::*;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NetworkAcl {
    pub id: String,
    pub vpc: String,
    #[serde(default)]
    pub subnets: Vec<String>,
    #[serde(default)]
    pub entries: Vec<NetworkAclEntry>,
    /// The user's tags (key → value), beside Moat's own (`Name`, `moat:*`), which stay
    /// reserved.
    #[serde(default, skip_serializing_if = "Tags::is_empty")]
    pub tags: Tags,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RuleAction {
    Allow,
    Deny,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NetworkAclEntry {
    pub rule_number: u32,
    pub egress: bool,
    pub protocol: Protocol,
    #[serde(default)]
    pub from_port: i32,
    #[serde(default)]
    pub to_port: i32,
    pub cidr: String,
    pub action: RuleAction,
    /// What the entry is for. AWS keeps no description on an ACL entry, so this one stays in
    /// the design (at most [`MAX_ENTRY_DESCRIPTION_CHARACTERS`]: `nacl.description-too-long`);
    /// no apply, import or export carries it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// The longest description of a network ACL entry, as long as AWS allows a security group
/// rule's.
pub const MAX_ENTRY_DESCRIPTION_CHARACTERS: usize = 255;

impl DesignObject for NetworkAcl {
    const ROUTE_TARGET: Option<RouteTarget> = None;

    const STYLE: KindStyle = KindStyle {
        fill: "#F5F6F7",
        stroke: "#6B7785",
        letters: "ACL",
        role: ChipRole::Control,
    };

    const CONNECT_RANK: u8 = 5;

    fn drawio_icon(&self) -> Option<&'static str> {
        Some("network_access_control_list")
    }

    fn id(&self) -> &str {
        &self.id
    }

    fn tags(&self) -> &Tags {
        &self.tags
    }

    fn container(&self) -> Container<'_> {
        Container::Vpc(&self.vpc)
    }

    const REFERENCE_FIELDS: &'static [(&'static str, &'static [ObjectKind])] = &[
        ("vpc", &[ObjectKind::Vpc]),
        ("subnets", &[ObjectKind::Subnet]),
    ];

    fn references(&self) -> Vec<Reference<'_>> {
        std::iter::once(Reference::field("vpc", &self.vpc, &[ObjectKind::Vpc]))
            .chain(Reference::list(
                "subnets",
                &self.subnets,
                &[ObjectKind::Subnet],
            ))
            .collect()
    }
}
