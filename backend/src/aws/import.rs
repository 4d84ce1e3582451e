//! Import: an existing VPC and everything in it, read through Describe calls, becomes a Moat
//! design (laid out automatically). Object ids are the AWS ids, which are unique and stable;
//! names come from `Name` tags. What Moat does not model is left out and listed: the default
//! security group and network ACL (every VPC has its own), routes to prefix lists, peering
//! connections, transit gateways, network interfaces of other kinds than a user's own
//! (`interface`), and flow logs beyond the VPC's first one to S3 or CloudWatch Logs (Kinesis
//! Data Firehose destinations are not modelled).

use std::collections::BTreeMap;

use aws_sdk_ec2::Client;
use aws_sdk_ec2::types::{Filter, Tag};
use shared::model::{
    CustomerGateway, Design, Endpoint, EndpointType, FlowLogTraffic, FlowLogs, InternetGateway,
    NatGateway, NetworkAcl, NetworkAclEntry, Protocol, Route, RouteTable, RuleAction,
    SecurityGroup, SecurityGroupRule, Subnet, SubnetTier, Vpc, VpnConnection, VpnGateway,
    endpoint_policy,
};

use super::AwsError;
use super::sdk::service_error;

fn vpc_filter(name: &str, vpc_id: &str) -> Filter {
    Filter::builder().name(name).values(vpc_id).build()
}

fn name_tag(tags: &[Tag]) -> String {
    tags.iter()
        .find(|t| t.key() == Some("Name"))
        .and_then(|t| t.value())
        .unwrap_or_default()
        .to_string()
}

/// A rule's or an entry's protocol as EC2 reports it (`tcp`, `6`, `icmpv6`, `50`, `-1`).
fn protocol(value: &str) -> Option<Protocol> {
    match value {
        "icmpv6" => Some(Protocol::Number(58)),
        other => Protocol::from_ec2(other),
    }
}

/// What the import read and what it left out.
pub struct Imported {
    pub design: Design,
    /// Things in the VPC Moat does not model, one line each.
    pub left_out: Vec<String>,
}

