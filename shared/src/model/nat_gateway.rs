//! A NAT gateway in its subnet: public (an Elastic IP, out through the internet gateway) or
//! private (no public address: it reaches other networks, never the internet).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::*;

/// Whether a NAT gateway faces the internet.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum NatConnectivity {
    /// An Elastic IP, and out through the VPC's internet gateway.
    #[default]
    Public,
    /// No public address: to other VPCs and on-premises networks only.
    Private,
}

impl NatConnectivity {
    /// EC2's spelling (`ConnectivityType`).
    pub fn as_str(self) -> &'static str {
        match self {
            NatConnectivity::Public => "public",
            NatConnectivity::Private => "private",
        }
    }

    fn is_public(&self) -> bool {
        *self == NatConnectivity::Public
    }
}

/// A NAT gateway; a public one implies an Elastic IP.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NatGateway {
    pub id: String,
    pub subnet: String,
    /// Public (the default) or private.
    #[serde(default, skip_serializing_if = "NatConnectivity::is_public")]
    pub connectivity: NatConnectivity,
    /// The user's tags (key → value), beside Moat's own (`Name`, `moat:*`), which stay
    /// reserved.
    #[serde(default, skip_serializing_if = "Tags::is_empty")]
    pub tags: Tags,
}

impl DesignObject for NatGateway {
    const ROUTE_TARGET: Option<RouteTarget> = Some(RouteTarget::NatGateway);

    const STYLE: KindStyle = KindStyle {
        fill: "#F4EEFF",
        stroke: "#8C4FFF",
        letters: "NAT",
        role: ChipRole::Gateway,
    };

    const CONNECT_RANK: u8 = 5;

    fn drawio_icon(&self) -> Option<&'static str> {
        Some("nat_gateway")
    }

    fn caption(&self) -> Option<String> {
        Some("NAT".to_string())
    }

    fn id(&self) -> &str {
        &self.id
    }

    fn tags(&self) -> &Tags {
        &self.tags
    }

    fn container(&self) -> Container<'_> {
        Container::Subnet(&self.subnet)
    }

    const REFERENCE_FIELDS: &'static [(&'static str, &'static [ObjectKind])] =
        &[("subnet", &[ObjectKind::Subnet])];

    fn references(&self) -> Vec<Reference<'_>> {
        vec![Reference::field(
            "subnet",
            &self.subnet,
            &[ObjectKind::Subnet],
        )]
    }
}
