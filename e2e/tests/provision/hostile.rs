//! The hostile-string table: every hostile string × every string field of a design × every
//! exporter, each output read back by the real parser of its language, and checked that no
//! payload became code or structure.
//!
//! - The CLI scripts: `bash -n`, then a real run under a stub `aws` (a shell function that logs
//!   its argv), in a fresh folder: no payload may create the file `pwned`, every run must end
//!   as the design says, and values passed as arguments must arrive as one whole argument.
//! - Terraform: python-hcl2 parses every file, with the same blocks as the benign design.
//! - CloudFormation: the YAML (PyYAML, safe loader) reads as exactly the JSON export.
//! - draw.io and SVG: Python's XML parser; no element or attribute of the design's making (no
//!   `script`, no `on…` handler), and draw.io's HTML labels hold no tag after one unescape.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use serde_json::{Value, json};
use shared::Design;
use shared::export::{Format, export};

/// What the table throws at every field (at least 40).
fn hostile_strings() -> Vec<String> {
    let mut strings: Vec<String> = [
        "$(touch pwned)",
        "`touch pwned`",
        "'; touch pwned; '",
        "\"; touch pwned; \"",
        "\"$(touch pwned)\"",
        "'$(touch pwned)'",
        "a; touch pwned",
        "a && touch pwned",
        "a | touch pwned",
        "a\ntouch pwned",
        "a\r\ntouch pwned",
        "\ntouch pwned\n",
        "${IFS}touch${IFS}pwned",
        "$((1+1))",
        "${PATH}",
        "$PATH",
        "\\$(touch pwned)",
        "\\'; touch pwned #",
        "${file(\"/etc/passwd\")}",
        "%{ for x in [1] }${x}%{ endfor }",
        "\"\n}\ndata \"external\" \"x\" { program = [\"touch\", \"pwned\"] }\n#",
        "$${x}",
        "]]>",
        "<![CDATA[x]]>",
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "\" onload=\"alert(1)",
        "&amp;&lt;&#0;",
        "</text><script>x</script>",
        "a\u{0}b",
        "\u{0}",
        "\u{202E}gnp.exe",
        "\u{200B}zero\u{200D}width\u{FEFF}",
        "\u{2028}line\u{2029}para\u{85}nel",
        "\u{1}\u{7}\u{1b}[31m\u{7f}",
        "key: value\n- item",
        "!!python/object/apply:os.system ['touch pwned']",
        "&anchor *alias",
        "yes",
        "null",
        "0x1F",
        "-",
        "#",
        "",
        " ",
        "{\"Ref\": \"AWS::AccountId\"}",
        "{{resolve:ssm:/secret}}",
        "Name=tag:x,Values=y",
        "a,b]",
        "x' || true",
        "émoji 🚀 ünïcode",
        "a".repeat(65_536).as_str(),
    ]
    .into_iter()
    .map(str::to_string)
    .collect();
    strings.sort();
    strings.dedup();
    strings
}