/// Reads `vpc_id` in `region` into a design.
pub async fn import_vpc(client: &Client, region: &str, vpc_id: &str) -> Result<Imported, AwsError> {
    let mut left_out = Vec::new();
    let vpcs = client
        .describe_vpcs()
        .vpc_ids(vpc_id)
        .send()
        .await
        .map_err(|e| service_error("DescribeVpcs", e))?;
    let vpc = vpcs.vpcs().first().ok_or(AwsError::Service {
        endpoint: None,
        request_id: Default::default(),
        status: Default::default(),
        operation: "DescribeVpcs",
        code: "InvalidVpcID.NotFound".into(),
        message: format!("no VPC {vpc_id} in {region}"),
    })?;
    let mut cidr_blocks: Vec<String> = vec![vpc.cidr_block().unwrap_or_default().to_string()];
    // The live secondary blocks (a released one lingers as `disassociated` for a while).
    for association in vpc.cidr_block_association_set() {
        let live = matches!(
            association
                .cidr_block_state()
                .and_then(|state| state.state()),
            None | Some(
                aws_sdk_ec2::types::VpcCidrBlockStateCode::Associated
                    | aws_sdk_ec2::types::VpcCidrBlockStateCode::Associating
            )
        );
        if let Some(block) = association.cidr_block()
            && live
            && !cidr_blocks.iter().any(|b| b == block)
        {
            cidr_blocks.push(block.to_string());
        }
    }
    for association in vpc.ipv6_cidr_block_association_set() {
        if let Some(block) = association.ipv6_cidr_block() {
            left_out.push(format!(
                "{vpc_id}: IPv6 block {block} (IPv6 is not modelled yet)"
            ));
        }
    }
    let support = client
        .describe_vpc_attribute()
        .vpc_id(vpc_id)
        .attribute(aws_sdk_ec2::types::VpcAttributeName::EnableDnsSupport)
        .send()
        .await
        .map_err(|e| service_error("DescribeVpcAttribute", e))?
        .enable_dns_support()
        .and_then(|v| v.value())
        .unwrap_or(true);
    let hostnames = client
        .describe_vpc_attribute()
        .vpc_id(vpc_id)
        .attribute(aws_sdk_ec2::types::VpcAttributeName::EnableDnsHostnames)
        .send()
        .await
        .map_err(|e| service_error("DescribeVpcAttribute", e))?
        .enable_dns_hostnames()
        .and_then(|v| v.value())
        .unwrap_or(false);
    let vpc_name = name_tag(vpc.tags());
    let mut design = Design::new(
        if vpc_name.is_empty() {
            format!("Imported {vpc_id}")
        } else {
            format!("Imported {vpc_name}")
        },
        region,
    );
    let flow_logs = client
        .describe_flow_logs()
        .filter(vpc_filter("resource-id", vpc_id))
        .send()
        .await
        .map_err(|e| service_error("DescribeFlowLogs", e))?;
    let mut modelled_flow_logs = None;
    for flow_log in flow_logs.flow_logs() {
        let id = flow_log.flow_log_id().unwrap_or_default();
        let kind = flow_log
            .log_destination_type()
            .map(|t| t.as_str())
            .unwrap_or("cloud-watch-logs");
        // A flow log to CloudWatch Logs made by log-group name has no destination ARN: it is
        // the group of that name in the VPC owner's account and region.
        let destination = match (flow_log.log_destination(), flow_log.log_group_name()) {
            (Some(arn), _) if !arn.is_empty() => arn.to_string(),
            (_, Some(group)) if !group.is_empty() && kind == "cloud-watch-logs" => {
                log_group_arn(region, vpc.owner_id().unwrap_or_default(), group)
            }
            _ => String::new(),
        };
        let destination = destination.as_str();
        if modelled_flow_logs.is_some()
            || !matches!(kind, "s3" | "cloud-watch-logs")
            || destination.is_empty()
        {
            left_out.push(format!("{id}: flow log to {kind} {destination}"));
            continue;
        }
        modelled_flow_logs = Some(FlowLogs {
            destination: destination.to_string(),
            traffic_type: match flow_log.traffic_type().map(|t| t.as_str()) {
                Some("ACCEPT") => FlowLogTraffic::Accept,
                Some("REJECT") => FlowLogTraffic::Reject,
                _ => FlowLogTraffic::All,
            },
            delivery_role_arn: flow_log
                .deliver_logs_permission_arn()
                .filter(|role| !role.is_empty() && kind == "cloud-watch-logs")
                .map(str::to_string),
            max_aggregation_interval: flow_log
                .max_aggregation_interval()
                .and_then(|seconds| u32::try_from(seconds).ok())
                .unwrap_or(600),
        });
    }
    // The VPC's DHCP options set, unless it is the one AWS gives every VPC.
    if let Some(set_id) = vpc.dhcp_options_id().filter(|id| *id != "default") {
        let sets = match client
            .describe_dhcp_options()
            .dhcp_options_ids(set_id)
            .send()
            .await
            .map_err(|e| service_error("DescribeDhcpOptions", e))
        {
            Ok(sets) => sets.dhcp_options().to_vec(),
            // Gone between the two reads: the VPC is back on AWS's default set.
            Err(error) if error.is_not_found() => Vec::new(),
            Err(error) => return Err(error),
        };
        if let Some(set) = sets.first() {
            let (domain_name, servers, ntp) =
                super::ec2::dhcp_options::options_of(set.dhcp_configurations());
            if !super::ec2::dhcp_options::is_aws_default(
                region,
                domain_name.as_deref(),
                &servers,
                &ntp,
            ) {
                design.dhcp_options.push(shared::model::DhcpOptions {
                    tags: user_tags(set.tags()),
                    id: set_id.to_string(),
                    name: name_tag(set.tags()),
                    domain_name,
                    domain_name_servers: servers,
                    ntp_servers: ntp,
                    vpcs: vec![vpc_id.to_string()],
                });
            }
        }
    }
    design.vpcs.push(Vpc {
        tenancy: if vpc.instance_tenancy() == Some(&aws_sdk_ec2::types::Tenancy::Dedicated) {
            shared::model::VpcTenancy::Dedicated
        } else {
            shared::model::VpcTenancy::Default
        },
        tags: user_tags(vpc.tags()),
        id: vpc_id.to_string(),
        name: vpc_name,
        cidr_blocks,
        enable_dns_support: support,
        enable_dns_hostnames: hostnames,
        flow_logs: modelled_flow_logs,
    });

    let gateways = client
        .describe_internet_gateways()
        .filters(vpc_filter("attachment.vpc-id", vpc_id))
        .send()
        .await
        .map_err(|e| service_error("DescribeInternetGateways", e))?;
    for gateway in gateways.internet_gateways() {
        if let Some(id) = gateway.internet_gateway_id() {
            design.internet_gateways.push(InternetGateway {
                tags: user_tags(gateway.tags()),
                id: id.to_string(),
                vpc: vpc_id.to_string(),
            });
        }
    }
    let vpn_gateways = client
        .describe_vpn_gateways()
        .filters(vpc_filter("attachment.vpc-id", vpc_id))
        .send()
        .await
        .map_err(|e| service_error("DescribeVpnGateways", e))?;
    for gateway in vpn_gateways.vpn_gateways() {
        if matches!(
            gateway.state().map(|s| s.as_str()),
            Some("deleted" | "deleting")
        ) {
            continue;
        }
        if let Some(id) = gateway.vpn_gateway_id() {
            design.vpn_gateways.push(VpnGateway {
                tags: user_tags(gateway.tags()),
                id: id.to_string(),
                vpc: vpc_id.to_string(),
                amazon_side_asn: u32::try_from(gateway.amazon_side_asn().unwrap_or(64512))
                    .unwrap_or(64512),
            });
        }
    }
    for gateway in design.vpn_gateways.clone() {
        let connections = client
            .describe_vpn_connections()
            .filters(vpc_filter("vpn-gateway-id", &gateway.id))
            .send()
            .await
            .map_err(|e| service_error("DescribeVpnConnections", e))?;
        for connection in connections.vpn_connections() {
            if matches!(
                connection.state().map(|s| s.as_str()),
                Some("deleted" | "deleting")
            ) {
                continue;
            }
            let (Some(id), Some(customer)) = (
                connection.vpn_connection_id(),
                connection.customer_gateway_id(),
            ) else {
                continue;
            };
            let routes: Vec<String> = connection
                .routes()
                .iter()
                .filter_map(|r| r.destination_cidr_block().map(str::to_string))
                .collect();
            let static_routes_only = connection
                .options()
                .and_then(|o| o.static_routes_only())
                .unwrap_or(!routes.is_empty());
            if !design.customer_gateways.iter().any(|g| g.id == customer) {
                let found = client
                    .describe_customer_gateways()
                    .customer_gateway_ids(customer)
                    .send()
                    .await
                    .map_err(|e| service_error("DescribeCustomerGateways", e))?;
                if let Some(found) = found.customer_gateways().first() {
                    design.customer_gateways.push(CustomerGateway {
                        tags: user_tags(found.tags()),
                        id: customer.to_string(),
                        ip_address: found.ip_address().unwrap_or_default().to_string(),
                        bgp_asn: found
                            .bgp_asn()
                            .and_then(|asn| asn.parse().ok())
                            .unwrap_or(65000),
                        on_premises_cidrs: routes.clone(),
                    });
                }
            }
            design.vpn_connections.push(VpnConnection {
                tags: user_tags(connection.tags()),
                id: id.to_string(),
                vpn_gateway: gateway.id.clone(),
                customer_gateway: customer.to_string(),
                static_routes_only,
            });
        }
    }

    let subnets = client
        .describe_subnets()
        .filters(vpc_filter("vpc-id", vpc_id))
        .send()
        .await
        .map_err(|e| service_error("DescribeSubnets", e))?;
    for subnet in subnets.subnets() {
        if let Some(id) = subnet.subnet_id() {
            for association in subnet.ipv6_cidr_block_association_set() {
                if let Some(block) = association.ipv6_cidr_block() {
                    left_out.push(format!(
                        "{id}: IPv6 block {block} (IPv6 is not modelled yet)"
                    ));
                }
            }
            design.subnets.push(Subnet {
                tags: user_tags(subnet.tags()),
                id: id.to_string(),
                vpc: vpc_id.to_string(),
                availability_zone: subnet.availability_zone().unwrap_or_default().to_string(),
                cidr: subnet.cidr_block().unwrap_or_default().to_string(),
                // Set from the routes below.
                tier: SubnetTier::Private,
                map_public_ip_on_launch: subnet.map_public_ip_on_launch().unwrap_or(false),
            });
        }
    }
    let nats = client
        .describe_nat_gateways()
        .filter(vpc_filter("vpc-id", vpc_id))
        .send()
        .await
        .map_err(|e| service_error("DescribeNatGateways", e))?;
    // The network interfaces of imported NAT gateways and endpoints: theirs, not left out.
    let mut owned_interfaces: std::collections::BTreeSet<String> = Default::default();
    for nat in nats.nat_gateways() {
        owned_interfaces.extend(
            nat.nat_gateway_addresses()
                .iter()
                .filter_map(|address| address.network_interface_id().map(str::to_string)),
        );
        if matches!(
            nat.state().map(|s| s.as_str()),
            Some("deleted" | "deleting" | "failed")
        ) || nat.vpc_id() != Some(vpc_id)
        {
            continue;
        }
        if let (Some(id), Some(subnet)) = (nat.nat_gateway_id(), nat.subnet_id()) {
            design.nat_gateways.push(NatGateway {
                // A private gateway stays private: re-applied as public, it would face the internet.
                connectivity: if nat.connectivity_type()
                    == Some(&aws_sdk_ec2::types::ConnectivityType::Private)
                {
                    shared::model::NatConnectivity::Private
                } else {
                    shared::model::NatConnectivity::Public
                },
                tags: user_tags(nat.tags()),
                id: id.to_string(),
                subnet: subnet.to_string(),
            });
        }
    }

    let tables = client
        .describe_route_tables()
        .filters(vpc_filter("vpc-id", vpc_id))
        .send()
        .await
        .map_err(|e| service_error("DescribeRouteTables", e))?;
    let known = |design: &Design, id: &str| design.kind_of(id).is_some();
    for table in tables.route_tables() {
        let Some(table_id) = table.route_table_id() else {
            continue;
        };
        let mut routes = Vec::new();
        for route in table.routes() {
            let Some(destination) = route.destination_cidr_block() else {
                if let Some(list) = route.destination_prefix_list_id() {
                    // Gateway endpoints add these themselves.
                    if !route.gateway_id().is_some_and(|g| g.starts_with("vpce-")) {
                        left_out.push(format!("{table_id}: route to prefix list {list}"));
                    }
                }
                continue;
            };
            if route.gateway_id() == Some("local") {
                continue;
            }
            let target = super::sdk::route_target_id(route).unwrap_or_default();
            if !known(&design, target) {
                let other = route
                    .vpc_peering_connection_id()
                    .or(route.transit_gateway_id())
                    .or(route.network_interface_id())
                    .or(route.instance_id())
                    .unwrap_or(target);
                left_out.push(format!("{table_id}: route {destination} → {other}"));
                continue;
            }
            routes.push(Route {
                destination: destination.to_string(),
                target: target.to_string(),
            });
        }
        let main = table.associations().iter().any(|a| a.main() == Some(true));
        let subnets: Vec<String> = table
            .associations()
            .iter()
            .filter_map(|a| a.subnet_id().map(str::to_string))
            .collect();
        design.route_tables.push(RouteTable {
            tags: user_tags(table.tags()),
            id: table_id.to_string(),
            vpc: vpc_id.to_string(),
            main,
            subnets,
            routes,
        });
    }
    // A subnet is public when its table (its own, else the main one) routes to an IGW.
    let public_tables: Vec<(String, bool, Vec<String>)> = design
        .route_tables
        .iter()
        .map(|t| {
            let public = t.routes.iter().any(|r| {
                r.destination == "0.0.0.0/0"
                    && design.internet_gateways.iter().any(|g| g.id == r.target)
            });
            (t.id.clone(), public, t.subnets.clone())
        })
        .collect();
    let main_public = design
        .route_tables
        .iter()
        .zip(&public_tables)
        .any(|(t, (_, public, _))| t.main && *public);
    for subnet in &mut design.subnets {
        let own = public_tables
            .iter()
            .find(|(_, _, subnets)| subnets.contains(&subnet.id));
        let public = own.map(|(_, public, _)| *public).unwrap_or(main_public);
        subnet.tier = if public {
            SubnetTier::Public
        } else {
            SubnetTier::Private
        };
    }

    let groups = client
        .describe_security_groups()
        .filters(vpc_filter("vpc-id", vpc_id))
        .send()
        .await
        .map_err(|e| service_error("DescribeSecurityGroups", e))?;
    for group in groups.security_groups() {
        let (Some(id), Some(name)) = (group.group_id(), group.group_name()) else {
            continue;
        };
        if name == "default" {
            left_out.push(format!("{id}: the VPC's default security group"));
            continue;
        }
        let mut dropped: Vec<String> = Vec::new();
        let mut rules = |permissions: &[aws_sdk_ec2::types::IpPermission], direction: &str| {
            let mut rules = Vec::new();
            for permission in permissions {
                let number = permission.ip_protocol().unwrap_or("-1");
                let ports = match (permission.from_port(), permission.to_port()) {
                    (Some(from), Some(to)) => format!(" {from}-{to}"),
                    _ => String::new(),
                };
                for range in permission.ipv6_ranges() {
                    dropped.push(format!(
                        "{id}: {direction} rule protocol {number}{ports} with {} (IPv6 is not modelled yet)",
                        range.cidr_ipv6().unwrap_or_default()
                    ));
                }
                let Some(protocol) = protocol(number) else {
                    dropped.push(format!(
                        "{id}: {direction} rule protocol {number}{ports} (not an IP protocol number)"
                    ));
                    continue;
                };
                let (from_port, to_port) = if protocol.has_ports() {
                    (
                        permission.from_port().unwrap_or(0),
                        permission.to_port().unwrap_or(0),
                    )
                } else {
                    (0, 0)
                };
                let base = SecurityGroupRule {
                    protocol,
                    from_port,
                    to_port,
                    cidr: None,
                    security_group: None,
                    prefix_list: None,
                    description: None,
                };
                // Each peer keeps the description EC2 holds on it.
                let described =
                    |text: Option<&str>| text.filter(|t| !t.is_empty()).map(str::to_string);
                for range in permission.ip_ranges() {
                    rules.push(SecurityGroupRule {
                        cidr: range.cidr_ip().map(str::to_string),
                        description: described(range.description()),
                        ..base.clone()
                    });
                }
                for pair in permission.user_id_group_pairs() {
                    rules.push(SecurityGroupRule {
                        security_group: pair.group_id().map(str::to_string),
                        description: described(pair.description()),
                        ..base.clone()
                    });
                }
                for list in permission.prefix_list_ids() {
                    rules.push(SecurityGroupRule {
                        prefix_list: list.prefix_list_id().map(str::to_string),
                        description: described(list.description()),
                        ..base.clone()
                    });
                }
            }
            rules
        };
        let ingress = rules(group.ip_permissions(), "ingress");
        let egress = rules(group.ip_permissions_egress(), "egress");
        left_out.append(&mut dropped);
        design.security_groups.push(SecurityGroup {
            tags: user_tags(group.tags()),
            id: id.to_string(),
            vpc: vpc_id.to_string(),
            name: name.to_string(),
            description: group.description().unwrap_or_default().to_string(),
            ingress,
            egress,
        });
    }

    let endpoints = client
        .describe_vpc_endpoints()
        .filters(vpc_filter("vpc-id", vpc_id))
        .send()
        .await
        .map_err(|e| service_error("DescribeVpcEndpoints", e))?;
    let prefix = format!("com.amazonaws.{region}.");
    for endpoint in endpoints.vpc_endpoints() {
        owned_interfaces.extend(endpoint.network_interface_ids().iter().cloned());
        if matches!(
            endpoint
                .state()
                .map(|s| s.as_str().to_lowercase())
                .as_deref(),
            Some("deleted" | "deleting" | "failed")
        ) {
            continue;
        }
        let Some(id) = endpoint.vpc_endpoint_id() else {
            continue;
        };
        let service = endpoint.service_name().unwrap_or_default();
        let endpoint_type = endpoint
            .vpc_endpoint_type()
            .map(|t| t.as_str().to_lowercase())
            .unwrap_or_default();
        if !matches!(endpoint_type.as_str(), "gateway" | "interface") {
            left_out.push(format!("{id}: {endpoint_type} endpoint for {service}"));
            continue;
        }
        let gateway = endpoint_type == "gateway";
        design.endpoints.push(Endpoint {
            tags: user_tags(endpoint.tags()),
            id: id.to_string(),
            vpc: vpc_id.to_string(),
            endpoint_type: if gateway {
                EndpointType::Gateway
            } else {
                EndpointType::Interface
            },
            service: service.strip_prefix(&prefix).unwrap_or(service).to_string(),
            route_tables: endpoint.route_table_ids().to_vec(),
            subnets: endpoint.subnet_ids().to_vec(),
            security_groups: endpoint
                .groups()
                .iter()
                .filter_map(|g| g.group_id().map(str::to_string))
                .collect(),
            private_dns: endpoint.private_dns_enabled().unwrap_or(false),
            // AWS's default (full access) stays implicit, as a new endpoint has it.
            policy: endpoint
                .policy_document()
                .and_then(|text| serde_json::from_str::<serde_json::Value>(text).ok())
                .filter(|document| !endpoint_policy::is_full_access(document)),
        });
    }

    let acls = client
        .describe_network_acls()
        .filters(vpc_filter("vpc-id", vpc_id))
        .send()
        .await
        .map_err(|e| service_error("DescribeNetworkAcls", e))?;
    for acl in acls.network_acls() {
        let Some(id) = acl.network_acl_id() else {
            continue;
        };
        if acl.is_default() == Some(true) {
            left_out.push(format!("{id}: the VPC's default network ACL"));
            continue;
        }
        let mut entries = Vec::new();
        for entry in acl.entries() {
            let number = entry.rule_number().unwrap_or_default();
            if number >= 32_767 || number <= 0 {
                continue;
            }
            let direction = if entry.egress() == Some(true) {
                "egress"
            } else {
                "ingress"
            };
            let Some(protocol) = protocol(entry.protocol().unwrap_or("-1")) else {
                left_out.push(format!(
                    "{id}: {direction} entry {number} for protocol {} (not an IP protocol number)",
                    entry.protocol().unwrap_or_default()
                ));
                continue;
            };
            let Some(cidr) = entry.cidr_block() else {
                left_out.push(format!(
                    "{id}: {direction} entry {number} for {} (IPv6 is not modelled yet)",
                    entry.ipv6_cidr_block().unwrap_or("an IPv6 block")
                ));
                continue;
            };
            let (from_port, to_port) = if protocol.has_ports() {
                entry
                    .port_range()
                    .map(|r| (r.from().unwrap_or(0), r.to().unwrap_or(0)))
                    .unwrap_or((0, 0))
            } else {
                (0, 0)
            };
            entries.push(NetworkAclEntry {
                rule_number: u32::try_from(number).unwrap_or_default(),
                egress: entry.egress().unwrap_or(false),
                protocol,
                from_port,
                to_port,
                cidr: cidr.to_string(),
                action: if entry.rule_action() == Some(&aws_sdk_ec2::types::RuleAction::Deny) {
                    RuleAction::Deny
                } else {
                    RuleAction::Allow
                },
                // AWS keeps no description on an entry.
                description: None,
            });
        }
        design.network_acls.push(NetworkAcl {
            tags: user_tags(acl.tags()),
            id: id.to_string(),
            vpc: vpc_id.to_string(),
            subnets: acl
                .associations()
                .iter()
                .filter_map(|a| a.subnet_id().map(str::to_string))
                .collect(),
            entries,
        });
    }
    import_interfaces(
        client,
        vpc_id,
        &owned_interfaces,
        &mut design,
        &mut left_out,
    )
    .await?;
    // Laid out automatically, as if drawn.
    let layout: BTreeMap<_, _> = shared::layout::compute_layout(&design);
    design.layout = layout;
    left_out.extend(unmodelled(client, vpc_id).await?);
    Ok(Imported { design, left_out })
}

