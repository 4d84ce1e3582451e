//! An internet gateway attached to its VPC.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::*;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct InternetGateway {
    pub id: String,
    pub vpc: String,
    /// The user's tags (key → value), beside Moat's own (`Name`, `moat:*`), which stay
    /// reserved.
    #[serde(default, skip_serializing_if = "Tags::is_empty")]
    pub tags: Tags,
}

impl DesignObject for InternetGateway {
    const ROUTE_TARGET: Option<RouteTarget> = Some(RouteTarget::InternetGateway);

    const STYLE: KindStyle = KindStyle {
        fill: "#F4EEFF",
        stroke: "#8C4FFF",
        letters: "IGW",
        role: ChipRole::Gateway,
    };

    const CONNECT_RANK: u8 = 5;

    fn drawio_icon(&self) -> Option<&'static str> {
        Some("internet_gateway")
    }

    fn caption(&self) -> Option<String> {
        Some("IGW".to_string())
    }

    fn path_place(&self) -> Option<String> {
        Some("internet".to_string())
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
