//! Audit and exposure (Moat's own codes): what a reviewer, an auditor or a policy scanner such
//! as checkov points at in a network that is otherwise correct. A VPC with no flow logs
//! (CKV2_AWS_11), a subnet that hands out public addresses on launch (CKV_AWS_130), a security
//! group nothing attaches (CKV2_AWS_5), and the shape of a flow log's destination.
//! Sources: Amazon VPC User Guide, "Logging IP traffic using VPC Flow Logs" (destinations,
//! `DeliverLogsPermissionArn` required for CloudWatch Logs only, aggregation of 60 or 600 s);
//! "IP addressing for your VPCs and subnets" (public IPv4 on launch); Amazon VPC pricing
//! (public IPv4 $0.005 an hour).

use rustc_hash::FxHashMap as HashMap;

use super::codes;
use super::context::ValidationContext;
use super::{Diagnostic, Severity};
use crate::model::FlowLogDestinationKind;

pub fn check(context: &ValidationContext<'_>, out: &mut Vec<Diagnostic>) {
    flow_logs(context, out);
    public_ip_on_launch(context, out);
    unattached_security_groups(context, out);
}

fn flow_logs(context: &ValidationContext<'_>, out: &mut Vec<Diagnostic>) {
    for vpc in &context.design.vpcs {
        let Some(flow_logs) = &vpc.flow_logs else {
            out.push(Diagnostic::new(
                codes::VPC_FLOW_LOGS_OFF,
                Severity::Info,
                [&vpc.id],
                format!(
                    "{} records no flow logs: nothing shows afterwards what reached the training data or left the VPC",
                    vpc.id
                ),
                format!(
                    "turn on flow logs for {}: an S3 bucket ARN (arn:aws:s3:::bucket/prefix), or a CloudWatch Logs log group ARN with a delivery role",
                    vpc.id
                ),
            ));
            continue;
        };
        let kind = flow_logs.destination_kind();
        if kind.is_none() {
            out.push(Diagnostic::new(
                codes::FLOWLOG_DESTINATION_INVALID,
                Severity::Error,
                [&vpc.id],
                format!(
                    "{}'s flow log destination \"{}\" is neither an S3 bucket ARN nor a CloudWatch Logs log group ARN",
                    vpc.id, flow_logs.destination
                ),
                "use arn:aws:s3:::BUCKET (optionally /PREFIX) or arn:aws:logs:REGION:ACCOUNT:log-group:NAME",
            ));
        }
        let role = flow_logs
            .delivery_role_arn
            .as_deref()
            .filter(|r| !r.is_empty());
        match (kind, role) {
            (Some(FlowLogDestinationKind::CloudWatchLogs), None) => out.push(Diagnostic::new(
                codes::FLOWLOG_DELIVERY_ROLE,
                Severity::Error,
                [&vpc.id],
                format!(
                    "{}'s flow logs go to CloudWatch Logs, which needs an IAM role to deliver them, and none is set",
                    vpc.id
                ),
                "set delivery_role_arn to a role that vpc-flow-logs.amazonaws.com may assume (arn:aws:iam::ACCOUNT:role/NAME)",
            )),
            (Some(FlowLogDestinationKind::S3), Some(role)) => out.push(Diagnostic::new(
                codes::FLOWLOG_DELIVERY_ROLE,
                Severity::Error,
                [&vpc.id],
                format!(
                    "{}'s flow logs go to S3, which takes no delivery role (EC2 refuses {role} with an S3 destination)",
                    vpc.id
                ),
                "remove delivery_role_arn: the bucket's policy grants delivery.logs.amazonaws.com instead",
            )),
            (Some(FlowLogDestinationKind::CloudWatchLogs), Some(role)) if !is_role_arn(role) => {
                out.push(Diagnostic::new(
                    codes::FLOWLOG_DELIVERY_ROLE,
                    Severity::Error,
                    [&vpc.id],
                    format!(
                        "{}'s flow log delivery role \"{role}\" is not an IAM role ARN",
                        vpc.id
                    ),
                    "use arn:aws:iam::ACCOUNT:role/NAME",
                ))
            }
            _ => {}
        }
        if !matches!(flow_logs.max_aggregation_interval, 60 | 600) {
            out.push(Diagnostic::new(
                codes::FLOWLOG_AGGREGATION_INTERVAL,
                Severity::Error,
                [&vpc.id],
                format!(
                    "{}'s flow logs aggregate over {} seconds; AWS takes 60 or 600",
                    vpc.id, flow_logs.max_aggregation_interval
                ),
                "use 60 (one record a minute, more records) or 600 (the default)",
            ));
        }
    }
}

