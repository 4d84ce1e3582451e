//! Default per-region quotas (reference § Quotas), as warnings: a design may exceed them after
//! a quota increase. Source: Amazon VPC User Guide, "Amazon VPC quotas".

use rustc_hash::FxHashMap as HashMap;

use super::codes;
use super::context::ValidationContext;
use super::{Diagnostic, Severity};
use crate::model::EndpointType;

pub const VPCS_PER_REGION: usize = 5;
pub const ELASTIC_IPS_PER_REGION: usize = 5;
pub const NAT_GATEWAYS_PER_AZ: usize = 5;
pub const INTERFACE_ENDPOINTS_PER_VPC: usize = 50;
pub const SUBNETS_PER_VPC: usize = 200;
pub const ROUTE_TABLES_PER_VPC: usize = 200;

fn over(code: &str, objects: Vec<&str>, message: String) -> Diagnostic {
    Diagnostic::new(
        code,
        Severity::Warning,
        objects,
        message,
        "request a quota increase before deploying, or consolidate",
    )
}

fn count_by<'a>(keys: impl Iterator<Item = &'a str>) -> Vec<(&'a str, usize)> {
    let mut counts: HashMap<&str, usize> = HashMap::default();
    for key in keys {
        *counts.entry(key).or_default() += 1;
    }
    let mut sorted: Vec<_> = counts.into_iter().collect();
    sorted.sort();
    sorted
}

pub(super) fn check(context: &ValidationContext<'_>, out: &mut Vec<Diagnostic>) {
    let design = context.design;
    if design.vpcs.len() > VPCS_PER_REGION {
        out.push(over(
            codes::QUOTA_VPCS,
            design.vpcs.iter().map(|v| v.id.as_str()).collect(),
            format!(
                "{} VPCs in {}; the default quota is {VPCS_PER_REGION} per region",
                design.vpcs.len(),
                design.region
            ),
        ));
    }
    // Each NAT gateway holds one Elastic IP.
    if design.nat_gateways.len() > ELASTIC_IPS_PER_REGION {
        out.push(over(
            codes::QUOTA_ELASTIC_IPS,
            design.nat_gateways.iter().map(|n| n.id.as_str()).collect(),
            format!("{} Elastic IPs (one per NAT gateway); the default quota is {ELASTIC_IPS_PER_REGION} per region", design.nat_gateways.len()),
        ));
    }
    let mut nats_of_zone: HashMap<&str, Vec<&str>> = HashMap::default();
    for nat in &design.nat_gateways {
        if let Some(&index) = context.subnet_index.get(nat.subnet.as_str()) {
            nats_of_zone
                .entry(design.subnets[index].availability_zone.as_str())
                .or_default()
                .push(nat.id.as_str());
        }
    }
    let mut zones: Vec<_> = nats_of_zone
        .into_iter()
        .filter(|(_, nats)| nats.len() > NAT_GATEWAYS_PER_AZ)
        .collect();
    zones.sort();
    for (zone, nats) in zones {
        let message = format!(
            "{} NAT gateways in {zone}; the default quota is {NAT_GATEWAYS_PER_AZ} per AZ",
            nats.len()
        );
        out.push(over(codes::QUOTA_NAT_PER_AZ, nats, message));
    }
    let per_vpc = [
        (
            codes::QUOTA_INTERFACE_ENDPOINTS,
            "interface endpoints",
            INTERFACE_ENDPOINTS_PER_VPC,
            count_by(
                design
                    .endpoints
                    .iter()
                    .filter(|e| e.endpoint_type == EndpointType::Interface)
                    .map(|e| e.vpc.as_str()),
            ),
        ),
        (
            codes::QUOTA_SUBNETS,
            "subnets",
            SUBNETS_PER_VPC,
            count_by(design.subnets.iter().map(|s| s.vpc.as_str())),
        ),
        (
            codes::QUOTA_ROUTE_TABLES,
            "route tables",
            ROUTE_TABLES_PER_VPC,
            count_by(design.route_tables.iter().map(|t| t.vpc.as_str())),
        ),
    ];
    for (code, label, quota, counts) in per_vpc {
        for (vpc, count) in counts {
            if count > quota {
                out.push(over(
                    code,
                    vec![vpc],
                    format!("VPC {vpc} has {count} {label}; the default quota is {quota} per VPC"),
                ));
            }
        }
    }
}
