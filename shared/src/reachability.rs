//! Design-time reachability: can traffic get from a subnet or workload to a workload, a subnet,
//! the internet, an AWS service or an on-premises address, and which hop decides it. The answer
//! walks the hops AWS evaluates — source security group egress, network ACL outbound, the route
//! table (longest-prefix match), the target (local, internet gateway, NAT gateway and its own
//! subnet's table, VPN gateway and connection, gateway endpoint, interface endpoint and its
//! group), network ACL inbound, destination security group ingress — and checks the return
//! traffic through the stateless network ACLs.
//!
//! Invariant: pure and total. Every question gets an answer; a blocked path names the hop, a
//! stable explanation code from [`explanation`], the objects involved and a fix hint.
//!
//! Representative addresses: "the internet" is [`INTERNET_ADDRESS`]; an AWS service's public
//! endpoint is [`SERVICE_PUBLIC_ADDRESS`]; an instance in a subnet is the subnet's first usable
//! address. Rules and routes that cover these cover the traffic.

use std::net::Ipv4Addr;

use ipnet::Ipv4Net;
use serde::Serialize;

use crate::cidr;
use crate::model::{
    Design, EndpointType, NetworkAcl, ObjectKind, Protocol, RouteTable, RouteTarget, RuleAction,
    SecurityGroup, Subnet, endpoint_policy,
};
use crate::validate::ValidationContext;
use rustc_hash::FxHashMap;

/// Stand-in for "any address on the internet".
pub const INTERNET_ADDRESS: Ipv4Addr = Ipv4Addr::new(8, 8, 8, 8);
/// Stand-in for an AWS service's public regional endpoint.
pub const SERVICE_PUBLIC_ADDRESS: Ipv4Addr = Ipv4Addr::new(52, 216, 0, 10);
/// Return traffic arrives on these ports.
pub const EPHEMERAL_PORTS: (u16, u16) = (1024, 65535);

/// The stable explanation codes of a blocked path: Moat's public contract, like diagnostic codes.
pub mod explanation {
    pub const UNKNOWN_PLACE: &str = "unknown-place";
    pub const UNSUPPORTED_QUERY: &str = "unsupported-query";
    pub const DIFFERENT_VPC: &str = "different-vpc";
    pub const NO_ROUTE: &str = "no-route";
    pub const ROUTE_TARGET_MISSING: &str = "route-target-missing";
    pub const SG_EGRESS_DENIED: &str = "sg-egress-denied";
    pub const SG_INGRESS_DENIED: &str = "sg-ingress-denied";
    pub const NACL_OUTBOUND_DENIED: &str = "nacl-outbound-denied";
    pub const NACL_INBOUND_DENIED: &str = "nacl-inbound-denied";
    pub const NACL_RETURN_DENIED: &str = "nacl-return-denied";
    pub const NAT_WITHOUT_IGW: &str = "nat-without-igw";
    pub const NO_PUBLIC_IP: &str = "no-public-ip";
    pub const IGW_OTHER_VPC: &str = "igw-other-vpc";
    pub const VPN_NOT_CONNECTED: &str = "vpn-not-connected";
    pub const NO_RETURN_ROUTE: &str = "no-return-route";
    pub const ENDPOINT_SG_DENIED: &str = "endpoint-sg-denied";
    pub const ENDPOINT_POLICY: &str = "endpoint-policy";
    pub const NAT_PRIVATE: &str = "nat-private";

    /// Every code, for tests that each has a case.
    pub const ALL: [&str; 18] = [
        UNKNOWN_PLACE,
        UNSUPPORTED_QUERY,
        DIFFERENT_VPC,
        NO_ROUTE,
        ROUTE_TARGET_MISSING,
        SG_EGRESS_DENIED,
        SG_INGRESS_DENIED,
        NACL_OUTBOUND_DENIED,
        NACL_INBOUND_DENIED,
        NACL_RETURN_DENIED,
        NAT_WITHOUT_IGW,
        NO_PUBLIC_IP,
        IGW_OTHER_VPC,
        VPN_NOT_CONNECTED,
        NO_RETURN_ROUTE,
        ENDPOINT_SG_DENIED,
        ENDPOINT_POLICY,
        NAT_PRIVATE,
    ];
}

/// Where traffic starts or ends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum Place {
    Subnet(String),
    Workload(String),
    Internet,
    /// An AWS service by its short name: `s3`, `dynamodb`, `sagemaker.api`, …
    Service(String),
    /// An address outside every VPC, reached over VPN (a customer gateway id resolves to the
    /// first address of its first on-premises block).
    OnPremises(Ipv4Addr),
}

/// Services Moat knows by name even when the design has no endpoint for them.
pub const KNOWN_SERVICES: [&str; 13] = [
    "s3",
    "dynamodb",
    "sagemaker.api",
    "sagemaker.runtime",
    "sts",
    "logs",
    "ecr.api",
    "ecr.dkr",
    "rekognition",
    "kms",
    "secretsmanager",
    "ssm",
    "monitoring",
];

/// Reads a place as the CLI and the app spell it: an object id, `internet`, a service name, an
/// IPv4 address or block, or a customer gateway id.
pub fn parse_place(design: &Design, text: &str) -> Result<Place, String> {
    let text = text.trim();
    match design.kind_of(text) {
        Some(ObjectKind::Subnet) => return Ok(Place::Subnet(text.to_string())),
        Some(ObjectKind::Workload) => return Ok(Place::Workload(text.to_string())),
        Some(ObjectKind::CustomerGateway) => {
            let gateway = design.customer_gateways.iter().find(|g| g.id == text);
            let block = gateway
                .and_then(|g| g.on_premises_cidrs.first())
                .and_then(|c| cidr::parse_cidr(c).ok());
            return match block {
                Some(block) => Ok(Place::OnPremises(first_host(block.network))),
                None => Err(format!(
                    "customer gateway {text} lists no valid on-premises CIDR: add one in the inspector"
                )),
            };
        }
        Some(other) => {
            return Err(format!(
                "{text} is a {}: traffic starts or ends at a subnet, a workload, internet, a service or an address",
                other.label()
            ));
        }
        None => {}
    }
    if text.eq_ignore_ascii_case("internet") {
        return Ok(Place::Internet);
    }
    if let Ok(address) = text.parse::<Ipv4Addr>() {
        return Ok(Place::OnPremises(address));
    }
    if let Ok(block) = cidr::parse_cidr(text) {
        return Ok(Place::OnPremises(first_host(block.network)));
    }
    let service = text.to_ascii_lowercase();
    if KNOWN_SERVICES.contains(&service.as_str())
        || design.endpoints.iter().any(|e| e.service == service)
    {
        return Ok(Place::Service(service));
    }
    Err(format!(
        "\"{text}\" is not a subnet, workload or customer gateway id, `internet`, a known service (s3, dynamodb, sagemaker.api, …) or an IPv4 address"
    ))
}

/// What clicking an object means in the Path tool: subnets, workloads and customer gateways
/// are themselves, an internet gateway is the internet, an endpoint its service; the other
/// kinds are not places traffic starts or ends.
pub fn path_place_of(design: &Design, object_id: &str) -> Option<String> {
    design.object(object_id)?.path_place()
}

impl Place {
    /// How the place is spelled in answers.
    pub fn label(&self) -> String {
        match self {
            Place::Subnet(id) | Place::Workload(id) => id.clone(),
            Place::Internet => "internet".into(),
            Place::Service(name) => name.clone(),
            Place::OnPremises(address) => address.to_string(),
        }
    }
}

/// What kind of traffic: a protocol and, for TCP and UDP, one destination port.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Traffic {
    pub protocol: Protocol,
    pub port: Option<u16>,
}

impl Traffic {
    pub const HTTPS: Traffic = Traffic {
        protocol: Protocol::Tcp,
        port: Some(443),
    };
    pub const ALL: Traffic = Traffic {
        protocol: Protocol::All,
        port: None,
    };

    fn ports(self) -> (u16, u16) {
        match (self.protocol, self.port) {
            (Protocol::Tcp | Protocol::Udp, Some(port)) => (port, port),
            _ => (0, 65535),
        }
    }

    /// The return traffic of this traffic: same protocol, ephemeral ports.
    fn reply(self) -> Traffic {
        Traffic {
            protocol: self.protocol,
            port: None,
        }
    }

