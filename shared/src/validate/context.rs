//! What every rule needs, computed once per validation: parsed CIDRs, id lookups, and each
//! subnet's effective route table (its explicit association, else its VPC's main table).

use std::collections::HashMap;

use ipnet::Ipv4Net;

use crate::cidr;
use crate::model::{Design, ObjectKind, RouteTable};

/// A design with its CIDRs parsed once and its ids indexed.
pub struct ValidationContext<'design> {
    pub design: &'design Design,
    /// Object id → kind, for reference checks (first occurrence wins on duplicates).
    pub kinds: HashMap<&'design str, ObjectKind>,
    /// Per VPC (same order as `design.vpcs`): its parsed blocks, `None` where a block is invalid.
    pub vpc_blocks: Vec<Vec<Option<Ipv4Net>>>,
    /// Per subnet (same order as `design.subnets`): its parsed block.
    pub subnet_blocks: Vec<Option<Ipv4Net>>,
    /// VPC id → index in `design.vpcs`.
    pub vpc_index: HashMap<&'design str, usize>,
    /// Subnet id → index in `design.subnets`.
    pub subnet_index: HashMap<&'design str, usize>,
    /// Route table id → index in `design.route_tables`.
    pub route_table_index: HashMap<&'design str, usize>,
    /// Security group id → index in `design.security_groups`.
    pub security_group_index: HashMap<&'design str, usize>,
    /// Subnet id → index of its effective route table, if it has one.
    pub effective_route_table: HashMap<&'design str, usize>,
}

impl<'design> ValidationContext<'design> {
    pub fn new(design: &'design Design) -> Self {
        let mut kinds = HashMap::new();
        for (id, kind) in design.object_ids() {
            kinds.entry(id).or_insert(kind);
        }
        let vpc_blocks = design
            .vpcs
            .iter()
            .map(|vpc| {
                vpc.cidr_blocks
                    .iter()
                    .map(|text| parse_network(text))
                    .collect()
            })
            .collect();
        let subnet_blocks = design
            .subnets
            .iter()
            .map(|subnet| parse_network(&subnet.cidr))
            .collect();
        let index_of = |ids: Vec<&'design str>| -> HashMap<&'design str, usize> {
            let mut map = HashMap::new();
            for (index, id) in ids.into_iter().enumerate() {
                map.entry(id).or_insert(index);
            }
            map
        };
        let vpc_index = index_of(design.vpcs.iter().map(|o| o.id.as_str()).collect());
        let subnet_index = index_of(design.subnets.iter().map(|o| o.id.as_str()).collect());
        let route_table_index =
            index_of(design.route_tables.iter().map(|o| o.id.as_str()).collect());
        let security_group_index = index_of(
            design
                .security_groups
                .iter()
                .map(|o| o.id.as_str())
                .collect(),
        );
        let mut main_table_of_vpc: HashMap<&str, usize> = HashMap::new();
        for (index, table) in design.route_tables.iter().enumerate() {
            if table.main {
                main_table_of_vpc.entry(table.vpc.as_str()).or_insert(index);
            }
        }
        let mut effective_route_table = HashMap::new();
        for (index, table) in design.route_tables.iter().enumerate() {
            for subnet in &table.subnets {
                effective_route_table
                    .entry(subnet.as_str())
                    .or_insert(index);
            }
        }
        for subnet in &design.subnets {
            if let Some(&main) = main_table_of_vpc.get(subnet.vpc.as_str()) {
                effective_route_table
                    .entry(subnet.id.as_str())
                    .or_insert(main);
            }
        }
        ValidationContext {
            design,
            kinds,
            vpc_blocks,
            subnet_blocks,
            vpc_index,
            subnet_index,
            route_table_index,
            security_group_index,
            effective_route_table,
        }
    }

    /// Whether `id` names an object of `kind`.
    pub fn is_kind(&self, id: &str, kind: ObjectKind) -> bool {
        self.kinds.get(id) == Some(&kind)
    }

