//! What moto holds for a design, read straight from moto with plain Describe calls (not
//! through Moat's inventory), as lines a test compares with what the design asks for; and
//! the same lines derived from the design model by hand.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use aws_sdk_ec2::Client;
use aws_sdk_ec2::types::{Filter, Tag};
use e2e::faults::FaultLayer;
use shared::Design;
use shared::model::{EndpointType, Protocol, RuleAction};

/// One tagged resource: (kind, logical id, AWS id).
pub type Tagged = (String, String, String);

pub struct Account {
    pub lines: BTreeSet<String>,
    pub tagged: Vec<Tagged>,
}

impl Account {
    /// (kind, logical id) pairs held by more than one live resource.
    pub fn duplicates(&self) -> Vec<String> {
        let mut counts: BTreeMap<(String, String), usize> = BTreeMap::new();
        for (kind, logical, _) in &self.tagged {
            *counts.entry((kind.clone(), logical.clone())).or_default() += 1;
        }
        counts
            .into_iter()
            .filter(|(_, count)| *count > 1)
            .map(|((kind, logical), count)| format!("{kind} {logical} ×{count}"))
            .collect()
    }

    /// Tagged resources the design does not have.
    pub fn orphans(&self, design: Option<&Design>) -> Vec<String> {
        let wanted: BTreeSet<String> = design
            .map(|d| {
                let mut ids: BTreeSet<String> = d
                    .object_ids()
                    .iter()
                    .map(|(id, _)| id.to_string())
                    .collect();
                for nat in &d.nat_gateways {
                    ids.insert(format!("{}/eip", nat.id));
                }
                for vpc in d.vpcs.iter().filter(|v| v.flow_logs.is_some()) {
                    ids.insert(format!("{}/flow-logs", vpc.id));
                }
                ids
            })
            .unwrap_or_default();
        self.tagged
            .iter()
            .filter(|(_, logical, _)| !wanted.contains(logical))
            .map(|(kind, logical, id)| format!("{kind} {logical} ({id})"))
            .collect()
    }
}

fn tag<'a>(tags: &'a [Tag], key: &str) -> Option<&'a str> {
    tags.iter()
        .find(|t| t.key() == Some(key))
        .and_then(|t| t.value())
}

fn protocol_number(protocol: &str) -> String {
    match protocol {
        "tcp" => "6".into(),
        "udp" => "17".into(),
        "icmp" => "1".into(),
        other => other.into(),
    }
}

fn design_protocol(protocol: Protocol) -> String {
    match protocol {
        Protocol::Tcp => "6".to_string(),
        Protocol::Udp => "17".to_string(),
        Protocol::Icmp => "1".to_string(),
        Protocol::All => "-1".to_string(),
        Protocol::Number(number) => number.to_string(),
    }
}

fn sorted(mut items: Vec<String>) -> String {
    items.sort();
    items.join(",")
}