    fn describe(self) -> String {
        match (self.protocol, self.port) {
            (Protocol::All, _) => "all traffic".into(),
            (Protocol::Icmp, _) => "ICMP".into(),
            (Protocol::Tcp, Some(port)) => format!("TCP {port}"),
            (Protocol::Udp, Some(port)) => format!("UDP {port}"),
            (Protocol::Tcp, None) => "TCP".into(),
            (Protocol::Udp, None) => "UDP".into(),
            (Protocol::Number(number), _) => format!("protocol {number}"),
        }
    }
}

/// One hop of a path: what was evaluated, on which object, and how it went.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Hop {
    pub kind: HopKind,
    pub object_id: Option<String>,
    pub verdict: Verdict,
    pub detail: String,
}

crate::enumerate::enum_with_all! {
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
    #[serde(rename_all = "kebab-case")]
    pub enum HopKind {
        SecurityGroupEgress,
        NetworkAclOutbound,
        RouteTable,
        Local,
        InternetGateway,
        NatGateway,
        VpnGateway,
        VpnConnection,
        CustomerGateway,
        GatewayEndpoint,
        InterfaceEndpoint,
        NetworkAclInbound,
        SecurityGroupIngress,
        NetworkAclReturn,
        PublicAddress,
    }
}

impl HopKind {
    pub fn label(self) -> &'static str {
        match self {
            HopKind::SecurityGroupEgress => "security group egress",
            HopKind::NetworkAclOutbound => "network ACL outbound",
            HopKind::RouteTable => "route table",
            HopKind::Local => "local route",
            HopKind::InternetGateway => "internet gateway",
            HopKind::NatGateway => "NAT gateway",
            HopKind::VpnGateway => "VPN gateway",
            HopKind::VpnConnection => "VPN connection",
            HopKind::CustomerGateway => "customer gateway",
            HopKind::GatewayEndpoint => "gateway endpoint",
            HopKind::InterfaceEndpoint => "interface endpoint",
            HopKind::NetworkAclInbound => "network ACL inbound",
            HopKind::SecurityGroupIngress => "security group ingress",
            HopKind::NetworkAclReturn => "network ACL return",
            HopKind::PublicAddress => "public address",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Pass,
    Block,
    /// Not evaluated for this query (a subnet has no security group of its own).
    Skip,
}

/// Why a path is blocked.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Blocked {
    pub code: &'static str,
    pub object_ids: Vec<String>,
    pub message: String,
    pub hint: String,
}

/// How the traffic leaves the VPC, when it does: what cost estimates price.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Exit {
    /// Stays in the VPC; `cross_az` when source and destination are in different zones.
    Local {
        cross_az: bool,
    },
    InternetGateway {
        gateway: String,
    },
    NatGateway {
        nat: String,
        cross_az: bool,
    },
    GatewayEndpoint {
        endpoint: String,
    },
    InterfaceEndpoint {
        endpoint: String,
        cross_az: bool,
    },
    Vpn {
        connection: String,
    },
}

/// The answer to one question.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PathAnswer {
    pub from: String,
    pub to: String,
    pub traffic: String,
    pub reachable: bool,
    pub hops: Vec<Hop>,
    pub blocked: Option<Blocked>,
    /// How the traffic leaves (set when reachable).
    pub exit: Option<Exit>,
    /// The source's availability zone, when it has one.
    pub source_zone: Option<String>,
}

impl PathAnswer {
    /// The objects on the path (for highlighting on the canvas), in hop order.
    pub fn object_ids(&self) -> Vec<String> {
        let mut ids: Vec<String> = Vec::new();
        for id in self.hops.iter().filter_map(|hop| hop.object_id.clone()) {
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
        ids
    }
}

/// A route table entry as the lookup sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct RouteCandidate {
    pub destination: Ipv4Net,
    /// `local` or the target's id.
    pub target: String,
}

/// Longest-prefix match: the most specific block containing the address; on a tie the first.
pub fn longest_prefix_match<T>(
    routes: &[(Ipv4Net, T)],
    address: Ipv4Addr,
) -> Option<&(Ipv4Net, T)> {
    let mut best: Option<&(Ipv4Net, T)> = None;
    for route in routes {
        if route.0.contains(&address)
            && best.is_none_or(|current| route.0.prefix_len() > current.0.prefix_len())
        {
            best = Some(route);
        }
    }
    best
}

/// The first usable address of a block (AWS reserves the first four of a subnet).
pub fn first_host(block: Ipv4Net) -> Ipv4Addr {
    let network = u32::from(block.network());
    let offset = if block.prefix_len() <= 28 { 4 } else { 0 };
    Ipv4Addr::from(
        network
            .saturating_add(offset)
            .min(u32::from(block.broadcast())),
    )
}

/// Where one end of a path sits inside a VPC.
struct Inside<'design> {
    subnet: &'design Subnet,
    block: Option<Ipv4Net>,
    /// The workload's groups; `None` for a bare subnet (no group evaluated).
    groups: Option<Vec<&'design SecurityGroup>>,
    /// For a bare subnet: the groups of the workloads in it.
    placed_groups: Vec<&'design str>,
    label: String,
}

impl Inside<'_> {
    fn address(&self) -> Option<Ipv4Addr> {
        self.block.map(first_host)
    }
    /// The groups the far side's rules may name: the workload's own, or for a bare subnet the
    /// groups of the workloads placed in it.
    fn group_ids(&self) -> Vec<&str> {
        match &self.groups {
            Some(groups) => groups.iter().map(|g| g.id.as_str()).collect(),
            None => self.placed_groups.clone(),
        }
    }
}

/// A peer as a security group rule sees it.
struct Peer<'a> {
    address: Option<Ipv4Addr>,
    groups: &'a [&'a str],
    service: Option<&'a str>,
}

/// Answers questions about one design; build once, ask many (the matrix asks thousands), so
/// every lookup a question makes is indexed here once.
pub struct Reachability<'design> {
    design: &'design Design,
    context: ValidationContext<'design>,
    /// Subnet id → its network ACL (none: the VPC's default ACL).
    acl_by_subnet: FxHashMap<&'design str, &'design NetworkAcl>,
    /// Subnet id → the groups of the workloads placed in it.
    placed_groups: FxHashMap<&'design str, Vec<&'design str>>,
    /// Workload id → index.
    workload_index: FxHashMap<&'design str, usize>,
    /// Per route table (same order as the design's): the VPC's local blocks, then its routes.
    table_routes: Vec<Vec<(Ipv4Net, &'design str)>>,
    /// VPC id → its endpoints.
    endpoints_by_vpc: FxHashMap<&'design str, Vec<&'design crate::model::Endpoint>>,
}

struct Walk {
    hops: Vec<Hop>,
    blocked: Option<Blocked>,
    exit: Option<Exit>,
}

impl Walk {
    fn new() -> Self {
        Walk {
            hops: Vec::new(),
            blocked: None,
            exit: None,
        }
    }
    fn pass(&mut self, kind: HopKind, object_id: Option<&str>, detail: String) {
        self.hops.push(Hop {
            kind,
            object_id: object_id.map(str::to_string),
            verdict: Verdict::Pass,
            detail,
        });
    }
    fn skip(&mut self, kind: HopKind, detail: String) {
        self.hops.push(Hop {
            kind,
            object_id: None,
            verdict: Verdict::Skip,
            detail,
        });
    }
    /// Records the blocking hop; returns `None` so callers can `?` out of the walk.
    fn block(
        &mut self,
        kind: HopKind,
        object_id: Option<&str>,
        code: &'static str,
        message: String,
        hint: String,
    ) -> Option<()> {
        self.hops.push(Hop {
            kind,
            object_id: object_id.map(str::to_string),
            verdict: Verdict::Block,
            detail: message.clone(),
        });
        self.blocked = Some(Blocked {
            code,
            object_ids: object_id.map(|id| vec![id.to_string()]).unwrap_or_default(),
            message,
            hint,
        });
        None
    }
}

