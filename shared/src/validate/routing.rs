//! Routing rules (reference § Routing). Sources: Amazon VPC User Guide, "Route tables"
//! (one route per destination, targets in the table's VPC, 169.254.168.0/22 reserved, routes
//! more specific than local), "NAT gateways" (a public NAT gateway needs a route to an internet
//! gateway), "Amazon VPC quotas" (50 routes per table).

use rustc_hash::FxHashMap as HashMap;

use ipnet::Ipv4Net;

use super::addressing::check_cidr_text;
use super::codes;
use super::context::ValidationContext;
use super::{Diagnostic, Severity};
use crate::cidr;
use crate::model::{ObjectKind, SubnetTier};

const ROUTES_PER_TABLE_QUOTA: usize = 50;

pub(super) fn check(context: &ValidationContext<'_>, out: &mut Vec<Diagnostic>) {
    check_tables(context, out);
    check_associations(context, out);
    check_nat_gateways(context, out);
    check_subnet_intent(context, out);
}

fn check_tables(context: &ValidationContext<'_>, out: &mut Vec<Diagnostic>) {
    let design = context.design;
    let reserved: Ipv4Net = "169.254.168.0/22".parse().unwrap_or_default();
    let mut main_tables: HashMap<&str, Vec<&str>> = HashMap::default();
    for table in &design.route_tables {
        if table.main {
            main_tables
                .entry(table.vpc.as_str())
                .or_default()
                .push(table.id.as_str());
        }
        // An unknown VPC is the reference check's.
        let Some(&vpc_index) = context.vpc_index.get(table.vpc.as_str()) else {
            continue;
        };
        let vpc_networks: Vec<Ipv4Net> = context.vpc_blocks[vpc_index]
            .iter()
            .flatten()
            .copied()
            .collect();
        if table.routes.len() > ROUTES_PER_TABLE_QUOTA {
            out.push(Diagnostic::new(
                codes::ROUTE_TABLE_LIMIT,
                Severity::Warning,
                [&table.id],
                format!(
                    "route table {} has {} routes; the default quota is {ROUTES_PER_TABLE_QUOTA}",
                    table.id,
                    table.routes.len()
                ),
                "summarise destinations into fewer, larger blocks, or request a quota increase",
            ));
        }
        let mut seen: HashMap<Ipv4Net, usize> = HashMap::default();
        for (position, route) in table.routes.iter().enumerate() {
            let destination = check_cidr_text(
                &table.id,
                format_args!("routes[{position}].destination"),
                &route.destination,
                out,
            );
            check_target(
                context,
                table.id.as_str(),
                table.vpc.as_str(),
                position,
                &route.target,
                out,
            );
            let Some(destination) = destination else {
                continue;
            };
            if let Some(first) = seen.insert(destination, position) {
                out.push(Diagnostic::new(
                    codes::ROUTE_DUPLICATE_DESTINATION,
                    Severity::Error,
                    [&table.id],
                    format!(
                        "route table {} has two routes to {destination} (routes[{first}] and routes[{position}])",
                        table.id
                    ),
                    "keep one route per destination: delete one of them",
                ));
            }
            if cidr::contains(reserved, destination) {
                out.push(Diagnostic::new(
                    codes::ROUTE_RESERVED_DESTINATION,
                    Severity::Error,
                    [&table.id],
                    format!(
                        "route table {} routes {destination}, inside the reserved 169.254.168.0/22",
                        table.id
                    ),
                    "remove the route: AWS reserves 169.254.168.0/22 for its own services",
                ));
            }
            if vpc_networks
                .iter()
                .any(|block| cidr::contains(*block, destination))
            {
                let equals_subnet = context
                    .subnet_blocks_by_vpc
                    .get(table.vpc.as_str())
                    .is_some_and(|blocks| blocks.contains(&destination));
                let target_allowed = context.is_kind(&route.target, ObjectKind::NatGateway)
                    || context.is_kind(&route.target, ObjectKind::Workload);
                if !(equals_subnet && target_allowed) {
                    out.push(Diagnostic::new(
                        codes::ROUTE_MORE_SPECIFIC_THAN_LOCAL,
                        Severity::Error,
                        [table.id.as_str(), route.target.as_str()],
                        format!(
                            "route table {} routes {destination}, inside VPC {}'s own range, to {}",
                            table.id, table.vpc, route.target
                        ),
                        "traffic inside the VPC uses the local route; a more specific route must equal a whole subnet's CIDR and target a NAT gateway or a network interface",
                    ));
                }
            }
        }
    }
    let mut vpcs: Vec<_> = main_tables
        .into_iter()
        .filter(|(_, tables)| tables.len() > 1)
        .collect();
    vpcs.sort();
    for (vpc, tables) in vpcs {
        out.push(Diagnostic::new(
            codes::ROUTE_MAIN_MULTIPLE,
            Severity::Error,
            tables.iter().copied(),
            format!(
                "VPC {vpc} has {} main route tables ({}); a VPC has exactly one",
                tables.len(),
                tables.join(", ")
            ),
            format!("keep main on {} only", tables[0]),
        ));
    }
}

