//! A placement group (region-wide): how instances placed in it are spread over hardware.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum PlacementStrategy {
    Cluster,
    Spread,
    Partition,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PlacementGroup {
    pub id: String,
    pub strategy: PlacementStrategy,
    /// The user's tags (key → value), beside Moat's own (`Name`, `moat:*`), which stay
    /// reserved.
    #[serde(default, skip_serializing_if = "Tags::is_empty")]
    pub tags: Tags,
}

impl DesignObject for PlacementGroup {
    const ROUTE_TARGET: Option<RouteTarget> = None;

    const STYLE: KindStyle = KindStyle {
        fill: "#F2F9F1",
        stroke: "#248814",
        letters: "PG",
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
        Container::Canvas
    }

    const REFERENCE_FIELDS: &'static [(&'static str, &'static [ObjectKind])] = &[];

    fn references(&self) -> Vec<Reference<'_>> {
        Vec::new()
    }
}
