//! Addressing rules (reference § Addressing). Sources: Amazon VPC User Guide, "VPC CIDR blocks"
//! and "Subnet CIDR blocks" (sizes /16–/28, five reserved addresses per subnet, no overlap).

use rustc_hash::FxHashMap as HashMap;

use ipnet::Ipv4Net;

use super::codes;
use super::context::{ValidationContext, parse_field};
use super::{Diagnostic, Severity};
use crate::cidr::{self, CidrParseError};
use crate::model::{EndpointType, ObjectKind};

pub(super) fn check(context: &ValidationContext<'_>, out: &mut Vec<Diagnostic>) {
    check_duplicate_ids(context, out);
    check_vpc_blocks(context, out);
    check_subnets(context, out);
    check_subnet_capacity(context, out);
}

/// Reports an unparsable or non-canonical CIDR in field `field` of object `object_id`.
/// Returns the canonical network when the text parses.
pub(super) fn check_cidr_text(
    object_id: &str,
    field: impl std::fmt::Display,
    text: &str,
    out: &mut Vec<Diagnostic>,
) -> Option<Ipv4Net> {
    match parse_field(text) {
        Ok(parsed) => {
            if parsed.had_host_bits {
                out.push(Diagnostic::new(
                    codes::CIDR_NOT_CANONICAL,
                    Severity::Warning,
                    [object_id],
                    format!(
                        "{object_id}.{field} is \"{text}\", which has host bits set; AWS stores it as {}",
                        parsed.network
                    ),
                    format!("write {} instead", parsed.network),
                ));
            }
            Some(parsed.network)
        }
        Err(error) => {
            let hint = match &error {
                CidrParseError::MissingPrefix { text } => {
                    format!("add a prefix length, e.g. {text}/24")
                }
                CidrParseError::Malformed { .. } => {
                    "write an IPv4 block as a.b.c.d/n, e.g. 10.0.1.0/24".to_string()
                }
            };
            out.push(Diagnostic::new(
                codes::CIDR_INVALID,
                Severity::Error,
                [object_id],
                format!("{object_id}.{field}: {error}"),
                hint,
            ));
            None
        }
    }
}

fn check_duplicate_ids(context: &ValidationContext<'_>, out: &mut Vec<Diagnostic>) {
    let mut seen: HashMap<&str, ObjectKind> = HashMap::default();
    for (id, kind) in context.design.object_ids() {
        if let Some(first_kind) = seen.insert(id, kind) {
            out.push(Diagnostic::new(
                codes::ID_DUPLICATE,
                Severity::Error,
                [id],
                format!(
                    "the id \"{id}\" is used by a {} and a {}; ids must be unique in a design",
                    first_kind.label(),
                    kind.label()
                ),
                format!("rename one of them, e.g. \"{id}-2\""),
            ));
        }
    }
}

/// The IPv4 blocks AWS associates with one VPC before its quota is raised (Amazon VPC quotas:
/// "IPv4 CIDR blocks per VPC", default 5, adjustable to 50).
pub const DEFAULT_IPV4_BLOCKS_PER_VPC: usize = 5;

fn check_vpc_blocks(context: &ValidationContext<'_>, out: &mut Vec<Diagnostic>) {
    for vpc in &context.design.vpcs {
        if vpc.cidr_blocks.is_empty() {
            out.push(Diagnostic::new(
                codes::VPC_CIDR_SIZE,
                Severity::Error,
                [&vpc.id],
                format!("VPC {} has no CIDR block", vpc.id),
                "give it a primary block between /16 and /28, e.g. 10.0.0.0/16",
            ));
        }
        let mut parsed_blocks: Vec<Ipv4Net> = Vec::new();
        for (position, text) in vpc.cidr_blocks.iter().enumerate() {
            let Some(network) =
                check_cidr_text(&vpc.id, format_args!("cidr_blocks[{position}]"), text, out)
            else {
                continue;
            };
            if !(16..=28).contains(&network.prefix_len()) {
                let suggestion = if network.prefix_len() < 16 {
                    Ipv4Net::new(network.network(), 16)
                        .map(|n| n.to_string())
                        .unwrap_or_default()
                } else {
                    Ipv4Net::new(network.network(), 28)
                        .map(|n| n.to_string())
                        .unwrap_or_default()
                };
                out.push(Diagnostic::new(
                    codes::VPC_CIDR_SIZE,
                    Severity::Error,
                    [&vpc.id],
                    format!(
                        "VPC {} block {text} is a /{}; a VPC block must be /16 to /28",
                        vpc.id,
                        network.prefix_len()
                    ),
                    format!("use a block between /16 and /28, e.g. {suggestion}"),
                ));
            }
            parsed_blocks.push(network);
        }
        check_reserved_ranges(&vpc.id, &parsed_blocks, out);
        if vpc.cidr_blocks.len() > DEFAULT_IPV4_BLOCKS_PER_VPC {
            out.push(Diagnostic::new(
                codes::VPC_CIDR_BLOCK_QUOTA,
                Severity::Warning,
                [&vpc.id],
                format!(
                    "VPC {} has {} IPv4 blocks; AWS associates {DEFAULT_IPV4_BLOCKS_PER_VPC} per VPC unless the account's quota is raised, and refuses the rest",
                    vpc.id,
                    vpc.cidr_blocks.len()
                ),
                "raise the \"IPv4 CIDR blocks per VPC\" quota in Service Quotas (up to 50) before deploying, or use fewer, larger blocks",
            ));
        }
        check_secondary_blocks(context, &vpc.id, out);
        for (first, second) in cidr::overlapping_pairs(&parsed_blocks) {
            out.push(Diagnostic::new(
                codes::VPC_CIDR_OVERLAP,
                Severity::Error,
                [&vpc.id],
                format!(
                    "VPC {} has overlapping blocks {} and {}",
                    vpc.id, parsed_blocks[first], parsed_blocks[second]
                ),
                format!(
                    "remove {} or pick a block that overlaps no other",
                    parsed_blocks[second]
                ),
            ));
        }
    }
}

