//! Each template: apply, check through Describe, apply again (nothing to do), edit (only the
//! difference), destroy (nothing tagged remains).

use shared::Design;
use shared::model::{Protocol, SecurityGroupRule};

use crate::account::{self, difference};
use crate::{Harness, template};

async fn assert_account_matches(harness: &Harness, design_id: &str, design: &Design) {
    let account = account::read(&harness.checker(), &harness.layer, design_id).await;
    let expected = account::expected(design);
    assert_eq!(
        account.lines,
        expected,
        "{}",
        difference(&expected, &account.lines)
    );
    assert!(
        account.duplicates().is_empty(),
        "{:?}",
        account.duplicates()
    );
    assert!(
        account.orphans(Some(design)).is_empty(),
        "{:?}",
        account.orphans(Some(design))
    );
}

/// The edit each lifecycle applies: the last ingress rule of the last group removed (when it
/// has more than one) and a rule added to the first group.
fn edited(design: &Design) -> Design {
    let mut edited = design.clone();
    if let Some(group) = edited.security_groups.last_mut()
        && group.ingress.len() > 1
    {
        group.ingress.pop();
    }
    if let Some(group) = edited.security_groups.first_mut() {
        group.ingress.push(SecurityGroupRule {
            protocol: Protocol::Tcp,
            from_port: 8443,
            to_port: 8443,
            cidr: Some("10.99.0.0/16".into()),
            security_group: None,
            prefix_list: None,
            description: None,
        });
    }
    edited
}

