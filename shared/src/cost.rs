//! Monthly cost of a design and of its traffic: the fixed hourly charges of what it runs (NAT
//! gateways, interface endpoints, public IPv4 addresses, VPN connections) and each flow priced
//! along the path [`crate::reachability`] finds, so a flow's cost changes when its path does.
//! Suggestions carry their saving and the one editor command that applies them. What the
//! workloads cost to run is priced apart, in [`compute`].
//!
//! Invariant: pure and total; prices come from one dated table per region ([`PRICES`]).

use serde::Serialize;

use crate::editor::Command;
use crate::model::{Design, EndpointType, ObjectKind, SubnetTier};
use crate::reachability::{Exit, Place, Reachability, Traffic, parse_place};

/// One region's prices (on-demand, USD).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct PriceTable {
    pub region: &'static str,
    /// When the prices were read, and where.
    pub as_of: &'static str,
    pub source: &'static str,
    pub nat_gateway_hour: f64,
    pub nat_gateway_gb: f64,
    pub interface_endpoint_az_hour: f64,
    pub interface_endpoint_gb: f64,
    pub public_ipv4_hour: f64,
    pub vpn_connection_hour: f64,
    /// Charged on each side of a transfer between zones.
    pub cross_az_gb_each_way: f64,
    /// Data out to the internet (and out over a VPN), first 10 TB tier.
    pub internet_egress_gb: f64,
}

/// The dated price tables. Other regions fall back to us-east-1, and the estimate says so.
pub const PRICES: [PriceTable; 1] = [PriceTable {
    region: "us-east-1",
    as_of: "2026-11-01",
    source: "AWS pricing pages, as listed in the cost module's dated table",
    nat_gateway_hour: 0.045,
    nat_gateway_gb: 0.045,
    interface_endpoint_az_hour: 0.01,
    interface_endpoint_gb: 0.01,
    public_ipv4_hour: 0.005,
    vpn_connection_hour: 0.05,
    cross_az_gb_each_way: 0.01,
    internet_egress_gb: 0.09,
}];

/// Hours in the month AWS bills by.
pub const HOURS_PER_MONTH: f64 = 730.0;

/// The price table for a region, and whether it is that region's own.
pub fn prices_for(region: &str) -> (PriceTable, bool) {
    match PRICES.iter().find(|table| table.region == region) {
        Some(table) => (*table, true),
        None => (PRICES[0], false),
    }
}

/// One priced item.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CostLine {
    pub item: String,
    pub object_ids: Vec<String>,
    pub quantity: f64,
    pub unit: &'static str,
    pub unit_price: f64,
    pub monthly: f64,
}

/// A flow and what its path costs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FlowCost {
    pub index: usize,
    pub from: String,
    pub to: String,
    pub gb_per_month: f64,
    /// How the path leaves (`nat`, `gateway endpoint`, …), or why it cannot be priced.
    pub path: String,
    pub reachable: bool,
    pub lines: Vec<CostLine>,
    pub monthly: f64,
}

/// A change that saves money (or costs some to save more), applicable as one command.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Suggestion {
    pub code: &'static str,
    pub message: String,
    /// Monthly change if applied: negative saves.
    pub monthly_change: f64,
    pub object_ids: Vec<String>,
    #[serde(skip)]
    pub command: Command,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CostEstimate {
    pub region: String,
    pub prices: PriceTable,
    /// False when the region has no table of its own and us-east-1's was used.
    pub regional_prices: bool,
    pub fixed: Vec<CostLine>,
    pub flows: Vec<FlowCost>,
    pub fixed_monthly: f64,
    pub flows_monthly: f64,
    /// The network's monthly cost: fixed charges and flows.
    pub total_monthly: f64,
    pub suggestions: Vec<Suggestion>,
    /// What the workloads cost to run, apart from the network ([`compute`]).
    pub compute: compute::ComputeEstimate,
}

fn line(
    item: impl Into<String>,
    object_ids: Vec<String>,
    quantity: f64,
    unit: &'static str,
    unit_price: f64,
) -> CostLine {
    CostLine {
        item: item.into(),
        object_ids,
        quantity,
        unit,
        unit_price,
        monthly: round_cents(quantity * unit_price),
    }
}

