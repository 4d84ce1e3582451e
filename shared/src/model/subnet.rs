//! A subnet: one block of its VPC in one availability zone, public or private by intent.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::*;

/// The user's intent for a subnet; validation checks that the routes agree with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum SubnetTier {
    Public,
    Private,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Subnet {
    pub id: String,
    pub vpc: String,
    pub availability_zone: String,
    pub cidr: String,
    pub tier: SubnetTier,
    #[serde(default)]
    pub map_public_ip_on_launch: bool,
    /// The user's tags (key → value), beside Moat's own (`Name`, `moat:*`), which stay
    /// reserved.
    #[serde(default, skip_serializing_if = "Tags::is_empty")]
    pub tags: Tags,
}

impl DesignObject for Subnet {
    const ROUTE_TARGET: Option<RouteTarget> = None;

    const STYLE: KindStyle = KindStyle {
        fill: "#E6F2F8",
        stroke: "#147EBA",
        letters: "SN",
        role: ChipRole::Container,
    };

    const CONNECT_RANK: u8 = 0;

    fn path_place(&self) -> Option<String> {
        Some(self.id.clone())
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

    const REFERENCE_FIELDS: &'static [(&'static str, &'static [ObjectKind])] =
        &[("vpc", &[ObjectKind::Vpc])];

    fn references(&self) -> Vec<Reference<'_>> {
        vec![Reference::field("vpc", &self.vpc, &[ObjectKind::Vpc])]
    }
}