/// Whose resources to read: those tagged with a design id, or those of a list of AWS ids
/// (AWS id → logical id; a CloudFormation stack's resources).
pub enum Owner<'a> {
    Tags(&'a str),
    Ids(&'a HashMap<String, String>),
}

/// Reads everything tagged with `design_id` straight from moto.
pub async fn read(ec2: &Client, layer: &FaultLayer, design_id: &str) -> Account {
    read_owned(ec2, layer, Owner::Tags(design_id)).await
}

/// Reads the resources of `owner` straight from moto.
pub async fn read_owned(ec2: &Client, layer: &FaultLayer, owner: Owner<'_>) -> Account {
    let design_id = match owner {
        Owner::Tags(id) => id,
        Owner::Ids(_) => "",
    };
    let filter = || -> Vec<Filter> {
        match owner {
            Owner::Tags(design_id) => vec![
                Filter::builder()
                    .name("tag:moat:design-id")
                    .values(design_id)
                    .build(),
            ],
            Owner::Ids(_) => Vec::new(),
        }
    };
    let mut lines = BTreeSet::new();
    let mut tagged: Vec<Tagged> = Vec::new();
    let mut name_of: HashMap<String, String> = HashMap::new();
    let note = |tagged: &mut Vec<Tagged>,
                name_of: &mut HashMap<String, String>,
                kind: &str,
                tags: &[Tag],
                id: &str|
     -> Option<String> {
        let logical = match owner {
            Owner::Tags(design_id) => {
                if tag(tags, "moat:design-id") != Some(design_id) {
                    return None;
                }
                tag(tags, "moat:logical-id").unwrap_or("?").to_string()
            }
            Owner::Ids(ids) => ids.get(id)?.clone(),
        };
        tagged.push((kind.to_string(), logical.clone(), id.to_string()));
        name_of.insert(id.to_string(), logical.clone());
        Some(logical)
    };
    let vpcs = ec2
        .describe_vpcs()
        .set_filters(Some(filter()))
        .send()
        .await
        .unwrap();
    for vpc in vpcs.vpcs() {
        let id = vpc.vpc_id().unwrap();
        let Some(logical) = note(&mut tagged, &mut name_of, "vpc", vpc.tags(), id) else {
            continue;
        };
        let support = ec2
            .describe_vpc_attribute()
            .vpc_id(id)
            .attribute(aws_sdk_ec2::types::VpcAttributeName::EnableDnsSupport)
            .send()
            .await
            .unwrap()
            .enable_dns_support()
            .and_then(|v| v.value())
            .unwrap();
        let hostnames = ec2
            .describe_vpc_attribute()
            .vpc_id(id)
            .attribute(aws_sdk_ec2::types::VpcAttributeName::EnableDnsHostnames)
            .send()
            .await
            .unwrap()
            .enable_dns_hostnames()
            .and_then(|v| v.value())
            .unwrap();
        lines.insert(format!(
            "vpc {logical} {} dns_support={support} dns_hostnames={hostnames}",
            vpc.cidr_block().unwrap()
        ));
        // Its associated secondary blocks (the primary is the line above).
        for association in vpc.cidr_block_association_set() {
            let associated = association
                .cidr_block_state()
                .and_then(|state| state.state())
                .is_some_and(|state| state.as_str() == "associated");
            if let Some(block) = association.cidr_block()
                && associated
                && Some(block) != vpc.cidr_block()
            {
                lines.insert(format!("vpc-block {logical} {block}"));
            }
        }
    }
    let name = |name_of: &HashMap<String, String>, id: &str| {
        name_of.get(id).cloned().unwrap_or_else(|| id.to_string())
    };
    for subnet in ec2
        .describe_subnets()
        .set_filters(Some(filter()))
        .send()
        .await
        .unwrap()
        .subnets()
    {
        let Some(logical) = note(
            &mut tagged,
            &mut name_of,
            "subnet",
            subnet.tags(),
            subnet.subnet_id().unwrap(),
        ) else {
            continue;
        };
        lines.insert(format!(
            "subnet {logical} {} {} {} public_ip={}",
            name(&name_of, subnet.vpc_id().unwrap()),
            subnet.cidr_block().unwrap(),
            subnet.availability_zone().unwrap(),
            subnet.map_public_ip_on_launch().unwrap_or(false)
        ));
    }
    for gateway in ec2
        .describe_internet_gateways()
        .set_filters(Some(filter()))
        .send()
        .await
        .unwrap()
        .internet_gateways()
    {
        let Some(logical) = note(
            &mut tagged,
            &mut name_of,
            "internet_gateway",
            gateway.tags(),
            gateway.internet_gateway_id().unwrap(),
        ) else {
            continue;
        };
        for attachment in gateway.attachments() {
            lines.insert(format!(
                "igw {logical} attached to {}",
                name(&name_of, attachment.vpc_id().unwrap())
            ));
        }
    }
    for gateway in ec2
        .describe_vpn_gateways()
        .set_filters(Some(filter()))
        .send()
        .await
        .unwrap()
        .vpn_gateways()
    {
        if gateway.state().map(|s| s.as_str()) == Some("deleted") {
            continue;
        }
        let Some(logical) = note(
            &mut tagged,
            &mut name_of,
            "vpn_gateway",
            gateway.tags(),
            gateway.vpn_gateway_id().unwrap(),
        ) else {
            continue;
        };
        for attachment in gateway.vpc_attachments() {
            if attachment.state().map(|s| s.as_str()) == Some("attached") {
                lines.insert(format!(
                    "vgw {logical} attached to {}",
                    name(&name_of, attachment.vpc_id().unwrap())
                ));
            }
        }
    }
    for gateway in ec2
        .describe_customer_gateways()
        .set_filters(Some(filter()))
        .send()
        .await
        .unwrap()
        .customer_gateways()
    {
        if gateway.state() == Some("deleted") {
            continue;
        }
        let Some(logical) = note(
            &mut tagged,
            &mut name_of,
            "customer_gateway",
            gateway.tags(),
            gateway.customer_gateway_id().unwrap(),
        ) else {
            continue;
        };
        lines.insert(format!(
            "cgw {logical} {} asn {}",
            gateway.ip_address().unwrap_or_default(),
            gateway.bgp_asn().unwrap_or_default()
        ));
    }
    for connection in ec2
        .describe_vpn_connections()
        .set_filters(Some(filter()))
        .send()
        .await
        .unwrap()
        .vpn_connections()
    {
        if connection.state().map(|s| s.as_str()) == Some("deleted") {
            continue;
        }
        let Some(logical) = note(
            &mut tagged,
            &mut name_of,
            "vpn_connection",
            connection.tags(),
            connection.vpn_connection_id().unwrap(),
        ) else {
            continue;
        };
        let routes = sorted(
            connection
                .routes()
                .iter()
                .filter_map(|r| r.destination_cidr_block().map(str::to_string))
                .collect(),
        );
        lines.insert(format!(
            "vpn {logical} {} {} routes=[{routes}]",
            name(&name_of, connection.vpn_gateway_id().unwrap_or_default()),
            name(
                &name_of,
                connection.customer_gateway_id().unwrap_or_default()
            )
        ));
    }
    for address in ec2
        .describe_addresses()
        .set_filters(Some(filter()))
        .send()
        .await
        .unwrap()
        .addresses()
    {
        let Some(logical) = note(
            &mut tagged,
            &mut name_of,
            "elastic_ip",
            address.tags(),
            address.allocation_id().unwrap(),
        ) else {
            continue;
        };
        lines.insert(format!("eip {logical}"));
    }
    for nat in ec2
        .describe_nat_gateways()
        .set_filter(Some(filter()))
        .send()
        .await
        .unwrap()
        .nat_gateways()
    {
        if matches!(
            nat.state().map(|s| s.as_str()),
            Some("deleted" | "deleting")
        ) {
            continue;
        }
        let Some(logical) = note(
            &mut tagged,
            &mut name_of,
            "nat_gateway",
            nat.tags(),
            nat.nat_gateway_id().unwrap(),
        ) else {
            continue;
        };
        let eip = nat
            .nat_gateway_addresses()
            .first()
            .and_then(|a| a.allocation_id())
            .map(|a| name(&name_of, a))
            .unwrap_or_default();
        lines.insert(format!(
            "nat {logical} in {} with {eip}",
            name(&name_of, nat.subnet_id().unwrap())
        ));
    }
    for group in ec2
        .describe_security_groups()
        .set_filters(Some(filter()))
        .send()
        .await
        .unwrap()
        .security_groups()
    {
        let Some(logical) = note(
            &mut tagged,
            &mut name_of,
            "security_group",
            group.tags(),
            group.group_id().unwrap(),
        ) else {
            continue;
        };
        lines.insert(format!(
            "sg {logical} {} {}",
            name(&name_of, group.vpc_id().unwrap()),
            group.group_name().unwrap()
        ));
    }
    // Rules once every group has its name.
    for group in ec2
        .describe_security_groups()
        .set_filters(Some(filter()))
        .send()
        .await
        .unwrap()
        .security_groups()
    {
        let Some(logical) = name_of.get(group.group_id().unwrap()).cloned() else {
            continue;
        };
        for (direction, permissions) in [
            ("ingress", group.ip_permissions()),
            ("egress", group.ip_permissions_egress()),
        ] {
            for permission in permissions {
                let protocol = protocol_number(permission.ip_protocol().unwrap_or("-1"));
                let ports = if protocol == "-1" {
                    "all".to_string()
                } else {
                    format!(
                        "{}-{}",
                        permission.from_port().unwrap_or(-1),
                        permission.to_port().unwrap_or(-1)
                    )
                };
                let mut peers: Vec<String> = permission
                    .ip_ranges()
                    .iter()
                    .map(|r| r.cidr_ip().unwrap_or_default().to_string())
                    .collect();
                peers.extend(
                    permission
                        .user_id_group_pairs()
                        .iter()
                        .map(|p| name(&name_of, p.group_id().unwrap_or_default())),
                );
                peers.extend(
                    permission
                        .prefix_list_ids()
                        .iter()
                        .map(|p| p.prefix_list_id().unwrap_or_default().to_string()),
                );
                for peer in peers {
                    lines.insert(format!(
                        "rule {logical} {direction} {protocol} {ports} {peer}"
                    ));
                }
            }
        }
    }
    let tables = ec2
        .describe_route_tables()
        .set_filters(Some(filter()))
        .send()
        .await
        .unwrap();
    for table in tables.route_tables() {
        let _ = note(
            &mut tagged,
            &mut name_of,
            "route_table",
            table.tags(),
            table.route_table_id().unwrap(),
        );
    }
    let endpoints = ec2
        .describe_vpc_endpoints()
        .set_filters(Some(filter()))
        .send()
        .await
        .unwrap();
    for endpoint in endpoints.vpc_endpoints() {
        if matches!(
            endpoint
                .state()
                .map(|s| s.as_str().to_lowercase())
                .as_deref(),
            Some("deleted" | "deleting")
        ) {
            continue;
        }
        let Some(logical) = note(
            &mut tagged,
            &mut name_of,
            "endpoint",
            endpoint.tags(),
            endpoint.vpc_endpoint_id().unwrap(),
        ) else {
            continue;
        };
        let kind = endpoint
            .vpc_endpoint_type()
            .map(|t| t.as_str().to_lowercase())
            .unwrap_or_default();
        let tables = sorted(
            endpoint
                .route_table_ids()
                .iter()
                .map(|t| name(&name_of, t))
                .collect(),
        );
        let subnets = sorted(
            endpoint
                .subnet_ids()
                .iter()
                .map(|s| name(&name_of, s))
                .collect(),
        );
        let groups = sorted(
            endpoint
                .groups()
                .iter()
                .map(|g| name(&name_of, g.group_id().unwrap_or_default()))
                .collect(),
        );
        // The policy by meaning: AWS's full access reads as `default`, as a design without one.
        let policy = endpoint
            .policy_document()
            .and_then(|text| serde_json::from_str::<serde_json::Value>(text).ok())
            .filter(|document| !shared::model::endpoint_policy::is_full_access(document))
            .map(|document| shared::model::endpoint_policy::canonical(&document))
            .unwrap_or_else(|| "default".to_string());
        lines.insert(format!(
            "endpoint {logical} {} {kind} {} tables=[{tables}] subnets=[{subnets}] groups=[{groups}] policy={policy}",
            name(&name_of, endpoint.vpc_id().unwrap()),
            endpoint.service_name().unwrap_or_default()
        ));
    }
    for table in tables.route_tables() {
        let Some(logical) = name_of.get(table.route_table_id().unwrap()).cloned() else {
            continue;
        };
        let main = table.associations().iter().any(|a| a.main() == Some(true));
        lines.insert(format!(
            "route-table {logical} {} main={main}",
            name(&name_of, table.vpc_id().unwrap())
        ));
        for route in table.routes() {
            let Some(destination) = route.destination_cidr_block() else {
                continue;
            };
            let target = route
                .nat_gateway_id()
                .or(route.gateway_id())
                .unwrap_or_default();
            if target == "local" || target.starts_with("vpce-") {
                continue;
            }
            lines.insert(format!(
                "route {logical} {destination} -> {}",
                name(&name_of, target)
            ));
        }
        for association in table.associations() {
            if let Some(subnet) = association.subnet_id() {
                lines.insert(format!(
                    "association {} -> {logical}",
                    name(&name_of, subnet)
                ));
            }
        }
    }
    for acl in ec2
        .describe_network_acls()
        .set_filters(Some(filter()))
        .send()
        .await
        .unwrap()
        .network_acls()
    {
        let Some(logical) = note(
            &mut tagged,
            &mut name_of,
            "network_acl",
            acl.tags(),
            acl.network_acl_id().unwrap(),
        ) else {
            continue;
        };
        lines.insert(format!(
            "acl {logical} {}",
            name(&name_of, acl.vpc_id().unwrap())
        ));
        for entry in acl.entries() {
            let number = entry.rule_number().unwrap_or_default();
            if number >= 32_767 {
                continue;
            }
            let protocol = protocol_number(entry.protocol().unwrap_or("-1"));
            let ports = if protocol == "-1" {
                "all".to_string()
            } else {
                entry
                    .port_range()
                    .map(|r| format!("{}-{}", r.from().unwrap_or(-1), r.to().unwrap_or(-1)))
                    .unwrap_or_default()
            };
            lines.insert(format!(
                "acl-entry {logical} {} {number} {protocol} {ports} {} {}",
                if entry.egress().unwrap_or(false) {
                    "egress"
                } else {
                    "ingress"
                },
                entry.cidr_block().unwrap_or_default(),
                entry
                    .rule_action()
                    .map(|a| a.as_str().to_string())
                    .unwrap_or_default()
            ));
        }
        for association in acl.associations() {
            if let Some(subnet) = association.subnet_id() {
                lines.insert(format!(
                    "acl-association {} -> {logical}",
                    name(&name_of, subnet)
                ));
            }
        }
    }
    let mut flow_log_filters = filter();
    if flow_log_filters.is_empty() {
        // DescribeFlowLogs takes no empty filter list: all of them, owned or not.
        flow_log_filters.push(
            Filter::builder()
                .name("resource-type")
                .values("VPC")
                .build(),
        );
    }
    for flow_log in ec2
        .describe_flow_logs()
        .set_filter(Some(flow_log_filters))
        .send()
        .await
        .unwrap()
        .flow_logs()
    {
        let Some(logical) = note(
            &mut tagged,
            &mut name_of,
            "flow_log",
            flow_log.tags(),
            flow_log.flow_log_id().unwrap(),
        ) else {
            continue;
        };
        let vpc = name(&name_of, flow_log.resource_id().unwrap_or_default());
        lines.insert(format!(
            "flow-log {logical} of {vpc} to {} traffic={} interval={} role={}",
            flow_log.log_destination().unwrap_or_default(),
            flow_log
                .traffic_type()
                .map(|t| t.as_str())
                .unwrap_or_default(),
            flow_log.max_aggregation_interval().unwrap_or_default(),
            flow_log.deliver_logs_permission_arn().unwrap_or("-"),
        ));
    }
    for (group_name, tags) in layer
        .placement_groups()
        .into_iter()
        .filter(|_| !design_id.is_empty())
    {
        let owned = tags
            .iter()
            .any(|(k, v)| k == "moat:design-id" && v == design_id);
        if owned {
            let logical = tags
                .iter()
                .find(|(k, _)| k == "moat:logical-id")
                .map(|(_, v)| v.clone())
                .unwrap_or_default();
            tagged.push(("placement_group".into(), logical.clone(), group_name));
            lines.insert(format!("placement-group {logical}"));
        }
    }
    Account { lines, tagged }
}

/// The lines a design should produce, derived from the model by hand.
pub fn expected(design: &Design) -> BTreeSet<String> {
    let mut lines = BTreeSet::new();
    let region = &design.region;
    for vpc in &design.vpcs {
        lines.insert(format!(
            "vpc {} {} dns_support={} dns_hostnames={}",
            vpc.id, vpc.cidr_blocks[0], vpc.enable_dns_support, vpc.enable_dns_hostnames
        ));
        for block in vpc.cidr_blocks.iter().skip(1) {
            lines.insert(format!("vpc-block {} {block}", vpc.id));
        }
    }
    for subnet in &design.subnets {
        lines.insert(format!(
            "subnet {} {} {} {} public_ip={}",
            subnet.id,
            subnet.vpc,
            subnet.cidr,
            subnet.availability_zone,
            subnet.map_public_ip_on_launch
        ));
    }
    for gateway in &design.internet_gateways {
        lines.insert(format!("igw {} attached to {}", gateway.id, gateway.vpc));
    }
    for gateway in &design.vpn_gateways {
        lines.insert(format!("vgw {} attached to {}", gateway.id, gateway.vpc));
    }
    for gateway in &design.customer_gateways {
        lines.insert(format!(
            "cgw {} {} asn {}",
            gateway.id, gateway.ip_address, gateway.bgp_asn
        ));
    }
    for connection in &design.vpn_connections {
        let routes = design
            .customer_gateways
            .iter()
            .find(|g| g.id == connection.customer_gateway)
            .map(|g| sorted(g.on_premises_cidrs.clone()))
            .unwrap_or_default();
        let routes = if connection.static_routes_only {
            routes
        } else {
            String::new()
        };
        lines.insert(format!(
            "vpn {} {} {} routes=[{routes}]",
            connection.id, connection.vpn_gateway, connection.customer_gateway
        ));
    }
    for nat in &design.nat_gateways {
        lines.insert(format!("eip {}/eip", nat.id));
        lines.insert(format!(
            "nat {} in {} with {}/eip",
            nat.id, nat.subnet, nat.id
        ));
    }
    for group in &design.security_groups {
        lines.insert(format!("sg {} {} {}", group.id, group.vpc, group.name));
        for (direction, rules) in [("ingress", &group.ingress), ("egress", &group.egress)] {
            for rule in rules {
                let protocol = design_protocol(rule.protocol);
                let ports = if protocol == "-1" {
                    "all".to_string()
                } else {
                    format!("{}-{}", rule.from_port, rule.to_port)
                };
                let peer = rule
                    .cidr
                    .clone()
                    .or(rule.security_group.clone())
                    .or(rule.prefix_list.clone())
                    .unwrap_or_default();
                lines.insert(format!(
                    "rule {} {direction} {protocol} {ports} {peer}",
                    group.id
                ));
            }
        }
    }
    for table in &design.route_tables {
        lines.insert(format!(
            "route-table {} {} main={}",
            table.id, table.vpc, table.main
        ));
        for route in &table.routes {
            lines.insert(format!(
                "route {} {} -> {}",
                table.id, route.destination, route.target
            ));
        }
        for subnet in &table.subnets {
            lines.insert(format!("association {subnet} -> {}", table.id));
        }
    }
    for endpoint in &design.endpoints {
        let kind = match endpoint.endpoint_type {
            EndpointType::Gateway => "gateway",
            EndpointType::Interface => "interface",
        };
        lines.insert(format!(
            "endpoint {} {} {kind} {} tables=[{}] subnets=[{}] groups=[{}] policy={}",
            endpoint.id,
            endpoint.vpc,
            shared::plan::service_name(region, &endpoint.service),
            sorted(endpoint.route_tables.clone()),
            sorted(endpoint.subnets.clone()),
            sorted(endpoint.security_groups.clone()),
            endpoint
                .applied_policy()
                .unwrap_or_else(|| "default".to_string()),
        ));
    }
    for acl in &design.network_acls {
        lines.insert(format!("acl {} {}", acl.id, acl.vpc));
        for entry in &acl.entries {
            let protocol = design_protocol(entry.protocol);
            let ports = if protocol == "-1" {
                "all".to_string()
            } else {
                format!("{}-{}", entry.from_port, entry.to_port)
            };
            lines.insert(format!(
                "acl-entry {} {} {} {protocol} {ports} {} {}",
                acl.id,
                if entry.egress { "egress" } else { "ingress" },
                entry.rule_number,
                entry.cidr,
                match entry.action {
                    RuleAction::Allow => "allow",
                    RuleAction::Deny => "deny",
                }
            ));
        }
        for subnet in &acl.subnets {
            lines.insert(format!("acl-association {subnet} -> {}", acl.id));
        }
    }
    for group in &design.placement_groups {
        lines.insert(format!("placement-group {}", group.id));
    }
    for vpc in &design.vpcs {
        if let Some(flow_logs) = &vpc.flow_logs {
            lines.insert(format!(
                "flow-log {}/flow-logs of {} to {} traffic={} interval={} role={}",
                vpc.id,
                vpc.id,
                flow_logs.destination,
                flow_logs.traffic_type.api_name(),
                flow_logs.max_aggregation_interval,
                flow_logs.delivery_role_arn.as_deref().unwrap_or("-"),
            ));
        }
    }
    lines
}

/// Lines in one set and not the other, for a readable failure.
pub fn difference(expected: &BTreeSet<String>, actual: &BTreeSet<String>) -> String {
    let missing: Vec<&String> = expected.difference(actual).collect();
    let extra: Vec<&String> = actual.difference(expected).collect();
    format!("missing: {missing:#?}\nunexpected: {extra:#?}")
}
