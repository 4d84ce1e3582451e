//! Gateway and endpoint rules (reference § Gateways and endpoints, and `vpn.onprem-overlap`).
//! Sources: Amazon VPC User Guide, "Internet gateways" (one per VPC), AWS Site-to-Site VPN
//! User Guide (one virtual private gateway per VPC; on-premises ranges must not overlap the VPC),
//! AWS PrivateLink Guide, "Gateway endpoints" (S3 and DynamoDB only, via route tables) and
//! "Interface endpoints" (one subnet per AZ, security groups, private DNS needs VPC DNS).

use rustc_hash::FxHashMap as HashMap;

use super::addressing::check_cidr_text;
use super::codes;
use super::context::ValidationContext;
use super::security::{TrafficSource, ingress_allows};
use super::{Diagnostic, Severity};
use crate::cidr;
use crate::model::{EndpointType, Protocol};

/// Services with gateway endpoints.
pub const GATEWAY_SERVICES: &[&str] = &["s3", "dynamodb"];

pub(super) fn check(context: &ValidationContext<'_>, out: &mut Vec<Diagnostic>) {
    check_gateways_per_vpc(context, out);
    check_endpoints(context, out);
    check_vpn(context, out);
}

fn check_gateways_per_vpc(context: &ValidationContext<'_>, out: &mut Vec<Diagnostic>) {
    let design = context.design;
    let mut internet_gateways: HashMap<&str, Vec<&str>> = HashMap::default();
    for gateway in &design.internet_gateways {
        internet_gateways
            .entry(gateway.vpc.as_str())
            .or_default()
            .push(gateway.id.as_str());
    }
    let mut vpn_gateways: HashMap<&str, Vec<&str>> = HashMap::default();
    for gateway in &design.vpn_gateways {
        vpn_gateways
            .entry(gateway.vpc.as_str())
            .or_default()
            .push(gateway.id.as_str());
    }
    for (code, label, groups) in [
        (codes::IGW_MULTIPLE, "internet gateways", internet_gateways),
        (
            codes::VGW_MULTIPLE,
            "virtual private gateways",
            vpn_gateways,
        ),
    ] {
        let mut crowded: Vec<_> = groups
            .into_iter()
            .filter(|(_, ids)| ids.len() > 1)
            .collect();
        crowded.sort();
        for (vpc, ids) in crowded {
            out.push(Diagnostic::new(
                code,
                Severity::Error,
                ids.iter().copied(),
                format!(
                    "VPC {vpc} has {} {label} ({}); AWS attaches at most one",
                    ids.len(),
                    ids.join(", ")
                ),
                format!("keep {} and delete the others", ids[0]),
            ));
        }
    }
}

