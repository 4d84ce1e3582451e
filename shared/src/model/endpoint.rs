//! A VPC endpoint: a gateway endpoint (S3, DynamoDB) in route tables, or an interface endpoint in subnets with security groups.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum EndpointType {
    Gateway,
    Interface,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Endpoint {
    pub id: String,
    pub vpc: String,
    #[serde(rename = "type")]
    pub endpoint_type: EndpointType,
    /// Short service name: `s3`, `dynamodb`, `sagemaker.api`, …
    pub service: String,
    /// Gateway endpoints: associated route tables.
    #[serde(default)]
    pub route_tables: Vec<String>,
    /// Interface endpoints: one subnet per AZ.
    #[serde(default)]
    pub subnets: Vec<String>,
    #[serde(default)]
    pub security_groups: Vec<String>,
    #[serde(default)]
    pub private_dns: bool,
}

impl DesignObject for Endpoint {
    const ROUTE_TARGET: Option<RouteTarget> = None;

    fn id(&self) -> &str {
        &self.id
    }

    fn container(&self) -> Container<'_> {
        Container::Vpc(&self.vpc)
    }

    fn drawn_in(&self) -> Container<'_> {
        match self.subnets.first() {
            Some(subnet) => Container::Subnet(subnet),
            None => Container::Vpc(&self.vpc),
        }
    }

    const REFERENCE_FIELDS: &'static [(&'static str, &'static [ObjectKind])] = &[
        ("vpc", &[ObjectKind::Vpc]),
        ("route_tables", &[ObjectKind::RouteTable]),
        ("subnets", &[ObjectKind::Subnet]),
        ("security_groups", &[ObjectKind::SecurityGroup]),
    ];

    fn references(&self) -> Vec<Reference<'_>> {
        std::iter::once(Reference::field("vpc", &self.vpc, &[ObjectKind::Vpc]))
            .chain(Reference::list(
                "route_tables",
                &self.route_tables,
                &[ObjectKind::RouteTable],
            ))
            .chain(Reference::list(
                "subnets",
                &self.subnets,
                &[ObjectKind::Subnet],
            ))
            .chain(Reference::list(
                "security_groups",
                &self.security_groups,
                &[ObjectKind::SecurityGroup],
            ))
            .collect()
    }
}
