//! The exports judged by the real tools: cfn-lint on the CloudFormation of every template;
//! the CloudFormation deployed to moto, the AWS CLI script run with the AWS CLI against moto
//! (twice: it is idempotent; then its teardown) and Moat's own apply all build the same
//! network; the Terraform parses with python-hcl2, and every check checkov fails on it is one a
//! Moat diagnostic also reports on the same object; the CLI writes every format, the PNG at the
//! requested size.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::{Command, Output};

use shared::Design;
use shared::export::{self, Format};

use crate::account::{self, difference};
use crate::{Harness, template};

const TEMPLATES: [&str; 4] = [
    "mvp",
    "tabular-vpn",
    "multimodal-endpoints",
    "llm-training-efa",
];

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn write(
    directory: &Path,
    design: &Design,
    format: Format,
    design_id: &str,
) -> Vec<std::path::PathBuf> {
    export::export(design, format, design_id)
        .unwrap()
        .into_iter()
        .map(|file| {
            let path = directory.join(&file.name);
            std::fs::write(&path, file.contents).unwrap();
            path
        })
        .collect()
}

/// The AWS CLI (from the venv) against the fault layer, faults off.
async fn aws_cli(
    harness: &Harness,
    program: &str,
    arguments: &[&str],
    environment: &[(&str, &str)],
) -> Output {
    tokio::process::Command::new(program)
        .args(arguments)
        .env("AWS_ENDPOINT_URL", &harness.layer.url)
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_DEFAULT_REGION", "us-east-1")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env(
            "PATH",
            format!(
                "{}:{}",
                e2e::venv_program("aws")
                    .unwrap()
                    .parent()
                    .unwrap()
                    .display(),
                std::env::var("PATH").unwrap_or_default()
            ),
        )
        .envs(environment.iter().copied())
        .output()
        .await
        .expect("the program runs")
}

#[test]
fn cfn_lint_finds_no_error_in_the_cloudformation_of_any_template() {
    let cfn_lint = e2e::venv_program("cfn-lint").unwrap();
    let directory = tempfile::tempdir().unwrap();
    // Every template, and the LLM one with its trainers launched by Moat (instances, IMDSv2).
    let mut launched = template("llm-training-efa");
    launched.workloads[0].launch = true;
    launched.workloads[0].image_id = Some("ami-0123456789abcdef0".into());
    // And the tabular one on a corporate DHCP options set (the set and its association).
    let mut corporate_dns = template("tabular-vpn");
    corporate_dns.dhcp_options.push(shared::model::DhcpOptions {
        tags: Default::default(),
        id: "dhcp-corp".into(),
        name: "corp".into(),
        domain_name: Some("corp.example.com".into()),
        domain_name_servers: vec!["AmazonProvidedDNS".into(), "10.20.0.53".into()],
        ntp_servers: vec!["169.254.169.123".into()],
        vpcs: vec![corporate_dns.vpcs[0].id.clone()],
    });
    let designs = TEMPLATES
        .iter()
        .map(|name| (name.to_string(), template(name)))
        .chain([
            ("llm-training-efa-launched".to_string(), launched),
            ("tabular-vpn-corporate-dns".to_string(), corporate_dns),
            (
                "mvp-pod-block".to_string(),
                crate::apply::with_secondary_block(),
            ),
            (
                "multimodal-scoped-endpoints".to_string(),
                crate::apply::with_endpoint_policies(),
            ),
        ]);
    for (name, design) in designs {
        for format in [Format::CloudFormationYaml, Format::CloudFormationJson] {
            for path in write(directory.path(), &design, format, "d-lint") {
                let linted = Command::new(&cfn_lint).arg(&path).output().unwrap();
                let code = linted.status.code().unwrap_or(-1);
                // cfn-lint's exit code is a bit set: 2 errors, 4 warnings, 8 informational.
                assert_eq!(
                    code & 2,
                    0,
                    "{name} {}: {}",
                    format.name(),
                    text(&linted.stdout)
                );
                assert!(code >= 0, "cfn-lint crashed");
                if code != 0 {
                    eprintln!(
                        "cfn-lint {name} {}: warnings only: {}",
                        format.name(),
                        text(&linted.stdout)
                            .lines()
                            .filter(|l| l.starts_with('W'))
                            .collect::<BTreeSet<_>>()
                            .into_iter()
                            .collect::<Vec<_>>()
                            .join("; ")
                    );
                }
            }
        }
    }
}

