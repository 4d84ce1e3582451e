//! Endpoint policy rules (reference § Gateways and endpoints): a policy AWS refuses, an
//! endpoint that lets anyone reach any resource of its service, and a policy that allows
//! nothing of its own service (naming the design's flows it blocks).
//! Sources: AWS PrivateLink Guide, "Control access to VPC endpoints using endpoint policies"
//! (the default policy is full access; a policy is at most 20,480 characters; endpoint
//! policies do not grant, they only limit what identity policies allow).

use super::codes;
use super::context::ValidationContext;
use super::{Diagnostic, Severity};
use crate::model::{Endpoint, endpoint_policy};

pub(super) fn check(context: &ValidationContext<'_>, out: &mut Vec<Diagnostic>) {
    for endpoint in &context.design.endpoints {
        let Some(document) = &endpoint.policy else {
            out.push(full_access(endpoint, "has no endpoint policy"));
            continue;
        };
        let problems = endpoint_policy::problems(document);
        if !problems.is_empty() {
            out.push(Diagnostic::new(
                codes::ENDPOINT_POLICY_INVALID,
                Severity::Error,
                [&endpoint.id],
                format!(
                    "the policy of endpoint {} ({}) is not one AWS takes: {}",
                    endpoint.id,
                    endpoint.service,
                    problems.join("; ")
                ),
                "give a policy document with a Statement list whose statements each have an Effect (Allow or Deny) and an Action",
            ));
            continue;
        }
        if endpoint_policy::is_full_access(document) {
            out.push(full_access(
                endpoint,
                "has a policy that allows anyone every action on every resource",
            ));
            continue;
        }
        let prefix = endpoint_policy::action_prefix(&endpoint.service);
        if !endpoint_policy::allows_service(document, &prefix) {
            let blocked = blocked_flows(context, endpoint);
            let what = if blocked.is_empty() {
                String::from("every call through it is denied")
            } else {
                format!("it blocks the design's flows {}", blocked.join(", "))
            };
            out.push(Diagnostic::new(
                codes::ENDPOINT_POLICY_DENIES_SERVICE,
                Severity::Warning,
                [&endpoint.id],
                format!(
                    "the policy of endpoint {} allows no {prefix}: action, so {what}",
                    endpoint.id
                ),
                format!(
                    "allow the {prefix}: actions the workloads need (for example \"{prefix}:GetObject\") on the resources they use, or remove the Deny"
                ),
            ));
        }
    }
}

fn full_access(endpoint: &Endpoint, why: &str) -> Diagnostic {
    Diagnostic::new(
        codes::ENDPOINT_POLICY_FULL_ACCESS,
        Severity::Info,
        [&endpoint.id],
        format!(
            "endpoint {} ({}) {why}: anyone in the VPC can reach any {} resource through it, in any account, which lets data leave to a stranger's bucket or table",
            endpoint.id, endpoint.service, endpoint.service
        ),
        "give it a policy that allows only your own resources, for example a Condition on aws:ResourceAccount or a Resource list of your buckets",
    )
}

/// The design's flows into the endpoint's service from inside its VPC, as `from → to`.
fn blocked_flows(context: &ValidationContext<'_>, endpoint: &Endpoint) -> Vec<String> {
    context
        .design
        .flows
        .iter()
        .filter(|flow| flow.to.trim() == endpoint.service)
        .filter(|flow| {
            context.object_vpc.get(flow.from.trim()).copied() == Some(endpoint.vpc.as_str())
        })
        .map(|flow| format!("{} → {}", flow.from, flow.to))
        .collect()
}
