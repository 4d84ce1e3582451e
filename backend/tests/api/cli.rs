//! The `moat` binary's offline commands: validate, template, schema.

use std::process::{Command, Output};

fn moat(arguments: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_moat"))
        .args(arguments)
        .output()
        .expect("moat runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn fixture(name: &str) -> String {
    format!(
        "{}/../shared/fixtures/seed-as-written/{name}",
        env!("CARGO_MANIFEST_DIR")
    )
}

fn template_file(name: &str) -> String {
    format!("{}/../shared/templates/{name}", env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn validate_exits_0_and_prints_nothing_for_a_clean_design() {
    // The tabular template with flow logs on, its workers launched by Moat and its endpoints
    // scoped: no note left.
    let mut document: serde_json::Value =
        serde_json::from_str(shared::templates::template("tabular-vpn").unwrap().document).unwrap();
    document["vpcs"][0]["flow_logs"] =
        serde_json::json!({"destination": "arn:aws:s3:::audit-flow-logs"});
    document["workloads"][0]["launch"] = serde_json::json!(true);
    document["workloads"][0]["image_id"] = serde_json::json!("ami-0123456789abcdef0");
    // And its endpoints scoped to the team's own buckets and tables.
    for (index, service) in ["s3", "dynamodb"].into_iter().enumerate() {
        assert_eq!(document["endpoints"][index]["service"], service);
        document["endpoints"][index]["policy"] = serde_json::json!({
            "Statement": [{"Effect": "Allow", "Principal": "*", "Action": format!("{service}:*"),
                           "Resource": "*", "Condition": {"StringEquals": {"aws:ResourceAccount": "123456789012"}}}]
        });
    }
    let directory = tempfile::tempdir().unwrap();
    let file = directory.path().join("clean.json");
    std::fs::write(&file, document.to_string()).unwrap();
    let output = moat(&["validate", file.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(stdout(&output), "");
}

#[test]
fn validate_prints_infos_and_still_exits_0() {
    let file = template_file("mvp.json");
    let output = moat(&["validate", &file]);
    assert_eq!(output.status.code(), Some(0));
    let text = stdout(&output);
    for code in [
        "vpc.flow-logs-off",
        "sg.unattached",
        "subnet.public-ip-on-launch",
    ] {
        assert!(text.contains(&format!("{file}: info[{code}]: ")), "{text}");
    }
    assert!(
        !text.contains("error[") && !text.contains("warning["),
        "{text}"
    );
}

#[test]
fn validate_prints_like_a_compiler_and_exits_1_on_errors() {
    let file = fixture("llm-training-efa.json");
    let output = moat(&["validate", &file]);
    assert_eq!(output.status.code(), Some(1));
    let text = stdout(&output);
    assert!(
        text.contains(&format!(
            "{file}: error[subnet.overlap]: subnets private-subnet (10.0.2.0/24) and train-subnet"
        )),
        "{text}"
    );
    assert!(text.contains(&format!("{file}: error[subnet.az-unknown]: subnet train-subnet has availability zone \"us-east-1\", which is the region")), "{text}");
    assert!(text.contains("  hint: "), "{text}");
}

#[test]
fn validate_json_lists_every_diagnostic_with_its_fields() {
    let output = moat(&[
        "validate",
        "--format",
        "json",
        &fixture("tabular-vpn.json"),
        &template_file("tabular-vpn.json"),
    ]);
    assert_eq!(output.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_str(&stdout(&output)).expect("json");
    let all = report["diagnostics"].as_array().expect("array");
    // The template's are notes; the fixture's are its two errors.
    let (infos, diagnostics): (Vec<&serde_json::Value>, Vec<&serde_json::Value>) =
        all.iter().partition(|d| d["severity"] == "info");
    assert!(!infos.is_empty());
    assert_eq!(diagnostics.len(), 2);
    for diagnostic in diagnostics {
        assert_eq!(diagnostic["code"], "endpoint.gateway-service");
        assert_eq!(diagnostic["severity"], "error");
        assert!(
            diagnostic["objects"]
                .as_array()
                .is_some_and(|objects| !objects.is_empty())
        );
        assert!(
            diagnostic["message"]
                .as_str()
                .is_some_and(|m| m.contains("$S3_SERVICE") || m.contains("$DDB_SERVICE"))
        );
        assert!(diagnostic["hint"].is_string());
    }
}

#[test]
fn validate_exits_2_on_an_unreadable_or_malformed_file_and_says_where() {
    let missing = moat(&["validate", "/nonexistent/design.json"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&missing.stderr).contains("/nonexistent/design.json: cannot read")
    );
    let directory = tempfile::tempdir().unwrap();
    let broken = directory.path().join("broken.json");
    std::fs::write(&broken, r#"{"schema_version": 1, "name": "x", "region": "us-east-1", "workloads": [{"id": "w", "kind": "ec2", "subnet": "s", "count": "four"}]}"#).unwrap();
    let output = moat(&["validate", broken.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    let message = String::from_utf8_lossy(&output.stderr);
    assert!(
        message.contains("workloads[0].count: expected a whole number, found \"four\""),
        "{message}"
    );
}

#[test]
fn template_list_and_show_give_every_built_in_template() {
    let listed = stdout(&moat(&["template", "list"]));
    for template in shared::templates::TEMPLATES {
        assert!(listed.contains(template.name), "{listed}");
        let shown = moat(&["template", "show", template.name]);
        assert_eq!(shown.status.code(), Some(0));
        let design = shared::spec::load_design(&stdout(&shown)).expect("a design");
        assert_eq!(design, template.design().unwrap());
    }
    let unknown = moat(&["template", "show", "nope"]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("the templates are: mvp"));
}

#[test]
fn schema_prints_the_committed_json_schema() {
    let output = moat(&["schema"]);
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(
        stdout(&output),
        include_str!("../../../shared/schema/design.schema.json")
    );
}

#[test]
fn explain_prints_the_path_hop_by_hop_and_exits_by_the_answer() {
    let file = template_file("llm-training-efa.json");
    let reachable = moat(&[
        "explain",
        &file,
        "--from",
        "wl-trainers",
        "--to",
        "wl-trainers",
        "--protocol",
        "all",
    ]);
    assert_eq!(reachable.status.code(), Some(0));
    let text = stdout(&reachable);
    assert!(
        text.starts_with("wl-trainers → wl-trainers (all traffic): reachable via local"),
        "{text}"
    );
    assert!(text.contains("security group egress"), "{text}");
    let blocked = moat(&[
        "explain",
        &file,
        "--from",
        "wl-trainers",
        "--to",
        "internet",
    ]);
    assert_eq!(blocked.status.code(), Some(1));
    let text = stdout(&blocked);
    assert!(text.contains("BLOCKED"), "{text}");
    assert!(text.contains("blocked [no-route]"), "{text}");
    assert!(text.contains("hint: "), "{text}");
    let json = moat(&[
        "explain",
        &file,
        "--from",
        "wl-trainers",
        "--to",
        "s3",
        "--format",
        "json",
    ]);
    let answer: serde_json::Value = serde_json::from_str(&stdout(&json)).expect("json");
    assert_eq!(answer["reachable"], true);
    assert_eq!(answer["exit"]["kind"], "gateway_endpoint");
    assert!(answer["hops"].as_array().is_some_and(|h| h.len() >= 4));
    let wrong = moat(&["explain", &file, "--from", "nope", "--to", "internet"]);
    assert_eq!(wrong.status.code(), Some(2));
    let message = String::from_utf8_lossy(&wrong.stderr);
    assert!(
        message.contains("--from") && message.contains("\"nope\""),
        "{message}"
    );
    let protocol = moat(&[
        "explain",
        &file,
        "--from",
        "wl-trainers",
        "--to",
        "s3",
        "--protocol",
        "sctp",
    ]);
    assert_eq!(protocol.status.code(), Some(2));
    let message = String::from_utf8_lossy(&protocol.stderr);
    assert!(message.contains("IP protocol number"), "{message}");
    // Any protocol by number: the trainers' all-traffic self rule carries GRE (47) too.
    let gre = moat(&[
        "explain",
        &file,
        "--from",
        "wl-trainers",
        "--to",
        "wl-trainers",
        "--protocol",
        "47",
    ]);
    assert_eq!(gre.status.code(), Some(0), "{}", stdout(&gre));
    assert!(
        stdout(&gre).starts_with("wl-trainers → wl-trainers (protocol 47): reachable"),
        "{}",
        stdout(&gre)
    );
}

#[test]
fn matrix_lists_every_subnet_against_every_destination() {
    let output = moat(&["matrix", &template_file("tabular-vpn.json")]);
    assert_eq!(output.status.code(), Some(0));
    let text = stdout(&output);
    let mut lines = text.lines();
    let header = lines.next().unwrap_or_default();
    for column in [
        "internet",
        "from internet",
        "s3",
        "dynamodb",
        "on-premises cgw-datacenter",
    ] {
        assert!(header.contains(column), "{header}");
    }
    let row = lines.next().unwrap_or_default();
    assert!(row.starts_with("subnet-private-a"), "{row}");
    assert!(
        row.contains("yes (gateway endpoint)") && row.contains("yes (vpn)"),
        "{row}"
    );
    let json = moat(&[
        "matrix",
        "--format",
        "json",
        &template_file("tabular-vpn.json"),
    ]);
    let report: serde_json::Value = serde_json::from_str(&stdout(&json)).expect("json");
    assert_eq!(report["rows"][0]["cells"][0]["code"], "no-route");
}

#[test]
fn cost_prices_the_design_and_its_flows() {
    let output = moat(&["cost", &template_file("multimodal-endpoints.json")]);
    assert_eq!(output.status.code(), Some(0));
    let text = stdout(&output);
    assert!(text.contains("(us-east-1): $61.60"), "{text}");
    assert!(text.contains("NAT gateway nat-a"), "{text}");
    assert!(
        text.contains("wl-hosting → internet: 20 GB/month via NAT gateway nat-a: $2.70"),
        "{text}"
    );
    let json = moat(&[
        "cost",
        "--format",
        "json",
        &template_file("tabular-vpn.json"),
    ]);
    let estimate: serde_json::Value = serde_json::from_str(&stdout(&json)).expect("json");
    assert_eq!(estimate["total_monthly"], 63.5);
    assert_eq!(estimate["prices"]["as_of"], "2026-11-01");
    // Compute apart: 2 × m5.2xlarge × 730 h × $0.384.
    assert_eq!(estimate["compute"]["monthly"], 560.64);
    let llm = stdout(&moat(&["cost", &template_file("llm-training-efa.json")]));
    assert!(
        llm.contains("Compute (apart from the network): $64,123.20")
            && llm.contains("4 × p4d.24xlarge for wl-trainers (730 h/month)"),
        "{llm}"
    );
}

#[test]
fn a_closed_pipe_ends_the_output_quietly_instead_of_panicking() {
    let tabular = template_file("tabular-vpn.json");
    for arguments in [
        vec!["schema"],
        vec!["cost", tabular.as_str()],
        vec!["template", "show", "mvp"],
    ] {
        // The reader is gone before moat writes a byte: every write meets a closed pipe.
        let (reader, writer) = std::io::pipe().expect("a pipe");
        drop(reader);
        let output = Command::new(env!("CARGO_BIN_EXE_moat"))
            .args(&arguments)
            .stdout(writer)
            .stderr(std::process::Stdio::piped())
            .output()
            .expect("moat runs");
        let errors = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(0), "{arguments:?}: {errors}");
        assert!(!errors.contains("panicked"), "{arguments:?}: {errors}");
    }
}

/// Runs `moat` with its standard output already closed by the reader (as `| head -c1` does
/// once it has its byte); answers the exit code.
fn exit_code_with_closed_stdout(arguments: &[&str]) -> Option<i32> {
    let (reader, writer) = std::io::pipe().expect("a pipe");
    drop(reader);
    Command::new(env!("CARGO_BIN_EXE_moat"))
        .args(arguments)
        .stdout(writer)
        .stderr(std::process::Stdio::null())
        .status()
        .expect("moat runs")
        .code()
}

#[test]
fn every_offline_command_survives_a_closed_stdout() {
    let mvp = template_file("mvp.json");
    let commands: Vec<Vec<&str>> = vec![
        vec!["iam-policy", &mvp],
        vec!["validate", &mvp],
        vec!["template", "list"],
        vec!["template", "show", "mvp"],
        vec!["schema"],
        vec!["openapi"],
        vec!["matrix", &mvp],
        vec!["cost", &mvp],
        vec![
            "explain",
            &mvp,
            "--from",
            "subnet-notebook",
            "--to",
            "internet",
        ],
        vec![
            "export",
            &mvp,
            "--format",
            "cloudformation-yaml",
            "--output",
            "-",
        ],
    ];
    for command in commands {
        let code = exit_code_with_closed_stdout(&command);
        // 101 is a panic; anything else is the command's own answer.
        assert_ne!(code, Some(101), "moat {}", command.join(" "));
        assert!(
            code.is_some(),
            "moat {} died of a signal",
            command.join(" ")
        );
    }
}

/// `moat serve` on a free loopback port with `settings`, its stderr piped; the process and the
/// `host:port` it printed.
fn serving(data_dir: &std::path::Path, settings: &[(&str, &str)]) -> (std::process::Child, String) {
    use std::io::{BufRead, BufReader};
    let mut server = Command::new(env!("CARGO_BIN_EXE_moat"))
        .args(["serve", "--bind", "127.0.0.1:0", "--data-dir"])
        .arg(data_dir)
        .envs(settings.iter().copied())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("moat serve starts");
    let mut first = String::new();
    BufReader::new(server.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    let address = first
        .trim()
        .strip_prefix("Moat is listening on http://")
        .unwrap_or_else(|| panic!("{first}"))
        .trim_end_matches('/')
        .to_string();
    (server, address)
}

#[test]
fn the_server_logs_json_lines_with_the_request_id_when_asked() {
    use std::io::{Read, Write};
    let data_dir = tempfile::tempdir().unwrap();
    let (mut server, address) = serving(
        data_dir.path(),
        &[
            ("MOAT_LOG_FORMAT", "json"),
            ("MOAT_LOG", "backend::api::request_id=debug"),
        ],
    );
    let mut connection = std::net::TcpStream::connect(&address).unwrap();
    write!(
        connection,
        "GET /api/v1/health HTTP/1.1\r\nHost: {address}\r\nx-request-id: json-log-1\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut answer = String::new();
    connection.read_to_string(&mut answer).unwrap();
    assert!(
        answer.to_lowercase().contains("x-request-id: json-log-1"),
        "{answer}"
    );
    std::thread::sleep(std::time::Duration::from_millis(200));
    server.kill().unwrap();
    let mut logs = String::new();
    server
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut logs)
        .unwrap();
    let _ = server.wait();
    let line = logs
        .lines()
        .find(|line| line.contains("json-log-1"))
        .unwrap_or_else(|| panic!("no line names the request: {logs}"));
    let entry: serde_json::Value = serde_json::from_str(line).expect("a JSON line");
    assert_eq!(entry["span"]["request_id"], "json-log-1", "{entry}");
    assert_eq!(entry["fields"]["status"], 200, "{entry}");
    // A format it does not know is refused at start, in words.
    let refused = Command::new(env!("CARGO_BIN_EXE_moat"))
        .args(["serve", "--bind", "127.0.0.1:0", "--data-dir"])
        .arg(data_dir.path())
        .env("MOAT_LOG_FORMAT", "yaml")
        .output()
        .unwrap();
    assert!(!refused.status.success());
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("use json or text"),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );
}

#[test]
fn sigterm_stops_the_server_cleanly_with_exit_status_zero() {
    use std::io::Read;
    let data_dir = tempfile::tempdir().unwrap();
    let (mut server, _) = serving(data_dir.path(), &[("MOAT_LOG", "info")]);
    let terminated = Command::new("kill")
        .args(["-TERM", &server.id().to_string()])
        .status()
        .unwrap();
    assert!(terminated.success());
    let status = server.wait().unwrap();
    assert_eq!(status.code(), Some(0), "a stop on SIGTERM is a success");
    let mut logs = String::new();
    server
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut logs)
        .unwrap();
    assert!(logs.contains("shutting down"), "{logs}");
}
