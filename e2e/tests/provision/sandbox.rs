//! The local sandbox as `cargo xtask run --moto` builds it (#17): moto as a person starts it,
//! the `moto_compat` binary in front of it, the real `moat serve` pointed at that. A template
//! with a placement group deploys and is destroyed through the API. Against bare moto the same
//! deployment fails, in one line that names the missing call (it used to be a raw SDK dump
//! after a minute of retries).

use std::io::BufRead;
use std::process::{Command, Stdio};
use std::time::Duration;

use e2e::http::{HttpClient, Session, call};
use e2e::{MoatServer, Moto, TestUser};
use serde_json::{Value, json};

const DEPLOYER: TestUser = TestUser {
    name: "sandbox",
    role: "deployer",
    password: "correct horse battery",
};

/// The compatibility layer binary in front of `upstream`, killed on drop.
struct Compat {
    child: std::process::Child,
    url: String,
}

impl Compat {
    fn start(upstream: &str) -> Compat {
        let binary = e2e::moat_binary().unwrap().with_file_name("moto_compat");
        let mut child = Command::new(&binary)
            .arg(upstream)
            .stdout(Stdio::piped())
            .spawn()
            .unwrap_or_else(|error| panic!("{}: {error}", binary.display()));
        let mut first_line = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut first_line)
            .unwrap();
        let url = first_line
            .trim()
            .strip_prefix("listening on ")
            .unwrap()
            .to_string();
        Compat { child, url }
    }
}