fn check_endpoints(context: &ValidationContext<'_>, out: &mut Vec<Diagnostic>) {
    let design = context.design;
    let mut private_dns_services: HashMap<(&str, &str), Vec<&str>> = HashMap::default();
    for endpoint in &design.endpoints {
        // An unknown VPC is the reference check's.
        let Some(&vpc_index) = context.vpc_index.get(endpoint.vpc.as_str()) else {
            continue;
        };
        let vpc = &design.vpcs[vpc_index];
        match endpoint.endpoint_type {
            EndpointType::Gateway => {
                if !GATEWAY_SERVICES.contains(&endpoint.service.as_str()) {
                    out.push(Diagnostic::new(
                        codes::ENDPOINT_GATEWAY_SERVICE,
                        Severity::Error,
                        [&endpoint.id],
                        format!("gateway endpoint {} is for \"{}\"; gateway endpoints exist only for s3 and dynamodb", endpoint.id, endpoint.service),
                        format!("make it an interface endpoint for {}", endpoint.service),
                    ));
                }
                if endpoint.route_tables.is_empty() {
                    out.push(Diagnostic::new(
                        codes::ENDPOINT_GATEWAY_NO_ROUTE_TABLE,
                        Severity::Error,
                        [&endpoint.id],
                        format!("gateway endpoint {} ({}) is associated with no route table, so no traffic uses it", endpoint.id, endpoint.service),
                        "associate it with the route tables of the subnets that need the service",
                    ));
                }
                for table_id in &endpoint.route_tables {
                    match context.route_table_index.get(table_id.as_str()) {
                        // Unknown: reported by the reference check.
                        None => {}
                        Some(&index) if design.route_tables[index].vpc != endpoint.vpc => out.push(Diagnostic::new(
                            codes::REFERENCE_OTHER_VPC,
                            Severity::Error,
                            [endpoint.id.as_str(), table_id.as_str()],
                            format!("gateway endpoint {} (VPC {}) names route table {table_id} of another VPC", endpoint.id, endpoint.vpc),
                            "associate it with route tables of its own VPC",
                        )),
                        Some(_) => {}
                    }
                }
            }
            EndpointType::Interface => {
                let mut subnet_of_az: HashMap<&str, &str> = HashMap::default();
                for subnet_id in &endpoint.subnets {
                    // Unknown: reported by the reference check.
                    let Some(&index) = context.subnet_index.get(subnet_id.as_str()) else {
                        continue;
                    };
                    let subnet = &design.subnets[index];
                    if subnet.vpc != endpoint.vpc {
                        out.push(Diagnostic::new(
                            codes::REFERENCE_OTHER_VPC,
                            Severity::Error,
                            [endpoint.id.as_str(), subnet_id.as_str()],
                            format!(
                                "interface endpoint {} (VPC {}) names subnet {subnet_id} of VPC {}",
                                endpoint.id, endpoint.vpc, subnet.vpc
                            ),
                            "pick subnets of the endpoint's own VPC",
                        ));
                    }
                    if let Some(first) =
                        subnet_of_az.insert(subnet.availability_zone.as_str(), subnet_id.as_str())
                    {
                        out.push(Diagnostic::new(
                            codes::ENDPOINT_INTERFACE_AZ_DUPLICATE,
                            Severity::Error,
                            [endpoint.id.as_str(), first, subnet_id.as_str()],
                            format!(
                                "interface endpoint {} has two subnets in {} ({first} and {subnet_id}); it takes at most one per AZ",
                                endpoint.id, subnet.availability_zone
                            ),
                            format!("keep {first} and drop {subnet_id}"),
                        ));
                    }
                }
                if endpoint.security_groups.is_empty() {
                    out.push(Diagnostic::new(
                        codes::ENDPOINT_INTERFACE_NO_SECURITY_GROUP,
                        Severity::Error,
                        [&endpoint.id],
                        format!("interface endpoint {} ({}) has no security group", endpoint.id, endpoint.service),
                        "attach a security group that allows TCP 443 from the subnets that call the service",
                    ));
                } else if endpoint
                    .security_groups
                    .iter()
                    .any(|group| context.security_group_index.contains_key(group.as_str()))
                {
                    // When no group exists, sg.unknown-reference already says why nothing gets in.
                    check_https_allowed(context, endpoint, out);
                }
                if endpoint.private_dns {
                    if !(vpc.enable_dns_support && vpc.enable_dns_hostnames) {
                        out.push(Diagnostic::new(
                            codes::ENDPOINT_PRIVATE_DNS_NEEDS_VPC_DNS,
                            Severity::Error,
                            [endpoint.id.as_str(), vpc.id.as_str()],
                            format!(
                                "interface endpoint {} uses private DNS but VPC {} has DNS support {} and DNS hostnames {}",
                                endpoint.id,
                                vpc.id,
                                on_off(vpc.enable_dns_support),
                                on_off(vpc.enable_dns_hostnames)
                            ),
                            format!("turn on enable_dns_support and enable_dns_hostnames on {}", vpc.id),
                        ));
                    }
                    private_dns_services
                        .entry((endpoint.vpc.as_str(), endpoint.service.as_str()))
                        .or_default()
                        .push(endpoint.id.as_str());
                }
            }
        }
    }
    let mut duplicates: Vec<_> = private_dns_services
        .into_iter()
        .filter(|(_, ids)| ids.len() > 1)
        .collect();
    duplicates.sort();
    for ((vpc, service), ids) in duplicates {
        out.push(Diagnostic::new(
            codes::ENDPOINT_DUPLICATE_SERVICE,
            Severity::Error,
            ids.iter().copied(),
            format!(
                "VPC {vpc} has {} interface endpoints with private DNS for {service} ({})",
                ids.len(),
                ids.join(", ")
            ),
            format!("keep {} and add its missing subnets to it instead", ids[0]),
        ));
    }
}