fn check_target(
    context: &ValidationContext<'_>,
    table_id: &str,
    table_vpc: &str,
    position: usize,
    target: &str,
    out: &mut Vec<Diagnostic>,
) {
    match context.kinds.get(target) {
        Some(kind) if kind.route_target().is_some() => {
            if let Some(target_vpc) = context.vpc_of(target)
                && target_vpc != table_vpc
            {
                out.push(Diagnostic::new(
                    codes::ROUTE_TARGET_OTHER_VPC,
                    Severity::Error,
                    [table_id, target],
                    format!("route table {table_id} (VPC {table_vpc}) routes to {target}, which is in VPC {target_vpc}"),
                    format!("target a gateway of VPC {table_vpc}"),
                ));
            }
        }
        Some(kind) => out.push(Diagnostic::new(
            codes::ROUTE_TARGET_MISSING,
            Severity::Error,
            [table_id, target],
            format!("route table {table_id} routes[{position}] targets {target}, a {}, which cannot carry a route", kind.label()),
            "target an internet, NAT or VPN gateway, or a workload's network interface",
        )),
        None => out.push(Diagnostic::new(
            codes::ROUTE_TARGET_MISSING,
            Severity::Error,
            [table_id],
            format!("route table {table_id} routes[{position}] targets \"{target}\", which is not in the design"),
            "create the gateway first, or point the route at an existing one",
        )),
    }
}

fn check_associations(context: &ValidationContext<'_>, out: &mut Vec<Diagnostic>) {
    let design = context.design;
    let mut tables_of_subnet: HashMap<&str, Vec<&str>> = HashMap::default();
    for table in &design.route_tables {
        for subnet_id in &table.subnets {
            tables_of_subnet
                .entry(subnet_id.as_str())
                .or_default()
                .push(table.id.as_str());
            match context.subnet_index.get(subnet_id.as_str()) {
                // Unknown: reported by the reference check.
                None => {}
                Some(&index) if design.subnets[index].vpc != table.vpc => out.push(Diagnostic::new(
                    codes::REFERENCE_OTHER_VPC,
                    Severity::Error,
                    [table.id.as_str(), subnet_id.as_str()],
                    format!(
                        "route table {} (VPC {}) is associated with subnet {subnet_id} of VPC {}",
                        table.id, table.vpc, design.subnets[index].vpc
                    ),
                    "associate the subnet with a route table of its own VPC",
                )),
                Some(_) => {}
            }
        }
    }
    let mut crowded: Vec<_> = tables_of_subnet
        .into_iter()
        .filter(|(_, tables)| tables.len() > 1)
        .collect();
    crowded.sort();
    for (subnet, tables) in crowded {
        let mut objects = vec![subnet];
        objects.extend(&tables);
        out.push(Diagnostic::new(
            codes::SUBNET_ROUTE_TABLE_COUNT,
            Severity::Error,
            objects,
            format!(
                "subnet {subnet} is associated with {} route tables ({}); a subnet has one",
                tables.len(),
                tables.join(", ")
            ),
            format!(
                "keep the association with {} and remove the others",
                tables[0]
            ),
        ));
    }
}