    /// The route table a subnet's traffic uses.
    pub fn route_table_of(&self, subnet_id: &str) -> Option<&'design RouteTable> {
        self.effective_route_table
            .get(subnet_id)
            .map(|&index| &self.design.route_tables[index])
    }

    /// The VPC an object lives in, for the kinds that have one.
    pub fn vpc_of(&self, object_id: &str) -> Option<&'design str> {
        let design = self.design;
        let subnet_vpc = |subnet_id: &str| {
            self.subnet_index
                .get(subnet_id)
                .map(|&i| design.subnets[i].vpc.as_str())
        };
        match self.kinds.get(object_id)? {
            ObjectKind::Vpc => design
                .vpcs
                .iter()
                .find(|o| o.id == object_id)
                .map(|o| o.id.as_str()),
            ObjectKind::Subnet => subnet_vpc(object_id),
            ObjectKind::InternetGateway => design
                .internet_gateways
                .iter()
                .find(|o| o.id == object_id)
                .map(|o| o.vpc.as_str()),
            ObjectKind::NatGateway => design
                .nat_gateways
                .iter()
                .find(|o| o.id == object_id)
                .and_then(|o| subnet_vpc(&o.subnet)),
            ObjectKind::VpnGateway => design
                .vpn_gateways
                .iter()
                .find(|o| o.id == object_id)
                .map(|o| o.vpc.as_str()),
            ObjectKind::RouteTable => self
                .route_table_index
                .get(object_id)
                .map(|&i| design.route_tables[i].vpc.as_str()),
            ObjectKind::Endpoint => design
                .endpoints
                .iter()
                .find(|o| o.id == object_id)
                .map(|o| o.vpc.as_str()),
            ObjectKind::SecurityGroup => self
                .security_group_index
                .get(object_id)
                .map(|&i| design.security_groups[i].vpc.as_str()),
            ObjectKind::NetworkAcl => design
                .network_acls
                .iter()
                .find(|o| o.id == object_id)
                .map(|o| o.vpc.as_str()),
            ObjectKind::Workload => design
                .workloads
                .iter()
                .find(|o| o.id == object_id)
                .and_then(|o| subnet_vpc(&o.subnet)),
            ObjectKind::CustomerGateway
            | ObjectKind::VpnConnection
            | ObjectKind::PlacementGroup => None,
        }
    }

    /// Whether a route table sends any destination to an internet gateway.
    pub fn routes_to_internet_gateway(&self, table: &RouteTable) -> bool {
        table
            .routes
            .iter()
            .any(|route| self.is_kind(&route.target, ObjectKind::InternetGateway))
    }

    /// Whether a route table sends the default route (0.0.0.0/0) to an internet gateway.
    pub fn default_route_to_internet_gateway(&self, table: &RouteTable) -> bool {
        table.routes.iter().any(|route| {
            is_default_route(&route.destination)
                && self.is_kind(&route.target, ObjectKind::InternetGateway)
        })
    }

    /// The NAT gateways a table's routes point at.
    pub fn nat_targets<'table>(
        &self,
        table: &'table RouteTable,
    ) -> impl Iterator<Item = &'table str> {
        table
            .routes
            .iter()
            .map(|route| route.target.as_str())
            .filter(|target| self.is_kind(target, ObjectKind::NatGateway))
    }

    /// Whether a subnet is public in fact: its route table reaches an internet gateway.
    pub fn subnet_reaches_internet_gateway(&self, subnet_id: &str) -> bool {
        self.route_table_of(subnet_id)
            .is_some_and(|table| self.routes_to_internet_gateway(table))
    }
}

/// Whether a destination is the IPv4 default route.
pub fn is_default_route(destination: &str) -> bool {
    cidr::parse_cidr(destination).is_ok_and(|parsed| parsed.network.prefix_len() == 0)
}

fn parse_network(text: &str) -> Option<Ipv4Net> {
    cidr::parse_cidr(text).ok().map(|parsed| parsed.network)
}

/// Parses a CIDR field for a rule, or explains why not.
pub fn parse_field(text: &str) -> Result<cidr::ParsedCidr, cidr::CidrParseError> {
    cidr::parse_cidr(text)
}