impl<'design> Reachability<'design> {
    pub fn new(design: &'design Design) -> Self {
        let context = ValidationContext::new(design);
        let mut acl_by_subnet = FxHashMap::default();
        for acl in &design.network_acls {
            for subnet in &acl.subnets {
                acl_by_subnet.entry(subnet.as_str()).or_insert(acl);
            }
        }
        let mut placed_groups: FxHashMap<&str, Vec<&str>> = FxHashMap::default();
        let mut workload_index = FxHashMap::default();
        for (index, workload) in design.workloads.iter().enumerate() {
            workload_index.entry(workload.id.as_str()).or_insert(index);
            let groups = placed_groups.entry(workload.subnet.as_str()).or_default();
            for group in &workload.security_groups {
                if !groups.contains(&group.as_str()) {
                    groups.push(group.as_str());
                }
            }
        }
        let table_routes = design
            .route_tables
            .iter()
            .map(|table| {
                let mut routes: Vec<(Ipv4Net, &str)> = Vec::new();
                if let Some(&vpc_index) = context.vpc_index.get(table.vpc.as_str()) {
                    for block in context.vpc_blocks[vpc_index].iter().flatten() {
                        routes.push((*block, "local"));
                    }
                }
                for route in &table.routes {
                    if let Ok(parsed) = cidr::parse_cidr(&route.destination) {
                        routes.push((parsed.network, route.target.as_str()));
                    }
                }
                routes
            })
            .collect();
        let mut endpoints_by_vpc: FxHashMap<&str, Vec<&crate::model::Endpoint>> =
            FxHashMap::default();
        for endpoint in &design.endpoints {
            endpoints_by_vpc
                .entry(endpoint.vpc.as_str())
                .or_default()
                .push(endpoint);
        }
        Reachability {
            design,
            context,
            acl_by_subnet,
            placed_groups,
            workload_index,
            table_routes,
            endpoints_by_vpc,
        }
    }

    /// An object's kind, by the index.
    fn kind(&self, id: &str) -> Option<ObjectKind> {
        self.context.kinds.get(id).copied()
    }

    /// What a route to this id sends traffic to, if it is a route target.
    fn route_target(&self, id: &str) -> Option<RouteTarget> {
        self.kind(id).and_then(ObjectKind::route_target)
    }

    fn endpoints_in(&self, vpc: &str) -> &[&'design crate::model::Endpoint] {
        self.endpoints_by_vpc
            .get(vpc)
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    /// Can `traffic` get from `from` to `to`?
    pub fn explain(&self, from: &Place, to: &Place, traffic: Traffic) -> PathAnswer {
        let mut walk = Walk::new();
        let mut source_zone = None;
        let outcome = match (from, to) {
            (Place::Subnet(_) | Place::Workload(_), _) => match self.inside(from) {
                Ok(source) => {
                    source_zone = Some(source.subnet.availability_zone.clone());
                    self.starting_inside(&source, to, traffic, &mut walk)
                }
                Err(message) => walk.block(
                    HopKind::RouteTable,
                    None,
                    explanation::UNKNOWN_PLACE,
                    message,
                    "pick an existing subnet or workload".into(),
                ),
            },
            (Place::Internet, Place::Subnet(_) | Place::Workload(_)) => match self.inside(to) {
                Ok(destination) => self.arriving_from_internet(&destination, traffic, &mut walk),
                Err(message) => walk.block(
                    HopKind::InternetGateway,
                    None,
                    explanation::UNKNOWN_PLACE,
                    message,
                    "pick an existing subnet or workload".into(),
                ),
            },
            (Place::OnPremises(address), Place::Subnet(_) | Place::Workload(_)) => {
                match self.inside(to) {
                    Ok(destination) => {
                        self.arriving_from_on_premises(*address, &destination, traffic, &mut walk)
                    }
                    Err(message) => walk.block(
                        HopKind::CustomerGateway,
                        None,
                        explanation::UNKNOWN_PLACE,
                        message,
                        "pick an existing subnet or workload".into(),
                    ),
                }
            }
            _ => walk.block(
                HopKind::RouteTable,
                None,
                explanation::UNSUPPORTED_QUERY,
                format!(
                    "Moat answers paths that start or end inside a VPC; {} → {} does neither",
                    from.label(),
                    to.label()
                ),
                "start at a subnet or workload, or end at one".into(),
            ),
        };
        let reachable = outcome.is_some() && walk.blocked.is_none();
        PathAnswer {
            from: from.label(),
            to: to.label(),
            traffic: traffic.describe(),
            reachable,
            hops: walk.hops,
            blocked: walk.blocked,
            exit: if reachable { walk.exit } else { None },
            source_zone,
        }
    }

    fn inside(&self, place: &Place) -> Result<Inside<'design>, String> {
        let design = self.design;
        let (subnet_id, groups, label) = match place {
            Place::Subnet(id) => (id.as_str(), None, id.clone()),
            Place::Workload(id) => {
                let workload = self
                    .workload_index
                    .get(id.as_str())
                    .map(|&index| &design.workloads[index])
                    .ok_or_else(|| format!("no workload {id} in the design"))?;
                let groups = workload
                    .security_groups
                    .iter()
                    .filter_map(|g| self.group(g))
                    .collect();
                (workload.subnet.as_str(), Some(groups), id.clone())
            }
            _ => return Err(format!("{} is not inside a VPC", place.label())),
        };
        let index = *self
            .context
            .subnet_index
            .get(subnet_id)
            .ok_or_else(|| format!("no subnet {subnet_id} in the design"))?;
        let placed_groups = if groups.is_none() {
            self.placed_groups
                .get(subnet_id)
                .cloned()
                .unwrap_or_default()
        } else {
            Vec::new()
        };
        Ok(Inside {
            subnet: &design.subnets[index],
            block: self.context.subnet_blocks[index],
            groups,
            placed_groups,
            label,
        })
    }