impl Drop for Compat {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts an operation (`deployments` or `destroy`) and waits for its end state.
async fn run_to_the_end(
    client: &HttpClient,
    base: &str,
    session: &Session,
    design_id: &str,
    operation: &str,
) -> Value {
    let (status, started, _) = call(
        client,
        "POST",
        &format!("{base}/api/v1/designs/{design_id}/{operation}"),
        Some(session),
        None,
    )
    .await
    .unwrap();
    assert_eq!(status, 202, "{operation}: {started}");
    let id = started["id"].as_str().unwrap().to_string();
    for _ in 0..600 {
        let (_, deployment, _) = call(
            client,
            "GET",
            &format!("{base}/api/v1/deployments/{id}"),
            Some(session),
            None,
        )
        .await
        .unwrap();
        if deployment["status"] != "running" {
            return deployment;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{operation} {id} still running after a minute");
}

async fn saved_template(client: &HttpClient, base: &str, session: &Session) -> String {
    let mut document: Value = serde_json::from_str(
        shared::templates::template("llm-training-efa")
            .unwrap()
            .document,
    )
    .unwrap();
    // And a DHCP options set, which moto creates without the tags EC2 gives it at creation:
    // the sandbox's layer must tag it, or the set is never found again.
    let vpc = document["vpcs"][0]["id"].clone();
    document["dhcp_options"] = json!([{
        "id": "dhcp-training", "domain_name": "training.internal",
        "domain_name_servers": ["AmazonProvidedDNS"], "ntp_servers": ["169.254.169.123"],
        "vpcs": [vpc]
    }]);
    assert!(
        document["placement_groups"]
            .as_array()
            .is_some_and(|g| !g.is_empty()),
        "the template has a placement group"
    );
    let (status, created, _) = call(
        client,
        "POST",
        &format!("{base}/api/v1/designs"),
        Some(session),
        Some(&json!({"document": document})),
    )
    .await
    .unwrap();
    assert_eq!(status, 201, "{created}");
    created["id"].as_str().unwrap().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_local_sandbox_deploys_and_destroys_a_template_with_a_placement_group() {
    let moto = Moto::start().expect("moto");
    let client = e2e::http::client();

    // Bare moto, as before: the deploy fails at once, and says why in one line.
    {
        let server = MoatServer::start(&moto.url, &[DEPLOYER]).unwrap();
        let base = server.url.trim_end_matches('/').to_string();
        let session = e2e::http::sign_in(&client, &base, DEPLOYER.name, DEPLOYER.password)
            .await
            .unwrap();
        let design_id = saved_template(&client, &base, &session).await;
        let failed = run_to_the_end(&client, &base, &session, &design_id, "deployments").await;
        assert_eq!(failed["status"], "failed", "{failed}");
        let message = failed["message"].as_str().unwrap_or_default();
        eprintln!("bare moto: {message}");
        assert!(message.contains("may not implement"), "{message}");
        assert!(message.contains("HTTP 500"), "{message}");
        // And which endpoint answered: the one the server was configured with.
        let endpoint = moto.url.trim_end_matches('/');
        assert!(message.contains(&format!(" at {endpoint}")), "{message}");
        assert!(!message.contains("ServiceError"), "no SDK dump: {message}");
        assert!(!message.contains('\n'), "one line: {message}");
        assert!(
            message.contains("hint: the endpoint does not implement"),
            "{message}"
        );
        // The same failure from the command line: one line on stderr, with its hint.
        let directory = tempfile::tempdir().unwrap();
        let file = directory.path().join("llm.json");
        std::fs::write(
            &file,
            shared::templates::template("llm-training-efa")
                .unwrap()
                .document,
        )
        .unwrap();
        let planned = Command::new(e2e::moat_binary().expect("the moat binary"))
            .args(["plan", file.to_str().unwrap(), "--design-id", "d-bare"])
            .env("AWS_ENDPOINT_URL", &moto.url)
            .env("AWS_ACCESS_KEY_ID", "testing")
            .env("AWS_SECRET_ACCESS_KEY", "testing")
            .env("AWS_REGION", "us-east-1")
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .output()
            .expect("moat runs");
        assert!(!planned.status.success());
        let stderr = String::from_utf8_lossy(&planned.stderr);
        let lines: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
        assert_eq!(lines.len(), 1, "one line: {stderr}");
        assert!(
            lines[0].contains("HTTP 500")
                && lines[0].contains("hint: the endpoint does not implement"),
            "{stderr}"
        );
        assert!(lines[0].contains(&format!(" at {endpoint}")), "{stderr}");
        assert!(!stderr.contains("ServiceError"), "no SDK dump: {stderr}");
    }

    // The sandbox as `cargo xtask run --moto` builds it.
    let compat = Compat::start(&moto.url);
    let server = MoatServer::start(&compat.url, &[DEPLOYER]).unwrap();
    let base = server.url.trim_end_matches('/').to_string();
    let session = e2e::http::sign_in(&client, &base, DEPLOYER.name, DEPLOYER.password)
        .await
        .unwrap();
    let design_id = saved_template(&client, &base, &session).await;
    let deployed = run_to_the_end(&client, &base, &session, &design_id, "deployments").await;
    assert_eq!(deployed["status"], "succeeded", "{deployed}");
    // The server's metrics saw the deployment's EC2 calls and the deployment itself.
    let metrics = e2e::http::text(&client, &format!("{base}/metrics"))
        .await
        .unwrap();
    for needle in [
        "moat_aws_calls_total{operation=\"CreateVpc\"}",
        "moat_aws_calls_total{operation=\"CreatePlacementGroup\"}",
        "moat_aws_answers_total{operation=\"CreateVpc\",status=\"200\"} 1",
        "moat_deployments{state=\"succeeded\"} 1",
        "route=\"/api/v1/deployments/{deployment_id}\"",
    ] {
        assert!(metrics.contains(needle), "{needle} not in:\n{metrics}");
    }
    let kinds: Vec<&str> = deployed["resources"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["kind"].as_str())
        .collect();
    assert!(kinds.contains(&"placement_group"), "{kinds:?}");
    assert!(kinds.contains(&"dhcp_options"), "{kinds:?}");
    assert!(kinds.contains(&"dhcp_options_association"), "{kinds:?}");
    // The set is found again by its tags: nothing is left to do.
    let (status, plan, _) = call(
        &client,
        "GET",
        &format!("{base}/api/v1/designs/{design_id}/plan"),
        Some(&session),
        None,
    )
    .await
    .unwrap();
    assert_eq!(status, 200, "{plan}");
    assert_eq!(plan["counts"], json!([0, 0, 0, 0]), "{plan}");
    let destroyed = run_to_the_end(&client, &base, &session, &design_id, "destroy").await;
    assert_eq!(destroyed["status"], "succeeded", "{destroyed}");
}