fn check_subnets(context: &ValidationContext<'_>, out: &mut Vec<Diagnostic>) {
    let design = context.design;
    // Subnets grouped by VPC index, with their parsed blocks, for the overlap sweep.
    let mut subnets_by_vpc: HashMap<usize, Vec<(usize, Ipv4Net)>> = HashMap::default();
    for (subnet_index, subnet) in design.subnets.iter().enumerate() {
        let network = check_cidr_text(&subnet.id, "cidr", &subnet.cidr, out);
        check_availability_zone(&design.region, &subnet.id, &subnet.availability_zone, out);
        // An unknown VPC is the reference check's.
        let Some(&vpc_index) = context.vpc_index.get(subnet.vpc.as_str()) else {
            continue;
        };
        let Some(network) = network else { continue };
        if !(16..=28).contains(&network.prefix_len()) {
            out.push(Diagnostic::new(
                codes::SUBNET_CIDR_SIZE,
                Severity::Error,
                [&subnet.id],
                format!(
                    "subnet {} is a /{} ({}); a subnet must be /16 to /28",
                    subnet.id,
                    network.prefix_len(),
                    subnet.cidr
                ),
                "use a block between /16 and /28, e.g. a /24 (251 usable addresses)",
            ));
        }
        let vpc = &design.vpcs[vpc_index];
        let vpc_networks = context.vpc_blocks[vpc_index].iter().flatten();
        let containing = vpc_networks
            .clone()
            .filter(|block| cidr::contains(**block, network))
            .count();
        if containing != 1 && vpc_networks.clone().next().is_some() {
            let hint = suggest_free_block(context, vpc_index, network.prefix_len().clamp(16, 28))
                .map(|free| {
                    format!(
                        "use a block inside the VPC, e.g. the next free /{}: {free}",
                        free.prefix_len()
                    )
                })
                .unwrap_or_else(|| "use a block inside one of the VPC's CIDR blocks".to_string());
            out.push(Diagnostic::new(
                codes::SUBNET_OUTSIDE_VPC,
                Severity::Error,
                [subnet.id.as_str(), vpc.id.as_str()],
                format!(
                    "subnet {} ({}) does not lie inside a CIDR block of VPC {} ({})",
                    subnet.id,
                    network,
                    vpc.id,
                    vpc.cidr_blocks.join(", ")
                ),
                hint,
            ));
        }
        subnets_by_vpc
            .entry(vpc_index)
            .or_default()
            .push((subnet_index, network));
    }
    let mut vpc_indexes: Vec<usize> = subnets_by_vpc.keys().copied().collect();
    vpc_indexes.sort_unstable();
    for vpc_index in vpc_indexes {
        let members = &subnets_by_vpc[&vpc_index];
        let networks: Vec<Ipv4Net> = members.iter().map(|(_, network)| *network).collect();
        // One hint per block size: the free block does not depend on which pair asks.
        let mut free_blocks: HashMap<u8, Option<Ipv4Net>> = HashMap::default();
        for (first, second) in cidr::first_overlaps(&networks) {
            let first_subnet = &design.subnets[members[first].0];
            let second_subnet = &design.subnets[members[second].0];
            let prefix = networks[second].prefix_len().clamp(16, 28);
            let hint = (*free_blocks
                .entry(prefix)
                .or_insert_with(|| suggest_free_block(context, vpc_index, prefix)))
            .map(|free| format!("move {} to the next free block: {free}", second_subnet.id))
            .unwrap_or_else(|| "give one of them a block no other subnet uses".to_string());
            out.push(Diagnostic::new(
                codes::SUBNET_OVERLAP,
                Severity::Error,
                [first_subnet.id.as_str(), second_subnet.id.as_str()],
                format!(
                    "subnets {} ({}) and {} ({}) overlap in VPC {}",
                    first_subnet.id,
                    networks[first],
                    second_subnet.id,
                    networks[second],
                    design.vpcs[vpc_index].id
                ),
                hint,
            ));
        }
    }
}