    fn group(&self, id: &str) -> Option<&'design SecurityGroup> {
        self.context
            .security_group_index
            .get(id)
            .map(|&index| &self.design.security_groups[index])
    }

    fn subnet(&self, id: &str) -> Option<(&'design Subnet, Option<Ipv4Net>)> {
        self.context.subnet_index.get(id).map(|&index| {
            (
                &self.design.subnets[index],
                self.context.subnet_blocks[index],
            )
        })
    }

    /// The network ACL a subnet is associated with (none: the VPC's default ACL, allow all).
    fn acl_of(&self, subnet_id: &str) -> Option<&'design NetworkAcl> {
        self.acl_by_subnet.get(subnet_id).copied()
    }

    /// The routes a table's traffic chooses from: the VPC's local blocks plus its own routes.
    fn candidates(&self, table: &RouteTable) -> &[(Ipv4Net, &'design str)] {
        self.context
            .route_table_index
            .get(table.id.as_str())
            .map(|&index| self.table_routes[index].as_slice())
            .unwrap_or(&[])
    }

    // ---- the hops ----------------------------------------------------------------------

    fn security_group_egress(
        &self,
        source: &Inside<'design>,
        peer: &Peer,
        traffic: Traffic,
        walk: &mut Walk,
    ) -> Option<()> {
        let Some(groups) = &source.groups else {
            walk.skip(
                HopKind::SecurityGroupEgress,
                format!(
                    "{} is a subnet: the instances in it need a group that allows {} out",
                    source.label,
                    traffic.describe()
                ),
            );
            return Some(());
        };
        match groups
            .iter()
            .find(|g| rules_allow(&g.egress, g, peer, traffic))
        {
            Some(group) => {
                walk.pass(
                    HopKind::SecurityGroupEgress,
                    Some(&group.id),
                    format!("{} allows {} out", group.id, traffic.describe()),
                );
                Some(())
            }
            None => {
                let first = groups.first().map(|g| g.id.as_str());
                walk.block(
                    HopKind::SecurityGroupEgress,
                    first.or(Some(source.label.as_str())),
                    explanation::SG_EGRESS_DENIED,
                    format!(
                        "no security group of {} allows {} out to {}",
                        source.label,
                        traffic.describe(),
                        peer_label(peer)
                    ),
                    format!(
                        "add an egress rule for {} to {} in {}",
                        traffic.describe(),
                        peer_label(peer),
                        first.unwrap_or("a group of the workload")
                    ),
                )
            }
        }
    }

    fn security_group_ingress(
        &self,
        destination: &Inside<'design>,
        peer: &Peer,
        traffic: Traffic,
        code: &'static str,
        walk: &mut Walk,
    ) -> Option<()> {
        let Some(groups) = &destination.groups else {
            walk.skip(
                HopKind::SecurityGroupIngress,
                format!(
                    "{} is a subnet: the instances in it need a group that admits {}",
                    destination.label,
                    traffic.describe()
                ),
            );
            return Some(());
        };
        self.groups_admit(groups, &destination.label, peer, traffic, code, walk)
    }

    fn groups_admit(
        &self,
        groups: &[&'design SecurityGroup],
        owner: &str,
        peer: &Peer,
        traffic: Traffic,
        code: &'static str,
        walk: &mut Walk,
    ) -> Option<()> {
        match groups
            .iter()
            .find(|g| rules_allow(&g.ingress, g, peer, traffic))
        {
            Some(group) => {
                walk.pass(
                    HopKind::SecurityGroupIngress,
                    Some(&group.id),
                    format!(
                        "{} admits {} from {}",
                        group.id,
                        traffic.describe(),
                        peer_label(peer)
                    ),
                );
                Some(())
            }
            None => {
                let first = groups.first().map(|g| g.id.as_str());
                walk.block(
                    HopKind::SecurityGroupIngress,
                    first.or(Some(owner)),
                    code,
                    format!(
                        "no security group of {owner} admits {} from {}",
                        traffic.describe(),
                        peer_label(peer)
                    ),
                    format!(
                        "add an ingress rule for {} from {} to {}",
                        traffic.describe(),
                        peer_label(peer),
                        first.unwrap_or("a group")
                    ),
                )
            }
        }
    }

    /// One crossing of a subnet's network ACL.
    #[allow(clippy::too_many_arguments)]
    fn acl(
        &self,
        subnet_id: &str,
        egress: bool,
        peer: Option<Ipv4Addr>,
        traffic: Traffic,
        ports: (u16, u16),
        kind: HopKind,
        code: &'static str,
        walk: &mut Walk,
    ) -> Option<()> {
        let Some(acl) = self.acl_of(subnet_id) else {
            walk.pass(
                kind,
                None,
                format!("{subnet_id} uses its VPC's default network ACL (allows all)"),
            );
            return Some(());
        };
        let direction = if egress { "outbound" } else { "inbound" };
        let peer_text = peer.map_or("the peer".to_string(), |a| a.to_string());
        match acl_decision(acl, egress, traffic.protocol, ports, peer) {
            AclDecision::Allowed(rule) => {
                walk.pass(
                    kind,
                    Some(&acl.id),
                    format!(
                        "{} rule {rule} allows {} {direction} ({} ports {}-{})",
                        acl.id,
                        peer_text,
                        traffic.protocol.label(),
                        ports.0,
                        ports.1
                    ),
                );
                Some(())
            }
            AclDecision::Denied(rule) => {
                let by = rule.map_or("no rule allows it (the final deny)".to_string(), |r| {
                    format!("rule {r} denies it")
                });
                walk.block(
                    kind,
                    Some(&acl.id),
                    code,
                    format!(
                        "{}: {} {direction} to/from {peer_text} on ports {}-{}: {by}",
                        acl.id,
                        traffic.protocol.label(),
                        ports.0,
                        ports.1
                    ),
                    format!(
                        "add an {direction} allow rule to {} for {peer_text}, {} ports {}-{}, numbered before any deny",
                        acl.id,
                        traffic.protocol.label(),
                        ports.0,
                        ports.1
                    ),
                )
            }
        }
    }

    /// The forward crossing of a subnet's ACL: outbound when leaving it, inbound when entering.
    fn acl_forward(
        &self,
        subnet_id: &str,
        egress: bool,
        peer: Option<Ipv4Addr>,
        traffic: Traffic,
        walk: &mut Walk,
    ) -> Option<()> {
        let (kind, code) = if egress {
            (
                HopKind::NetworkAclOutbound,
                explanation::NACL_OUTBOUND_DENIED,
            )
        } else {
            (HopKind::NetworkAclInbound, explanation::NACL_INBOUND_DENIED)
        };
        self.acl(
            subnet_id,
            egress,
            peer,
            traffic,
            traffic.ports(),
            kind,
            code,
            walk,
        )
    }

    /// The reply's crossing of a subnet's ACL, on the ephemeral ports (ACLs are stateless).
    fn acl_return(
        &self,
        subnet_id: &str,
        egress: bool,
        peer: Option<Ipv4Addr>,
        traffic: Traffic,
        walk: &mut Walk,
    ) -> Option<()> {
        self.acl(
            subnet_id,
            egress,
            peer,
            traffic.reply(),
            EPHEMERAL_PORTS,
            HopKind::NetworkAclReturn,
            explanation::NACL_RETURN_DENIED,
            walk,
        )
    }

    /// The route a subnet's traffic to `address` takes.
    fn route(
        &self,
        subnet: &Subnet,
        address: Ipv4Addr,
        what: &str,
        walk: &mut Walk,
    ) -> Option<(&'design RouteTable, Ipv4Net, &'design str)> {
        let Some(table) = self.context.route_table_of(&subnet.id) else {
            walk.block(
                HopKind::RouteTable,
                Some(&subnet.id),
                explanation::NO_ROUTE,
                format!(
                    "{} has no route table (no association and no main table)",
                    subnet.id
                ),
                "associate the subnet with a route table".into(),
            );
            return None;
        };
        let candidates = self.candidates(table);
        match longest_prefix_match(candidates, address) {
            Some((destination, target)) => {
                walk.pass(
                    HopKind::RouteTable,
                    Some(&table.id),
                    format!("{}: {destination} → {target} wins for {what}", table.id),
                );
                Some((table, *destination, *target))
            }
            None => {
                walk.block(
                    HopKind::RouteTable,
                    Some(&table.id),
                    explanation::NO_ROUTE,
                    format!("{} has no route for {what} ({address})", table.id),
                    format!(
                        "add a route in {} whose destination covers {address}",
                        table.id
                    ),
                );
                None
            }
        }
    }

    // ---- the walks -----------------------------------------------------------------------

    fn starting_inside(
        &self,
        source: &Inside<'design>,
        to: &Place,
        traffic: Traffic,
        walk: &mut Walk,
    ) -> Option<()> {
        match to {
            Place::Subnet(_) | Place::Workload(_) => {
                let destination = match self.inside(to) {
                    Ok(destination) => destination,
                    Err(message) => {
                        return walk.block(
                            HopKind::RouteTable,
                            None,
                            explanation::UNKNOWN_PLACE,
                            message,
                            "pick an existing subnet or workload".into(),
                        );
                    }
                };
                self.inside_to_inside(source, &destination, traffic, walk)
            }
            Place::Internet => self.outward(
                source,
                INTERNET_ADDRESS,
                "the internet",
                None,
                traffic,
                walk,
            ),
            Place::Service(service) => self.to_service(source, service, traffic, walk),
            Place::OnPremises(address) => self.to_on_premises(source, *address, traffic, walk),
        }
    }

    fn inside_to_inside(
        &self,
        source: &Inside<'design>,
        destination: &Inside<'design>,
        traffic: Traffic,
        walk: &mut Walk,
    ) -> Option<()> {
        if source.subnet.vpc != destination.subnet.vpc {
            return walk.block(
                HopKind::RouteTable,
                Some(&destination.subnet.id),
                explanation::DIFFERENT_VPC,
                format!(
                    "{} is in {} and {} in {}: Moat designs no peering or transit gateway",
                    source.label, source.subnet.vpc, destination.label, destination.subnet.vpc
                ),
                "put both in one VPC".into(),
            );
        }
        let destination_address = destination.address();
        let source_address = source.address();
        let destination_groups = destination.group_ids();
        self.security_group_egress(
            source,
            &Peer {
                address: destination_address,
                groups: &destination_groups,
                service: None,
            },
            traffic,
            walk,
        )?;
        let same_subnet = source.subnet.id == destination.subnet.id;
        if same_subnet {
            walk.pass(
                HopKind::Local,
                Some(&source.subnet.id),
                format!(
                    "same subnet {}: no route table or network ACL is crossed",
                    source.subnet.id
                ),
            );
        } else {
            self.acl_forward(&source.subnet.id, true, destination_address, traffic, walk)?;
            let address = destination_address.unwrap_or(Ipv4Addr::UNSPECIFIED);
            let (table, _, target) =
                self.route(source.subnet, address, &destination.label, walk)?;
            if target != "local" {
                return walk.block(
                    HopKind::RouteTable,
                    Some(&table.id),
                    explanation::NO_ROUTE,
                    format!(
                        "{} sends {address} to {target}, not to the VPC's local route",
                        table.id
                    ),
                    format!("remove the route to {target} that overrides the VPC's block"),
                );
            }
            walk.pass(
                HopKind::Local,
                None,
                format!("local delivery inside {}", source.subnet.vpc),
            );
            self.acl_forward(&destination.subnet.id, false, source_address, traffic, walk)?;
        }
        let source_groups = source.group_ids();
        self.security_group_ingress(
            destination,
            &Peer {
                address: source_address,
                groups: &source_groups,
                service: None,
            },
            traffic,
            explanation::SG_INGRESS_DENIED,
            walk,
        )?;
        if !same_subnet {
            self.acl_return(&destination.subnet.id, true, source_address, traffic, walk)?;
            self.acl_return(&source.subnet.id, false, destination_address, traffic, walk)?;
        }
        walk.exit = Some(Exit::Local {
            cross_az: source.subnet.availability_zone != destination.subnet.availability_zone,
        });
        Some(())
    }

    /// Out of the VPC towards a public address: the internet, or a service's public endpoint.
    fn outward(
        &self,
        source: &Inside<'design>,
        address: Ipv4Addr,
        what: &str,
        service: Option<&str>,
        traffic: Traffic,
        walk: &mut Walk,
    ) -> Option<()> {
        self.security_group_egress(
            source,
            &Peer {
                address: Some(address),
                groups: &[],
                service,
            },
            traffic,
            walk,
        )?;
        self.acl_forward(&source.subnet.id, true, Some(address), traffic, walk)?;
        let (table, _, target) = self.route(source.subnet, address, what, walk)?;
        self.leave_through(source, table, target, address, what, traffic, walk)?;
        self.acl_return(&source.subnet.id, false, Some(address), traffic, walk)
    }

    /// Follows a route's target out of the VPC.
    #[allow(clippy::too_many_arguments)]
    fn leave_through(
        &self,
        source: &Inside<'design>,
        table: &RouteTable,
        target: &str,
        address: Ipv4Addr,
        what: &str,
        traffic: Traffic,
        walk: &mut Walk,
    ) -> Option<()> {
        let design = self.design;
        match self.route_target(target) {
            Some(RouteTarget::InternetGateway) => {
                let gateway = design.internet_gateways.iter().find(|g| g.id == target)?;
                if gateway.vpc != source.subnet.vpc {
                    return walk.block(
                        HopKind::InternetGateway,
                        Some(target),
                        explanation::IGW_OTHER_VPC,
                        format!("{target} is attached to {}, not {}", gateway.vpc, source.subnet.vpc),
                        format!("route to the internet gateway of {}", source.subnet.vpc),
                    );
                }
                if !source.subnet.map_public_ip_on_launch {
                    return walk.block(
                        HopKind::PublicAddress,
                        Some(&source.subnet.id),
                        explanation::NO_PUBLIC_IP,
                        format!(
                            "{} routes to {target}, but its instances get no public IPv4 address (map_public_ip_on_launch is off)",
                            source.subnet.id
                        ),
                        format!(
                            "turn on map_public_ip_on_launch for {}, or route {what} through a NAT gateway",
                            source.subnet.id
                        ),
                    );
                }
                walk.pass(
                    HopKind::InternetGateway,
                    Some(target),
                    format!("{target} carries it to {what} from the instance's public address"),
                );
                walk.exit = Some(Exit::InternetGateway {
                    gateway: target.to_string(),
                });
                Some(())
            }
            Some(RouteTarget::NatGateway) => {
                let nat = design.nat_gateways.iter().find(|n| n.id == target)?;
                if nat.connectivity == crate::model::NatConnectivity::Private {
                    return walk.block(
                        HopKind::NatGateway,
                        Some(target),
                        explanation::NAT_PRIVATE,
                        format!(
                            "{target} is a private NAT gateway: it has no public address, so it reaches other networks, never {what}"
                        ),
                        format!("route {what} to a public NAT gateway (in a public subnet) instead of {target}"),
                    );
                }
                let Some((nat_subnet, _)) = self.subnet(&nat.subnet) else {
                    return walk.block(
                        HopKind::NatGateway,
                        Some(target),
                        explanation::ROUTE_TARGET_MISSING,
                        format!("{target} sits in subnet {}, which does not exist", nat.subnet),
                        format!("place {target} in a public subnet"),
                    );
                };
                let source_address = source.address();
                if nat_subnet.id != source.subnet.id {
                    self.acl_forward(&nat_subnet.id, false, source_address, traffic, walk)?;
                }
                walk.pass(
                    HopKind::NatGateway,
                    Some(target),
                    format!("{target} in {} translates the source address", nat_subnet.id),
                );
                self.acl_forward(&nat_subnet.id, true, Some(address), traffic, walk)?;
                let Some(nat_table) = self.context.route_table_of(&nat_subnet.id) else {
                    return walk.block(
                        HopKind::NatGateway,
                        Some(target),
                        explanation::NAT_WITHOUT_IGW,
                        format!("{target}'s subnet {} has no route table", nat_subnet.id),
                        format!("associate {} with a table routing 0.0.0.0/0 to an internet gateway", nat_subnet.id),
                    );
                };
                let candidates = self.candidates(nat_table);
                let onward = longest_prefix_match(candidates, address).map(|(_, t)| *t);
                let to_igw = onward.is_some_and(|t| {
                    design
                        .internet_gateways
                        .iter()
                        .any(|g| g.id == t && g.vpc == nat_subnet.vpc)
                });
                if !to_igw {
                    return walk.block(
                        HopKind::NatGateway,
                        Some(target),
                        explanation::NAT_WITHOUT_IGW,
                        format!(
                            "{target} sits in {}, whose table {} sends {what} to {} instead of an internet gateway",
                            nat_subnet.id,
                            nat_table.id,
                            onward.unwrap_or("nowhere")
                        ),
                        format!(
                            "route 0.0.0.0/0 in {} to the VPC's internet gateway (a NAT gateway belongs in a public subnet)",
                            nat_table.id
                        ),
                    );
                }
                walk.pass(
                    HopKind::RouteTable,
                    Some(&nat_table.id),
                    format!("{}: {what} → {} (internet gateway)", nat_table.id, onward.unwrap_or_default()),
                );
                walk.pass(
                    HopKind::InternetGateway,
                    onward,
                    format!("{} carries it to {what} from the NAT gateway's Elastic IP", onward.unwrap_or_default()),
                );
                self.acl_return(&nat_subnet.id, false, Some(address), traffic, walk)?;
                if nat_subnet.id != source.subnet.id {
                    self.acl_return(&nat_subnet.id, true, source_address, traffic, walk)?;
                }
                walk.exit = Some(Exit::NatGateway {
                    nat: target.to_string(),
                    cross_az: nat_subnet.availability_zone != source.subnet.availability_zone,
                });
                Some(())
            }
            Some(RouteTarget::VpnGateway) => walk.block(
                HopKind::VpnGateway,
                Some(target),
                explanation::NO_ROUTE,
                format!(
                    "{} sends {what} to VPN gateway {target}: it leaves through your data center, which Moat cannot see",
                    table.id
                ),
                format!("route {what} to an internet or NAT gateway in {}", table.id),
            ),
            None if target == "local" => walk.block(
                HopKind::RouteTable,
                Some(&table.id),
                explanation::NO_ROUTE,
                format!("{address} is inside the VPC's own block"),
                "pick an address outside the VPC".into(),
            ),
            // A workload's interface: Moat does not follow traffic through appliances.
            Some(RouteTarget::NetworkInterface) | None => walk.block(
                HopKind::RouteTable,
                Some(&table.id),
                explanation::ROUTE_TARGET_MISSING,
                format!(
                    "{} sends {what} to {target}, which is not an internet, NAT or VPN gateway of the design",
                    table.id
                ),
                format!("point the route in {} at an internet or NAT gateway", table.id),
            ),
        }
    }

    fn to_service(
        &self,
        source: &Inside<'design>,
        service: &str,
        traffic: Traffic,
        walk: &mut Walk,
    ) -> Option<()> {
        let vpc = source.subnet.vpc.as_str();
        let table = self.context.route_table_of(&source.subnet.id);
        // A gateway endpoint associated with the source's table wins: its prefix-list route is
        // more specific than any default route.
        let gateway_endpoint = table.and_then(|table| {
            self.endpoints_in(vpc).iter().copied().find(|e| {
                e.endpoint_type == EndpointType::Gateway
                    && e.service == service
                    && e.vpc == vpc
                    && e.route_tables.contains(&table.id)
            })
        });
        if let (Some(endpoint), Some(table)) = (gateway_endpoint, table) {
            self.security_group_egress(
                source,
                &Peer {
                    address: Some(SERVICE_PUBLIC_ADDRESS),
                    groups: &[],
                    service: Some(service),
                },
                traffic,
                walk,
            )?;
            self.acl_forward(
                &source.subnet.id,
                true,
                Some(SERVICE_PUBLIC_ADDRESS),
                traffic,
                walk,
            )?;
            walk.pass(
                HopKind::RouteTable,
                Some(&table.id),
                format!(
                    "{}: the {service} prefix list → {} wins (more specific than any default route)",
                    table.id, endpoint.id
                ),
            );
            endpoint_policy_admits(endpoint, service, HopKind::GatewayEndpoint, walk)?;
            walk.pass(
                HopKind::GatewayEndpoint,
                Some(&endpoint.id),
                format!(
                    "{} delivers it to {service} on AWS's network (no charge)",
                    endpoint.id
                ),
            );
            self.acl_return(
                &source.subnet.id,
                false,
                Some(SERVICE_PUBLIC_ADDRESS),
                traffic,
                walk,
            )?;
            walk.exit = Some(Exit::GatewayEndpoint {
                endpoint: endpoint.id.clone(),
            });
            return Some(());
        }
        // An interface endpoint with private DNS answers the service's name inside the VPC.
        let interface = self.endpoints_in(vpc).iter().copied().find(|e| {
            e.endpoint_type == EndpointType::Interface
                && e.service == service
                && e.vpc == vpc
                && e.private_dns
                && !e.subnets.is_empty()
        });
        if let Some(endpoint) = interface {
            // The endpoint's network interface in the source's zone, else its first one.
            let endpoint_subnet = endpoint
                .subnets
                .iter()
                .filter_map(|s| self.subnet(s))
                .find(|(s, _)| s.availability_zone == source.subnet.availability_zone)
                .or_else(|| endpoint.subnets.iter().find_map(|s| self.subnet(s)));
            let Some((endpoint_subnet, endpoint_block)) = endpoint_subnet else {
                return walk.block(
                    HopKind::InterfaceEndpoint,
                    Some(&endpoint.id),
                    explanation::ROUTE_TARGET_MISSING,
                    format!("{} lists no existing subnet", endpoint.id),
                    format!("give {} a subnet in each zone it serves", endpoint.id),
                );
            };
            let endpoint_groups: Vec<&SecurityGroup> = endpoint
                .security_groups
                .iter()
                .filter_map(|g| self.group(g))
                .collect();
            let endpoint_group_ids: Vec<&str> =
                endpoint_groups.iter().map(|g| g.id.as_str()).collect();
            let endpoint_inside = Inside {
                subnet: endpoint_subnet,
                block: endpoint_block,
                groups: Some(endpoint_groups.clone()),
                placed_groups: Vec::new(),
                label: endpoint.id.clone(),
            };
            self.security_group_egress(
                source,
                &Peer {
                    address: endpoint_inside.address(),
                    groups: &endpoint_group_ids,
                    service: None,
                },
                traffic,
                walk,
            )?;
            let crosses_subnet = endpoint_subnet.id != source.subnet.id;
            if crosses_subnet {
                self.acl_forward(
                    &source.subnet.id,
                    true,
                    endpoint_inside.address(),
                    traffic,
                    walk,
                )?;
                let address = endpoint_inside.address().unwrap_or(Ipv4Addr::UNSPECIFIED);
                let (table, _, target) = self.route(source.subnet, address, &endpoint.id, walk)?;
                if target != "local" {
                    return walk.block(
                        HopKind::RouteTable,
                        Some(&table.id),
                        explanation::NO_ROUTE,
                        format!(
                            "{} sends {address} to {target}, not to the VPC's local route",
                            table.id
                        ),
                        format!("remove the route to {target} that overrides the VPC's block"),
                    );
                }
                self.acl_forward(&endpoint_subnet.id, false, source.address(), traffic, walk)?;
            } else {
                walk.pass(
                    HopKind::Local,
                    Some(&source.subnet.id),
                    format!("{}'s network interface is in the same subnet", endpoint.id),
                );
            }
            endpoint_policy_admits(endpoint, service, HopKind::InterfaceEndpoint, walk)?;
            walk.pass(
                HopKind::InterfaceEndpoint,
                Some(&endpoint.id),
                format!(
                    "private DNS resolves {service} to {}'s network interface in {}",
                    endpoint.id, endpoint_subnet.id
                ),
            );
            let source_groups = source.group_ids();
            let peer = Peer {
                address: source.address(),
                groups: &source_groups,
                service: None,
            };
            if endpoint_groups.is_empty() {
                walk.pass(
                    HopKind::SecurityGroupIngress,
                    None,
                    format!(
                        "{} has no group listed: the VPC's default group applies",
                        endpoint.id
                    ),
                );
            } else {
                self.groups_admit(
                    &endpoint_groups,
                    &endpoint.id,
                    &peer,
                    traffic,
                    explanation::ENDPOINT_SG_DENIED,
                    walk,
                )?;
            }
            if crosses_subnet {
                self.acl_return(&endpoint_subnet.id, true, source.address(), traffic, walk)?;
                self.acl_return(
                    &source.subnet.id,
                    false,
                    endpoint_inside.address(),
                    traffic,
                    walk,
                )?;
            }
            walk.exit = Some(Exit::InterfaceEndpoint {
                endpoint: endpoint.id.clone(),
                cross_az: endpoint_subnet.availability_zone != source.subnet.availability_zone,
            });
            return Some(());
        }
        // No endpoint: the service's public endpoint, like any internet address.
        let what = format!("{service}'s public endpoint");
        self.outward(
            source,
            SERVICE_PUBLIC_ADDRESS,
            &what,
            Some(service),
            traffic,
            walk,
        )
    }

    fn to_on_premises(
        &self,
        source: &Inside<'design>,
        address: Ipv4Addr,
        traffic: Traffic,
        walk: &mut Walk,
    ) -> Option<()> {
        self.security_group_egress(
            source,
            &Peer {
                address: Some(address),
                groups: &[],
                service: None,
            },
            traffic,
            walk,
        )?;
        self.acl_forward(&source.subnet.id, true, Some(address), traffic, walk)?;
        let what = format!("on-premises {address}");
        let (table, _, target) = self.route(source.subnet, address, &what, walk)?;
        if self.route_target(target) != Some(RouteTarget::VpnGateway) {
            // Out through an internet or NAT gateway: that is the internet, not the data center.
            if matches!(
                self.route_target(target),
                Some(RouteTarget::InternetGateway | RouteTarget::NatGateway)
            ) {
                return walk.block(
                    HopKind::RouteTable,
                    Some(&table.id),
                    explanation::NO_ROUTE,
                    format!(
                        "{} sends {address} to {target}: it would go to the internet, not over the VPN",
                        table.id
                    ),
                    format!(
                        "add a route in {} for the on-premises block to the VPC's VPN gateway",
                        table.id
                    ),
                );
            }
            return self.leave_through(source, table, target, address, &what, traffic, walk);
        }
        self.over_vpn(target, address, &source.subnet.vpc, walk)?;
        self.acl_return(&source.subnet.id, false, Some(address), traffic, walk)
    }

    /// A VPN gateway of `vpc` with a connection to a customer gateway announcing `address`.
    fn over_vpn(
        &self,
        gateway_id: &str,
        address: Ipv4Addr,
        vpc: &str,
        walk: &mut Walk,
    ) -> Option<()> {
        let design = self.design;
        let gateway = design.vpn_gateways.iter().find(|g| g.id == gateway_id)?;
        if gateway.vpc != vpc {
            return walk.block(
                HopKind::VpnGateway,
                Some(gateway_id),
                explanation::VPN_NOT_CONNECTED,
                format!("{gateway_id} is attached to {}, not {vpc}", gateway.vpc),
                format!("route to the VPN gateway of {vpc}"),
            );
        }
        walk.pass(
            HopKind::VpnGateway,
            Some(gateway_id),
            format!("{gateway_id} is attached to {vpc}"),
        );
        let connection = design.vpn_connections.iter().find(|c| {
            c.vpn_gateway == gateway_id
                && design
                    .customer_gateways
                    .iter()
                    .find(|g| g.id == c.customer_gateway)
                    .is_some_and(|g| announces(g.on_premises_cidrs.as_slice(), address))
        });
        let Some(connection) = connection else {
            return walk.block(
                HopKind::VpnConnection,
                Some(gateway_id),
                explanation::VPN_NOT_CONNECTED,
                format!(
                    "no VPN connection of {gateway_id} reaches a customer gateway whose on-premises blocks include {address}"
                ),
                format!(
                    "add a VPN connection from {gateway_id} to the customer gateway of that network, and list its block"
                ),
            );
        };
        walk.pass(
            HopKind::VpnConnection,
            Some(&connection.id),
            format!(
                "{} (IPsec tunnels) to {}",
                connection.id, connection.customer_gateway
            ),
        );
        walk.pass(
            HopKind::CustomerGateway,
            Some(&connection.customer_gateway),
            format!("{} announces {address}", connection.customer_gateway),
        );
        walk.exit = Some(Exit::Vpn {
            connection: connection.id.clone(),
        });
        Some(())
    }

    /// The end of a path that arrives from outside the VPC at `address`'s request: the
    /// destination's ACL and groups admit it, its route table sends the reply back through
    /// `back_through` (the way it came), and the ACL lets the reply out.
    fn admit_and_reply(
        &self,
        destination: &Inside<'design>,
        address: Ipv4Addr,
        traffic: Traffic,
        back_through: &str,
        route_hint: impl Fn(&str) -> String,
        walk: &mut Walk,
    ) -> Option<()> {
        let subnet_id = destination.subnet.id.as_str();
        self.acl_forward(subnet_id, false, Some(address), traffic, walk)?;
        self.security_group_ingress(
            destination,
            &Peer {
                address: Some(address),
                groups: &[],
                service: None,
            },
            traffic,
            explanation::SG_INGRESS_DENIED,
            walk,
        )?;
        let Some(table) = self.context.route_table_of(subnet_id) else {
            return walk.block(
                HopKind::RouteTable,
                Some(subnet_id),
                explanation::NO_RETURN_ROUTE,
                format!("{subnet_id} has no route table for the reply"),
                format!(
                    "associate {subnet_id} with a table that routes the reply to {back_through}"
                ),
            );
        };
        let back = longest_prefix_match(self.candidates(table), address).map(|(_, t)| *t);
        if back != Some(back_through) {
            return walk.block(
                HopKind::RouteTable,
                Some(&table.id),
                explanation::NO_RETURN_ROUTE,
                format!(
                    "the reply from {subnet_id} to {address} is routed by {} to {}, not back through {back_through}",
                    table.id,
                    back.unwrap_or("nowhere")
                ),
                route_hint(&table.id),
            );
        }
        walk.pass(
            HopKind::RouteTable,
            Some(&table.id),
            format!(
                "{}: the reply to {address} returns through {back_through}",
                table.id
            ),
        );
        self.acl_return(subnet_id, true, Some(address), traffic, walk)
    }

    fn arriving_from_internet(
        &self,
        destination: &Inside<'design>,
        traffic: Traffic,
        walk: &mut Walk,
    ) -> Option<()> {
        let design = self.design;
        let vpc = destination.subnet.vpc.as_str();
        let Some(gateway) = design.internet_gateways.iter().find(|g| g.vpc == vpc) else {
            return walk.block(
                HopKind::InternetGateway,
                Some(vpc),
                explanation::NO_ROUTE,
                format!("{vpc} has no internet gateway: nothing on the internet can reach it"),
                format!("add an internet gateway to {vpc} (only if it must be reachable)"),
            );
        };
        walk.pass(
            HopKind::InternetGateway,
            Some(&gateway.id),
            format!("{} admits traffic to public addresses in {vpc}", gateway.id),
        );
        if !destination.subnet.map_public_ip_on_launch {
            return walk.block(
                HopKind::PublicAddress,
                Some(&destination.subnet.id),
                explanation::NO_PUBLIC_IP,
                format!(
                    "instances in {} get no public IPv4 address",
                    destination.subnet.id
                ),
                format!(
                    "turn on map_public_ip_on_launch for {} (only if it must be reachable)",
                    destination.subnet.id
                ),
            );
        }
        self.admit_and_reply(
            destination,
            INTERNET_ADDRESS,
            traffic,
            &gateway.id,
            |table| format!("route 0.0.0.0/0 in {table} to {}", gateway.id),
            walk,
        )?;
        walk.exit = Some(Exit::InternetGateway {
            gateway: gateway.id.clone(),
        });
        Some(())
    }

    fn arriving_from_on_premises(
        &self,
        address: Ipv4Addr,
        destination: &Inside<'design>,
        traffic: Traffic,
        walk: &mut Walk,
    ) -> Option<()> {
        let design = self.design;
        let vpc = destination.subnet.vpc.as_str();
        let connection = design.vpn_connections.iter().find(|c| {
            design
                .vpn_gateways
                .iter()
                .any(|g| g.id == c.vpn_gateway && g.vpc == vpc)
                && design
                    .customer_gateways
                    .iter()
                    .find(|g| g.id == c.customer_gateway)
                    .is_some_and(|g| announces(&g.on_premises_cidrs, address))
        });
        let Some(connection) = connection else {
            return walk.block(
                HopKind::VpnConnection,
                Some(vpc),
                explanation::VPN_NOT_CONNECTED,
                format!(
                    "no VPN connection links {vpc} to a customer gateway whose on-premises blocks include {address}"
                ),
                format!("attach a VPN gateway to {vpc} and connect it to that customer gateway"),
            );
        };
        walk.pass(
            HopKind::CustomerGateway,
            Some(&connection.customer_gateway),
            format!(
                "{} sends {address}'s traffic into the tunnels",
                connection.customer_gateway
            ),
        );
        walk.pass(
            HopKind::VpnConnection,
            Some(&connection.id),
            format!("{} carries it to {}", connection.id, connection.vpn_gateway),
        );
        walk.pass(
            HopKind::VpnGateway,
            Some(&connection.vpn_gateway),
            format!("{} delivers it inside {vpc}", connection.vpn_gateway),
        );
        self.admit_and_reply(
            destination,
            address,
            traffic,
            &connection.vpn_gateway,
            |table| {
                format!(
                    "add a route in {table} for the on-premises block to {}",
                    connection.vpn_gateway
                )
            },
            walk,
        )?;
        walk.exit = Some(Exit::Vpn {
            connection: connection.id.clone(),
        });
        Some(())
    }
}

fn announces(blocks: &[String], address: Ipv4Addr) -> bool {
    blocks
        .iter()
        .filter_map(|b| cidr::parse_cidr(b).ok())
        .any(|b| b.network.contains(&address))
}

fn peer_label(peer: &Peer) -> String {
    let mut parts = Vec::new();
    if let Some(service) = peer.service {
        parts.push(format!("{service}'s prefix list"));
    }
    if let Some(address) = peer.address {
        parts.push(address.to_string());
    }
    parts.extend(peer.groups.iter().map(|g| g.to_string()));
    if parts.is_empty() {
        "the peer".into()
    } else {
        parts.join(" / ")
    }
}

fn protocol_covers(rule: Protocol, traffic: Protocol) -> bool {
    rule == Protocol::All || rule == traffic
}

/// Whether a rule's port range covers the traffic's ports (`-1` or a protocol of all: every port).
fn ports_cover(rule_protocol: Protocol, from: i32, to: i32, wanted: (u16, u16)) -> bool {
    if !matches!(rule_protocol, Protocol::Tcp | Protocol::Udp) || from < 0 {
        return true;
    }
    from <= i32::from(wanted.0) && i32::from(wanted.1) <= to
}

/// Whether some rule of a group allows the traffic to or from the peer.
fn rules_allow(
    rules: &[crate::model::SecurityGroupRule],
    group: &SecurityGroup,
    peer: &Peer,
    traffic: Traffic,
) -> bool {
    rules.iter().any(|rule| {
        if !protocol_covers(rule.protocol, traffic.protocol)
            || !ports_cover(rule.protocol, rule.from_port, rule.to_port, traffic.ports())
        {
            return false;
        }
        if let Some(block) = rule.cidr.as_deref().and_then(|c| cidr::parse_cidr(c).ok()) {
            return peer.address.is_some_and(|a| block.network.contains(&a));
        }
        if let Some(referenced) = rule.security_group.as_deref() {
            let referenced = if referenced.is_empty() {
                group.id.as_str()
            } else {
                referenced
            };
            return peer.groups.contains(&referenced);
        }
        if let Some(list) = rule.prefix_list.as_deref() {
            return peer
                .service
                .is_some_and(|service| prefix_list_names(list, service));
        }
        false
    })
}

/// Whether a prefix-list reference names a service (`pl-s3`, `com.amazonaws.us-east-1.s3`, `s3`).
fn prefix_list_names(list: &str, service: &str) -> bool {
    let list = list.to_ascii_lowercase();
    list == service
        || list.ends_with(&format!(".{service}"))
        || list.ends_with(&format!("-{service}"))
}

/// A network ACL's verdict on one crossing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AclDecision {
    /// Allowed; the rule number that allowed the last of the ports.
    Allowed(u32),
    /// Denied by a rule, or by the final implicit deny (`None`).
    Denied(Option<u32>),
}

