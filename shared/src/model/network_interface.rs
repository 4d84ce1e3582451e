//! A network interface of its own in a subnet: a fixed private address behind security
//! groups that outlives any instance (a license server's address, a training job's
//! coordinator, an appliance), attached by whoever runs the workload.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::*;

/// A standalone elastic network interface.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NetworkInterface {
    pub id: String,
    pub subnet: String,
    /// The security groups of its VPC that govern its traffic (none: the VPC's default group).
    #[serde(default)]
    pub security_groups: Vec<String>,
    /// Its primary private IPv4 address, in the subnet; none lets AWS choose one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub private_ip: Option<String>,
    /// What it is for, kept on the interface.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// The user's tags (key → value), beside Moat's own (`Name`, `moat:*`), which stay
    /// reserved.
    #[serde(default, skip_serializing_if = "Tags::is_empty")]
    pub tags: Tags,
}

impl DesignObject for NetworkInterface {
    const ROUTE_TARGET: Option<RouteTarget> = None;

    const STYLE: KindStyle = KindStyle {
        fill: "#EEF3FB",
        stroke: "#3B48CC",
        letters: "ENI",
        role: ChipRole::Workload,
    };

    const CONNECT_RANK: u8 = 5;

    fn drawio_icon(&self) -> Option<&'static str> {
        Some("elastic_network_interface")
    }

    /// Its fixed address, when it has one.
    fn caption(&self) -> Option<String> {
        self.private_ip.clone()
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

    const REFERENCE_FIELDS: &'static [(&'static str, &'static [ObjectKind])] = &[
        ("subnet", &[ObjectKind::Subnet]),
        ("security_groups", &[ObjectKind::SecurityGroup]),
    ];

    fn references(&self) -> Vec<Reference<'_>> {
        let mut references = vec![Reference::field(
            "subnet",
            &self.subnet,
            &[ObjectKind::Subnet],
        )];
        references.extend(Reference::list(
            "security_groups",
            &self.security_groups,
            &[ObjectKind::SecurityGroup],
        ));
        references
    }
}