/// The lines CloudFormation's network should produce. CloudFormation cannot adopt the main
/// table: it is a table of its own, associated with the subnets that have none; the groups'
/// "no egress" placeholder rule is left out of the comparison; placement groups made inside
/// moto's CloudFormation are not visible to its EC2 API (moto 5.2), so they are compared
/// through the template instead.
fn cloudformation_lines(lines: &BTreeSet<String>) -> BTreeSet<String> {
    lines
        .iter()
        .filter(|line| !line.contains(export::cloudformation::NO_EGRESS_PLACEHOLDER_CIDR))
        .filter(|line| !line.starts_with("placement-group "))
        .map(|line| line.replace(" main=true", " main=false"))
        .collect()
}

/// What the issue compares across the three: CIDRs, routes, associations, endpoints and
/// security group rules (moto's CloudFormation ignores some VPC and subnet attributes, like
/// DNS hostnames and public IP mapping, so those are compared for Moat and the script only).
fn core(lines: &BTreeSet<String>) -> BTreeSet<String> {
    lines
        .iter()
        .filter_map(|line| {
            let kind = line.split(' ').next().unwrap_or_default();
            match kind {
                "vpc" => Some(
                    line.split(" dns_support=")
                        .next()
                        .unwrap_or(line)
                        .to_string(),
                ),
                "subnet" => Some(line.split(" public_ip=").next().unwrap_or(line).to_string()),
                "route" | "association" | "endpoint" | "rule" | "sg" => Some(line.clone()),
                _ => None,
            }
        })
        .collect()
}