use crate::model::is_role_arn;

fn public_ip_on_launch(context: &ValidationContext<'_>, out: &mut Vec<Diagnostic>) {
    let design = context.design;
    for subnet in design.subnets.iter().filter(|s| s.map_public_ip_on_launch) {
        let workloads: Vec<&str> = context
            .workloads_by_subnet
            .get(subnet.id.as_str())
            .map(|indexes| {
                indexes
                    .iter()
                    .map(|&index| design.workloads[index].id.as_str())
                    .collect()
            })
            .unwrap_or_default();
        if workloads.is_empty() {
            out.push(Diagnostic::new(
                codes::SUBNET_PUBLIC_IP_ON_LAUNCH,
                Severity::Warning,
                [&subnet.id],
                format!(
                    "{} gives every instance launched in it a public IPv4 address, and no workload in it needs one: anything started there later is reachable from the internet and billed $0.005 an hour per address",
                    subnet.id
                ),
                format!(
                    "turn off map_public_ip_on_launch on {} (NAT gateways and load balancers get their own addresses)",
                    subnet.id
                ),
            ));
        } else {
            let mut objects = vec![subnet.id.as_str()];
            objects.extend(workloads.iter().copied());
            out.push(Diagnostic::new(
                codes::SUBNET_PUBLIC_IP_ON_LAUNCH,
                Severity::Info,
                objects,
                format!(
                    "{} gives every instance launched in it a public IPv4 address, reachable from the internet: {}",
                    subnet.id,
                    workloads.join(", ")
                ),
                format!(
                    "keep it only if they must reach or be reached from the internet directly; otherwise make {} private and route through a NAT gateway",
                    subnet.id
                ),
            ));
        }
    }
}

fn unattached_security_groups(context: &ValidationContext<'_>, out: &mut Vec<Diagnostic>) {
    let design = context.design;
    // For each group: whether Moat attaches it (endpoint or launched instance), and the
    // workloads that will attach it when someone else starts them.
    let mut attached_by_moat: HashMap<&str, bool> = HashMap::default();
    let mut started_elsewhere: HashMap<&str, Vec<&str>> = HashMap::default();
    for endpoint in &design.endpoints {
        for group in &endpoint.security_groups {
            attached_by_moat.insert(group.as_str(), true);
        }
    }
    for workload in &design.workloads {
        for group in &workload.security_groups {
            if workload.launch_image().is_some() {
                attached_by_moat.insert(group.as_str(), true);
            } else {
                started_elsewhere
                    .entry(group.as_str())
                    .or_default()
                    .push(workload.id.as_str());
            }
        }
    }
    for group in &design.security_groups {
        if attached_by_moat.contains_key(group.id.as_str()) {
            continue;
        }
        match started_elsewhere.get(group.id.as_str()) {
            None => out.push(Diagnostic::new(
                codes::SG_UNATTACHED,
                Severity::Warning,
                [&group.id],
                format!(
                    "{} is attached to nothing: no workload or interface endpoint uses it",
                    group.id
                ),
                format!(
                    "attach {} to the workloads or endpoints it is meant for, or delete it",
                    group.id
                ),
            )),
            Some(workloads) => {
                let mut objects = vec![group.id.as_str()];
                objects.extend(workloads.iter().copied());
                out.push(Diagnostic::new(
                    codes::SG_UNATTACHED,
                    Severity::Info,
                    objects,
                    format!(
                        "{} is used only by workloads Moat does not start ({}): it guards nothing until they are started with it",
                        group.id,
                        workloads.join(", ")
                    ),
                    format!(
                        "when you start {}, give it {}'s id (the deployment lists it; the Terraform export outputs it)",
                        workloads.join(", "),
                        group.id
                    ),
                ));
            }
        }
    }
}