/// Money is shown and compared in cents.
pub fn round_cents(amount: f64) -> f64 {
    (amount * 100.0).round() / 100.0
}

/// `$1,234.56`, `−$450.00`, `+$32.85` (with `signed`).
pub fn format_money(amount: f64, signed: bool) -> String {
    let cents = (amount.abs() * 100.0).round() as u64;
    let whole = (cents / 100).to_string();
    let mut grouped = String::new();
    for (index, digit) in whole.chars().enumerate() {
        if index > 0 && (whole.len() - index).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    let sign = if amount < 0.0 && cents > 0 {
        "−"
    } else if signed && cents > 0 {
        "+"
    } else {
        ""
    };
    format!("{sign}${grouped}.{:02}", cents % 100)
}

/// The estimate for a design: fixed charges, each flow along its path, and suggestions.
pub fn estimate(design: &Design) -> CostEstimate {
    let (prices, regional_prices) = prices_for(&design.region);
    let hourly = |per_hour: f64| per_hour * HOURS_PER_MONTH;
    let mut fixed = Vec::new();
    for nat in &design.nat_gateways {
        fixed.push(line(
            format!("NAT gateway {}", nat.id),
            vec![nat.id.clone()],
            1.0,
            "month",
            hourly(prices.nat_gateway_hour),
        ));
        if nat.connectivity == crate::model::NatConnectivity::Public {
            fixed.push(line(
                format!("Elastic IP of {}", nat.id),
                vec![nat.id.clone()],
                1.0,
                "month",
                hourly(prices.public_ipv4_hour),
            ));
        }
    }
    for endpoint in design
        .endpoints
        .iter()
        .filter(|e| e.endpoint_type == EndpointType::Interface)
    {
        let zones = endpoint.subnets.len().max(1) as f64;
        fixed.push(line(
            format!("Interface endpoint {} ({})", endpoint.id, endpoint.service),
            vec![endpoint.id.clone()],
            zones,
            "AZ-month",
            hourly(prices.interface_endpoint_az_hour),
        ));
    }
    let public_subnets: std::collections::HashSet<&str> = design
        .subnets
        .iter()
        .filter(|s| s.map_public_ip_on_launch)
        .map(|s| s.id.as_str())
        .collect();
    for workload in &design.workloads {
        let public = public_subnets.contains(workload.subnet.as_str());
        if public {
            fixed.push(line(
                format!("Public IPv4 addresses of {}", workload.id),
                vec![workload.id.clone()],
                f64::from(workload.count),
                "address-month",
                hourly(prices.public_ipv4_hour),
            ));
        }
    }
    for connection in &design.vpn_connections {
        fixed.push(line(
            format!("VPN connection {}", connection.id),
            vec![connection.id.clone()],
            1.0,
            "month",
            hourly(prices.vpn_connection_hour),
        ));
    }
    let engine = Reachability::new(design);
    let flows: Vec<FlowCost> = design
        .flows
        .iter()
        .enumerate()
        .map(|(index, flow)| price_flow(design, &engine, &prices, index, flow))
        .collect();
    let fixed_monthly = round_cents(fixed.iter().map(|l| l.monthly).sum());
    let flows_monthly = round_cents(flows.iter().map(|f| f.monthly).sum());
    let suggestions = suggestions(design, &prices, &flows);
    CostEstimate {
        region: design.region.clone(),
        prices,
        regional_prices,
        fixed,
        flows,
        fixed_monthly,
        flows_monthly,
        total_monthly: round_cents(fixed_monthly + flows_monthly),
        suggestions,
        compute: compute::estimate(design),
    }
}

fn price_flow(
    design: &Design,
    engine: &Reachability,
    prices: &PriceTable,
    index: usize,
    flow: &crate::model::Flow,
) -> FlowCost {
    let gb = flow.gb_per_month.max(0.0);
    let places = parse_place(design, &flow.from)
        .and_then(|from| parse_place(design, &flow.to).map(|to| (from, to)));
    let (from, to) = match places {
        Ok(places) => places,
        Err(message) => {
            return FlowCost {
                index,
                from: flow.from.clone(),
                to: flow.to.clone(),
                gb_per_month: gb,
                path: message,
                reachable: false,
                lines: Vec::new(),
                monthly: 0.0,
            };
        }
    };
    let answer = engine.explain(&from, &to, Traffic::HTTPS);
    let Some(exit) = answer.exit.clone() else {
        let why = answer
            .blocked
            .map(|b| format!("unreachable ({}): {}", b.code, b.message))
            .unwrap_or_else(|| "unreachable".into());
        return FlowCost {
            index,
            from: flow.from.clone(),
            to: flow.to.clone(),
            gb_per_month: gb,
            path: why,
            reachable: false,
            lines: Vec::new(),
            monthly: 0.0,
        };
    };
    let mut lines = Vec::new();
    let cross_az = |lines: &mut Vec<CostLine>, ids: Vec<String>| {
        lines.push(line(
            "Data between zones (both sides)",
            ids,
            gb,
            "GB",
            2.0 * prices.cross_az_gb_each_way,
        ));
    };
    let to_internet = matches!(to, Place::Internet);
    match &exit {
        Exit::Local { cross_az: crossing } => {
            if *crossing {
                cross_az(&mut lines, Vec::new());
            }
        }
        Exit::InternetGateway { gateway } => {
            if to_internet {
                lines.push(line(
                    "Data out to the internet",
                    vec![gateway.clone()],
                    gb,
                    "GB",
                    prices.internet_egress_gb,
                ));
            }
        }
        Exit::NatGateway {
            nat,
            cross_az: crossing,
        } => {
            lines.push(line(
                format!("{nat} data processing"),
                vec![nat.clone()],
                gb,
                "GB",
                prices.nat_gateway_gb,
            ));
            if *crossing {
                cross_az(&mut lines, vec![nat.clone()]);
            }
            if to_internet {
                lines.push(line(
                    "Data out to the internet",
                    vec![nat.clone()],
                    gb,
                    "GB",
                    prices.internet_egress_gb,
                ));
            }
        }
        Exit::GatewayEndpoint { .. } => {}
        Exit::InterfaceEndpoint {
            endpoint,
            cross_az: crossing,
        } => {
            lines.push(line(
                format!("{endpoint} data processing"),
                vec![endpoint.clone()],
                gb,
                "GB",
                prices.interface_endpoint_gb,
            ));
            if *crossing {
                cross_az(&mut lines, vec![endpoint.clone()]);
            }
        }
        Exit::Vpn { connection } => {
            lines.push(line(
                "Data out over the VPN",
                vec![connection.clone()],
                gb,
                "GB",
                prices.internet_egress_gb,
            ));
        }
    }
    let monthly = round_cents(lines.iter().map(|l| l.monthly).sum());
    FlowCost {
        index,
        from: flow.from.clone(),
        to: flow.to.clone(),
        gb_per_month: gb,
        path: describe_exit(&exit),
        reachable: true,
        lines,
        monthly,
    }
}

fn describe_exit(exit: &Exit) -> String {
    match exit {
        Exit::Local { cross_az: true } => "inside the VPC, across zones".into(),
        Exit::Local { cross_az: false } => "inside the VPC".into(),
        Exit::InternetGateway { gateway } => format!("internet gateway {gateway}"),
        Exit::NatGateway { nat, cross_az } => format!(
            "NAT gateway {nat}{}",
            if *cross_az { " in another zone" } else { "" }
        ),
        Exit::GatewayEndpoint { endpoint } => format!("gateway endpoint {endpoint} (free)"),
        Exit::InterfaceEndpoint { endpoint, cross_az } => format!(
            "interface endpoint {endpoint}{}",
            if *cross_az { " in another zone" } else { "" }
        ),
        Exit::Vpn { connection } => format!("VPN connection {connection}"),
    }
}

/// Suggestion codes: stable, like diagnostic codes.
pub mod compute;

pub mod suggestion_codes {
    pub const GATEWAY_ENDPOINT: &str = "cost.gateway-endpoint";
    pub const NAT_PER_AZ: &str = "cost.nat-per-az";
    pub const UNUSED_NAT: &str = "cost.unused-nat";
}

fn service_title(service: &str) -> &str {
    match service {
        "s3" => "S3",
        "dynamodb" => "DynamoDB",
        other => other,
    }
}

fn suggestions(design: &Design, prices: &PriceTable, flows: &[FlowCost]) -> Vec<Suggestion> {
    let mut found = Vec::new();
    let context = crate::validate::ValidationContext::new(design);
    let nat_fixed = (prices.nat_gateway_hour + prices.public_ipv4_hour) * HOURS_PER_MONTH;
    // 1. S3 / DynamoDB through a NAT gateway: a gateway endpoint is free.
    let mut by_table: std::collections::BTreeMap<(String, String, String), f64> =
        std::collections::BTreeMap::new();
    for (flow, cost) in design.flows.iter().zip(flows) {
        if !cost.reachable {
            continue;
        }
        let Ok(Place::Service(service)) = parse_place(design, &flow.to) else {
            continue;
        };
        if service != "s3" && service != "dynamodb" {
            continue;
        }
        if !cost.path.starts_with("NAT gateway") {
            continue;
        }
        let Some(subnet) = source_subnet(design, &flow.from) else {
            continue;
        };
        let Some(table) = context.route_table_of(&subnet) else {
            continue;
        };
        *by_table
            .entry((table.vpc.clone(), table.id.clone(), service))
            .or_default() += cost.monthly - internet_part(cost);
    }
    for ((vpc, table, service), saving) in by_table {
        if saving <= 0.0 {
            continue;
        }
        let existing = design.endpoints.iter().find(|e| {
            e.endpoint_type == EndpointType::Gateway && e.service == service && e.vpc == vpc
        });
        let (command, object_ids, how) = match existing {
            Some(endpoint) => {
                let mut tables = endpoint.route_tables.clone();
                tables.push(table.clone());
                (
                    Command::SetField {
                        object_id: endpoint.id.clone(),
                        field: "route_tables".into(),
                        value: serde_json::json!(tables),
                    },
                    vec![endpoint.id.clone(), table.clone()],
                    format!("associate {} with {table}", endpoint.id),
                )
            }
            None => {
                let id = crate::editor::next_id(design, ObjectKind::Endpoint);
                (
                    Command::InsertObject {
                        kind: ObjectKind::Endpoint,
                        object: serde_json::json!({
                            "id": id, "vpc": vpc, "type": "gateway", "service": service,
                            "route_tables": [table],
                        }),
                    },
                    vec![table.clone()],
                    format!(
                        "add {} {} gateway endpoint to {table}",
                        if service == "s3" { "an" } else { "a" },
                        service_title(&service)
                    ),
                )
            }
        };
        found.push(Suggestion {
            code: suggestion_codes::GATEWAY_ENDPOINT,
            message: format!("{how}: {}/month", format_money(-saving, true)),
            monthly_change: round_cents(-saving),
            object_ids,
            command,
        });
    }
    // 2. Subnets using another zone's NAT gateway: one NAT gateway per zone.
    let mut subnets_by_table: std::collections::HashMap<&str, Vec<&crate::model::Subnet>> =
        std::collections::HashMap::new();
    for subnet in &design.subnets {
        if let Some(table) = context.route_table_of(&subnet.id) {
            subnets_by_table
                .entry(table.id.as_str())
                .or_default()
                .push(subnet);
        }
    }
    for table in &design.route_tables {
        let Some(route) = table
            .routes
            .iter()
            .find(|r| design.kind_of(&r.target) == Some(ObjectKind::NatGateway))
        else {
            continue;
        };
        let Some(nat_zone) = design
            .nat_gateways
            .iter()
            .find(|n| n.id == route.target)
            .and_then(|n| design.subnet(&n.subnet))
            .map(|s| s.availability_zone.clone())
        else {
            continue;
        };
        let users: Vec<&crate::model::Subnet> = subnets_by_table
            .get(table.id.as_str())
            .cloned()
            .unwrap_or_default();
        let zones: std::collections::BTreeSet<&str> =
            users.iter().map(|s| s.availability_zone.as_str()).collect();
        // Only a table serving one other zone can be pointed at a new NAT gateway alone.
        let [zone] = zones.into_iter().collect::<Vec<_>>()[..] else {
            continue;
        };
        if zone == nat_zone {
            continue;
        }
        let Some(public) = design.subnets.iter().find(|s| {
            s.vpc == table.vpc
                && s.availability_zone == zone
                && s.tier == SubnetTier::Public
                && context.subnet_reaches_internet_gateway(&s.id)
        }) else {
            continue;
        };
        let crossing: f64 = design
            .flows
            .iter()
            .zip(flows)
            .filter(|(flow, cost)| {
                cost.path
                    .starts_with(&format!("NAT gateway {} in another zone", route.target))
                    && source_subnet(design, &flow.from)
                        .is_some_and(|s| users.iter().any(|u| u.id == s))
            })
            .map(|(_, cost)| {
                cost.lines
                    .iter()
                    .filter(|l| l.item.starts_with("Data between zones"))
                    .map(|l| l.monthly)
                    .sum::<f64>()
            })
            .sum();
        if crossing <= 0.0 {
            continue;
        }
        let new_nat = crate::editor::next_id(design, ObjectKind::NatGateway);
        let routes: Vec<serde_json::Value> = table
            .routes
            .iter()
            .map(|r| {
                let target = if r.target == route.target {
                    new_nat.clone()
                } else {
                    r.target.clone()
                };
                serde_json::json!({"destination": r.destination, "target": target})
            })
            .collect();
        let change = round_cents(nat_fixed - crossing);
        found.push(Suggestion {
            code: suggestion_codes::NAT_PER_AZ,
            message: format!(
                "NAT gateway per zone (a new one in {} for {}): {}/month fixed, {} across zones, net {}/month",
                public.id,
                table.id,
                format_money(nat_fixed, true),
                format_money(-crossing, true),
                format_money(change, true)
            ),
            monthly_change: change,
            object_ids: vec![table.id.clone(), route.target.clone()],
            command: Command::Batch {
                commands: vec![
                    Command::InsertObject {
                        kind: ObjectKind::NatGateway,
                        object: serde_json::json!({"id": new_nat, "subnet": public.id}),
                    },
                    Command::SetField {
                        object_id: table.id.clone(),
                        field: "routes".into(),
                        value: serde_json::Value::Array(routes),
                    },
                ],
            },
        });
    }
    // 3. NAT gateways nothing routes to.
    for nat in &design.nat_gateways {
        let used = design
            .route_tables
            .iter()
            .any(|t| t.routes.iter().any(|r| r.target == nat.id));
        if !used {
            found.push(Suggestion {
                code: suggestion_codes::UNUSED_NAT,
                message: format!(
                    "remove {}: no route uses it: {}/month",
                    nat.id,
                    format_money(-nat_fixed, true)
                ),
                monthly_change: round_cents(-nat_fixed),
                object_ids: vec![nat.id.clone()],
                command: Command::DeleteObject {
                    object_id: nat.id.clone(),
                },
            });
        }
    }
    found.sort_by(|a, b| a.monthly_change.total_cmp(&b.monthly_change));
    found
}

/// The internet-egress part of a flow's cost (a gateway endpoint does not remove it).
fn internet_part(cost: &FlowCost) -> f64 {
    cost.lines
        .iter()
        .filter(|l| l.item == "Data out to the internet")
        .map(|l| l.monthly)
        .sum()
}

/// The subnet a flow starts in (a workload's subnet, or the subnet itself).
fn source_subnet(design: &Design, from: &str) -> Option<String> {
    match design.kind_of(from)? {
        ObjectKind::Subnet => Some(from.to_string()),
        ObjectKind::Workload => design
            .workloads
            .iter()
            .find(|w| w.id == from)
            .map(|w| w.subnet.clone()),
        _ => None,
    }
}

#[cfg(test)]
mod tests;