/// The lowest free block of `/prefix_length` in a VPC, avoiding every subnet of that VPC.
pub(super) fn suggest_free_block(
    context: &ValidationContext<'_>,
    vpc_index: usize,
    prefix_length: u8,
) -> Option<Ipv4Net> {
    let vpc_id = context.design.vpcs[vpc_index].id.as_str();
    let used: Vec<Ipv4Net> = context
        .design
        .subnets
        .iter()
        .zip(&context.subnet_blocks)
        .filter(|(subnet, _)| subnet.vpc == vpc_id)
        .filter_map(|(_, block)| *block)
        .collect();
    context.vpc_blocks[vpc_index]
        .iter()
        .flatten()
        .find_map(|block| cidr::next_free_block(*block, &used, prefix_length))
}

/// An AZ name is the region plus one letter (`us-east-1a`), or a Local Zone of the region
/// (`us-west-2-lax-1a`). A region used as an AZ (the seed's `--availability-zone $REGION`) fails.
pub(super) fn availability_zone_in_region(region: &str, availability_zone: &str) -> bool {
    let Some(suffix) = availability_zone.strip_prefix(region) else {
        return false;
    };
    let is_letter = |text: &str| text.len() == 1 && text.bytes().all(|b| b.is_ascii_lowercase());
    if is_letter(suffix) {
        return true;
    }
    // Local Zone: -<city>-<digit><letter>
    let mut parts = suffix.strip_prefix('-').unwrap_or("").split('-');
    match (parts.next(), parts.next(), parts.next()) {
        (Some(city), Some(zone), None) => {
            !city.is_empty()
                && city.bytes().all(|b| b.is_ascii_lowercase())
                && zone.len() == 2
                && zone.as_bytes()[0].is_ascii_digit()
                && zone.as_bytes()[1].is_ascii_lowercase()
        }
        _ => false,
    }
}

fn check_availability_zone(
    region: &str,
    subnet_id: &str,
    availability_zone: &str,
    out: &mut Vec<Diagnostic>,
) {
    if availability_zone_in_region(region, availability_zone) {
        return;
    }
    let message = if availability_zone == region {
        format!(
            "subnet {subnet_id} has availability zone \"{availability_zone}\", which is the region, not an AZ"
        )
    } else {
        format!(
            "subnet {subnet_id} has availability zone \"{availability_zone}\", which is not an AZ of region {region}"
        )
    };
    out.push(Diagnostic::new(
        codes::SUBNET_AZ_UNKNOWN,
        Severity::Error,
        [subnet_id],
        message,
        format!("use an AZ of {region}, e.g. {region}a"),
    ));
}

fn check_subnet_capacity(context: &ValidationContext<'_>, out: &mut Vec<Diagnostic>) {
    let design = context.design;
    let mut interfaces: HashMap<&str, u64> = HashMap::default();
    for workload in &design.workloads {
        *interfaces.entry(workload.subnet.as_str()).or_default() += u64::from(workload.count);
    }
    for endpoint in &design.endpoints {
        if endpoint.endpoint_type == EndpointType::Interface {
            for subnet in &endpoint.subnets {
                *interfaces.entry(subnet.as_str()).or_default() += 1;
            }
        }
    }
    for nat in &design.nat_gateways {
        *interfaces.entry(nat.subnet.as_str()).or_default() += 1;
    }
    for (subnet, block) in design.subnets.iter().zip(&context.subnet_blocks) {
        let Some(block) = block else { continue };
        let placed = interfaces.get(subnet.id.as_str()).copied().unwrap_or(0);
        let usable = cidr::usable_addresses(*block);
        if placed > usable {
            out.push(Diagnostic::new(
                codes::SUBNET_CAPACITY,
                Severity::Error,
                [&subnet.id],
                format!(
                    "subnet {} ({}) has {usable} usable addresses but {placed} network interfaces are placed in it",
                    subnet.id, block
                ),
                format!("use a larger block (at most /{}) or move interfaces to another subnet", smallest_prefix_for(placed)),
            ));
        } else if placed * 5 > usable * 4 {
            out.push(Diagnostic::new(
                codes::SUBNET_CAPACITY,
                Severity::Warning,
                [&subnet.id],
                format!(
                    "subnet {} ({}) is {}% full: {placed} of {usable} usable addresses",
                    subnet.id,
                    block,
                    placed * 100 / usable.max(1)
                ),
                "leave room to scale: use a larger block",
            ));
        }
    }
}

