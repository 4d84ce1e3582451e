//! Compute rules for ML (reference § Compute for ML). Sources: EC2 User Guide, "Placement
//! groups" (a cluster group lives in one AZ) and "Elastic Fabric Adapter" (supported instance
//! types; OS-bypass traffic is not routable across subnets); SageMaker Developer Guide, "Connect
//! to SageMaker within your VPC" (the interface endpoints private training needs); Amazon VPC
//! pricing (NAT data processing vs free gateway endpoints).

use std::collections::BTreeSet;

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use super::codes;
use super::context::ValidationContext;
use super::{Diagnostic, Severity};
use crate::model::{PlacementStrategy, SubnetTier, WorkloadKind};

/// Instance types that support EFA (EC2 User Guide, "Supported instance types" for EFA).
/// One table, one source; extend it as AWS adds types.
pub const EFA_INSTANCE_TYPES: &[&str] = &[
    "c5n.9xlarge",
    "c5n.18xlarge",
    "c5n.metal",
    "c6gn.16xlarge",
    "c7gn.16xlarge",
    "dl1.24xlarge",
    "g4dn.8xlarge",
    "g4dn.12xlarge",
    "g4dn.16xlarge",
    "g4dn.metal",
    "g5.48xlarge",
    "g6.48xlarge",
    "g6e.48xlarge",
    "hpc6a.48xlarge",
    "hpc7g.16xlarge",
    "inf2.48xlarge",
    "m5dn.24xlarge",
    "m5n.24xlarge",
    "p4d.24xlarge",
    "p4de.24xlarge",
    "p5.48xlarge",
    "p5e.48xlarge",
    "p5en.48xlarge",
    "r5n.24xlarge",
    "trn1.32xlarge",
    "trn1n.32xlarge",
    "trn2.48xlarge",
];

/// The services private SageMaker training needs without a NAT gateway (interface endpoints),
/// plus S3 through a gateway endpoint.
pub const PRIVATE_SAGEMAKER_INTERFACE_SERVICES: &[&str] = &[
    "sagemaker.api",
    "sagemaker.runtime",
    "sts",
    "logs",
    "ecr.api",
    "ecr.dkr",
];

/// Accelerated instance families (GPU, Trainium, Inferentia, Gaudi).
pub fn is_accelerated_instance_type(instance_type: &str) -> bool {
    let family: String = instance_type
        .split('.')
        .next()
        .unwrap_or("")
        .chars()
        .take_while(|c| c.is_ascii_alphabetic())
        .collect();
    matches!(family.as_str(), "p" | "g" | "trn" | "inf" | "dl")
}

pub(super) fn check(context: &ValidationContext<'_>, out: &mut Vec<Diagnostic>) {
    check_workload_references(context, out);
    check_placement_and_efa(context, out);
    check_ml_paths(context, out);
    check_hours(context, out);
}

/// The most hours a month has (31 days).
pub const MAX_HOURS_PER_MONTH: u16 = 744;

/// `workload.hours-per-month`: the hours a workload runs fit in a month.
fn check_hours(context: &ValidationContext<'_>, out: &mut Vec<Diagnostic>) {
    for workload in &context.design.workloads {
        let Some(hours) = workload.hours_per_month else {
            continue;
        };
        if hours <= MAX_HOURS_PER_MONTH {
            continue;
        }
        out.push(Diagnostic::new(
            codes::WORKLOAD_HOURS_PER_MONTH,
            Severity::Error,
            [&workload.id],
            format!(
                "workload {} runs {hours} hours a month; a month has at most {MAX_HOURS_PER_MONTH}",
                workload.id
            ),
            "give the hours each instance runs in a month (730 is always on), or remove the figure",
        ));
    }
}

fn check_workload_references(context: &ValidationContext<'_>, out: &mut Vec<Diagnostic>) {
    for workload in &context.design.workloads {
        if workload.efa && !EFA_INSTANCE_TYPES.contains(&workload.instance_type.as_str()) {
            out.push(Diagnostic::new(
                codes::EFA_UNSUPPORTED_TYPE,
                Severity::Error,
                [&workload.id],
                format!("workload {} asks for EFA on {}, which does not support EFA", workload.id, display_type(&workload.instance_type)),
                "use an EFA type such as p4d.24xlarge, p5.48xlarge or trn1.32xlarge, or turn EFA off",
            ));
        }
    }
}

fn display_type(instance_type: &str) -> &str {
    if instance_type.is_empty() {
        "an unspecified instance type"
    } else {
        instance_type
    }
}

