//! What every rule needs, computed once per validation: parsed CIDRs, id lookups, and each
//! subnet's effective route table (its explicit association, else its VPC's main table).

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use ipnet::Ipv4Net;

use crate::cidr;
use crate::model::{Container, Design, EndpointType, ObjectKind, RouteTable, RouteTarget};

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
    /// Object id → the VPC it lives in, for every kind that has one.
    pub object_vpc: HashMap<&'design str, &'design str>,
    /// VPC id → the parsed blocks of its subnets.
    pub subnet_blocks_by_vpc: HashMap<&'design str, Vec<Ipv4Net>>,
    /// NAT gateway id → index of its subnet.
    pub nat_subnet: HashMap<&'design str, usize>,
    /// Subnet id → indexes of the workloads in it.
    pub workloads_by_subnet: HashMap<&'design str, Vec<usize>>,
    /// (service, route table id) of every gateway endpoint association.
    pub gateway_endpoint_routes: HashSet<(&'design str, &'design str)>,
    /// (VPC id, service) of every interface endpoint.
    pub interface_services: HashSet<(&'design str, &'design str)>,
    /// Per route table (same order as `design.route_tables`): what its routes reach.
    pub table_facts: Vec<TableFacts<'design>>,
}

/// What one route table's routes reach, computed once.
#[derive(Debug, Default)]
pub struct TableFacts<'design> {
    /// Some route targets an internet gateway.
    pub reaches_internet_gateway: bool,
    /// 0.0.0.0/0 targets an internet gateway.
    pub default_route_to_internet_gateway: bool,
    /// The NAT gateways its routes target.
    pub nat_targets: Vec<&'design str>,
}

impl<'design> ValidationContext<'design> {
    pub fn new(design: &'design Design) -> Self {
        let mut kinds = HashMap::default();
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
        let subnet_blocks: Vec<Option<Ipv4Net>> = design
            .subnets
            .iter()
            .map(|subnet| parse_network(&subnet.cidr))
            .collect();
        let index_of = |ids: Vec<&'design str>| -> HashMap<&'design str, usize> {
            let mut map = HashMap::default();
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
        let mut main_table_of_vpc: HashMap<&str, usize> = HashMap::default();
        for (index, table) in design.route_tables.iter().enumerate() {
            if table.main {
                main_table_of_vpc.entry(table.vpc.as_str()).or_insert(index);
            }
        }
        let mut effective_route_table = HashMap::default();
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
        let object_vpc = object_vpcs(design, &subnet_index);
        let mut subnet_blocks_by_vpc: HashMap<&str, Vec<Ipv4Net>> = HashMap::default();
        for (subnet, block) in design.subnets.iter().zip(&subnet_blocks) {
            if let Some(block) = block {
                subnet_blocks_by_vpc
                    .entry(subnet.vpc.as_str())
                    .or_default()
                    .push(*block);
            }
        }
        let nat_subnet = design
            .nat_gateways
            .iter()
            .filter_map(|nat| {
                subnet_index
                    .get(nat.subnet.as_str())
                    .map(|&index| (nat.id.as_str(), index))
            })
            .collect();
        let mut workloads_by_subnet: HashMap<&str, Vec<usize>> = HashMap::default();
        for (index, workload) in design.workloads.iter().enumerate() {
            workloads_by_subnet
                .entry(workload.subnet.as_str())
                .or_default()
                .push(index);
        }
        let mut gateway_endpoint_routes = HashSet::default();
        let mut interface_services = HashSet::default();
        for endpoint in &design.endpoints {
            match endpoint.endpoint_type {
                EndpointType::Gateway => {
                    for table in &endpoint.route_tables {
                        gateway_endpoint_routes.insert((endpoint.service.as_str(), table.as_str()));
                    }
                }
                EndpointType::Interface => {
                    interface_services.insert((endpoint.vpc.as_str(), endpoint.service.as_str()));
                }
            }
        }
        let table_facts = design
            .route_tables
            .iter()
            .map(|table| {
                let mut facts = TableFacts::default();
                for route in &table.routes {
                    let target = kinds
                        .get(route.target.as_str())
                        .and_then(|kind| kind.route_target());
                    match target {
                        Some(RouteTarget::InternetGateway) => {
                            facts.reaches_internet_gateway = true;
                            facts.default_route_to_internet_gateway |=
                                is_default_route(&route.destination);
                        }
                        Some(RouteTarget::NatGateway) => {
                            facts.nat_targets.push(route.target.as_str())
                        }
                        Some(RouteTarget::VpnGateway | RouteTarget::NetworkInterface) | None => {}
                    }
                }
                facts
            })
            .collect();
        ValidationContext {
            design,
            table_facts,
            object_vpc,
            subnet_blocks_by_vpc,
            nat_subnet,
            workloads_by_subnet,
            gateway_endpoint_routes,
            interface_services,
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
        self.object_vpc.get(object_id).copied()
    }

    fn facts(&self, table: &RouteTable) -> Option<&TableFacts<'design>> {
        self.route_table_index
            .get(table.id.as_str())
            .map(|&index| &self.table_facts[index])
    }

    /// Whether a route table sends any destination to an internet gateway.
    pub fn routes_to_internet_gateway(&self, table: &RouteTable) -> bool {
        self.facts(table)
            .is_some_and(|facts| facts.reaches_internet_gateway)
    }

    /// Whether a route table sends the default route (0.0.0.0/0) to an internet gateway.
    pub fn default_route_to_internet_gateway(&self, table: &RouteTable) -> bool {
        self.facts(table)
            .is_some_and(|facts| facts.default_route_to_internet_gateway)
    }

    /// The NAT gateways a table's routes point at.
    pub fn nat_targets(&self, table: &RouteTable) -> &[&'design str] {
        self.facts(table)
            .map(|facts| facts.nat_targets.as_slice())
            .unwrap_or(&[])
    }

    /// Whether a subnet is public in fact: its route table reaches an internet gateway.
    pub fn subnet_reaches_internet_gateway(&self, subnet_id: &str) -> bool {
        self.route_table_of(subnet_id)
            .is_some_and(|table| self.routes_to_internet_gateway(table))
    }
}

/// Every object's VPC, in one pass per collection (first occurrence wins on duplicate ids).
pub(crate) fn object_vpcs<'design>(
    design: &'design Design,
    subnet_index: &HashMap<&'design str, usize>,
) -> HashMap<&'design str, &'design str> {
    let mut vpcs: HashMap<&str, &str> = HashMap::default();
    let subnet_vpc = |subnet_id: &str| {
        subnet_index
            .get(subnet_id)
            .map(|&index| design.subnets[index].vpc.as_str())
    };
    for object in design.objects() {
        let vpc = match object.container() {
            Container::Canvas => (object.kind() == ObjectKind::Vpc).then_some(object.id()),
            Container::Vpc(vpc) => Some(vpc),
            Container::Subnet(subnet) => subnet_vpc(subnet),
        };
        if let Some(vpc) = vpc {
            vpcs.entry(object.id()).or_insert(vpc);
        }
    }
    vpcs
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