/// The ARN of a CloudWatch Logs log group, as a flow log's destination names it.
fn log_group_arn(region: &str, account: &str, group: &str) -> String {
    format!("arn:aws:logs:{region}:{account}:log-group:{group}")
}

/// A resource's user tags: every tag but `Name` and the reserved `moat:` and `aws:` keys.
pub(crate) fn user_tags(tags: &[aws_sdk_ec2::types::Tag]) -> shared::model::Tags {
    tags.iter()
        .filter_map(|tag| Some((tag.key()?, tag.value().unwrap_or_default())))
        .filter(|(key, _)| !shared::model::is_reserved_tag_key(key))
        .map(|(key, value)| (key.to_string(), value.to_string()))
        .collect()
}

/// The VPC's network interfaces of their own (a user's, not an instance's, a NAT gateway's
/// or an endpoint's) become network interfaces of the design, with their fixed address,
/// groups and description; interfaces of kinds Moat does not model are left out by id.
///
/// `owned_interfaces` are the interfaces the NAT gateways' and endpoints' own answers name (an
/// emulator may report them as plain `interface`s).
async fn import_interfaces(
    client: &Client,
    vpc_id: &str,
    owned_interfaces: &std::collections::BTreeSet<String>,
    design: &mut Design,
    left_out: &mut Vec<String>,
) -> Result<(), AwsError> {
    let interfaces = client
        .describe_network_interfaces()
        .filters(vpc_filter("vpc-id", vpc_id))
        .send()
        .await
        .map_err(|e| service_error("DescribeNetworkInterfaces", e))?;
    for interface in interfaces.network_interfaces() {
        let id = interface.network_interface_id().unwrap_or_default();
        let kind = interface
            .interface_type()
            .map(|t| t.as_str().to_string())
            .unwrap_or_default();
        // NAT gateways', endpoints' and instances' own interfaces come with them.
        let theirs = owned_interfaces.contains(id)
            || matches!(
                kind.as_str(),
                "nat_gateway" | "vpc_endpoint" | "gateway_load_balancer_endpoint"
            )
            || super::ec2::network_interface::is_primary_of_an_instance(interface)
            || interface.requester_managed() == Some(true)
            || interface
                .requester_id()
                .is_some_and(|r| r.ends_with("vpce.amazonaws.com") || r == "amazon-elb");
        if theirs || id.is_empty() {
            continue;
        }
        let subnet = interface.subnet_id().unwrap_or_default();
        if !matches!(kind.as_str(), "" | "interface") || design.subnet(subnet).is_none() {
            left_out.push(format!(
                "{id}: network interface ({}) {}",
                if kind.is_empty() {
                    "interface"
                } else {
                    kind.as_str()
                },
                interface.description().unwrap_or_default()
            ));
            continue;
        }
        let mut security_groups = Vec::new();
        for group in interface.groups().iter().filter_map(|g| g.group_id()) {
            if design.security_groups.iter().any(|g| g.id == group) {
                security_groups.push(group.to_string());
            } else {
                // The VPC's default group is not imported (every VPC has its own).
                left_out.push(format!(
                    "{id}: security group {group} of the interface (not imported)"
                ));
            }
        }
        design
            .network_interfaces
            .push(shared::model::NetworkInterface {
                id: id.to_string(),
                subnet: subnet.to_string(),
                security_groups,
                private_ip: interface.private_ip_address().map(str::to_string),
                description: interface.description().unwrap_or_default().to_string(),
                tags: user_tags(interface.tag_set()),
            });
    }
    Ok(())
}