/// The longest prefix whose usable addresses hold `interfaces`.
fn smallest_prefix_for(interfaces: u64) -> u8 {
    (16..=28u8)
        .rev()
        .find(|prefix| (1u64 << (32 - u32::from(*prefix))) - 5 >= interfaces)
        .unwrap_or(16)
}

fn network(text: &str) -> Ipv4Net {
    text.parse().unwrap_or_default()
}

/// 169.254.0.0/16 is link-local and never allowed; 172.17.0.0/16 is Docker's (and SageMaker's)
/// default bridge, so instances in it cannot reach containers' hosts correctly.
fn check_reserved_ranges(vpc_id: &str, blocks: &[Ipv4Net], out: &mut Vec<Diagnostic>) {
    let link_local = network("169.254.0.0/16");
    let docker = network("172.17.0.0/16");
    for block in blocks {
        if cidr::overlaps(*block, link_local) {
            out.push(Diagnostic::new(
                codes::VPC_RESERVED_RANGE,
                Severity::Error,
                [vpc_id],
                format!("VPC {vpc_id} block {block} overlaps the link-local range 169.254.0.0/16, which AWS never allows"),
                "use a private range such as 10.0.0.0/16",
            ));
        } else if cidr::overlaps(*block, docker) {
            out.push(Diagnostic::new(
                codes::VPC_RESERVED_RANGE,
                Severity::Warning,
                [vpc_id],
                format!("VPC {vpc_id} block {block} overlaps 172.17.0.0/16, the default Docker bridge that SageMaker also uses"),
                "pick another range (e.g. 172.18.0.0/16 or 10.0.0.0/16) so containers can reach the VPC",
            ));
        }
    }
}

/// The RFC 1918 range a block lies in, if any.
fn rfc1918_range(block: Ipv4Net) -> Option<Ipv4Net> {
    ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"]
        .into_iter()
        .map(network)
        .find(|range| cidr::contains(*range, block))
}

/// The IPv4 CIDR block association restrictions (VPC User Guide, "VPC CIDR blocks").
fn check_secondary_blocks(
    context: &ValidationContext<'_>,
    vpc_id: &str,
    out: &mut Vec<Diagnostic>,
) {
    let Some(&vpc_index) = context.vpc_index.get(vpc_id) else {
        return;
    };
    let blocks = &context.vpc_blocks[vpc_index];
    let Some(Some(primary)) = blocks.first() else {
        return;
    };
    let route_destinations: Vec<Ipv4Net> = context
        .design
        .route_tables
        .iter()
        .filter(|table| table.vpc == vpc_id)
        .flat_map(|table| table.routes.iter())
        .filter_map(|route| {
            cidr::parse_cidr(&route.destination)
                .ok()
                .map(|parsed| parsed.network)
        })
        .filter(|destination| destination.prefix_len() > 0)
        .collect();
    let all: Vec<Ipv4Net> = blocks.iter().flatten().copied().collect();
    for secondary in blocks.iter().skip(1).flatten() {
        let reason = if let (Some(primary_range), Some(secondary_range)) =
            (rfc1918_range(*primary), rfc1918_range(*secondary))
            && primary_range != secondary_range
        {
            Some(format!(
                "the primary {primary} is in {primary_range}, and RFC 1918 ranges cannot be mixed ({secondary} is in {secondary_range})"
            ))
        } else if *secondary == network("10.0.0.0/16")
            && all
                .iter()
                .any(|other| other != secondary && cidr::contains(network("10.0.0.0/15"), *other))
        {
            Some("10.0.0.0/16 cannot be added when another block is in 10.0.0.0/15".to_string())
        } else if cidr::overlaps(*secondary, network("198.19.0.0/16")) {
            Some("198.19.0.0/16 is restricted".to_string())
        } else if *secondary == network("172.31.0.0/16")
            && cidr::contains(network("172.16.0.0/12"), *primary)
        {
            Some(format!(
                "172.31.0.0/16 is restricted when the primary ({primary}) is in 172.16.0.0/12"
            ))
        } else {
            route_destinations
                .iter()
                .find(|destination| cidr::contains(*secondary, **destination))
                .map(|destination| format!("a route to {destination} exists in the VPC; a secondary block may not equal or contain a route destination"))
        };
        if let Some(reason) = reason {
            out.push(Diagnostic::new(
                codes::VPC_SECONDARY_CIDR_RESTRICTED,
                Severity::Error,
                [vpc_id],
                format!("VPC {vpc_id} cannot take secondary block {secondary}: {reason}"),
                "pick a secondary block from the primary's RFC 1918 range (or a public or 100.64.0.0/10 range) that no route uses",
            ));
        }
    }
}