/// Evaluates the ACL's rules of one direction in number order, as AWS does: the first rule
/// matching a packet decides it. For a port range (return traffic) every port must be allowed:
/// a deny of any port in it denies the crossing.
pub fn acl_decision(
    acl: &NetworkAcl,
    egress: bool,
    protocol: Protocol,
    ports: (u16, u16),
    peer: Option<Ipv4Addr>,
) -> AclDecision {
    let mut entries: Vec<&crate::model::NetworkAclEntry> =
        acl.entries.iter().filter(|e| e.egress == egress).collect();
    entries.sort_by_key(|e| e.rule_number);
    // Ports of the range not yet decided.
    let mut open: Vec<(u32, u32)> = vec![(u32::from(ports.0), u32::from(ports.1))];
    let mut last_allow = 0;
    for entry in entries {
        if !protocol_covers(entry.protocol, protocol) && entry.protocol != Protocol::All {
            continue;
        }
        if entry.protocol != Protocol::All && protocol == Protocol::All {
            // A rule for one protocol decides only part of "all traffic": a deny of it denies,
            // an allow of it is not enough on its own.
            let Ok(block) = cidr::parse_cidr(&entry.cidr) else {
                continue;
            };
            if peer.is_some_and(|p| block.network.contains(&p)) && entry.action == RuleAction::Deny
            {
                return AclDecision::Denied(Some(entry.rule_number));
            }
            continue;
        }
        let Ok(block) = cidr::parse_cidr(&entry.cidr) else {
            continue;
        };
        if !peer.is_some_and(|p| block.network.contains(&p)) {
            continue;
        }
        let (rule_from, rule_to) =
            if !matches!(entry.protocol, Protocol::Tcp | Protocol::Udp) || entry.from_port < 0 {
                (0u32, 65535u32)
            } else {
                (
                    entry.from_port.clamp(0, 65535) as u32,
                    entry.to_port.clamp(0, 65535) as u32,
                )
            };
        let mut still_open = Vec::new();
        for (from, to) in open {
            let overlap_from = from.max(rule_from);
            let overlap_to = to.min(rule_to);
            if overlap_from > overlap_to {
                still_open.push((from, to));
                continue;
            }
            if entry.action == RuleAction::Deny {
                return AclDecision::Denied(Some(entry.rule_number));
            }
            last_allow = entry.rule_number;
            if from < overlap_from {
                still_open.push((from, overlap_from - 1));
            }
            if overlap_to < to {
                still_open.push((overlap_to + 1, to));
            }
        }
        open = still_open;
        if open.is_empty() {
            return AclDecision::Allowed(last_allow);
        }
    }
    AclDecision::Denied(None)
}

