//! A DHCP options set: the domain name, DNS servers and NTP servers the instances of the VPCs
//! it is associated with are given. A VPC without one uses AWS's default set (the Amazon DNS
//! server and the region's domain name).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::*;

/// The DNS server a VPC's own resolver answers as, in a set's `domain_name_servers`.
pub const AMAZON_PROVIDED_DNS: &str = "AmazonProvidedDNS";

/// How many DNS servers, and how many NTP servers, one set may name (AWS's limit).
pub const MAX_DHCP_SERVERS: usize = 4;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DhcpOptions {
    pub id: String,
    #[serde(default)]
    pub name: String,
    /// The search domain instances are given (`corp.example.com`); none leaves it unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domain_name: Option<String>,
    /// IPv4 addresses, or `AmazonProvidedDNS` for the VPC's own resolver; at most 4.
    #[serde(default)]
    pub domain_name_servers: Vec<String>,
    /// IPv4 addresses of NTP servers (`169.254.169.123` is the Amazon Time Sync Service); at
    /// most 4.
    #[serde(default)]
    pub ntp_servers: Vec<String>,
    /// The VPCs it is associated with (a VPC has at most one set).
    #[serde(default)]
    pub vpcs: Vec<String>,
    /// The user's tags (key → value), beside Moat's own (`Name`, `moat:*`), which stay
    /// reserved.
    #[serde(default, skip_serializing_if = "Tags::is_empty")]
    pub tags: Tags,
}

impl DhcpOptions {
    /// Whether a VPC's instances still reach the VPC's own resolver: it is one of the DNS
    /// servers, or no DNS server is named (AWS then keeps the Amazon one).
    pub fn keeps_amazon_dns(&self) -> bool {
        self.domain_name_servers.is_empty()
            || self
                .domain_name_servers
                .iter()
                .any(|server| server == AMAZON_PROVIDED_DNS)
    }
}

/// Makes the set `set_id` serve `vpc`, taking the VPC from any other set (a VPC has one).
pub fn serve_vpc(sets: &mut [DhcpOptions], set_id: &str, vpc: &str) {
    for options in sets.iter_mut() {
        options.vpcs.retain(|served| served != vpc);
        if options.id == set_id {
            options.vpcs.push(vpc.to_string());
        }
    }
}

impl DesignObject for DhcpOptions {
    const ROUTE_TARGET: Option<RouteTarget> = None;

    const STYLE: KindStyle = KindStyle {
        fill: "#F5F6F7",
        stroke: "#6B7785",
        letters: "DHCP",
        role: ChipRole::Control,
    };

    const CONNECT_RANK: u8 = 4;

    fn caption(&self) -> Option<String> {
        self.domain_name.clone()
    }

    fn id(&self) -> &str {
        &self.id
    }

    fn tags(&self) -> &Tags {
        &self.tags
    }

    /// Region-wide: one set may serve several VPCs.
    fn container(&self) -> Container<'_> {
        Container::Canvas
    }

    const REFERENCE_FIELDS: &'static [(&'static str, &'static [ObjectKind])] =
        &[("vpcs", &[ObjectKind::Vpc])];

    fn references(&self) -> Vec<Reference<'_>> {
        Reference::list("vpcs", &self.vpcs, &[ObjectKind::Vpc]).collect()
    }
}