fn check_nat_gateways(context: &ValidationContext<'_>, out: &mut Vec<Diagnostic>) {
    let design = context.design;
    for nat in &design.nat_gateways {
        // An unknown subnet is the reference check's.
        if !context.subnet_index.contains_key(nat.subnet.as_str()) {
            continue;
        }
        // A private NAT gateway has no public address: it belongs in any subnet.
        if nat.connectivity == crate::model::NatConnectivity::Private {
            continue;
        }
        let public = context
            .route_table_of(&nat.subnet)
            .is_some_and(|table| context.default_route_to_internet_gateway(table));
        if !public {
            out.push(Diagnostic::new(
                codes::ROUTE_NAT_NOT_PUBLIC,
                Severity::Error,
                [nat.id.as_str(), nat.subnet.as_str()],
                format!(
                    "NAT gateway {} sits in subnet {}, whose route table does not send 0.0.0.0/0 to an internet gateway",
                    nat.id, nat.subnet
                ),
                "move it to a public subnet, or route 0.0.0.0/0 of its subnet's table to the VPC's internet gateway",
            ));
        }
    }
    // Cross-AZ NAT use by private subnets.
    for subnet in &design.subnets {
        if subnet.tier != SubnetTier::Private {
            continue;
        }
        let Some(table) = context.route_table_of(&subnet.id) else {
            continue;
        };
        for &nat_id in context.nat_targets(table) {
            let nat_az = context
                .nat_subnet
                .get(nat_id)
                .map(|&index| design.subnets[index].availability_zone.as_str());
            if let Some(nat_az) = nat_az
                && nat_az != subnet.availability_zone
            {
                out.push(Diagnostic::new(
                    codes::NAT_CROSS_AZ,
                    Severity::Warning,
                    [subnet.id.as_str(), nat_id],
                    format!(
                        "private subnet {} ({}) sends traffic through NAT gateway {nat_id} in {nat_az}: cross-AZ data charges and a shared failure domain",
                        subnet.id, subnet.availability_zone
                    ),
                    format!("add a NAT gateway in a public subnet of {} and route this subnet's table to it", subnet.availability_zone),
                ));
            }
        }
    }
}

fn check_subnet_intent(context: &ValidationContext<'_>, out: &mut Vec<Diagnostic>) {
    for subnet in &context.design.subnets {
        let table = context.route_table_of(&subnet.id);
        match subnet.tier {
            SubnetTier::Private => {
                if let Some(table) = table
                    && context.routes_to_internet_gateway(table)
                {
                    out.push(Diagnostic::new(
                        codes::SUBNET_INTENT_MISMATCH,
                        Severity::Error,
                        [subnet.id.as_str(), table.id.as_str()],
                        format!("subnet {} is marked private but its route table {} routes to an internet gateway", subnet.id, table.id),
                        "associate it with a private route table (NAT or endpoints only), or mark it public",
                    ));
                }
            }
            SubnetTier::Public => {
                let has_default_route =
                    table.is_some_and(|table| context.default_route_to_internet_gateway(table));
                if !has_default_route {
                    out.push(Diagnostic::new(
                        codes::SUBNET_INTENT_MISMATCH,
                        Severity::Warning,
                        [&subnet.id],
                        format!("subnet {} is marked public but its route table has no 0.0.0.0/0 route to an internet gateway", subnet.id),
                        "associate it with a route table whose 0.0.0.0/0 targets the VPC's internet gateway, or mark it private",
                    ));
                }
            }
        }
    }
}