/// One row of the reachability matrix: what a subnet can reach and what can reach it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MatrixRow {
    pub subnet: String,
    pub cells: Vec<MatrixCell>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MatrixCell {
    /// The column: `internet`, `from internet`, `s3`, a service, `on-premises <address>`.
    pub column: String,
    pub reachable: bool,
    /// How: `igw`, `nat`, `gateway endpoint`, `interface endpoint`, `vpn`, `local`.
    pub via: Option<String>,
    /// Why not, when not.
    pub code: Option<&'static str>,
}

/// The matrix's columns for a design: the internet both ways, S3, DynamoDB, every interface
/// endpoint service of the design, and each customer gateway's network.
pub fn matrix_columns(design: &Design) -> Vec<(String, Place, bool)> {
    let mut columns = vec![
        ("internet".to_string(), Place::Internet, false),
        ("from internet".to_string(), Place::Internet, true),
        ("s3".to_string(), Place::Service("s3".into()), false),
        (
            "dynamodb".to_string(),
            Place::Service("dynamodb".into()),
            false,
        ),
    ];
    let mut services: Vec<&str> = design
        .endpoints
        .iter()
        .filter(|e| e.endpoint_type == EndpointType::Interface)
        .map(|e| e.service.as_str())
        .collect();
    services.sort_unstable();
    services.dedup();
    for service in services {
        columns.push((
            service.to_string(),
            Place::Service(service.to_string()),
            false,
        ));
    }
    for gateway in &design.customer_gateways {
        if let Some(block) = gateway
            .on_premises_cidrs
            .first()
            .and_then(|c| cidr::parse_cidr(c).ok())
        {
            let address = first_host(block.network);
            columns.push((
                format!("on-premises {}", gateway.id),
                Place::OnPremises(address),
                false,
            ));
        }
    }
    columns
}

