//! A virtual private gateway attached to its VPC.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::*;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct VpnGateway {
    pub id: String,
    pub vpc: String,
    #[serde(default = "default_amazon_side_asn")]
    pub amazon_side_asn: u32,
    /// The user's tags (key → value), beside Moat's own (`Name`, `moat:*`), which stay
    /// reserved.
    #[serde(default, skip_serializing_if = "Tags::is_empty")]
    pub tags: Tags,
}

impl DesignObject for VpnGateway {
    const ROUTE_TARGET: Option<RouteTarget> = Some(RouteTarget::VpnGateway);

    const STYLE: KindStyle = KindStyle {
        fill: "#F4EEFF",
        stroke: "#8C4FFF",
        letters: "VGW",
        role: ChipRole::Gateway,
    };

    const CONNECT_RANK: u8 = 3;

    fn drawio_icon(&self) -> Option<&'static str> {
        Some("vpn_gateway")
    }

    fn caption(&self) -> Option<String> {
        Some("VGW".to_string())
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
