//! A site-to-site VPN connection between a VPN gateway and a customer gateway.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::*;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct VpnConnection {
    pub id: String,
    pub vpn_gateway: String,
    pub customer_gateway: String,
    #[serde(default = "default_true")]
    pub static_routes_only: bool,
    /// The user's tags (key → value), beside Moat's own (`Name`, `moat:*`), which stay
    /// reserved.
    #[serde(default, skip_serializing_if = "Tags::is_empty")]
    pub tags: Tags,
}

impl DesignObject for VpnConnection {
    const ROUTE_TARGET: Option<RouteTarget> = None;

    const STYLE: KindStyle = KindStyle {
        fill: "#EEF1F5",
        stroke: "#5A6B86",
        letters: "VPN",
        role: ChipRole::OnPremises,
    };

    const CONNECT_RANK: u8 = 5;

    fn drawio_icon(&self) -> Option<&'static str> {
        Some("vpn_connection")
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

    const REFERENCE_FIELDS: &'static [(&'static str, &'static [ObjectKind])] = &[
        ("vpn_gateway", &[ObjectKind::VpnGateway]),
        ("customer_gateway", &[ObjectKind::CustomerGateway]),
    ];

    fn references(&self) -> Vec<Reference<'_>> {
        vec![
            Reference::field("vpn_gateway", &self.vpn_gateway, &[ObjectKind::VpnGateway]),
            Reference::field(
                "customer_gateway",
                &self.customer_gateway,
                &[ObjectKind::CustomerGateway],
            ),
        ]
    }
}
