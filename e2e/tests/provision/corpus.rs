//! The real-world regression: every network of the corpus (`e2e/corpus/real-networks/`,
//! public CloudFormation VPCs no one here wrote) is deployed into moto with `cfnlite`, read
//! back with `moat import` as a user runs it, validated (no error: the network works on AWS),
//! rebuilt into a fresh account with `moat apply`, and rebuilt again from Moat's
//! CloudFormation export (deployed with `cfnlite`, since moto's own CloudFormation skips half
//! of these types). Both rebuilds are described by content (`e2e/corpus/describe.py`: blocks,
//! subnets and zones, tables and routes, gateways, endpoints with their policies, groups and
//! rules with descriptions, ACL entries, DHCP options, flow logs, and every user tag) and
//! must equal the original.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

use crate::Harness;

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn python(arguments: &[&str]) -> Value {
    let output = Command::new(e2e::venv_program("python").expect("the venv's python"))
        .args(arguments)
        .output()
        .expect("python runs");
    assert!(
        output.status.success(),
        "{arguments:?}: {}",
        text(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("JSON from the driver")
}

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

/// The VPC's content, as `describe.py` writes it: its facts and its user tags.
fn described(harness: &Harness, vpc_id: &str, region: &str) -> BTreeSet<String> {
    let script = corpus().join("describe.py");
    let answer = python(&[script.to_str().unwrap(), &harness.layer.url, vpc_id, region]);
    let lines = |key: &str| -> BTreeSet<String> {
        answer[key]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|line| line.as_str().map(str::to_string))
            .collect()
    };
    let mut facts = lines("lines");
    facts.extend(lines("tags"));
    facts
}

fn difference(original: &BTreeSet<String>, rebuilt: &BTreeSet<String>) -> Vec<String> {
    original
        .difference(rebuilt)
        .map(|line| format!("only in the original: {line}"))
        .chain(
            rebuilt
                .difference(original)
                .map(|line| format!("only in the rebuild: {line}")),
        )
        .collect()
}

async fn vpc_of_design(harness: &Harness, design_id: &str) -> String {
    harness
        .checker()
        .describe_vpcs()
        .filters(
            aws_sdk_ec2::types::Filter::builder()
                .name("tag:moat:design-id")
                .values(design_id)
                .build(),
        )
        .send()
        .await
        .expect("DescribeVpcs")
        .vpcs()
        .first()
        .and_then(|vpc| vpc.vpc_id())
        .expect("the rebuilt VPC")
        .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_real_network_round_trips_through_import_apply_and_the_cloudformation_export() {
    let index: Value = serde_json::from_str(
        &std::fs::read_to_string(corpus().join("real-networks/index.json")).unwrap(),
    )
    .unwrap();
    // One account for the originals, one for Moat's rebuilds, one for the exports' rebuilds;
    // no faults here (the fault tests are elsewhere): this is about the network's content.
    let originals = Harness::start(31).await.expect("moto and the layer");
    let rebuilt = Harness::start(32).await.expect("moto and the layer");
    let exported = Harness::start(33).await.expect("moto and the layer");
    for harness in [&originals, &rebuilt, &exported] {
        harness.layer.configure(|settings| settings.rate = 0.0);
    }
    let deploy = corpus().join("deploy.py");
    let networks_dir = corpus().join("real-networks");
    let directory = tempfile::tempdir().unwrap();
    let mut failures = Vec::new();
    let mut networks = 0;
    for network in index.as_array().unwrap() {
        networks += 1;
        let name = network["name"].as_str().unwrap();
        let region = network["region"].as_str().unwrap();
        let deployed = python(&[
            deploy.to_str().unwrap(),
            "network",
            networks_dir.to_str().unwrap(),
            &originals.layer.url,
            name,
        ]);
        let vpc_id = deployed["vpc"].as_str().unwrap();

        // Import as a user runs it, then validate: a network that works on AWS has no error.
        let imported = moat(
            &originals,
            &["import", "--vpc-id", vpc_id, "--region", region],
        );
        assert!(
            imported.status.success(),
            "{name}: {}",
            text(&imported.stderr)
        );
        // The NAT gateways' and endpoints' own interfaces come with them, never as left out.
        let import_messages = text(&imported.stderr);
        let stray_interfaces: Vec<&str> = import_messages
            .lines()
            .filter(|line| line.starts_with("left out:") && line.contains("network interface"))
            .collect();
        assert!(
            stray_interfaces.is_empty(),
            "{name}: interfaces named as left out: {stray_interfaces:#?}"
        );
        let design = shared::spec::load_design(&text(&imported.stdout))
            .unwrap_or_else(|error| panic!("{name}: the import loads: {error}"));
        let errors: Vec<String> = shared::validate::validate(&design)
            .into_iter()
            .filter(|d| d.is_error())
            .map(|d| format!("{}: {}", d.code, d.message))
            .collect();
        assert!(errors.is_empty(), "{name}: false errors: {errors:#?}");
        let file = directory.path().join(format!("{name}.json"));
        std::fs::write(&file, &imported.stdout).unwrap();

        // Rebuilt by Moat's apply, into an account of its own.
        let design_id = format!("d-{name}");
        let applied = moat(
            &rebuilt,
            &[
                "apply",
                file.to_str().unwrap(),
                "--design-id",
                &design_id,
                "--yes",
            ],
        );
        assert!(
            applied.status.success(),
            "{name}: {}{}",
            text(&applied.stdout),
            text(&applied.stderr)
        );
        let rebuilt_vpc = vpc_of_design(&rebuilt, &design_id).await;

        // Rebuilt from Moat's CloudFormation export.
        let template = directory.path().join(format!("{name}.cfn.json"));
        std::fs::write(
            &template,
            shared::export::cloudformation::template(&design, &design_id).to_string(),
        )
        .unwrap();
        let parameters = serde_json::json!({"DesignId": design_id}).to_string();
        let from_export = python(&[
            deploy.to_str().unwrap(),
            "template",
            networks_dir.to_str().unwrap(),
            &exported.layer.url,
            template.to_str().unwrap(),
            region,
            &parameters,
        ]);
        let exported_vpc = from_export["vpc"].as_str().unwrap();

        let original = described(&originals, vpc_id, region);
        let by_apply = described(&rebuilt, &rebuilt_vpc, region);
        let by_export = described(&exported, exported_vpc, region);
        let apply_difference = difference(&original, &by_apply);
        let export_difference = difference(&original, &by_export);
        eprintln!(
            "{name}: {} facts (user tags among them); apply {}, CloudFormation export {}",
            original.len(),
            if apply_difference.is_empty() {
                "equal".to_string()
            } else {
                format!("{} differences", apply_difference.len())
            },
            if export_difference.is_empty() {
                "equal".to_string()
            } else {
                format!("{} differences", export_difference.len())
            },
        );
        for (how, lines) in [
            ("apply", apply_difference),
            ("CloudFormation export", export_difference),
        ] {
            if !lines.is_empty() {
                failures.push(format!(
                    "{name} rebuilt by {how}:\n  {}",
                    lines.join("\n  ")
                ));
            }
        }
    }
    assert_eq!(networks, 5, "the corpus holds five networks");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