fn check_placement_and_efa(context: &ValidationContext<'_>, out: &mut Vec<Diagnostic>) {
    let design = context.design;
    let mut members_of_group: HashMap<&str, Vec<&crate::model::Workload>> = HashMap::default();
    for workload in &design.workloads {
        if let Some(group) = &workload.placement_group {
            members_of_group
                .entry(group.as_str())
                .or_default()
                .push(workload);
        }
    }
    for group in &design.placement_groups {
        let members = members_of_group
            .get(group.id.as_str())
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        if group.strategy == PlacementStrategy::Cluster {
            let zones: BTreeSet<&str> = members
                .iter()
                .filter_map(|w| context.subnet_index.get(w.subnet.as_str()))
                .map(|&index| design.subnets[index].availability_zone.as_str())
                .collect();
            if zones.len() > 1 {
                let mut objects = vec![group.id.as_str()];
                objects.extend(members.iter().map(|w| w.id.as_str()));
                out.push(Diagnostic::new(
                    codes::PLACEMENT_CLUSTER_MULTI_AZ,
                    Severity::Error,
                    objects,
                    format!(
                        "cluster placement group {} spans {} AZs ({}); a cluster group lives in one AZ",
                        group.id,
                        zones.len(),
                        zones.iter().copied().collect::<Vec<_>>().join(", ")
                    ),
                    "put every member in subnets of one AZ",
                ));
            }
        }
        let efa_subnets: BTreeSet<&str> = members
            .iter()
            .filter(|w| w.efa)
            .map(|w| w.subnet.as_str())
            .collect();
        if efa_subnets.len() > 1 {
            let mut objects = vec![group.id.as_str()];
            objects.extend(efa_subnets.iter().copied());
            out.push(Diagnostic::new(
                codes::EFA_MULTI_SUBNET,
                Severity::Warning,
                objects,
                format!(
                    "the EFA nodes of placement group {} sit in {} subnets ({}); EFA's OS-bypass traffic is not routed between subnets",
                    group.id,
                    efa_subnets.len(),
                    efa_subnets.iter().copied().collect::<Vec<_>>().join(", ")
                ),
                "put every node of one training cluster in one subnet",
            ));
        }
    }
}

fn check_ml_paths(context: &ValidationContext<'_>, out: &mut Vec<Diagnostic>) {
    let design = context.design;
    let dynamodb_flow_sources: HashSet<&str> = design
        .flows
        .iter()
        .filter(|flow| flow.to == "dynamodb")
        .map(|flow| flow.from.as_str())
        .collect();
    for subnet in &design.subnets {
        let table = context.route_table_of(&subnet.id);
        let workloads: Vec<&crate::model::Workload> = context
            .workloads_by_subnet
            .get(subnet.id.as_str())
            .map(|indexes| {
                indexes
                    .iter()
                    .map(|&index| &design.workloads[index])
                    .collect()
            })
            .unwrap_or_default();
        let reaches_igw = table.is_some_and(|t| context.routes_to_internet_gateway(t));
        let uses_nat = table.is_some_and(|t| !context.nat_targets(t).is_empty());
        let gateway_endpoint_for = |service: &str| {
            table.is_some_and(|t| {
                context
                    .gateway_endpoint_routes
                    .contains(&(service, t.id.as_str()))
            })
        };
        for workload in &workloads {
            let training = workload.kind == WorkloadKind::SagemakerTraining
                || (workload.kind == WorkloadKind::Ec2
                    && is_accelerated_instance_type(&workload.instance_type));
            if training && reaches_igw {
                out.push(Diagnostic::new(
                    codes::ML_TRAINING_IN_PUBLIC_SUBNET,
                    Severity::Warning,
                    [workload.id.as_str(), subnet.id.as_str()],
                    format!(
                        "training workload {} ({}) runs in subnet {}, which is routed to an internet gateway",
                        workload.id,
                        display_type(&workload.instance_type),
                        subnet.id
                    ),
                    "move it to a private subnet; reach AWS services through endpoints",
                ));
            }
        }
        if subnet.tier != SubnetTier::Private || reaches_igw {
            continue;
        }
        if uses_nat {
            let mut services = vec!["s3"];
            let dynamodb_flows = dynamodb_flow_sources.contains(subnet.id.as_str())
                || workloads
                    .iter()
                    .any(|w| dynamodb_flow_sources.contains(w.id.as_str()));
            if dynamodb_flows {
                services.push("dynamodb");
            }
            for service in services {
                if !gateway_endpoint_for(service) {
                    let table_id = table.map(|t| t.id.as_str()).unwrap_or("its route table");
                    out.push(Diagnostic::new(
                        codes::ML_S3_THROUGH_NAT,
                        Severity::Warning,
                        [subnet.id.as_str(), table_id],
                        format!(
                            "private subnet {} reaches {service} only through a NAT gateway, paying $0.045/GB processed; a gateway endpoint is free",
                            subnet.id
                        ),
                        format!("add a {service} gateway endpoint associated with {table_id}"),
                    ));
                }
            }
        } else {
            let uses_sagemaker = workloads.iter().any(|w| {
                matches!(
                    w.kind,
                    WorkloadKind::SagemakerTraining
                        | WorkloadKind::SagemakerNotebook
                        | WorkloadKind::SagemakerEndpoint
                )
            });
            if !uses_sagemaker {
                continue;
            }
            let mut missing: Vec<String> = PRIVATE_SAGEMAKER_INTERFACE_SERVICES
                .iter()
                .filter(|service| {
                    !context
                        .interface_services
                        .contains(&(subnet.vpc.as_str(), **service))
                })
                .map(|service| format!("{service} (interface)"))
                .collect();
            if !gateway_endpoint_for("s3") {
                missing.push("s3 (gateway)".to_string());
            }
            if !missing.is_empty() {
                out.push(Diagnostic::new(
                    codes::ML_PRIVATE_TRAINING_NEEDS_ENDPOINTS,
                    Severity::Warning,
                    [&subnet.id],
                    format!(
                        "private subnet {} runs SageMaker without a NAT gateway but its VPC lacks endpoints for: {}",
                        subnet.id,
                        missing.join(", ")
                    ),
                    "add the missing endpoints (interface endpoints in this subnet's AZ, the S3 gateway endpoint on its route table)",
                ));
            }
        }
    }
}
