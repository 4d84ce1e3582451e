//! A route table of its VPC, its subnet associations and its routes.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::*;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RouteTable {
    pub id: String,
    pub vpc: String,
    #[serde(default)]
    pub main: bool,
    /// Associated subnet ids.
    #[serde(default)]
    pub subnets: Vec<String>,
    #[serde(default)]
    pub routes: Vec<Route>,
    /// The user's tags (key → value), beside Moat's own (`Name`, `moat:*`), which stay
    /// reserved.
    #[serde(default, skip_serializing_if = "Tags::is_empty")]
    pub tags: Tags,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Route {
    pub destination: String,
    /// An id of an internet, NAT or VPN gateway, or of a workload.
    pub target: String,
}

impl DesignObject for RouteTable {
    const ROUTE_TARGET: Option<RouteTarget> = None;

    const STYLE: KindStyle = KindStyle {
        fill: "#E6F2F8",
        stroke: "#147EBA",
        letters: "RT",
        role: ChipRole::Control,
    };

    const CONNECT_RANK: u8 = 2;

    fn drawio_icon(&self) -> Option<&'static str> {
        Some("route_table")
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
