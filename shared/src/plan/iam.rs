//! The least-privilege IAM policy applying and destroying a design needs, from the resource
//! catalogue: pure, so the CLI, the server and the browser show the same document.

use crate::plan::resource::*;
use std::collections::BTreeSet;

use serde_json::{Value, json};

use super::{DesiredResource, ResourceKind, ResourceSpec};

/// The IAM actions a kind's create (`deleting` false) or delete needs.
pub fn actions_of(kind: ResourceKind, deleting: bool) -> &'static [&'static str] {
    if deleting {
        kind.facts().delete_actions
    } else {
        kind.facts().create_actions
    }
}

/// The policy for the desired resources of a design: the reads every run makes (user tags
/// among them), the creates, updates and deletes of the kinds it holds only (and `DeleteTags`
/// when any is tagged), and `iam:PassRole` on exactly the flow-log
/// delivery roles it names (each one literal role ARN; anything else is left out).
pub fn policy(desired: &[DesiredResource]) -> Value {
    let mut actions: BTreeSet<&str> = super::catalog::read_actions().into_iter().collect();
    let kinds: BTreeSet<ResourceKind> = desired.iter().map(|resource| resource.key.kind).collect();
    // Every run reads the user tags of what it found; tags are changed in place on any
    // tagged kind (CreateTags is already each tagged kind's create action).
    actions.insert("ec2:DescribeTags");
    if kinds.iter().any(|kind| kind.facts().tagged) {
        actions.insert("ec2:DeleteTags");
    }
    for kind in kinds {
        for deleting in [false, true] {
            actions.extend(actions_of(kind, deleting));
        }
    }
    let mut statements = vec![json!({
        "Sid": "MoatProvisioning",
        "Effect": "Allow",
        "Action": actions.into_iter().collect::<Vec<_>>(),
        "Resource": "*"
    })];
    let delivery_roles: BTreeSet<&str> = desired
        .iter()
        .filter_map(|resource| match &resource.spec {
            ResourceSpec::FlowLog(FlowLogSpec {
                delivery_role_arn: Some(role),
                ..
            }) => Some(role.as_str()),
            _ => None,
        })
        // Never a wildcard: a role that is not one literal ARN is an error in validation and
        // is left out of the policy.
        .filter(|role| crate::model::is_role_arn(role))
        .collect();
    if !delivery_roles.is_empty() {
        statements.push(json!({
            "Sid": "MoatFlowLogDelivery",
            "Effect": "Allow",
            "Action": "iam:PassRole",
            "Resource": delivery_roles.into_iter().collect::<Vec<_>>(),
            "Condition": {"StringEquals": {"iam:PassedToService": "vpc-flow-logs.amazonaws.com"}}
        }));
    }
    json!({
        "Version": "2012-10-17",
        "Statement": statements
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_iam_policy_names_only_what_the_design_needs() {
        let policy_of = |design: &crate::Design| policy(&crate::plan::desired_resources(design));
        let template = |name: &str| crate::templates::template(name).unwrap().design().unwrap();
        let actions = |policy: &serde_json::Value| -> Vec<String> {
            policy["Statement"][0]["Action"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| a.as_str().unwrap().to_string())
                .collect()
        };
        let mvp_policy = policy_of(&template("mvp"));
        let mvp = actions(&mvp_policy);
        let tabular = actions(&policy_of(&template("tabular-vpn")));
        assert!(mvp.contains(&"ec2:CreateVpc".to_string()));
        assert!(mvp.contains(&"ec2:AttachInternetGateway".to_string()));
        assert!(!mvp.contains(&"ec2:CreateVpnConnection".to_string()));
        assert!(!mvp.contains(&"ec2:CreateNatGateway".to_string()));
        assert!(!mvp.contains(&"ec2:CreateFlowLogs".to_string()));
        assert!(tabular.contains(&"ec2:CreateVpnConnection".to_string()));
        assert!(tabular.contains(&"ec2:DeleteVpnGateway".to_string()));
        assert!(mvp.iter().all(|a| a.starts_with("ec2:")));
        assert!(mvp.windows(2).all(|w| w[0] < w[1]), "sorted, no repeats");
        assert_eq!(mvp_policy["Statement"].as_array().unwrap().len(), 1);

        // Flow logs: the EC2 and Logs actions, and PassRole only on the delivery role.
        let mut logged = template("mvp");
        logged.vpcs[0].flow_logs = Some(crate::model::FlowLogs {
            destination: "arn:aws:logs:us-east-1:123456789012:log-group:/moat/mvp".into(),
            traffic_type: crate::model::FlowLogTraffic::All,
            delivery_role_arn: Some("arn:aws:iam::123456789012:role/flow-logs".into()),
            max_aggregation_interval: 600,
        });
        let policy = policy_of(&logged);
        let logged_actions = actions(&policy);
        for action in [
            "ec2:CreateFlowLogs",
            "ec2:DeleteFlowLogs",
            "ec2:DescribeFlowLogs",
            "logs:CreateLogDelivery",
            "logs:DeleteLogDelivery",
        ] {
            assert!(logged_actions.contains(&action.to_string()), "{action}");
        }
        assert!(!logged_actions.contains(&"iam:PassRole".to_string()));
        let pass_role = &policy["Statement"][1];
        assert_eq!(pass_role["Action"], "iam:PassRole");
        assert_eq!(
            pass_role["Resource"],
            serde_json::json!(["arn:aws:iam::123456789012:role/flow-logs"])
        );
        // r14: a wildcard role never becomes a PassRole grant.
        for wildcard in [
            "arn:aws:iam::123456789012:role/*",
            "arn:aws:iam::123456789012:role/flow-?",
            "*",
        ] {
            logged.vpcs[0].flow_logs.as_mut().unwrap().delivery_role_arn =
                Some(wildcard.to_string());
            let policy = policy_of(&logged);
            let statements = policy["Statement"].as_array().unwrap();
            assert!(
                statements.iter().all(|s| s["Action"] != "iam:PassRole"),
                "{wildcard}: {policy}"
            );
            assert!(
                crate::validate::validate(&logged)
                    .iter()
                    .any(|d| d.code == "flowlog.delivery-role"),
                "{wildcard}"
            );
        }
    }

    /// The policy of every template and flow-log design, as the CLI printed it before the
    /// policy moved here from the server (snapshots of `moat iam-policy`).
    #[test]
    fn every_policy_matches_its_snapshot() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("snapshots");
        let mut compared = 0;
        for entry in std::fs::read_dir(&root).unwrap() {
            let directory = entry.unwrap().path();
            let name = directory.file_name().unwrap().to_string_lossy().to_string();
            let design = crate::spec::load_design(
                &std::fs::read_to_string(directory.join(format!("{name}.json"))).unwrap(),
            )
            .unwrap();
            let printed =
                serde_json::to_string_pretty(&policy(&crate::plan::desired_resources(&design)))
                    .unwrap()
                    + "\n";
            if std::env::var_os("MOAT_UPDATE_SNAPSHOTS").is_some() {
                std::fs::write(directory.join("iam-policy.json"), &printed).unwrap();
            }
            let committed = std::fs::read_to_string(directory.join("iam-policy.json")).unwrap();
            assert!(printed == committed, "{name}: the IAM policy changed");
            compared += 1;
        }
        assert!(compared >= 6);
    }
}
