//! The design document: typed, flat collections of objects with stable ids, references by id.
//!
//! Field names are a public contract (tools outside Moat read and write these documents), so
//! they never change meaning. CIDRs are kept as the text the user typed: a value that does not
//! parse is a `cidr.invalid` diagnostic, not a load failure, so a half-typed inspector value is
//! reported like any other problem.

mod customer_gateway;
mod dhcp_options;
mod endpoint;
mod internet_gateway;
mod kind;
mod nat_gateway;
mod network_acl;
mod network_interface;
mod placement_group;
mod route_table;
mod route_target;
mod security_group;
mod subnet;
mod vpc;
mod vpn_connection;
mod vpn_gateway;
mod workload;

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A resource's tags: key → value, in key order.
pub type Tags = BTreeMap<String, String>;

/// Whether a tag key is Moat's or AWS's, never a user's: `Name` (Moat names each resource
/// after its object), `moat:…` (ownership) and `aws:…` (AWS's own prefix).
pub fn is_reserved_tag_key(key: &str) -> bool {
    key == "Name" || key.starts_with("moat:") || key.to_ascii_lowercase().starts_with("aws:")
}

/// The schema version this build writes. Older versions are migrated by [`crate::spec`].
pub const CURRENT_SCHEMA_VERSION: u32 = 2;

pub use customer_gateway::*;
pub use dhcp_options::*;
pub use endpoint::*;
pub use internet_gateway::*;
pub use kind::{ChipRole, Container, DesignObject, KindStyle, Reference};
pub use nat_gateway::*;
pub use network_acl::*;
pub use network_interface::*;
pub use placement_group::*;
pub use route_table::*;
pub use route_target::RouteTarget;
pub use security_group::*;
pub use subnet::*;
pub use vpc::*;
pub use vpn_connection::*;
pub use vpn_gateway::*;
pub use workload::*;

kind::design_kinds! {
    Vpc: vpcs => Vpc, "VPC", "vpc";
    Subnet: subnets => Subnet, "Subnet", "subnet";
    InternetGateway: internet_gateways => InternetGateway, "Internet gateway", "igw";
    NatGateway: nat_gateways => NatGateway, "NAT gateway", "nat";
    VpnGateway: vpn_gateways => VpnGateway, "VPN gateway", "vgw";
    CustomerGateway: customer_gateways => CustomerGateway, "Customer gateway", "cgw";
    VpnConnection: vpn_connections => VpnConnection, "VPN connection", "vpn";
    RouteTable: route_tables => RouteTable, "Route table", "rt";
    Endpoint: endpoints => Endpoint, "Endpoint", "vpce";
    SecurityGroup: security_groups => SecurityGroup, "Security group", "sg";
    NetworkAcl: network_acls => NetworkAcl, "Network ACL", "acl";
    PlacementGroup: placement_groups => PlacementGroup, "Placement group", "pg";
    Workload: workloads => Workload, "Workload", "wl";
    /// Added after version 2 was fixed: optional, and left out of a document when empty, so a
    /// design without one is written exactly as before.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    DhcpOptions: dhcp_options => DhcpOptions, "DHCP options", "dhcp";
    /// Added after version 2 was fixed, as DHCP options were.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    NetworkInterface: network_interfaces => NetworkInterface, "Network interface", "eni";
}

impl Design {
    pub fn vpc(&self, vpc_id: &str) -> Option<&Vpc> {
        self.vpcs.iter().find(|vpc| vpc.id == vpc_id)
    }

    pub fn subnet(&self, subnet_id: &str) -> Option<&Subnet> {
        self.subnets.iter().find(|subnet| subnet.id == subnet_id)
    }

    /// Every object id in the design, with the kind of object it names.
    pub fn object_ids(&self) -> Vec<(&str, ObjectKind)> {
        self.objects()
            .map(|object| (object.id(), object.kind()))
            .collect()
    }
}

/// The IP protocol of a security group rule, a network ACL entry or a question of
/// reachability: `tcp`, `udp`, `icmp`, `all`, or any other protocol by its IANA number
/// (`50` for ESP, `47` for GRE, `58` for ICMPv6), which AWS matches on every port.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Protocol {
    Tcp,
    Udp,
    Icmp,
    All,
    /// Another protocol by its IANA number (0 to 255). 6, 17 and 1 are written `tcp`,
    /// `udp` and `icmp` (`rule.protocol-number-named`).
    #[serde(untagged)]
    Number(u8),
}

impl Protocol {
    /// The protocol as EC2 writes it: the IANA number, `-1` for all.
    pub fn ec2_number(self) -> String {
        match self {
            Protocol::Tcp => "6".to_string(),
            Protocol::Udp => "17".to_string(),
            Protocol::Icmp => "1".to_string(),
            Protocol::All => "-1".to_string(),
            Protocol::Number(number) => number.to_string(),
        }
    }

    /// The protocol EC2 reports (`tcp`, `6`, `-1`, `50`, …), or None for what is none of them.
    pub fn from_ec2(text: &str) -> Option<Protocol> {
        match text.trim().to_ascii_lowercase().as_str() {
            "-1" | "all" => Some(Protocol::All),
            "6" | "tcp" => Some(Protocol::Tcp),
            "17" | "udp" => Some(Protocol::Udp),
            "1" | "icmp" => Some(Protocol::Icmp),
            other => other.parse::<u8>().ok().map(Protocol::Number),
        }
    }

    /// Whether a rule of this protocol has a port range (TCP and UDP) or ICMP type and code
    /// (ICMP); every other protocol matches all its traffic.
    pub fn has_ports(self) -> bool {
        match self {
            Protocol::Tcp | Protocol::Udp | Protocol::Icmp => true,
            Protocol::All | Protocol::Number(_) => false,
        }
    }

    /// How a person reads it: TCP, UDP, ICMP, all protocols, protocol 50.
    pub fn label(self) -> String {
        match self {
            Protocol::Tcp => "TCP".to_string(),
            Protocol::Udp => "UDP".to_string(),
            Protocol::Icmp => "ICMP".to_string(),
            Protocol::All => "all protocols".to_string(),
            Protocol::Number(number) => format!("protocol {number}"),
        }
    }
}

/// Whether a rule's protocol as EC2 writes it (`6`, `17`, `1`, `-1`, `50`) has a port range or
/// ICMP type and code: what every writer of a rule asks before writing ports.
pub fn ec2_protocol_has_ports(protocol: &str) -> bool {
    Protocol::from_ec2(protocol).is_some_and(Protocol::has_ports)
}

/// A box on the canvas, in canvas units.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LayoutBox {
    pub x: f64,
    pub y: f64,
    pub width: f64,
    pub height: f64,
}

impl LayoutBox {
    pub fn contains_point(&self, x: f64, y: f64) -> bool {
        x >= self.x && x <= self.x + self.width && y >= self.y && y <= self.y + self.height
    }
}

/// Expected traffic from an object to a destination (an id, `internet`, `s3`, `dynamodb` or a
/// service name), for cost estimates.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Flow {
    pub from: String,
    pub to: String,
    pub gb_per_month: f64,
}

pub(crate) fn default_true() -> bool {
    true
}

pub(crate) fn default_aggregation_interval() -> u32 {
    600
}

pub(crate) fn default_count() -> u32 {
    1
}

pub(crate) fn default_amazon_side_asn() -> u32 {
    64512
}