fn expected_for_cloudformation(design: &Design) -> BTreeSet<String> {
    let mut lines = cloudformation_lines(&account::expected(design));
    let own: BTreeSet<&str> = design
        .route_tables
        .iter()
        .filter(|t| !t.main)
        .flat_map(|t| t.subnets.iter().map(String::as_str))
        .collect();
    for table in design.route_tables.iter().filter(|t| t.main) {
        for subnet in design
            .subnets
            .iter()
            .filter(|s| s.vpc == table.vpc && !own.contains(s.id.as_str()))
        {
            lines.insert(format!("association {} -> {}", subnet.id, table.id));
        }
    }
    lines
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cloudformation_the_cli_script_and_moat_build_the_same_network() {
    let aws = e2e::venv_program("aws").unwrap();
    let aws = aws.to_str().unwrap();
    let directory = tempfile::tempdir().unwrap();
    tokio::join!(
        one_template("mvp", template("mvp"), directory.path(), aws, true),
        one_template(
            "tabular-vpn",
            template("tabular-vpn"),
            directory.path(),
            aws,
            true
        ),
        one_template(
            "multimodal-endpoints",
            template("multimodal-endpoints"),
            directory.path(),
            aws,
            true
        ),
        one_template(
            "llm-training-efa",
            template("llm-training-efa"),
            directory.path(),
            aws,
            true
        ),
        one_template(
            "mvp-pod-block",
            crate::apply::with_secondary_block(),
            directory.path(),
            aws,
            // moto 5.2's CloudFormation skips AWS::EC2::VPCCidrBlock (the stack's subnet in
            // the block is refused): this design's template is judged by cfn-lint only.
            false
        ),
        one_template(
            "multimodal-scoped-endpoints",
            crate::apply::with_endpoint_policies(),
            directory.path(),
            aws,
            // moto 5.2's CloudFormation keeps a PolicyDocument object that its EC2 API then
            // answers as the default policy (measured): the template is judged by cfn-lint
            // and by the shared export test; Moat and the CLI script are compared here.
            false
        ),
    );
}

/// One template built three ways, each in an account (moto) of its own: AWS and moto hand
/// back an existing customer gateway for the same address and ASN (moto even a deleted one),
/// and moto's server is not safe for concurrent changes to one account. The four templates
/// run at once.
async fn one_template(
    name: &str,
    design: Design,
    directory: &Path,
    aws: &str,
    through_moto_cloudformation: bool,
) {
    let moat_account = &Harness::start(21).await.expect("moto and the fault layer");
    let script_account = &Harness::start(22).await.expect("moto and the fault layer");
    let cloudformation_account = &Harness::start(23).await.expect("moto and the fault layer");
    let expected = account::expected(&design);

    // Moat's own apply.
    let moat_id = format!("d-moat-{name}");
    let report = moat_account.apply(&moat_id, Some(&design), "dep-1").await;
    assert!(report.succeeded(), "{name}: {}", report.summary());
    let by_moat = account::read(&moat_account.checker(), &moat_account.layer, &moat_id).await;
    assert_eq!(
        by_moat.lines,
        expected,
        "{name} (moat): {}",
        difference(&expected, &by_moat.lines)
    );

    let destroyed = moat_account.apply(&moat_id, None, "dep-2").await;
    assert!(destroyed.succeeded(), "{name}: {}", destroyed.summary());

    // The AWS CLI script, twice (the second run changes nothing), then its teardown.
    let cli_id = format!("d-cli-{name}");
    let scripts = write(directory, &design, Format::Cli, &cli_id);
    // Every template once; the two smaller ones twice (the re-run finds everything).
    let runs = if matches!(name, "mvp" | "tabular-vpn") {
        2
    } else {
        1
    };
    for run in 1..=runs {
        let ran = aws_cli(
            script_account,
            "bash",
            &[scripts[0].to_str().unwrap()],
            &[("MOAT_DESIGN_ID", &cli_id)],
        )
        .await;
        assert!(
            ran.status.success(),
            "{name} script run {run}: {}\n{}",
            text(&ran.stdout),
            text(&ran.stderr)
        );
        let by_script =
            account::read(&script_account.checker(), &script_account.layer, &cli_id).await;
        assert_eq!(
            by_script.lines,
            expected,
            "{name} (script, run {run}): {}",
            difference(&expected, &by_script.lines)
        );
        assert!(
            by_script.duplicates().is_empty(),
            "{name} run {run}: {:?}",
            by_script.duplicates()
        );
        assert_eq!(by_script.lines, by_moat.lines, "the script and Moat agree");
    }
    let torn_down = aws_cli(
        script_account,
        "bash",
        &[scripts[1].to_str().unwrap()],
        &[("MOAT_DESIGN_ID", &cli_id)],
    )
    .await;
    assert!(
        torn_down.status.success(),
        "{name} teardown: {}\n{}",
        text(&torn_down.stdout),
        text(&torn_down.stderr)
    );
    let after = account::read(&script_account.checker(), &script_account.layer, &cli_id).await;
    assert!(
        after.tagged.is_empty(),
        "{name}: the teardown left {:?}",
        after.tagged
    );

    if !through_moto_cloudformation {
        eprintln!(
            "{name}: Moat and the CLI script built the same {} resources",
            expected.len()
        );
        return;
    }
    // CloudFormation, deployed to moto's CloudFormation API.
    let cfn_id = format!("d-cfn-{name}");
    let template_path = write(directory, &design, Format::CloudFormationYaml, &cfn_id);
    let body = format!("file://{}", template_path[0].display());
    let parameter = format!("ParameterKey=DesignId,ParameterValue={cfn_id}");
    let stack = format!("moat-{name}");
    let created = aws_cli(
        cloudformation_account,
        aws,
        &[
            "cloudformation",
            "create-stack",
            "--stack-name",
            &stack,
            "--template-body",
            &body,
            "--parameters",
            &parameter,
        ],
        &[],
    )
    .await;
    assert!(
        created.status.success(),
        "{name} create-stack: {}",
        text(&created.stderr)
    );
    let waited = aws_cli(
        cloudformation_account,
        aws,
        &[
            "cloudformation",
            "wait",
            "stack-create-complete",
            "--stack-name",
            &stack,
        ],
        &[],
    )
    .await;
    assert!(
        waited.status.success(),
        "{name} stack: {}",
        text(&waited.stderr)
    );
    // The stack's resources, mapped back to the design by their logical ids (moto's
    // CloudFormation does not apply every tag).
    let listed = aws_cli(
        cloudformation_account,
        aws,
        &[
            "cloudformation",
            "describe-stack-resources",
            "--stack-name",
            &stack,
            "--output",
            "json",
        ],
        &[],
    )
    .await;
    assert!(listed.status.success(), "{name}: {}", text(&listed.stderr));
    let listed: serde_json::Value = serde_json::from_slice(&listed.stdout).unwrap();
    let design_logical: std::collections::HashMap<String, String> =
        export::cloudformation::logical_ids(&design)
            .into_iter()
            .map(|(cfn, key)| (cfn, key.logical_id))
            .collect();
    let mut ids: std::collections::HashMap<String, String> = Default::default();
    for resource in listed["StackResources"].as_array().unwrap() {
        let Some(cfn) = resource["LogicalResourceId"].as_str() else {
            continue;
        };
        if let (Some(logical), Some(physical)) = (
            design_logical.get(cfn),
            resource["PhysicalResourceId"].as_str(),
        ) {
            ids.insert(physical.to_string(), logical.clone());
        }
    }
    let by_cloudformation = account::read_owned(
        &cloudformation_account.checker(),
        &cloudformation_account.layer,
        account::Owner::Ids(&ids),
    )
    .await;
    // moto 5.2 records a stack's SubnetRouteTableAssociation without applying it to the
    // table, so associations are checked in the stack: each one the design needs was
    // created, between the right subnet and table.
    // moto 5.2's CloudFormation also leaves a group's egress as AWS's default (it applies
    // neither inline SecurityGroupEgress nor SecurityGroupEgress resources): egress rules are
    // checked in the stack too.
    let not_association = |lines: BTreeSet<String>| -> BTreeSet<String> {
        lines
            .into_iter()
            .filter(|l| !l.starts_with("association "))
            .filter(|l| !(l.starts_with("rule ") && l.contains(" egress ")))
            .collect()
    };
    let wanted = not_association(core(&expected_for_cloudformation(&design)));
    let found = not_association(core(&cloudformation_lines(&by_cloudformation.lines)));
    assert_eq!(
        found,
        wanted,
        "{name} (CloudFormation): {}",
        difference(&wanted, &found)
    );
    let by_moat_core = not_association(core(&cloudformation_lines(&by_moat.lines)));
    assert_eq!(found, by_moat_core, "{name}: CloudFormation and Moat agree");
    let template = export::cloudformation::template(&design, &cfn_id);
    let created: BTreeSet<&str> = listed["StackResources"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["ResourceStatus"] == "CREATE_COMPLETE")
        .filter_map(|r| r["LogicalResourceId"].as_str())
        .collect();
    let logical_of = |reference: &serde_json::Value| -> String {
        let cfn = reference["Ref"].as_str().unwrap_or_default();
        design_logical.get(cfn).cloned().unwrap_or_default()
    };
    let mut stack_associations = BTreeSet::new();
    let mut stack_egress = 0;
    for (cfn, resource) in template["Resources"].as_object().unwrap() {
        // moto 5.2 does not list AWS::EC2::SecurityGroupEgress among a stack's resources:
        // the template declares it (cfn-lint checked it) and that is what is counted.
        if resource["Type"] == "AWS::EC2::SecurityGroupEgress" {
            stack_egress += 1;
        }
        if resource["Type"] == "AWS::EC2::SecurityGroup" {
            assert!(
                created.contains(cfn.as_str()),
                "{name}: {cfn} was not created"
            );
            stack_egress += resource["Properties"]["SecurityGroupEgress"]
                .as_array()
                .map(|rules| {
                    rules
                        .iter()
                        .filter(|r| {
                            r["CidrIp"] != export::cloudformation::NO_EGRESS_PLACEHOLDER_CIDR
                        })
                        .count()
                })
                .unwrap_or(0);
        }
        if resource["Type"] == "AWS::EC2::SubnetRouteTableAssociation" {
            assert!(
                created.contains(cfn.as_str()),
                "{name}: {cfn} was not created"
            );
            stack_associations.insert(format!(
                "association {} -> {}",
                logical_of(&resource["Properties"]["SubnetId"]),
                logical_of(&resource["Properties"]["RouteTableId"])
            ));
        }
    }
    let wanted_associations: BTreeSet<String> = expected_for_cloudformation(&design)
        .into_iter()
        .filter(|l| l.starts_with("association "))
        .collect();
    let designed_egress: usize = design.security_groups.iter().map(|g| g.egress.len()).sum();
    assert_eq!(
        stack_egress, designed_egress,
        "{name}: every egress rule is in the stack"
    );
    assert_eq!(
        stack_associations, wanted_associations,
        "{name}: the stack's associations"
    );
    eprintln!(
        "{name}: Moat, the CLI script and CloudFormation built the same {} resources",
        expected.len()
    );
}

#[test]
fn the_terraform_parses_with_python_hcl2_and_declares_every_resource() {
    let python = e2e::venv_program("python").unwrap();
    let directory = tempfile::tempdir().unwrap();
    for name in TEMPLATES {
        let design = template(name);
        let folder = directory.path().join(name);
        std::fs::create_dir_all(&folder).unwrap();
        let files = write(&folder, &design, Format::Terraform, "d-tf");
        let script = "import hcl2, json, sys\nout = {}\nfor path in sys.argv[1:]:\n    with open(path) as f:\n        out[path.rsplit('/', 1)[-1]] = hcl2.load(f)\nprint(json.dumps(out))";
        let parsed = Command::new(&python)
            .arg("-c")
            .arg(script)
            .args(&files)
            .output()
            .unwrap();
        assert!(parsed.status.success(), "{name}: {}", text(&parsed.stderr));
        let document: serde_json::Value = serde_json::from_slice(&parsed.stdout).unwrap();
        let mut counts: std::collections::BTreeMap<String, usize> = Default::default();
        for block in document["main.tf"]["resource"].as_array().unwrap() {
            for (kind, instances) in block.as_object().unwrap() {
                *counts
                    .entry(kind.trim_matches('"').to_string())
                    .or_default() += instances.as_object().unwrap().len();
            }
        }
        let count = |kind: &str| counts.get(kind).copied().unwrap_or(0);
        assert_eq!(count("aws_vpc"), design.vpcs.len(), "{name}: {counts:?}");
        assert_eq!(count("aws_subnet"), design.subnets.len());
        assert_eq!(count("aws_vpc_endpoint"), design.endpoints.len());
        assert_eq!(count("aws_nat_gateway"), design.nat_gateways.len());
        assert_eq!(
            count("aws_route_table") + count("aws_default_route_table"),
            design.route_tables.len()
        );
        let rules: usize = design
            .security_groups
            .iter()
            .map(|g| g.ingress.len() + g.egress.len())
            .sum();
        assert_eq!(
            count("aws_vpc_security_group_ingress_rule")
                + count("aws_vpc_security_group_egress_rule"),
            rules
        );
        let variables = &document["variables.tf"]["variable"];
        let declared: Vec<String> = variables
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|v| {
                v.as_object()
                    .unwrap()
                    .keys()
                    .map(|k| k.trim_matches('"').to_string())
                    .collect::<Vec<_>>()
            })
            .collect();
        assert_eq!(declared, ["region", "design_id", "tags"]);
    }
}

