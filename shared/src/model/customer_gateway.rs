//! A customer gateway: the on-premises end of a site-to-site VPN, and the networks behind it.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::*;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CustomerGateway {
    pub id: String,
    pub ip_address: String,
    pub bgp_asn: u32,
    #[serde(default)]
    pub on_premises_cidrs: Vec<String>,
    /// The user's tags (key → value), beside Moat's own (`Name`, `moat:*`), which stay
    /// reserved.
    #[serde(default, skip_serializing_if = "Tags::is_empty")]
    pub tags: Tags,
}

impl DesignObject for CustomerGateway {
    const ROUTE_TARGET: Option<RouteTarget> = None;

    const STYLE: KindStyle = KindStyle {
        fill: "#EEF1F5",
        stroke: "#5A6B86",
        letters: "CGW",
        role: ChipRole::OnPremises,
    };

    const CONNECT_RANK: u8 = 5;

    fn drawio_icon(&self) -> Option<&'static str> {
        Some("customer_gateway")
    }

    fn caption(&self) -> Option<String> {
        Some("Data center".to_string())
    }

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
        Container::Canvas
    }

    const REFERENCE_FIELDS: &'static [(&'static str, &'static [ObjectKind])] = &[];

    fn references(&self) -> Vec<Reference<'_>> {
        Vec::new()
    }
}