/// A design that reaches every exporter's branches: the LLM template with a launched,
/// placed EFA workload, flow logs to CloudWatch Logs, a NACL, a VPN and a NAT.
fn base_document() -> Value {
    let mut design = shared::templates::template("llm-training-efa")
        .unwrap()
        .design()
        .unwrap();
    design.workloads[0].launch = true;
    design.workloads[0].count = 2;
    design.workloads[0].image_id = Some("ami-0123456789abcdef0".into());
    let mut document = serde_json::to_value(&design).unwrap();
    document["vpcs"][0]["flow_logs"] = json!({
        "destination": "arn:aws:logs:us-east-1:123456789012:log-group:flows",
        "delivery_role_arn": "arn:aws:iam::123456789012:role/flow-logs",
        "traffic_type": "all",
        "max_aggregation_interval": 60
    });
    document["network_acls"] = json!([{
        "id": "acl-training", "vpc": "vpc-llm", "subnets": ["subnet-training-a"],
        "entries": [
            {"rule_number": 100, "egress": false, "protocol": "tcp", "from_port": 443, "to_port": 443, "cidr": "10.0.0.0/16", "action": "allow"},
            {"rule_number": 100, "egress": true, "protocol": "all", "cidr": "0.0.0.0/0", "action": "allow"}
        ]
    }]);
    document["dhcp_options"] = json!([{
        "id": "dhcp-corp", "domain_name": "corp.example.com",
        "domain_name_servers": ["AmazonProvidedDNS", "10.0.0.2"],
        "ntp_servers": ["169.254.169.123"], "vpcs": ["vpc-llm"]
    }]);
    document["vpn_gateways"] = json!([{"id": "vgw-dc", "vpc": "vpc-llm"}]);
    document["customer_gateways"] = json!([{"id": "cgw-dc", "ip_address": "203.0.113.10", "bgp_asn": 65000, "on_premises_cidrs": ["192.168.0.0/16"]}]);
    document["vpn_connections"] =
        json!([{"id": "vpn-dc", "vpn_gateway": "vgw-dc", "customer_gateway": "cgw-dc"}]);
    document["route_tables"][1]["routes"] =
        json!([{"destination": "192.168.0.0/16", "target": "vgw-dc"}]);
    document["security_groups"][0]["ingress"]
        .as_array_mut()
        .unwrap()
        .push(json!({"protocol": "tcp", "from_port": 22, "to_port": 22, "cidr": "10.0.0.0/16"}));
    document
}

/// Where a hostile string goes: a JSON pointer (the value there is replaced), or an object id
/// (renamed everywhere it appears).
enum Field {
    Value(&'static str),
    Id(&'static str),
}

fn fields() -> Vec<(&'static str, Field)> {
    vec![
        ("design name", Field::Value("/name")),
        ("design region", Field::Value("/region")),
        ("VPC name", Field::Value("/vpcs/0/name")),
        ("VPC CIDR", Field::Value("/vpcs/0/cidr_blocks/0")),
        (
            "flow log destination",
            Field::Value("/vpcs/0/flow_logs/destination"),
        ),
        (
            "flow log role",
            Field::Value("/vpcs/0/flow_logs/delivery_role_arn"),
        ),
        ("subnet CIDR", Field::Value("/subnets/0/cidr")),
        ("subnet AZ", Field::Value("/subnets/0/availability_zone")),
        ("group name", Field::Value("/security_groups/0/name")),
        (
            "group description",
            Field::Value("/security_groups/0/description"),
        ),
        (
            "rule CIDR",
            Field::Value("/security_groups/0/ingress/1/cidr"),
        ),
        (
            "route destination",
            Field::Value("/route_tables/1/routes/0/destination"),
        ),
        ("endpoint service", Field::Value("/endpoints/0/service")),
        ("instance type", Field::Value("/workloads/0/instance_type")),
        ("image id", Field::Value("/workloads/0/image_id")),
        ("workload name", Field::Value("/workloads/0/name")),
        (
            "ACL entry CIDR",
            Field::Value("/network_acls/0/entries/0/cidr"),
        ),
        (
            "customer gateway address",
            Field::Value("/customer_gateways/0/ip_address"),
        ),
        (
            "on-premises CIDR",
            Field::Value("/customer_gateways/0/on_premises_cidrs/0"),
        ),
        (
            "DHCP domain name",
            Field::Value("/dhcp_options/0/domain_name"),
        ),
        (
            "DHCP DNS server",
            Field::Value("/dhcp_options/0/domain_name_servers/1"),
        ),
        (
            "DHCP NTP server",
            Field::Value("/dhcp_options/0/ntp_servers/0"),
        ),
        ("DHCP options id", Field::Id("dhcp-corp")),
        ("VPC id", Field::Id("vpc-llm")),
        ("subnet id", Field::Id("subnet-training-a")),
        ("group id", Field::Id("sg-efa")),
        ("placement group id", Field::Id("pg-llm")),
        ("route table id", Field::Id("rt-training")),
        ("workload id", Field::Id("wl-trainers")),
        ("VPN connection id", Field::Id("vpn-dc")),
    ]
}

fn with_field(base: &Value, field: &Field, hostile: &str) -> Design {
    let document = match field {
        Field::Value(pointer) => {
            let mut document = base.clone();
            *document
                .pointer_mut(pointer)
                .unwrap_or_else(|| panic!("no {pointer} in the base design")) = json!(hostile);
            document
        }
        Field::Id(id) => {
            let text = serde_json::to_string(base).unwrap();
            let renamed = text.replace(
                &serde_json::to_string(id).unwrap(),
                &serde_json::to_string(hostile).unwrap(),
            );
            serde_json::from_str(&renamed).unwrap()
        }
    };
    shared::spec::load_design_value(document).expect("a hostile string still loads")
}

/// The stub `aws`: logs every argument (unit-separated, one call a line) and answers what the
/// script needs to go on.
const STUB: &str = r#"aws() {
  local argument
  for argument in "$@"; do printf '%s\037' "$argument"; done >> "$AWS_LOG"
  printf '\n' >> "$AWS_LOG"
  case "$2" in
    describe-vpc-endpoints) case "$*" in *State*) echo available ;; *) echo None ;; esac ;;
    describe-*) echo None ;;
    create-flow-logs) printf 'fl-1\tNone\n' ;;
    *) echo stub-1 ;;
  esac
}
export -f aws
"#;