/// The checkov checks Moat's Terraform can fail, each with the Moat diagnostic that reports
/// the same thing about the same object. A failure of a check not listed here fails the judge:
/// either the export is wrong or validation misses something.
const CHECKOV_CHECKS_MOAT_REPORTS: [(&str, &str); 5] = [
    // "Ensure VPC flow logging is enabled in all VPCs"
    ("CKV2_AWS_11", "vpc.flow-logs-off"),
    // "Ensure VPC subnets do not assign public IP by default"
    ("CKV_AWS_130", "subnet.public-ip-on-launch"),
    // "Ensure that Security Groups are attached to another resource"
    ("CKV2_AWS_5", "sg.unattached"),
    // "Ensure no security groups allow ingress from 0.0.0.0:0 to port 22" / "… port 3389"
    ("CKV_AWS_24", "sg.open-admin-port"),
    ("CKV_AWS_25", "sg.open-admin-port"),
];

/// The designs checkov judges: every template, and variants that turn on flow logs (to S3 and
/// to CloudWatch Logs) or add what checkov and Moat both object to.
fn checkov_designs() -> Vec<(String, Design)> {
    let mut designs: Vec<(String, Design)> = TEMPLATES
        .iter()
        .map(|name| (name.to_string(), template(name)))
        .collect();
    let variant = |name: &str, change: &dyn Fn(&mut serde_json::Value)| -> Design {
        let mut document: serde_json::Value =
            serde_json::from_str(shared::templates::template(name).unwrap().document).unwrap();
        change(&mut document);
        shared::spec::load_design_value(document).unwrap()
    };
    designs.push((
        "mvp-flow-logs-to-s3".into(),
        variant(
            "mvp",
            &|d| {
                d["vpcs"][0]["flow_logs"] =
                    serde_json::json!({"destination": "arn:aws:s3:::audit-flow-logs/mvp"})
            },
        ),
    ));
    designs.push((
        "llm-flow-logs-to-cloudwatch".into(),
        variant("llm-training-efa", &|d| {
            d["vpcs"][0]["flow_logs"] = serde_json::json!({
                "destination": "arn:aws:logs:us-east-1:123456789012:log-group:/moat/llm",
                "delivery_role_arn": "arn:aws:iam::123456789012:role/flow-logs",
                "traffic_type": "reject", "max_aggregation_interval": 60});
        }),
    ));
    designs.push((
        "multimodal-exposed".into(),
        variant("multimodal-endpoints", &|d| {
            d["subnets"][0]["map_public_ip_on_launch"] = serde_json::json!(true);
            d["security_groups"]
                .as_array_mut()
                .unwrap()
                .push(serde_json::json!({
                    "id": "sg-admin", "vpc": "vpc-multimodal", "name": "admin",
                    "description": "administration from anywhere",
                    "ingress": [
                        {"protocol": "tcp", "from_port": 22, "to_port": 22, "cidr": "0.0.0.0/0"},
                        {"protocol": "tcp", "from_port": 3389, "to_port": 3389, "cidr": "0.0.0.0/0"},
                        {"protocol": "all", "from_port": -1, "to_port": -1, "cidr": "0.0.0.0/0"}
                    ],
                    "egress": []
                }));
        }),
    ));
    designs
}