fn on_off(flag: bool) -> &'static str {
    if flag { "on" } else { "off" }
}

/// Warns when an interface endpoint's groups do not admit TCP 443 from a subnet that hosts
/// workloads in its VPC (the callers of the service).
fn check_https_allowed(
    context: &ValidationContext<'_>,
    endpoint: &crate::model::Endpoint,
    out: &mut Vec<Diagnostic>,
) {
    let design = context.design;
    let mut blocked: Vec<&str> = Vec::new();
    for (subnet, block) in design.subnets.iter().zip(&context.subnet_blocks) {
        if subnet.vpc != endpoint.vpc {
            continue;
        }
        let workloads: Vec<_> = design
            .workloads
            .iter()
            .filter(|w| w.subnet == subnet.id)
            .collect();
        if workloads.is_empty() {
            continue;
        }
        let allowed = workloads.iter().all(|workload| {
            let source = TrafficSource {
                address: block.map(|network| network.network()),
                security_groups: &workload.security_groups,
            };
            endpoint
                .security_groups
                .iter()
                .any(|group| ingress_allows(context, group, Protocol::Tcp, 443, &source))
        });
        if !allowed {
            blocked.push(subnet.id.as_str());
        }
    }
    if !blocked.is_empty() {
        let mut objects = vec![endpoint.id.as_str()];
        objects.extend(&blocked);
        out.push(Diagnostic::new(
            codes::ENDPOINT_INTERFACE_HTTPS_BLOCKED,
            Severity::Warning,
            objects,
            format!(
                "interface endpoint {} ({}): its security groups do not allow TCP 443 from {}",
                endpoint.id,
                endpoint.service,
                blocked.join(", ")
            ),
            format!("add an ingress rule for TCP 443 from the VPC's CIDR (or the callers' security group) to {}", endpoint.security_groups[0]),
        ));
    }
}

fn check_vpn(context: &ValidationContext<'_>, out: &mut Vec<Diagnostic>) {
    let design = context.design;
    for customer_gateway in &design.customer_gateways {
        if customer_gateway
            .ip_address
            .parse::<std::net::Ipv4Addr>()
            .is_err()
        {
            out.push(Diagnostic::new(
                codes::CIDR_INVALID,
                Severity::Error,
                [&customer_gateway.id],
                format!(
                    "customer gateway {} has ip_address \"{}\", which is not an IPv4 address",
                    customer_gateway.id, customer_gateway.ip_address
                ),
                "use the public IPv4 address of the on-premises VPN device, e.g. 203.0.113.10",
            ));
        }
        // The VPCs this data center connects to; when it connects to none yet, every VPC.
        let connected: Vec<usize> = design
            .vpn_connections
            .iter()
            .filter(|connection| connection.customer_gateway == customer_gateway.id)
            .filter_map(|connection| {
                design
                    .vpn_gateways
                    .iter()
                    .find(|g| g.id == connection.vpn_gateway)
            })
            .filter_map(|gateway| context.vpc_index.get(gateway.vpc.as_str()).copied())
            .collect();
        let vpc_indexes: Vec<usize> = if connected.is_empty() {
            (0..design.vpcs.len()).collect()
        } else {
            connected
        };
        for (position, text) in customer_gateway.on_premises_cidrs.iter().enumerate() {
            let Some(on_premises) = check_cidr_text(
                &customer_gateway.id,
                format_args!("on_premises_cidrs[{position}]"),
                text,
                out,
            ) else {
                continue;
            };
            for &vpc_index in &vpc_indexes {
                let vpc = &design.vpcs[vpc_index];
                if let Some(block) = context.vpc_blocks[vpc_index]
                    .iter()
                    .flatten()
                    .find(|block| cidr::overlaps(**block, on_premises))
                {
                    out.push(Diagnostic::new(
                        codes::VPN_ONPREM_OVERLAP,
                        Severity::Error,
                        [customer_gateway.id.as_str(), vpc.id.as_str()],
                        format!(
                            "on-premises range {on_premises} behind customer gateway {} overlaps VPC {} ({block})",
                            customer_gateway.id, vpc.id
                        ),
                        "re-address the VPC (or the on-premises network) so the two ranges are disjoint; routing cannot tell them apart",
                    ));
                }
            }
        }
    }
}