async fn lifecycle(name: &str) {
    let harness = Harness::start(7).await.expect("moto and the fault layer");
    let design_id = format!("d-{name}");
    let design = template(name);
    let desired = shared::plan::desired_resources(&design);

    let plan = harness.plan(&design_id, Some(&design)).await;
    assert_eq!(
        plan.steps.len(),
        desired.len(),
        "an empty account: everything is created"
    );
    let report = harness.apply(&design_id, Some(&design), "dep-1").await;
    assert!(report.succeeded(), "{name}: {}", report.summary());
    assert_eq!(report.created.len(), desired.len());
    assert_account_matches(&harness, &design_id, &design).await;

    // Applying again changes nothing.
    let again = harness.plan(&design_id, Some(&design)).await;
    assert!(again.is_empty(), "{name}: {:#?}", again.steps);
    assert_eq!(again.unchanged, desired.len());

    // An edit becomes only its difference.
    let changed = edited(&design);
    let plan = harness.plan(&design_id, Some(&changed)).await;
    let removed = usize::from(
        design
            .security_groups
            .last()
            .is_some_and(|g| g.ingress.len() > 1),
    );
    assert_eq!(
        plan.counts(),
        (1, 0, 0, removed),
        "{name}: {:#?}",
        plan.steps
    );
    let report = harness.apply(&design_id, Some(&changed), "dep-2").await;
    assert!(report.succeeded(), "{name}: {}", report.summary());
    assert_account_matches(&harness, &design_id, &changed).await;
    assert!(harness.plan(&design_id, Some(&changed)).await.is_empty());

    // Destroy: nothing tagged with the design remains.
    let report = harness.apply(&design_id, None, "dep-3").await;
    assert!(report.succeeded(), "{name}: {}", report.summary());
    let account = account::read(&harness.checker(), &harness.layer, &design_id).await;
    assert!(
        account.tagged.is_empty(),
        "{name}: left behind {:?}",
        account.tagged
    );
    assert!(harness.plan(&design_id, None).await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mvp_applies_converges_updates_and_destroys() {
    lifecycle("mvp").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tabular_vpn_applies_converges_updates_and_destroys() {
    lifecycle("tabular-vpn").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn multimodal_endpoints_applies_converges_updates_and_destroys() {
    lifecycle("multimodal-endpoints").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn llm_training_efa_applies_converges_updates_and_destroys() {
    lifecycle("llm-training-efa").await;
}

/// Makes an S3 bucket in the harness's moto (flow logs to S3 need one that exists).
async fn bucket(harness: &Harness, name: &str) {
    let aws = e2e::venv_program("aws").unwrap();
    let made = tokio::process::Command::new(aws)
        .args(["s3api", "create-bucket", "--bucket", name])
        .env("AWS_ENDPOINT_URL", &harness.moto.url)
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_DEFAULT_REGION", "us-east-1")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .output()
        .await
        .unwrap();
    assert!(
        made.status.success(),
        "create-bucket {name}: {}",
        String::from_utf8_lossy(&made.stderr)
    );
}

fn with_flow_logs(destination: &str) -> Design {
    let mut design = template("mvp");
    design.vpcs[0].flow_logs = Some(shared::model::FlowLogs {
        destination: destination.to_string(),
        traffic_type: shared::model::FlowLogTraffic::Reject,
        delivery_role_arn: None,
        max_aggregation_interval: 60,
    });
    design
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn flow_logs_apply_converge_move_between_destinations_import_and_destroy() {
    use shared::plan::ResourceKind;
    let harness = Harness::start(8).await.expect("moto and the fault layer");
    bucket(&harness, "audit-flow-logs").await;
    bucket(&harness, "audit-flow-logs-2").await;
    let design_id = "d-flow-logs";
    // Bare bucket ARNs: moto 5.2 takes all that follows ":::" as the bucket's name, so a
    // prefix (which AWS accepts, and validation and the exports are tested with) reads to it
    // as a bucket that does not exist.
    let design = with_flow_logs("arn:aws:s3:::audit-flow-logs");

    let report = harness.apply(design_id, Some(&design), "dep-1").await;
    assert!(report.succeeded(), "{}", report.summary());
    assert!(
        report
            .created
            .iter()
            .any(|(key, id)| key.kind == ResourceKind::FlowLog && id.starts_with("fl-")),
        "{:?}",
        report.created
    );
    assert_account_matches(&harness, design_id, &design).await;
    assert!(harness.plan(design_id, Some(&design)).await.is_empty());

    // Import reads the flow log back into the VPC.
    let vpc_id = report
        .created
        .iter()
        .find(|(key, _)| key.kind == ResourceKind::Vpc)
        .map(|(_, id)| id.clone())
        .unwrap();
    let (imported, left_out) = harness
        .network
        .import_vpc("us-east-1", &vpc_id)
        .await
        .unwrap();
    assert_eq!(imported.vpcs[0].flow_logs, design.vpcs[0].flow_logs);
    assert!(
        !left_out.iter().any(|line| line.contains("flow log")),
        "{left_out:?}"
    );

    // A new destination replaces the flow log (EC2 cannot change one in place).
    let moved = with_flow_logs("arn:aws:s3:::audit-flow-logs-2");
    let plan = harness.plan(design_id, Some(&moved)).await;
    assert_eq!(plan.counts(), (0, 0, 1, 0), "{:#?}", plan.steps);
    let report = harness.apply(design_id, Some(&moved), "dep-2").await;
    assert!(report.succeeded(), "{}", report.summary());
    assert_account_matches(&harness, design_id, &moved).await;

    // A bucket that does not exist: EC2's "unsuccessful" answer is the step's error, and
    // nothing is left half made.
    let missing = with_flow_logs("arn:aws:s3:::no-such-bucket");
    let report = harness.apply(design_id, Some(&missing), "dep-3").await;
    assert!(!report.succeeded());
    let (key, error) = &report.failed[0];
    assert_eq!(key.kind, ResourceKind::FlowLog);
    assert!(error.contains("no-such-bucket"), "{error}");
    let account = account::read(&harness.checker(), &harness.layer, design_id).await;
    assert!(
        !account
            .lines
            .iter()
            .any(|line| line.starts_with("flow-log ")),
        "{:?}",
        account.lines
    );
    assert!(account.duplicates().is_empty());

    // Back to a real bucket.
    let report = harness.apply(design_id, Some(&moved), "dep-4").await;
    assert!(report.succeeded(), "{}", report.summary());
    assert_account_matches(&harness, design_id, &moved).await;

    // To CloudWatch Logs: the delivery role goes with it, and the plan converges.
    let mut to_logs = moved.clone();
    to_logs.vpcs[0].flow_logs = Some(shared::model::FlowLogs {
        destination: "arn:aws:logs:us-east-1:123456789012:log-group:/moat/mvp".into(),
        traffic_type: shared::model::FlowLogTraffic::All,
        delivery_role_arn: Some("arn:aws:iam::123456789012:role/flow-logs".into()),
        max_aggregation_interval: 600,
    });
    let report = harness.apply(design_id, Some(&to_logs), "dep-5").await;
    assert!(report.succeeded(), "{}", report.summary());
    assert_account_matches(&harness, design_id, &to_logs).await;
    assert!(harness.plan(design_id, Some(&to_logs)).await.is_empty());

    // Destroy: nothing tagged remains.
    let report = harness.apply(design_id, None, "dep-6").await;
    assert!(report.succeeded(), "{}", report.summary());
    let account = account::read(&harness.checker(), &harness.layer, design_id).await;
    assert!(account.tagged.is_empty(), "{:?}", account.tagged);
}

fn with_dhcp_options(domain_name: &str) -> Design {
    let mut design = template("mvp");
    let vpc = design.vpcs[0].id.clone();
    design.dhcp_options.push(shared::model::DhcpOptions {
        tags: Default::default(),
        id: "dhcp-corp".into(),
        name: "corp".into(),
        domain_name: Some(domain_name.to_string()),
        domain_name_servers: vec!["AmazonProvidedDNS".into(), "10.0.0.2".into()],
        ntp_servers: vec!["169.254.169.123".into()],
        vpcs: vec![vpc],
    });
    design
}

/// The VPC's DHCP options set as the account holds it: its id and its options.
async fn dhcp_options_of(
    client: &aws_sdk_ec2::Client,
    vpc_id: &str,
) -> (String, Vec<(String, Vec<String>)>) {
    let vpcs = client.describe_vpcs().vpc_ids(vpc_id).send().await.unwrap();
    let set_id = vpcs.vpcs()[0].dhcp_options_id().unwrap().to_string();
    if set_id == "default" {
        return (set_id, Vec::new());
    }
    let sets = client
        .describe_dhcp_options()
        .dhcp_options_ids(&set_id)
        .send()
        .await
        .unwrap();
    let mut options: Vec<(String, Vec<String>)> = sets.dhcp_options()[0]
        .dhcp_configurations()
        .iter()
        .map(|c| {
            (
                c.key().unwrap_or_default().to_string(),
                c.values()
                    .iter()
                    .filter_map(|v| v.value().map(str::to_string))
                    .collect(),
            )
        })
        .collect();
    options.sort();
    (set_id, options)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dhcp_options_apply_converge_import_replace_and_destroy() {
    use shared::plan::ResourceKind;
    let harness = Harness::start(9).await.expect("moto and the fault layer");
    let design_id = "d-dhcp";
    let design = with_dhcp_options("corp.example.com");
    crate::assert_valid(&design);

    let report = harness.apply(design_id, Some(&design), "dep-1").await;
    assert!(report.succeeded(), "{}", report.summary());
    let created = |kind: ResourceKind| crate::created_id(&report, kind);
    let set_id = created(ResourceKind::DhcpOptions);
    let vpc_id = created(ResourceKind::Vpc);
    assert!(set_id.starts_with("dopt-"), "{set_id}");
    let checker = harness.checker();
    let (associated, options) = dhcp_options_of(&checker, &vpc_id).await;
    assert_eq!(associated, set_id);
    assert_eq!(
        options,
        vec![
            (
                "domain-name".to_string(),
                vec!["corp.example.com".to_string()]
            ),
            (
                "domain-name-servers".to_string(),
                vec!["AmazonProvidedDNS".to_string(), "10.0.0.2".to_string()]
            ),
            (
                "ntp-servers".to_string(),
                vec!["169.254.169.123".to_string()]
            ),
        ]
    );
    // Found again by its tags: nothing left to do.
    let plan = harness.plan(design_id, Some(&design)).await;
    assert!(plan.is_empty(), "{:#?}", plan.steps);

    // Import reads the set back, associated with the VPC.
    let (imported, _) = harness
        .network
        .import_vpc("us-east-1", &vpc_id)
        .await
        .unwrap();
    assert_eq!(
        imported.dhcp_options.len(),
        1,
        "{:?}",
        imported.dhcp_options
    );
    let read_back = &imported.dhcp_options[0];
    assert_eq!(read_back.id, set_id);
    assert_eq!(read_back.domain_name.as_deref(), Some("corp.example.com"));
    assert_eq!(
        read_back.domain_name_servers,
        design.dhcp_options[0].domain_name_servers
    );
    assert_eq!(read_back.ntp_servers, design.dhcp_options[0].ntp_servers);
    assert_eq!(read_back.vpcs, vec![vpc_id.clone()]);

    // A set cannot change: a new domain name replaces it, and the VPC moves to the new one.
    let renamed = with_dhcp_options("ml.example.com");
    let plan = harness.plan(design_id, Some(&renamed)).await;
    assert!(!plan.is_empty());
    let report = harness.apply(design_id, Some(&renamed), "dep-2").await;
    assert!(report.succeeded(), "{}", report.summary());
    let (moved_to, options) = dhcp_options_of(&checker, &vpc_id).await;
    assert_ne!(moved_to, set_id);
    assert!(options.contains(&(
        "domain-name".to_string(),
        vec!["ml.example.com".to_string()]
    )));
    let old = checker
        .describe_dhcp_options()
        .dhcp_options_ids(&set_id)
        .send()
        .await;
    assert!(old.is_err(), "the replaced set is deleted: {old:?}");
    assert!(harness.plan(design_id, Some(&renamed)).await.is_empty());

    // Dropping the set returns the VPC to AWS's default.
    let report = harness
        .apply(design_id, Some(&template("mvp")), "dep-3")
        .await;
    assert!(report.succeeded(), "{}", report.summary());
    assert_eq!(dhcp_options_of(&checker, &vpc_id).await.0, "default");

    // Destroy: no set of the design remains.
    let report = harness.apply(design_id, Some(&renamed), "dep-4").await;
    assert!(report.succeeded(), "{}", report.summary());
    let report = harness.apply(design_id, None, "dep-5").await;
    assert!(report.succeeded(), "{}", report.summary());
    let left = checker
        .describe_dhcp_options()
        .filters(
            aws_sdk_ec2::types::Filter::builder()
                .name("tag:moat:design-id")
                .values(design_id)
                .build(),
        )
        .send()
        .await
        .unwrap();
    assert!(left.dhcp_options().is_empty(), "{:?}", left.dhcp_options());
}

/// The MVP with a secondary block (100.64.0.0/16, as EKS pod networks and HyperPod use) and a
/// subnet in it.
pub(crate) fn with_secondary_block() -> Design {
    let mut design = template("mvp");
    // Its own name: exports are files named after the design.
    design.name = "mvp with a pod block".into();
    design.vpcs[0].cidr_blocks.push("100.64.0.0/16".into());
    let vpc = design.vpcs[0].id.clone();
    design.subnets.push(shared::model::Subnet {
        tags: Default::default(),
        id: "subnet-pods-a".into(),
        vpc,
        availability_zone: "us-east-1a".into(),
        cidr: "100.64.0.0/20".into(),
        tier: shared::model::SubnetTier::Private,
        map_public_ip_on_launch: false,
    });
    design
}

/// The live blocks of a VPC as the account holds them.
async fn blocks_of(client: &aws_sdk_ec2::Client, vpc_id: &str) -> Vec<String> {
    let vpcs = client.describe_vpcs().vpc_ids(vpc_id).send().await.unwrap();
    let mut blocks: Vec<String> = vpcs.vpcs()[0]
        .cidr_block_association_set()
        .iter()
        .filter(|association| {
            association
                .cidr_block_state()
                .and_then(|state| state.state())
                .is_some_and(|state| state.as_str() == "associated")
        })
        .filter_map(|association| association.cidr_block().map(str::to_string))
        .collect();
    blocks.sort();
    blocks
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_secondary_block_is_associated_before_its_subnet_read_back_imported_and_released() {
    use shared::plan::ResourceKind;
    let harness = Harness::start(9).await.expect("moto and the fault layer");
    let design_id = "d-blocks";
    let design = with_secondary_block();
    crate::assert_valid(&design);

    // Before this, the subnet failed with InvalidSubnet.Range: the block was never associated.
    let report = harness.apply(design_id, Some(&design), "dep-1").await;
    assert!(report.succeeded(), "{}", report.summary());
    let created = |kind: ResourceKind| {
        report
            .created
            .iter()
            .filter(|(key, _)| key.kind == kind)
            .map(|(key, id)| (key.logical_id.clone(), id.clone()))
            .collect::<Vec<_>>()
    };
    let association = created(ResourceKind::VpcCidrBlock);
    assert_eq!(association.len(), 1, "{:?}", report.created);
    assert_eq!(association[0].0, "vpc-mvp/cidr/100.64.0.0/16");
    assert!(
        association[0].1.starts_with("vpc-cidr-assoc-"),
        "{association:?}"
    );
    assert!(
        created(ResourceKind::Subnet)
            .iter()
            .any(|(logical, _)| logical == "subnet-pods-a")
    );
    let vpc_id = created(ResourceKind::Vpc)[0].1.clone();
    let checker = harness.checker();
    assert_eq!(
        blocks_of(&checker, &vpc_id).await,
        vec!["10.0.0.0/16".to_string(), "100.64.0.0/16".to_string()]
    );
    // Read back from the VPC's association set: nothing left to do.
    let plan = harness.plan(design_id, Some(&design)).await;
    assert!(plan.is_empty(), "{:#?}", plan.steps);

    // Import reads both blocks, primary first.
    let (imported, _) = harness
        .network
        .import_vpc("us-east-1", &vpc_id)
        .await
        .unwrap();
    assert_eq!(
        imported.vpcs[0].cidr_blocks,
        vec!["10.0.0.0/16".to_string(), "100.64.0.0/16".to_string()]
    );
    assert!(
        imported
            .subnets
            .iter()
            .any(|subnet| subnet.cidr == "100.64.0.0/20")
    );

    // Without the block (and its subnet), the apply deletes the subnet, then releases the block.
    let plan = harness.plan(design_id, Some(&template("mvp"))).await;
    let deleted: Vec<ResourceKind> = plan
        .steps
        .iter()
        .filter(|step| step.action == shared::plan::Action::Delete)
        .map(|step| step.key.kind)
        .collect();
    assert_eq!(
        deleted,
        vec![ResourceKind::Subnet, ResourceKind::VpcCidrBlock],
        "{:#?}",
        plan.steps
    );
    let report = harness
        .apply(design_id, Some(&template("mvp")), "dep-2")
        .await;
    assert!(report.succeeded(), "{}", report.summary());
    assert_eq!(
        blocks_of(&checker, &vpc_id).await,
        vec!["10.0.0.0/16".to_string()]
    );
    assert!(
        harness
            .plan(design_id, Some(&template("mvp")))
            .await
            .is_empty()
    );

    // Back again, then destroy: nothing tagged remains.
    let report = harness.apply(design_id, Some(&design), "dep-3").await;
    assert!(report.succeeded(), "{}", report.summary());
    let report = harness.apply(design_id, None, "dep-4").await;
    assert!(report.succeeded(), "{}", report.summary());
    let account = account::read(&harness.checker(), &harness.layer, design_id).await;
    assert!(account.tagged.is_empty(), "{:?}", account.tagged);
}

/// The MVP with a described ingress rule.
fn with_described_rule(description: Option<&str>) -> Design {
    let mut design = template("mvp");
    design.security_groups[0].ingress.push(SecurityGroupRule {
        protocol: Protocol::Tcp,
        from_port: 8443,
        to_port: 8443,
        cidr: Some("10.0.0.0/16".into()),
        security_group: None,
        prefix_list: None,
        description: description.map(str::to_string),
    });
    design
}

/// The description EC2 holds on the group's 8443 rule.
async fn description_of(client: &aws_sdk_ec2::Client, group_id: &str) -> Option<String> {
    let groups = client
        .describe_security_groups()
        .group_ids(group_id)
        .send()
        .await
        .unwrap();
    groups.security_groups()[0]
        .ip_permissions()
        .iter()
        .filter(|permission| permission.from_port() == Some(8443))
        .flat_map(|permission| permission.ip_ranges())
        .find_map(|range| range.description().map(str::to_string))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rule_description_is_applied_read_back_imported_and_changed_in_place() {
    use shared::plan::{Action, ResourceKind};
    let harness = Harness::start(9).await.expect("moto and the fault layer");
    let design_id = "d-described";
    let design = with_described_rule(Some("HTTPS from the VPC (ALB health checks)"));
    let report = harness.apply(design_id, Some(&design), "dep-1").await;
    assert!(report.succeeded(), "{}", report.summary());
    let group_id = report
        .created
        .iter()
        .find(|(key, _)| key.kind == ResourceKind::SecurityGroup)
        .map(|(_, id)| id.clone())
        .expect("a group");
    let checker = harness.checker();
    assert_eq!(
        description_of(&checker, &group_id).await.as_deref(),
        Some("HTTPS from the VPC (ALB health checks)")
    );
    let plan = harness.plan(design_id, Some(&design)).await;
    assert!(plan.is_empty(), "read back: {:#?}", plan.steps);

    // Import keeps it on the rule.
    let vpc_id = report
        .created
        .iter()
        .find(|(key, _)| key.kind == ResourceKind::Vpc)
        .map(|(_, id)| id.clone())
        .unwrap();
    let (imported, _) = harness
        .network
        .import_vpc("us-east-1", &vpc_id)
        .await
        .unwrap();
    let imported_rule = imported
        .security_groups
        .iter()
        .flat_map(|group| group.ingress.iter())
        .find(|rule| rule.from_port == 8443)
        .expect("the rule");
    assert_eq!(
        imported_rule.description.as_deref(),
        Some("HTTPS from the VPC (ALB health checks)")
    );

    // A new description is one in-place update, not a revoke and an authorize.
    let renamed = with_described_rule(Some("HTTPS from the VPC"));
    let plan = harness.plan(design_id, Some(&renamed)).await;
    assert_eq!(plan.steps.len(), 1, "{:#?}", plan.steps);
    assert_eq!(
        plan.steps[0].action,
        Action::Update {
            changed: vec!["description".to_string()]
        }
    );
    let report = harness.apply(design_id, Some(&renamed), "dep-2").await;
    assert!(report.succeeded(), "{}", report.summary());
    assert_eq!(
        description_of(&checker, &group_id).await.as_deref(),
        Some("HTTPS from the VPC")
    );
    // Removing it is an update too (EC2 removes a description the request leaves out; moto
    // 5.2 keeps it, so the account's answer is not checked here).
    let plan = harness
        .plan(design_id, Some(&with_described_rule(None)))
        .await;
    assert_eq!(
        plan.steps
            .iter()
            .map(|step| step.action.clone())
            .collect::<Vec<_>>(),
        vec![Action::Update {
            changed: vec!["description".to_string()]
        }]
    );
    let report = harness.apply(design_id, None, "dep-4").await;
    assert!(report.succeeded(), "{}", report.summary());
}

/// The multi-modal template with its S3 and SageMaker API endpoints scoped by policies of
/// their own (one with IAM's `${aws:username}` variable and a quote in a resource name).
pub(crate) fn with_endpoint_policies() -> Design {
    let mut design = template("multimodal-endpoints");
    design.name = "multimodal with scoped endpoints".into();
    for endpoint in &mut design.endpoints {
        let policy = match endpoint.service.as_str() {
            "s3" => serde_json::json!({
                "Version": "2012-10-17",
                "Statement": [{
                    "Sid": "OwnBucketsOnly",
                    "Effect": "Allow",
                    "Principal": "*",
                    "Action": ["s3:GetObject", "s3:PutObject", "s3:ListBucket"],
                    "Resource": [
                        "arn:aws:s3:::training-data-it's-ours",
                        "arn:aws:s3:::training-data-it's-ours/${aws:username}/*"
                    ]
                }]
            }),
            "sagemaker.api" => serde_json::json!({
                "Statement": [{
                    "Effect": "Allow",
                    "Principal": {"AWS": "*"},
                    "Action": "sagemaker:*",
                    "Resource": "*",
                    "Condition": {"StringEquals": {"aws:PrincipalAccount": "123456789012"}}
                }]
            }),
            _ => continue,
        };
        endpoint.policy = Some(policy);
    }
    design
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn endpoint_policies_are_applied_read_back_changed_in_place_reset_and_imported() {
    use shared::plan::{Action, ResourceKind};
    let harness = Harness::start(9).await.expect("moto and the fault layer");
    let design_id = "d-policies";
    let design = with_endpoint_policies();
    let errors: Vec<_> = shared::validate::validate(&design)
        .into_iter()
        .filter(|d| d.severity != shared::validate::Severity::Info)
        .collect();
    assert!(errors.is_empty(), "{errors:?}");

    // Created with their policies, and compared by meaning afterwards: nothing left to do.
    let report = harness.apply(design_id, Some(&design), "dep-1").await;
    assert!(report.succeeded(), "{}", report.summary());
    assert_account_matches(&harness, design_id, &design).await;
    let plan = harness.plan(design_id, Some(&design)).await;
    assert!(plan.is_empty(), "{:#?}", plan.steps);

    // Import brings each policy back as the document it is; the default stays implicit.
    let vpc_id = report
        .created
        .iter()
        .find(|(key, _)| key.kind == ResourceKind::Vpc)
        .map(|(_, id)| id.clone())
        .unwrap();
    let (imported, _) = harness
        .network
        .import_vpc("us-east-1", &vpc_id)
        .await
        .unwrap();
    let imported_policy = |service: &str| {
        imported
            .endpoints
            .iter()
            .find(|e| e.service == service)
            .and_then(|e| e.policy.clone())
    };
    let designed_policy = |design: &Design, service: &str| {
        design
            .endpoints
            .iter()
            .find(|e| e.service == service)
            .and_then(|e| e.policy.clone())
    };
    assert_eq!(imported_policy("s3"), designed_policy(&design, "s3"));
    assert_eq!(
        imported_policy("sagemaker.api"),
        designed_policy(&design, "sagemaker.api")
    );
    assert_eq!(imported_policy("sagemaker.runtime"), None);

    // A changed policy is changed in place; a removed one is reset to AWS's full access.
    let mut changed = design.clone();
    for endpoint in &mut changed.endpoints {
        match endpoint.service.as_str() {
            "s3" => {
                endpoint.policy = Some(serde_json::json!({
                    "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
                                   "Resource": "arn:aws:s3:::training-data-it's-ours/*"}]
                }))
            }
            "sagemaker.api" => endpoint.policy = None,
            _ => {}
        }
    }
    let plan = harness.plan(design_id, Some(&changed)).await;
    let updated: Vec<(ResourceKind, Vec<String>)> = plan
        .steps
        .iter()
        .map(|step| match &step.action {
            Action::Update { changed } => (step.key.kind, changed.clone()),
            other => panic!("only in-place updates: {other:?} {:?}", step.key),
        })
        .collect();
    assert_eq!(
        updated.len(),
        2,
        "the S3 and SageMaker endpoints: {:#?}",
        plan.steps
    );
    assert!(
        updated
            .iter()
            .all(|(_, attributes)| attributes == &vec!["policy".to_string()]),
        "{updated:?}"
    );
    let report = harness.apply(design_id, Some(&changed), "dep-2").await;
    assert!(report.succeeded(), "{}", report.summary());
    assert_account_matches(&harness, design_id, &changed).await;
    let plan = harness.plan(design_id, Some(&changed)).await;
    assert!(plan.is_empty(), "{:#?}", plan.steps);

    let report = harness.apply(design_id, None, "dep-3").await;
    assert!(report.succeeded(), "{}", report.summary());
    let account = account::read(&harness.checker(), &harness.layer, design_id).await;
    assert!(account.tagged.is_empty(), "{:?}", account.tagged);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn user_tags_are_applied_read_back_changed_in_place_and_imported() {
    use shared::plan::{Action, ResourceKind};
    let harness = Harness::start(9).await.expect("moto and the fault layer");
    let design_id = "d-tags";
    let mut design = template("mvp");
    design.vpcs[0].tags = [("team".to_string(), "ml-platform".to_string())].into();
    design.subnets[0].tags = [
        ("kubernetes.io/role/elb".to_string(), "1".to_string()),
        ("cost-centre".to_string(), "it's = 42".to_string()),
    ]
    .into();
    let report = harness.apply(design_id, Some(&design), "dep-1").await;
    assert!(report.succeeded(), "{}", report.summary());
    let plan = harness.plan(design_id, Some(&design)).await;
    assert!(plan.is_empty(), "{:#?}", plan.steps);
    let checker = harness.checker();
    let tags_of = |aws_id: String| {
        let checker = checker.clone();
        async move {
            checker
                .describe_tags()
                .filters(
                    aws_sdk_ec2::types::Filter::builder()
                        .name("resource-id")
                        .values(aws_id)
                        .build(),
                )
                .send()
                .await
                .unwrap()
                .tags()
                .iter()
                .map(|t| {
                    (
                        t.key().unwrap_or_default().to_string(),
                        t.value().unwrap_or_default().to_string(),
                    )
                })
                .collect::<std::collections::BTreeMap<_, _>>()
        }
    };
    let id_of = |kind: ResourceKind| {
        report
            .created
            .iter()
            .find(|(key, _)| key.kind == kind)
            .map(|(_, id)| id.clone())
            .unwrap()
    };
    let subnet_id = report
        .created
        .iter()
        .find(|(key, _)| key.logical_id == design.subnets[0].id)
        .map(|(_, id)| id.clone())
        .unwrap();
    let on_subnet = tags_of(subnet_id.clone()).await;
    assert_eq!(on_subnet["kubernetes.io/role/elb"], "1");
    assert_eq!(on_subnet["cost-centre"], "it's = 42");
    assert_eq!(on_subnet["moat:design-id"], design_id, "Moat's own stay");

    // Import reads the user's tags, never Moat's.
    let (imported, _) = harness
        .network
        .import_vpc("us-east-1", &id_of(ResourceKind::Vpc))
        .await
        .unwrap();
    assert_eq!(imported.vpcs[0].tags, design.vpcs[0].tags);
    let imported_subnet = imported.subnets.iter().find(|s| s.id == subnet_id).unwrap();
    assert_eq!(imported_subnet.tags, design.subnets[0].tags);

    // A changed value and a removed key are one in-place update of the subnet's tags.
    let mut changed = design.clone();
    changed.subnets[0].tags = [("kubernetes.io/role/elb".to_string(), "0".to_string())].into();
    let plan = harness.plan(design_id, Some(&changed)).await;
    let updates: Vec<_> = plan
        .steps
        .iter()
        .map(|step| (step.key.logical_id.clone(), step.action.clone()))
        .collect();
    assert_eq!(
        updates,
        vec![(
            design.subnets[0].id.clone(),
            Action::Update {
                changed: vec!["tags".to_string()]
            }
        )]
    );
    let report = harness.apply(design_id, Some(&changed), "dep-2").await;
    assert!(report.succeeded(), "{}", report.summary());
    let on_subnet = tags_of(subnet_id).await;
    assert_eq!(
        on_subnet.get("kubernetes.io/role/elb").map(String::as_str),
        Some("0")
    );
    assert!(!on_subnet.contains_key("cost-centre"), "{on_subnet:?}");
    assert!(on_subnet.contains_key("moat:logical-id"), "Moat's own stay");
    assert!(harness.plan(design_id, Some(&changed)).await.is_empty());

    let report = harness.apply(design_id, None, "dep-3").await;
    assert!(report.succeeded(), "{}", report.summary());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_private_nat_gateway_gets_no_elastic_ip_and_dedicated_tenancy_is_kept_both_imported() {
    use shared::model::NatConnectivity;
    use shared::plan::ResourceKind;
    let harness = Harness::start(9).await.expect("moto and the fault layer");
    let design_id = "d-private-nat";
    let mut design = template("multimodal-endpoints");
    design.nat_gateways[0].connectivity = NatConnectivity::Private;
    design.vpcs[0].tenancy = shared::model::VpcTenancy::Dedicated;
    let errors: Vec<_> = shared::validate::validate(&design)
        .into_iter()
        .filter(|d| d.is_error())
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
    let report = harness.apply(design_id, Some(&design), "dep-1").await;
    assert!(report.succeeded(), "{}", report.summary());
    assert!(
        report
            .created
            .iter()
            .all(|(key, _)| key.kind != ResourceKind::ElasticIp),
        "no Elastic IP: {:?}",
        report.created
    );
    let nat_id = report
        .created
        .iter()
        .find(|(key, _)| key.kind == ResourceKind::NatGateway)
        .map(|(_, id)| id.clone())
        .unwrap();
    let nat = harness
        .checker()
        .describe_nat_gateways()
        .nat_gateway_ids(&nat_id)
        .send()
        .await
        .unwrap();
    let nat = &nat.nat_gateways()[0];
    assert_eq!(
        nat.connectivity_type(),
        Some(&aws_sdk_ec2::types::ConnectivityType::Private)
    );
    assert!(
        nat.nat_gateway_addresses()
            .iter()
            .all(|a| a.allocation_id().is_none()),
        "{nat:?}"
    );
    let plan = harness.plan(design_id, Some(&design)).await;
    assert!(plan.is_empty(), "{:#?}", plan.steps);
    // Public again is a replacement (and an Elastic IP), never an in-place change.
    let plan = harness
        .plan(design_id, Some(&template("multimodal-endpoints")))
        .await;
    assert!(
        plan.steps
            .iter()
            .any(|s| s.key.kind == ResourceKind::ElasticIp
                && s.action == shared::plan::Action::Create),
        "{:#?}",
        plan.steps
    );
    let vpc_id = report
        .created
        .iter()
        .find(|(key, _)| key.kind == ResourceKind::Vpc)
        .map(|(_, id)| id.clone())
        .unwrap();
    let (imported, _) = harness
        .network
        .import_vpc("us-east-1", &vpc_id)
        .await
        .unwrap();
    assert_eq!(
        imported.nat_gateways[0].connectivity,
        NatConnectivity::Private
    );
    assert_eq!(
        imported.vpcs[0].tenancy,
        shared::model::VpcTenancy::Dedicated
    );
    let report = harness.apply(design_id, None, "dep-2").await;
    assert!(report.succeeded(), "{}", report.summary());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn protocols_by_number_are_applied_read_back_unchanged_and_imported() {
    use shared::model::Protocol;
    let harness = Harness::start(50).await.expect("moto and the fault layer");
    let design_id = "d-protocols";
    let mut design = template("multimodal-endpoints");
    let group_index = design
        .security_groups
        .iter()
        .position(|g| !g.ingress.is_empty())
        .unwrap();
    design.security_groups[group_index]
        .ingress
        .push(shared::model::SecurityGroupRule {
            protocol: Protocol::Number(50),
            from_port: 0,
            to_port: 0,
            cidr: Some("192.168.0.0/16".into()),
            security_group: None,
            prefix_list: None,
            description: Some("ESP from the lab".into()),
        });
    let subnet = design.subnets[0].id.clone();
    let vpc = design.vpcs[0].id.clone();
    let entry = |rule_number, egress, protocol| shared::model::NetworkAclEntry {
        rule_number,
        egress,
        protocol,
        from_port: 0,
        to_port: 0,
        cidr: "10.0.0.0/8".into(),
        action: shared::model::RuleAction::Allow,
        description: Some("kept in the design".into()),
    };
    design.network_acls.push(shared::model::NetworkAcl {
        id: "acl-gre".into(),
        vpc,
        subnets: vec![subnet],
        entries: vec![
            entry(100, false, Protocol::Number(47)),
            entry(110, false, Protocol::All),
            entry(100, true, Protocol::All),
        ],
        tags: Default::default(),
    });
    let errors: Vec<_> = shared::validate::validate(&design)
        .into_iter()
        .filter(|d| d.is_error())
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
    let report = harness.apply(design_id, Some(&design), "dep-1").await;
    assert!(report.succeeded(), "{}", report.summary());
    let vpc_id = report
        .created
        .iter()
        .find(|(key, _)| key.kind == shared::plan::ResourceKind::Vpc)
        .map(|(_, id)| id.clone())
        .unwrap();
    let in_vpc = || {
        aws_sdk_ec2::types::Filter::builder()
            .name("vpc-id")
            .values(&vpc_id)
            .build()
    };
    let groups = harness
        .checker()
        .describe_security_groups()
        .filters(in_vpc())
        .send()
        .await
        .unwrap();
    assert!(
        groups
            .security_groups()
            .iter()
            .flat_map(|g| g.ip_permissions())
            .any(|p| p.ip_protocol() == Some("50")),
        "ESP is in AWS: {groups:?}"
    );
    let acls = harness
        .checker()
        .describe_network_acls()
        .filters(in_vpc())
        .send()
        .await
        .unwrap();
    assert!(
        acls.network_acls()
            .iter()
            .flat_map(|a| a.entries())
            .any(|e| e.protocol() == Some("47") && e.rule_number() == Some(100)),
        "GRE is in AWS: {acls:?}"
    );
    // Read back as planned: nothing to change.
    let plan = harness.plan(design_id, Some(&design)).await;
    assert!(plan.is_empty(), "{:#?}", plan.steps);
    let (imported, left_out) = harness
        .network
        .import_vpc("us-east-1", &vpc_id)
        .await
        .unwrap();
    assert!(
        imported
            .security_groups
            .iter()
            .flat_map(|g| &g.ingress)
            .any(|rule| rule.protocol == Protocol::Number(50)
                && rule.description.as_deref() == Some("ESP from the lab")),
        "{:#?}",
        imported.security_groups
    );
    assert!(
        imported
            .network_acls
            .iter()
            .flat_map(|a| &a.entries)
            .any(|e| e.protocol == Protocol::Number(47) && e.rule_number == 100),
        "{:#?}",
        imported.network_acls
    );
    assert!(
        !left_out.iter().any(|line| line.contains("protocol")),
        "{left_out:#?}"
    );
}

/// The MVP with a license server's interface: a fixed address, the notebook's group, and a
/// description with a quote.
fn with_network_interface(groups: &[&str], description: &str) -> Design {
    let mut design = template("mvp");
    // A second group for the license server, which the interface may move to.
    design.security_groups.push(shared::model::SecurityGroup {
        id: "sg-license".into(),
        name: "license".into(),
        description: "license server".into(),
        ..design.security_groups[0].clone()
    });
    design
        .network_interfaces
        .push(shared::model::NetworkInterface {
            id: "eni-license".into(),
            subnet: "subnet-public-a".into(),
            security_groups: groups.iter().map(|g| g.to_string()).collect(),
            private_ip: Some("10.0.1.10".into()),
            description: description.to_string(),
            tags: [("team".to_string(), "ml-platform".to_string())].into(),
        });
    design
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_network_interface_is_applied_read_back_changed_in_place_imported_and_destroyed() {
    use shared::plan::ResourceKind;
    let harness = Harness::start(9).await.expect("moto and the fault layer");
    let design_id = "d-eni";
    let design = with_network_interface(&["sg-notebook"], "license server's address");
    crate::assert_valid(&design);

    let report = harness.apply(design_id, Some(&design), "dep-1").await;
    assert!(report.succeeded(), "{}", report.summary());
    let created = |kind: ResourceKind| crate::created_id(&report, kind);
    let interface_id = created(ResourceKind::NetworkInterface);
    let group_of = |logical_id: &str| {
        report
            .created
            .iter()
            .find(|(key, _)| {
                key.kind == ResourceKind::SecurityGroup && key.logical_id == logical_id
            })
            .map(|(_, id)| id.clone())
            .unwrap_or_else(|| panic!("no group {logical_id}"))
    };
    let group_id = group_of("sg-notebook");
    let license_group = group_of("sg-license");
    let vpc_id = created(ResourceKind::Vpc);
    assert!(interface_id.starts_with("eni-"), "{interface_id}");
    let checker = harness.checker();
    let read = |id: String| {
        let checker = checker.clone();
        async move {
            checker
                .describe_network_interfaces()
                .network_interface_ids(id)
                .send()
                .await
                .unwrap()
                .network_interfaces()[0]
                .clone()
        }
    };
    let interface = read(interface_id.clone()).await;
    assert_eq!(interface.private_ip_address(), Some("10.0.1.10"));
    assert_eq!(interface.description(), Some("license server's address"));
    let groups: Vec<&str> = interface
        .groups()
        .iter()
        .filter_map(|g| g.group_id())
        .collect();
    assert_eq!(groups, vec![group_id.as_str()]);
    assert!(
        interface
            .tag_set()
            .iter()
            .any(|t| t.key() == Some("team") && t.value() == Some("ml-platform"))
    );
    // Found again by its tags: nothing left to do, and no drift.
    let plan = harness.plan(design_id, Some(&design)).await;
    assert!(plan.is_empty(), "{:#?}", plan.steps);

    // Its groups and description change in place: the same interface, the new values.
    let changed = with_network_interface(&["sg-license"], "license server, moved");
    let plan = harness.plan(design_id, Some(&changed)).await;
    assert!(
        plan.steps
            .iter()
            .any(|step| step.key.kind == ResourceKind::NetworkInterface
                && matches!(step.action, shared::plan::Action::Update { .. })),
        "{:#?}",
        plan.steps
    );
    let report = harness.apply(design_id, Some(&changed), "dep-2").await;
    assert!(report.succeeded(), "{}", report.summary());
    let interface = read(interface_id.clone()).await;
    assert_eq!(interface.description(), Some("license server, moved"));
    let groups: Vec<&str> = interface
        .groups()
        .iter()
        .filter_map(|g| g.group_id())
        .collect();
    assert_eq!(groups, vec![license_group.as_str()]);
    assert!(harness.plan(design_id, Some(&changed)).await.is_empty());

    // Import reads it back as a network interface of the design.
    let (imported, left_out) = harness
        .network
        .import_vpc("us-east-1", &vpc_id)
        .await
        .unwrap();
    let read_back = imported
        .network_interfaces
        .iter()
        .find(|i| i.id == interface_id)
        .unwrap_or_else(|| panic!("{:?} / left out {left_out:?}", imported.network_interfaces));
    assert_eq!(read_back.private_ip.as_deref(), Some("10.0.1.10"));
    assert_eq!(read_back.description, "license server, moved");
    assert_eq!(read_back.security_groups, vec![license_group.clone()]);
    assert_eq!(
        read_back.tags.get("team").map(String::as_str),
        Some("ml-platform")
    );
    assert!(
        !left_out.iter().any(|line| line.contains(&interface_id)),
        "{left_out:?}"
    );

    // Destroy: the interface is gone.
    let report = harness.apply(design_id, None, "dep-3").await;
    assert!(report.succeeded(), "{}", report.summary());
    let gone = checker
        .describe_network_interfaces()
        .network_interface_ids(&interface_id)
        .send()
        .await;
    assert!(
        gone.map(|answer| answer.network_interfaces().is_empty())
            .unwrap_or(true),
        "the interface is deleted"
    );
}
