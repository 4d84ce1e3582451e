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

    let applied = moat(&harness, &["apply", file, "--design-id", "d-cli"]);
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

    let again = moat(&harness, &["plan", file, "--design-id", "d-cli"]);
    assert!(
        text(&again.stdout).contains("Plan: 0 to create, 0 to update, 0 to replace, 0 to delete"),
        "{}",
        text(&again.stdout)
    );

    let destroyed = moat(&harness, &["destroy", file, "--design-id", "d-cli"]);
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
        &["apply", file.to_str().unwrap(), "--design-id", "d-denied"],
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