#[test]
fn checkov_fails_the_terraform_only_where_a_moat_diagnostic_says_the_same() {
    let checkov = e2e::checkov_program().unwrap();
    let directory = tempfile::tempdir().unwrap();
    let designs = checkov_designs();
    for (name, design) in &designs {
        let folder = directory.path().join(name);
        std::fs::create_dir_all(&folder).unwrap();
        write(&folder, design, Format::Terraform, "d-checkov");
    }
    // One run over every design's folder: checkov names the file of each result.
    let ran = Command::new(&checkov)
        .args(["--directory"])
        .arg(directory.path())
        .args([
            "--framework",
            "terraform",
            "--output",
            "json",
            "--skip-download",
        ])
        .env("BC_SKIP_MAPPING", "TRUE")
        .output()
        .unwrap();
    // checkov exits 1 when a check fails, 0 when none does; anything else is a crash.
    assert!(
        matches!(ran.status.code(), Some(0 | 1)),
        "checkov: {}
{}",
        text(&ran.stdout),
        text(&ran.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&ran.stdout)
        .unwrap_or_else(|e| panic!("checkov's JSON: {e}: {}", text(&ran.stdout)));
    assert_eq!(
        report["summary"]["parsing_errors"], 0,
        "{}",
        report["summary"]
    );
    let results = |kind: &str| -> Vec<(String, String, String)> {
        report["results"][kind]
            .as_array()
            .unwrap()
            .iter()
            .map(|check| {
                let file = check["file_path"].as_str().unwrap_or_default();
                let design = file
                    .trim_start_matches('/')
                    .split('/')
                    .next()
                    .unwrap_or_default()
                    .to_string();
                (
                    design,
                    check["check_id"].as_str().unwrap_or_default().to_string(),
                    check["resource"].as_str().unwrap_or_default().to_string(),
                )
            })
            .collect()
    };
    let failed = results("failed_checks");
    let passed = results("passed_checks");
    assert!(
        passed.len() > 100,
        "checkov ran its checks: {}",
        passed.len()
    );
    let mut answered: BTreeSet<(String, String)> = BTreeSet::new();
    for (name, design) in &designs {
        let diagnostics = shared::validate(design);
        let addresses: std::collections::HashMap<String, String> =
            export::terraform::resource_addresses(design)
                .into_iter()
                .map(|(address, key)| {
                    // The design object a resource belongs to: a rule's group, a route's
                    // table, a flow log's VPC (the logical id up to its first '/').
                    let object = key.logical_id.split('/').next().unwrap_or_default();
                    (address, object.to_string())
                })
                .collect();
        for (_, check, resource) in failed.iter().filter(|(d, _, _)| d == name) {
            let Some((_, code)) = CHECKOV_CHECKS_MOAT_REPORTS
                .iter()
                .find(|(id, _)| id == check)
            else {
                panic!(
                    "{name}: checkov fails {check} on {resource}, which no Moat diagnostic answers for"
                );
            };
            let object = addresses
                .get(resource)
                .unwrap_or_else(|| panic!("{name}: {resource} is not a resource of the design"));
            assert!(
                diagnostics
                    .iter()
                    .any(|d| d.code == *code && d.objects.iter().any(|o| o == object)),
                "{name}: checkov fails {check} on {resource} ({object}), but Moat reports no {code} for it: {diagnostics:#?}"
            );
            answered.insert((check.clone(), code.to_string()));
        }
    }
    // The templates fail the three checks that stand for what they leave to the user.
    for template_name in TEMPLATES {
        let failed_here: BTreeSet<&str> = failed
            .iter()
            .filter(|(d, _, _)| d == template_name)
            .map(|(_, c, _)| c.as_str())
            .collect();
        assert!(
            failed_here.contains("CKV2_AWS_11") && failed_here.contains("CKV2_AWS_5"),
            "{template_name}: {failed_here:?}"
        );
    }
    // Turning flow logs on in the design satisfies checkov too, for either destination.
    for (name, vpc) in [
        ("mvp-flow-logs-to-s3", "aws_vpc.vpc_mvp"),
        ("llm-flow-logs-to-cloudwatch", "aws_vpc.vpc_llm"),
    ] {
        assert!(
            passed
                .iter()
                .any(|(d, c, r)| d == name && c == "CKV2_AWS_11" && r == vpc),
            "{name}: CKV2_AWS_11 did not pass"
        );
        assert!(
            !failed
                .iter()
                .any(|(d, c, _)| d == name && c == "CKV2_AWS_11")
        );
    }
    // The exposed variant is judged the same way by both.
    for check in ["CKV_AWS_24", "CKV_AWS_25", "CKV_AWS_130", "CKV2_AWS_5"] {
        assert!(
            failed
                .iter()
                .any(|(d, c, _)| d == "multimodal-exposed" && c == check),
            "multimodal-exposed: {check} did not fail"
        );
    }
    eprintln!(
        "checkov: {} passed, {} failed across {} designs, every failure answered by {:?}",
        passed.len(),
        failed.len(),
        designs.len(),
        answered
    );
}

/// The width and height of the one PNG written into `folder` (its header, checked).
fn png_size_in(folder: &Path) -> (u32, u32) {
    let path = std::fs::read_dir(folder)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let png = std::fs::read(path).unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    (
        u32::from_be_bytes(png[16..20].try_into().unwrap()),
        u32::from_be_bytes(png[20..24].try_into().unwrap()),
    )
}

#[test]
fn the_command_line_writes_every_format_and_the_png_at_the_chosen_scale() {
    let directory = tempfile::tempdir().unwrap();
    let design_file = directory.path().join("design.json");
    std::fs::write(
        &design_file,
        shared::templates::template("multimodal-endpoints")
            .unwrap()
            .document,
    )
    .unwrap();
    let moat = e2e::moat_binary().unwrap();
    for format in Format::ALL.iter().map(|f| f.name()).chain(["png"]) {
        let out = directory.path().join(format);
        let exported = Command::new(&moat)
            .args([
                "export",
                design_file.to_str().unwrap(),
                "--format",
                format,
                "--output",
                out.to_str().unwrap(),
            ])
            .output()
            .unwrap();
        assert!(
            exported.status.success(),
            "{format}: {}",
            text(&exported.stderr)
        );
        let written: Vec<_> = std::fs::read_dir(&out).unwrap().collect();
        assert!(!written.is_empty(), "{format} wrote nothing");
    }
    let svg_path = std::fs::read_dir(directory.path().join("svg"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let svg = std::fs::read_to_string(svg_path).unwrap();
    let width: f64 = svg
        .split("width=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let height: f64 = svg
        .split("height=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(
        png_size_in(&directory.path().join("png")),
        ((width * 2.0).ceil() as u32, (height * 2.0).ceil() as u32)
    );
    // At a chosen scale, and a scale out of range is refused with the range.
    let png_at = |scale: &str, output: &Path| {
        Command::new(&moat)
            .args(["export", design_file.to_str().unwrap(), "--format", "png"])
            .args(["--scale", scale, "--output"])
            .arg(output)
            .output()
            .unwrap()
    };
    let tripled = directory.path().join("png-3");
    let exported = png_at("3", &tripled);
    assert!(exported.status.success(), "{}", text(&exported.stderr));
    assert_eq!(
        png_size_in(&tripled),
        ((width * 3.0).ceil() as u32, (height * 3.0).ceil() as u32)
    );
    let too_big = png_at("20", Path::new("-"));
    assert_eq!(too_big.status.code(), Some(2));
    assert!(
        text(&too_big.stderr).contains("use 0.1 to 8"),
        "{}",
        text(&too_big.stderr)
    );
    let refused = Command::new(&moat)
        .args(["export", design_file.to_str().unwrap(), "--format", "visio"])
        .output()
        .unwrap();
    assert_eq!(refused.status.code(), Some(2));
    assert!(text(&refused.stderr).contains("the formats are: json, cloudformation-yaml"));
}