/// For every subnet: can it reach each column (HTTPS), and can the internet reach it?
pub fn reachability_matrix(design: &Design) -> Vec<MatrixRow> {
    let engine = Reachability::new(design);
    let columns = matrix_columns(design);
    design
        .subnets
        .iter()
        .map(|subnet| {
            let source = Place::Subnet(subnet.id.clone());
            let cells = columns
                .iter()
                .map(|(column, place, inbound)| {
                    let answer = if *inbound {
                        engine.explain(place, &source, Traffic::HTTPS)
                    } else {
                        engine.explain(&source, place, Traffic::HTTPS)
                    };
                    MatrixCell {
                        column: column.clone(),
                        reachable: answer.reachable,
                        via: answer
                            .exit
                            .as_ref()
                            .map(|exit| exit_label(exit).to_string()),
                        code: answer.blocked.as_ref().map(|b| b.code),
                    }
                })
                .collect();
            MatrixRow {
                subnet: subnet.id.clone(),
                cells,
            }
        })
        .collect()
}

/// A short name for how traffic leaves.
pub fn exit_label(exit: &Exit) -> &'static str {
    match exit {
        Exit::Local { .. } => "local",
        Exit::InternetGateway { .. } => "igw",
        Exit::NatGateway { .. } => "nat",
        Exit::GatewayEndpoint { .. } => "gateway endpoint",
        Exit::InterfaceEndpoint { .. } => "interface endpoint",
        Exit::Vpn { .. } => "vpn",
    }
}

