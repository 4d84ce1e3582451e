//! A security group of its VPC and its stateful rules.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::*;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SecurityGroup {
    pub id: String,
    pub vpc: String,
    pub name: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub ingress: Vec<SecurityGroupRule>,
    #[serde(default)]
    pub egress: Vec<SecurityGroupRule>,
    /// The user's tags (key → value), beside Moat's own (`Name`, `moat:*`), which stay
    /// reserved.
    #[serde(default, skip_serializing_if = "Tags::is_empty")]
    pub tags: Tags,
}

/// One security group rule. Exactly one of `cidr`, `security_group` (its own id means
/// self-reference) or `prefix_list` names the peer; validation reports any other count.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SecurityGroupRule {
    pub protocol: Protocol,
    #[serde(default)]
    pub from_port: i32,
    #[serde(default)]
    pub to_port: i32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cidr: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub security_group: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prefix_list: Option<String>,
    /// What the rule is for, kept on the rule in AWS (up to 255 characters of AWS's set:
    /// `sg.name-invalid`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

impl DesignObject for SecurityGroup {
    const ROUTE_TARGET: Option<RouteTarget> = None;

    const STYLE: KindStyle = KindStyle {
        fill: "#FBECEB",
        stroke: "#C8372D",
        letters: "SG",
        role: ChipRole::Control,
    };

    const CONNECT_RANK: u8 = 4;

    fn id(&self) -> &str {
        &self.id
    }

    fn tags(&self) -> &Tags {
        &self.tags
    }

    fn container(&self) -> Container<'_> {
        Container::Vpc(&self.vpc)
    }

    const REFERENCE_FIELDS: &'static [(&'static str, &'static [ObjectKind])] =
        &[("vpc", &[ObjectKind::Vpc])];

    fn references(&self) -> Vec<Reference<'_>> {
        let peers = [("ingress", &self.ingress), ("egress", &self.egress)]
            .into_iter()
            .flat_map(|(direction, rules)| {
                rules
                    .iter()
                    .enumerate()
                    .filter_map(move |(position, rule)| {
                        rule.security_group.as_deref().map(|group| Reference {
                            field: format!("{direction}[{position}].security_group").into(),
                            target: group,
                            kinds: &[ObjectKind::SecurityGroup],
                        })
                    })
            });
        std::iter::once(Reference::field("vpc", &self.vpc, &[ObjectKind::Vpc]))
            .chain(peers)
            .collect()
    }
}