/// Fields whose value the apply script passes as one whole argument.
fn passed_whole(label: &str) -> bool {
    matches!(
        label,
        "VPC CIDR"
            | "flow log destination"
            | "flow log role"
            | "subnet CIDR"
            | "subnet AZ"
            | "group name"
            | "group description"
            | "route destination"
            | "instance type"
            | "image id"
            | "ACL entry CIDR"
            | "customer gateway address"
    )
}

#[test]
fn no_hostile_string_becomes_code_or_structure_in_any_export() {
    let python = e2e::venv_program("python").unwrap();
    let root = tempfile::tempdir().unwrap();
    let base = base_document();
    let strings = hostile_strings();
    assert!(strings.len() >= 40, "{} hostile strings", strings.len());
    let formats = [
        Format::Cli,
        Format::Terraform,
        Format::CloudFormationYaml,
        Format::CloudFormationJson,
        Format::DrawIo,
        Format::Svg,
        Format::Json,
    ];
    let mut cases: Vec<Value> = Vec::new();
    let mut exports = 0usize;
    let mut scripts_run = 0usize;
    let benign = with_field(&base, &Field::Value("/name"), "benign");
    let benign_dir = root.path().join("benign");
    write_exports(&benign_dir, &benign, &formats);
    // The strings split over the cores: each case is independent.
    let threads = std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .max(1);
    let results: Vec<(Vec<Value>, usize, usize)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|thread| {
                let (base, strings, root) = (&base, &strings, root.path());
                scope.spawn(move || {
                    let mut cases = Vec::new();
                    let (mut exports, mut scripts_run) = (0, 0);
                    for (string_number, hostile) in strings.iter().enumerate() {
                        if string_number % threads != thread {
                            continue;
                        }
                        for (field_number, (label, field)) in fields().iter().enumerate() {
                            let design = with_field(base, field, hostile);
                            let directory = root.join(format!("s{string_number}-f{field_number}"));
                            exports += write_exports(&directory, &design, &formats);
                            cases.push(json!({
                                "dir": directory.to_string_lossy(),
                                "label": format!("{label} = {:?}", hostile.chars().take(40).collect::<String>()),
                            }));
                            scripts_run += run_scripts(&directory, label, hostile);
                        }
                    }
                    (cases, exports, scripts_run)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    for (mut found, written, ran) in results {
        cases.append(&mut found);
        exports += written;
        scripts_run += ran;
    }
    // One parser run over every file: HCL, YAML against JSON, XML.
    let manifest = root.path().join("cases.json");
    std::fs::write(
        &manifest,
        json!({"benign": benign_dir.to_string_lossy(), "cases": cases}).to_string(),
    )
    .unwrap();
    let checker = root.path().join("check.py");
    std::fs::write(&checker, PARSE_CHECKS).unwrap();
    let parsed = Command::new(&python)
        .arg(&checker)
        .arg(&manifest)
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&parsed.stdout).to_string();
    assert!(
        parsed.status.success(),
        "the parsers found escapes:\n{report}\n{}",
        String::from_utf8_lossy(&parsed.stderr)
    );
    let counts: BTreeMap<String, u64> = serde_json::from_str(report.trim()).unwrap();
    assert_eq!(
        counts["cases"] as usize,
        strings.len() * fields().len(),
        "{counts:?}"
    );
    assert!(exports >= strings.len() * fields().len() * formats.len());
    assert_eq!(
        scripts_run,
        strings.len() * (fields().len() + TEARDOWN_FIELDS.len())
    );
    eprintln!(
        "hostile-string table: {} strings × {} fields × {} exporters = {} exports ({exports} files), {scripts_run} scripts run under the stub, parsed: {counts:?}, 0 escapes",
        strings.len(),
        fields().len(),
        formats.len(),
        strings.len() * fields().len() * formats.len()
    );
}

/// Writes every format's files into `directory` (one sub-folder per format); returns the count.
fn write_exports(directory: &Path, design: &Design, formats: &[Format]) -> usize {
    let mut written = 0;
    for format in formats {
        let folder = directory.join(format.name());
        std::fs::create_dir_all(&folder).unwrap();
        let files = export(design, *format, "d-hostile");
        let files = match files {
            Ok(files) => files,
            // A 64 KiB string is over the text limit: the export is refused as a whole, which
            // is the other safe answer (nothing is written).
            Err(refused) => {
                assert!(refused.to_string().contains("limit"), "{refused}");
                std::fs::write(folder.join("refused"), refused.to_string()).unwrap();
                written += 1;
                continue;
            }
        };
        for (index, file) in files.iter().enumerate() {
            // File names come from the design's name: checked to be a plain slug.
            assert!(
                file.name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_')),
                "file name {:?}",
                file.name
            );
            let name = match format {
                Format::Cli if index == 0 => "apply.sh".to_string(),
                Format::Cli => "teardown.sh".to_string(),
                _ => file.name.clone(),
            };
            std::fs::write(folder.join(name), &file.contents).unwrap();
            written += 1;
        }
    }
    written
}

/// The only fields whose text reaches the teardown script (it finds resources by the design
/// id): it is run under the stub for these, and checked by `bash -n` for every field.
const TEARDOWN_FIELDS: &[&str] = &["design name", "design region"];

/// `bash -n` on both scripts and a run under the stub of each that holds the field's text;
/// returns how many ran.
fn run_scripts(directory: &Path, label: &str, hostile: &str) -> usize {
    let folder = directory.join("cli");
    let runs_teardown = TEARDOWN_FIELDS.contains(&label);
    if folder.join("refused").exists() {
        return 1 + usize::from(runs_teardown);
    }
    let mut ran = 0;
    for script in ["apply.sh", "teardown.sh"] {
        let path = folder.join(script);
        let syntax = Command::new("bash").arg("-n").arg(&path).output().unwrap();
        assert!(
            syntax.status.success(),
            "{label}: bash -n {script}: {}",
            String::from_utf8_lossy(&syntax.stderr)
        );
        if script == "teardown.sh" && !runs_teardown {
            continue;
        }
        let work = tempfile::tempdir().unwrap();
        let log = work.path().join("aws.log");
        let run = Command::new("bash")
            .arg("-c")
            .arg(format!("{STUB}\nbash \"$1\""))
            .arg("stub")
            .arg(&path)
            .current_dir(work.path())
            .env("AWS_LOG", &log)
            .env_remove("AWS_REGION")
            .env_remove("MOAT_DESIGN_ID")
            .output()
            .unwrap();
        assert!(
            !work.path().join("pwned").exists(),
            "{label}: a payload ran in {script}"
        );
        assert!(
            run.status.success(),
            "{label}: {script} failed under the stub: {}",
            String::from_utf8_lossy(&run.stderr)
        );
        if script == "apply.sh" && passed_whole(label) {
            let logged = std::fs::read(&log).unwrap_or_default();
            let expected = hostile.replace('\0', "\u{FFFD}");
            let found = String::from_utf8_lossy(&logged)
                .split(['\n', '\u{1f}'])
                .any(|argument| argument == expected);
            // Newlines inside an argument split the log's lines: those values are checked by
            // the parse of the whole log instead.
            let multiline = expected.contains('\n') || expected.contains('\u{1f}');
            assert!(
                found || multiline,
                "{label}: the value did not reach aws as one argument"
            );
            if multiline {
                assert!(
                    String::from_utf8_lossy(&logged).contains(&expected),
                    "{label}: the value did not reach aws whole"
                );
            }
        }
        ran += 1;
    }
    ran
}

const PARSE_CHECKS: &str = r#"
import json, os, sys
import xml.etree.ElementTree as ET
import hcl2, yaml

manifest = json.load(open(sys.argv[1]))
failures = []
counts = {"cases": 0, "hcl_files": 0, "yaml_files": 0, "xml_files": 0, "json_files": 0, "refused": 0}

def blocks(directory):
    out = {}
    for name in sorted(os.listdir(directory)):
        with open(os.path.join(directory, name)) as f:
            parsed = hcl2.load(f)
        for kind, items in parsed.items():
            if kind == "resource":
                for item in items:
                    for rtype, named in item.items():
                        out[("resource", rtype)] = out.get(("resource", rtype), 0) + len(named)
            else:
                out[(kind, "")] = out.get((kind, ""), 0) + len(items)
    return out

def only(directory):
    names = [n for n in os.listdir(directory)]
    return os.path.join(directory, names[0])

benign = manifest["benign"]
benign_blocks = blocks(os.path.join(benign, "terraform"))

def check_xml(path, label, drawio):
    tree = ET.parse(path)
    for element in tree.iter():
        tag = element.tag.split("}")[-1].lower()
        if tag in ("script", "foreignobject", "iframe", "object", "embed"):
            failures.append(f"{label}: {path}: element {tag}")
        for attribute in element.attrib:
            if attribute.split("}")[-1].lower().startswith("on"):
                failures.append(f"{label}: {path}: attribute {attribute}")
        if drawio and tag == "mxcell" and "<" in element.attrib.get("value", ""):
            failures.append(f"{label}: {path}: an HTML tag in a label")

for case in manifest["cases"]:
    counts["cases"] += 1
    directory, label = case["dir"], case["label"]
    try:
        if os.path.exists(os.path.join(directory, "terraform", "refused")):
            counts["refused"] += 1
            continue
        found = blocks(os.path.join(directory, "terraform"))
        counts["hcl_files"] += len(os.listdir(os.path.join(directory, "terraform")))
        if found.get(("data", ""), 0) or found != benign_blocks:
            failures.append(f"{label}: terraform blocks {sorted(found.items())} != {sorted(benign_blocks.items())}")
        from_yaml = yaml.safe_load(open(only(os.path.join(directory, "cloudformation-yaml"))))
        from_json = json.load(open(only(os.path.join(directory, "cloudformation-json"))))
        counts["yaml_files"] += 1
        counts["json_files"] += 1
        if from_yaml != from_json:
            failures.append(f"{label}: the CloudFormation YAML reads differently from its JSON")
        json.load(open(only(os.path.join(directory, "json"))))
        counts["json_files"] += 1
        check_xml(only(os.path.join(directory, "drawio")), label, True)
        check_xml(only(os.path.join(directory, "svg")), label, False)
        counts["xml_files"] += 2
    except Exception as error:
        failures.append(f"{label}: {type(error).__name__}: {error}"[:400])

if failures:
    print("\n".join(failures[:40]))
    print(f"{len(failures)} failures")
    sys.exit(1)
print(json.dumps(counts))
"#;