/// Whether an endpoint's policy lets anyone use its service at all: a design does not say
/// which principal calls or which resource it wants, so only a policy that can never allow
/// the service blocks the path (`endpoint-policy`); scoped policies pass, and say so.
fn endpoint_policy_admits(
    endpoint: &crate::model::Endpoint,
    service: &str,
    hop: HopKind,
    walk: &mut Walk,
) -> Option<()> {
    let Some(document) = &endpoint.policy else {
        return Some(());
    };
    let prefix = endpoint_policy::action_prefix(service);
    if endpoint_policy::allows_service(document, &prefix) {
        if !endpoint_policy::is_full_access(document) {
            walk.pass(
                hop,
                Some(&endpoint.id),
                format!(
                    "{}'s policy allows some {prefix}: actions: which principals and resources it admits is for the calls themselves",
                    endpoint.id
                ),
            );
        }
        return Some(());
    }
    walk.block(
        hop,
        Some(&endpoint.id),
        explanation::ENDPOINT_POLICY,
        format!(
            "{}'s policy allows no {prefix}: action, so every call to {service} through it is denied",
            endpoint.id
        ),
        format!(
            "allow the {prefix}: actions the callers need in {}'s policy, or remove the Deny",
            endpoint.id
        ),
    )
}

#[cfg(test)]
mod tests;
