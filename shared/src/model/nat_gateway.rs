//! A public NAT gateway in its subnet.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::*;

/// A public NAT gateway; an Elastic IP is implied.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NatGateway {
    pub id: String,
    pub subnet: String,
    /// The user's tags (key → value), beside Moat's own (`Name`, `moat:*`), which stay
    /// reserved.
    #[serde(default, skip_serializing_if = "Tags::is_empty")]
    pub tags: Tags,
}

impl DesignObject for NatGateway {
    const ROUTE_TARGET: Option<RouteTarget> = Some(RouteTarget::NatGateway);

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
