//! The CLI against moto through the fault layer: `moat plan`, `moat apply` (preflight,
//! progress, the ids created), `moat destroy`, `moat iam-policy`; missing permissions stop an
//! apply before anything is created.

use std::process::{Command, Output};

use crate::account;
use crate::{Harness, template};

fn moat(harness: &Harness, arguments: &[&str]) -> Output {
    Command::new(e2e::moat_binary().expect("the moat binary"))
        .args(arguments)
        .env("AWS_ENDPOINT_URL", &harness.layer.url)
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("MOAT_AWS_POLL_MS", "20")
        .output()
        .expect("moat runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plan_apply_destroy_and_iam_policy_from_the_command_line() {
    let harness = Harness::start(3).await.expect("moto and the fault layer");
    let directory = tempfile::tempdir().unwrap();
    let file = directory.path().join("mvp.json");
    std::fs::write(&file, shared::templates::template("mvp").unwrap().document).unwrap();
    let file = file.to_str().unwrap();
    let design = template("mvp");
    let desired = shared::plan::desired_resources(&design).len();

    let planned = moat(
        &harness,
        &["plan", file, "--design-id", "d-cli", "--format", "json"],
    );
    assert!(planned.status.success(), "{}", text(&planned.stderr));
    let plan: serde_json::Value = serde_json::from_slice(&planned.stdout).unwrap();
    assert_eq!(plan["counts"][0], desired, "{plan}");
    assert_eq!(plan["plan"]["steps"].as_array().unwrap().len(), desired);

    // r14: the CLI owns resources by a stable id, never by the design's name, and never changes
    // the account without asking: no --design-id is refused, and without a terminal and
    // without --yes nothing is applied.
    let unnamed = moat(&harness, &["apply", file, "--yes"]);
    assert_eq!(unnamed.status.code(), Some(2));
    assert!(
        text(&unnamed.stderr).contains("--design-id"),
        "{}",
        text(&unnamed.stderr)
    );
    let unasked = moat(&harness, &["apply", file, "--design-id", "d-cli"]);
    assert_eq!(unasked.status.code(), Some(2), "{}", text(&unasked.stdout));
    assert!(
        text(&unasked.stderr).contains("pass --yes"),
        "{}",
        text(&unasked.stderr)
    );
    assert!(
        text(&unasked.stdout).contains(&format!("Plan: {desired} to create")),
        "the plan is shown before asking: {}",
        text(&unasked.stdout)
    );
    let untouched = account::read(&harness.checker(), &harness.layer, "d-cli").await;
    assert!(untouched.tagged.is_empty(), "{:?}", untouched.tagged);

    let applied = moat(&harness, &["apply", file, "--design-id", "d-cli", "--yes"]);
    let output = text(&applied.stdout);
    assert!(
        applied.status.success(),
        "{output}\n{}",
        text(&applied.stderr)
    );
    assert!(
        output.contains(&format!("{desired:>3}/{desired}")),
        "a progress bar: {output}"
    );
    assert!(
        output.contains("vpc vpc-mvp = vpc-"),
        "the ids created: {output}"
    );
    let account = account::read(&harness.checker(), &harness.layer, "d-cli").await;
    assert_eq!(account.lines, account::expected(&design));

    // For CI pipelines, as Terraform's: 0 no change, 2 changes, 1 an error.
    let unchanged = moat(
        &harness,
        &["plan", file, "--design-id", "d-cli", "--detailed-exitcode"],
    );
    assert_eq!(
        unchanged.status.code(),
        Some(0),
        "{}",
        text(&unchanged.stderr)
    );
    let other_id = moat(
        &harness,
        &[
            "plan",
            file,
            "--design-id",
            "d-cli-other",
            "--detailed-exitcode",
        ],
    );
    assert_eq!(
        other_id.status.code(),
        Some(2),
        "{}",
        text(&other_id.stderr)
    );
    let unreadable = moat(
        &harness,
        &[
            "plan",
            "/no/such/file.json",
            "--design-id",
            "d-cli",
            "--detailed-exitcode",
        ],
    );
    assert_eq!(unreadable.status.code(), Some(1));
    let again = moat(&harness, &["plan", file, "--design-id", "d-cli"]);
    assert!(
        text(&again.stdout).contains("Plan: 0 to create, 0 to update, 0 to replace, 0 to delete"),
        "{}",
        text(&again.stdout)
    );

    let unasked = moat(&harness, &["destroy", file, "--design-id", "d-cli"]);
    assert_eq!(unasked.status.code(), Some(2));
    let still_there = account::read(&harness.checker(), &harness.layer, "d-cli").await;
    assert_eq!(still_there.lines, account::expected(&design));
    let destroyed = moat(
        &harness,
        &["destroy", file, "--design-id", "d-cli", "--yes"],
    );
    assert!(destroyed.status.success(), "{}", text(&destroyed.stderr));
    let account = account::read(&harness.checker(), &harness.layer, "d-cli").await;
    assert!(account.tagged.is_empty(), "{:?}", account.tagged);

    let policy = moat(&harness, &["iam-policy", file]);
    let policy: serde_json::Value = serde_json::from_slice(&policy.stdout).unwrap();
    let actions = policy["Statement"][0]["Action"].as_array().unwrap();
    assert!(actions.contains(&serde_json::json!("ec2:CreateVpc")));
    assert!(!actions.contains(&serde_json::json!("ec2:CreateNatGateway")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn missing_permissions_stop_an_apply_before_anything_is_created() {
    let harness = Harness::start(4).await.expect("moto and the fault layer");
    harness.layer.configure(|settings| {
        settings.denied_actions = ["CreateNatGateway".to_string()].into_iter().collect();
    });
    let directory = tempfile::tempdir().unwrap();
    let file = directory.path().join("multimodal.json");
    std::fs::write(
        &file,
        shared::templates::template("multimodal-endpoints")
            .unwrap()
            .document,
    )
    .unwrap();
    let applied = moat(
        &harness,
        &[
            "apply",
            file.to_str().unwrap(),
            "--design-id",
            "d-denied",
            "--yes",
        ],
    );
    let errors = text(&applied.stderr);
    assert_eq!(applied.status.code(), Some(1), "{errors}");
    assert!(errors.contains("lack permissions"), "{errors}");
    assert!(errors.contains("ec2:CreateNatGateway"), "{errors}");
    assert!(
        !errors.contains("ec2:CreateVpc"),
        "only what is denied: {errors}"
    );
    let account = account::read(&harness.checker(), &harness.layer, "d-denied").await;
    assert!(
        account.tagged.is_empty(),
        "nothing created: {:?}",
        account.tagged
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn drift_shows_what_changed_outside_moat() {
    let harness = Harness::start(5).await.expect("moto and the fault layer");
    let directory = tempfile::tempdir().unwrap();
    let file = directory.path().join("mvp.json");
    std::fs::write(&file, shared::templates::template("mvp").unwrap().document).unwrap();
    let file = file.to_str().unwrap();
    // Before any apply there is nothing to drift from: not "22 deleted outside Moat".
    let never = moat(&harness, &["drift", file, "--design-id", "d-drift"]);
    assert_eq!(never.status.code(), Some(0), "{}", text(&never.stderr));
    assert!(
        text(&never.stdout).starts_with("Not deployed yet"),
        "{}",
        text(&never.stdout)
    );
    assert!(
        !text(&never.stdout).contains("outside Moat"),
        "{}",
        text(&never.stdout)
    );
    let applied = moat(
        &harness,
        &["apply", file, "--design-id", "d-drift", "--yes"],
    );
    assert!(applied.status.success(), "{}", text(&applied.stderr));
    let clean = moat(&harness, &["drift", file, "--design-id", "d-drift"]);
    assert_eq!(clean.status.code(), Some(0), "{}", text(&clean.stdout));

    // Outside Moat: the public default route is deleted and SSH is opened on a group.
    let ec2 = harness.checker();
    let filter = |name: &str, value: &str| {
        aws_sdk_ec2::types::Filter::builder()
            .name(name)
            .values(value)
            .build()
    };
    let tables = ec2
        .describe_route_tables()
        .filters(filter("tag:moat:logical-id", "rt-public"))
        .send()
        .await
        .unwrap();
    let table_id = tables.route_tables()[0]
        .route_table_id()
        .unwrap()
        .to_string();
    ec2.delete_route()
        .route_table_id(&table_id)
        .destination_cidr_block("0.0.0.0/0")
        .send()
        .await
        .unwrap();
    let groups = ec2
        .describe_security_groups()
        .filters(filter("tag:moat:design-id", "d-drift"))
        .send()
        .await
        .unwrap();
    let group = &groups.security_groups()[0];
    let group_logical = group
        .tags()
        .iter()
        .find(|t| t.key() == Some("moat:logical-id"))
        .and_then(|t| t.value())
        .unwrap()
        .to_string();
    ec2.authorize_security_group_ingress()
        .group_id(group.group_id().unwrap())
        .ip_permissions(
            aws_sdk_ec2::types::IpPermission::builder()
                .ip_protocol("tcp")
                .from_port(22)
                .to_port(22)
                .ip_ranges(
                    aws_sdk_ec2::types::IpRange::builder()
                        .cidr_ip("0.0.0.0/0")
                        .build(),
                )
                .build(),
        )
        .send()
        .await
        .unwrap();

    let drifted = moat(&harness, &["drift", file, "--design-id", "d-drift"]);
    let output = text(&drifted.stdout);
    assert_eq!(drifted.status.code(), Some(1), "{output}");
    assert!(
        output.contains("route rt-public/0.0.0.0/0: deleted outside Moat"),
        "{output}"
    );
    assert!(
        output.contains(&format!(
            "security_group_rule {group_logical}/ingress/6/22/22/cidr:0.0.0.0/0"
        )),
        "{output}"
    );
    assert!(
        output.contains("2 difference(s) made outside Moat."),
        "{output}"
    );
    // Applying again puts the design back.
    let repaired = moat(
        &harness,
        &["apply", file, "--design-id", "d-drift", "--yes"],
    );
    assert!(repaired.status.success(), "{}", text(&repaired.stderr));
    let clean = moat(&harness, &["drift", file, "--design-id", "d-drift"]);
    assert_eq!(clean.status.code(), Some(0), "{}", text(&clean.stdout));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn import_reads_a_deployed_vpc_back_into_an_equivalent_design() {
    let harness = Harness::start(6).await.expect("moto and the fault layer");
    let design = template("multimodal-endpoints");
    let report = harness.apply("d-import", Some(&design), "dep-1").await;
    assert!(report.succeeded(), "{}", report.summary());
    let vpc_id = report
        .created
        .iter()
        .find(|(key, _)| key.kind == shared::plan::ResourceKind::Vpc)
        .map(|(_, id)| id.clone())
        .unwrap();
    let imported = moat(&harness, &["import", "--vpc-id", &vpc_id]);
    assert!(imported.status.success(), "{}", text(&imported.stderr));
    let document = text(&imported.stdout);
    let copy = shared::spec::load_design(&document).expect("the import loads as a design");
    // The same network: counts of every kind, CIDRs, routes by target kind, rules.
    assert_eq!(copy.vpcs[0].cidr_blocks, design.vpcs[0].cidr_blocks);
    let cidrs = |d: &shared::Design| {
        let mut c: Vec<(String, String)> = d
            .subnets
            .iter()
            .map(|s| (s.cidr.clone(), format!("{:?}", s.tier)))
            .collect();
        c.sort();
        c
    };
    assert_eq!(cidrs(&copy), cidrs(&design), "subnets with their tier");
    assert_eq!(copy.route_tables.len(), design.route_tables.len());
    assert_eq!(copy.nat_gateways.len(), design.nat_gateways.len());
    assert_eq!(copy.internet_gateways.len(), design.internet_gateways.len());
    assert_eq!(copy.endpoints.len(), design.endpoints.len());
    let rules = |d: &shared::Design| -> usize {
        d.security_groups
            .iter()
            .map(|g| g.ingress.len() + g.egress.len())
            .sum()
    };
    assert_eq!(rules(&copy), rules(&design));
    let routes =
        |d: &shared::Design| -> usize { d.route_tables.iter().map(|t| t.routes.len()).sum() };
    assert_eq!(routes(&copy), routes(&design));
    // Laid out automatically: the VPC, its subnets and gateways have boxes.
    for id in std::iter::once(&copy.vpcs[0].id)
        .chain(copy.subnets.iter().map(|s| &s.id))
        .chain(copy.internet_gateways.iter().map(|g| &g.id))
    {
        assert!(copy.layout.contains_key(id), "{id} has no position");
    }
    let errors: Vec<_> = shared::validate(&copy)
        .into_iter()
        .filter(|d| d.is_error())
        .collect();
    assert!(errors.is_empty(), "the import validates: {errors:#?}");
    assert!(text(&imported.stderr).contains("default security group"));
}