/// What else EC2 attaches to the VPC that Moat does not model, one line each by id:
/// instances, egress-only internet gateways, peering connections, transit gateway
/// attachments and carrier gateways.
async fn unmodelled(client: &Client, vpc_id: &str) -> Result<Vec<String>, AwsError> {
    let mut lines = Vec::new();
    let instances = client
        .describe_instances()
        .filters(vpc_filter("vpc-id", vpc_id))
        .send()
        .await
        .map_err(|e| service_error("DescribeInstances", e))?;
    for instance in instances.reservations().iter().flat_map(|r| r.instances()) {
        let terminated = instance.state().and_then(|s| s.name()).map(|n| n.as_str());
        if matches!(terminated, Some("terminated" | "shutting-down")) {
            continue;
        }
        if let Some(id) = instance.instance_id() {
            lines.push(format!(
                "{id}: instance {} (instances are not imported: add a workload for them)",
                instance.instance_type().map(|t| t.as_str()).unwrap_or("?")
            ));
        }
    }
    let egress_only = client
        .describe_egress_only_internet_gateways()
        .send()
        .await
        .map_err(|e| service_error("DescribeEgressOnlyInternetGateways", e))?;
    for gateway in egress_only.egress_only_internet_gateways() {
        if gateway
            .attachments()
            .iter()
            .any(|a| a.vpc_id() == Some(vpc_id))
            && let Some(id) = gateway.egress_only_internet_gateway_id()
        {
            lines.push(format!(
                "{id}: egress-only internet gateway (IPv6 is not modelled yet)"
            ));
        }
    }
    let mut peerings = Vec::new();
    for side in ["requester-vpc-info.vpc-id", "accepter-vpc-info.vpc-id"] {
        let answer = client
            .describe_vpc_peering_connections()
            .filters(vpc_filter(side, vpc_id))
            .send()
            .await
            .map_err(|e| service_error("DescribeVpcPeeringConnections", e))?;
        peerings.extend(answer.vpc_peering_connections().iter().filter_map(|p| {
            let state = p
                .status()
                .and_then(|s| s.code())
                .map(|c| c.as_str().to_string());
            (!matches!(
                state.as_deref(),
                Some("deleted" | "rejected" | "failed" | "expired")
            ))
            .then(|| p.vpc_peering_connection_id().map(str::to_string))
            .flatten()
        }));
    }
    peerings.sort();
    peerings.dedup();
    for id in peerings {
        lines.push(format!("{id}: VPC peering connection"));
    }
    let attachments = client
        .describe_transit_gateway_vpc_attachments()
        .filters(vpc_filter("vpc-id", vpc_id))
        .send()
        .await
        .map_err(|e| service_error("DescribeTransitGatewayVpcAttachments", e))?;
    for attachment in attachments.transit_gateway_vpc_attachments() {
        let state = attachment.state().map(|s| s.as_str().to_string());
        if matches!(state.as_deref(), Some("deleted" | "deleting")) {
            continue;
        }
        if let Some(id) = attachment.transit_gateway_attachment_id() {
            lines.push(format!(
                "{id}: transit gateway attachment to {}",
                attachment.transit_gateway_id().unwrap_or_default()
            ));
        }
    }
    let carriers = client
        .describe_carrier_gateways()
        .filters(vpc_filter("vpc-id", vpc_id))
        .send()
        .await
        .map_err(|e| service_error("DescribeCarrierGateways", e))?;
    for gateway in carriers.carrier_gateways() {
        if let Some(id) = gateway.carrier_gateway_id() {
            lines.push(format!("{id}: carrier gateway"));
        }
    }
    Ok(lines)
}
