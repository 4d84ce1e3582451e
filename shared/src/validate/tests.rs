//! Data-driven validation tests: each case is a design (JSON, merged over a minimal base) and the
//! exact list of codes it must produce, through the one `check` helper.

use serde_json::{Value, json};

use super::*;
use crate::spec;

/// A design with one VPC 10.0.0.0/16 in us-east-1, with `extra` merged over it (arrays replace).
fn design(extra: Value) -> Design {
    let mut base = json!({
        "schema_version": 1,
        "name": "test",
        "region": "us-east-1",
        "vpcs": [{"id": "vpc-a", "name": "main", "cidr_blocks": ["10.0.0.0/16"]}],
    });
    if let (Value::Object(base_map), Value::Object(extra_map)) = (&mut base, extra) {
        for (key, value) in extra_map {
            base_map.insert(key, value);
        }
    }
    spec::load_design_value(base).expect("test design must load")
}

/// Asserts that validating `extra` over the base yields exactly `expected` codes (sorted) among
/// its errors and warnings. Infos (no flow logs, groups only other tools attach) are facts of
/// almost every small design; the audit cases check them.
#[track_caller]
fn check(extra: Value, expected: &[&str]) -> Vec<Diagnostic> {
    let diagnostics: Vec<Diagnostic> = validate(&design(extra))
        .into_iter()
        .filter(|d| d.severity != Severity::Info)
        .collect();
    let mut codes: Vec<&str> = diagnostics.iter().map(|d| d.code.as_str()).collect();
    codes.sort_unstable();
    let mut expected_sorted = expected.to_vec();
    expected_sorted.sort_unstable();
    assert_eq!(codes, expected_sorted, "diagnostics: {diagnostics:#?}");
    diagnostics
}

fn subnet(id: &str, cidr: &str) -> Value {
    json!({"id": id, "vpc": "vpc-a", "availability_zone": "us-east-1a", "cidr": cidr, "tier": "private"})
}

/// The page fetches its checks only once the design is not the fresh one
/// (`frontend/src/lazy.rs`): that fresh design must have nothing to report.
#[test]
fn the_fresh_design_a_new_draft_starts_from_has_nothing_to_check() {
    assert_eq!(
        crate::validate(&crate::Design::new("Untitled design", "us-east-1")),
        Vec::new()
    );
}

#[test]
fn a_clean_design_has_no_diagnostics() {
    check(
        json!({"subnets": [subnet("s1", "10.0.1.0/24"), subnet("s2", "10.0.2.0/24")]}),
        &[],
    );
}

#[test]
fn cidr_invalid_is_reported_not_a_load_failure() {
    let found = check(
        json!({"subnets": [subnet("s1", "10.0.1.0")]}),
        &["cidr.invalid"],
    );
    assert!(found[0].hint.contains("10.0.1.0/24"), "{}", found[0].hint);
    check(
        json!({"subnets": [subnet("s1", "10.0.1.0/2x")]}),
        &["cidr.invalid"],
    );
    check(
        json!({"vpcs": [{"id": "vpc-a", "cidr_blocks": ["ten/16"]}]}),
        &["cidr.invalid"],
    );
}

#[test]
fn cidr_not_canonical_offers_the_canonical_block() {
    let found = check(
        json!({"subnets": [subnet("s1", "10.0.1.5/24")]}),
        &["cidr.not-canonical"],
    );
    assert_eq!(found[0].severity, Severity::Warning);
    assert!(found[0].hint.contains("10.0.1.0/24"));
    check(
        json!({"vpcs": [{"id": "vpc-a", "cidr_blocks": ["10.0.0.1/16"]}]}),
        &["cidr.not-canonical"],
    );
    check(
        json!({"subnets": [subnet("s1", "10.0.1.255/24")]}),
        &["cidr.not-canonical"],
    );
}

#[test]
fn vpc_cidr_size_breaks_and_passes() {
    check(
        json!({"vpcs": [{"id": "vpc-a", "cidr_blocks": ["10.0.0.0/8"]}]}),
        &["vpc.cidr-size"],
    );
    check(
        json!({"vpcs": [{"id": "vpc-a", "cidr_blocks": ["10.0.0.0/29"]}]}),
        &["vpc.cidr-size"],
    );
    check(
        json!({"vpcs": [{"id": "vpc-a", "cidr_blocks": []}]}),
        &["vpc.cidr-size"],
    );
    check(
        json!({"vpcs": [{"id": "vpc-a", "cidr_blocks": ["10.0.0.0/28"]}]}),
        &[],
    );
}

#[test]
fn vpc_cidr_overlap_breaks_and_passes() {
    check(
        json!({"vpcs": [{"id": "vpc-a", "cidr_blocks": ["10.0.0.0/16", "10.0.5.0/24"]}]}),
        &["vpc.cidr-overlap"],
    );
    check(
        json!({"vpcs": [{"id": "vpc-a", "cidr_blocks": ["10.0.0.0/16", "10.0.0.0/16"]}]}),
        &["vpc.cidr-overlap"],
    );
    check(
        json!({"vpcs": [{"id": "vpc-a", "cidr_blocks": ["10.1.0.0/16", "10.1.128.0/17"]}]}),
        &["vpc.cidr-overlap"],
    );
    check(
        json!({"vpcs": [{"id": "vpc-a", "cidr_blocks": ["10.0.0.0/16", "10.1.0.0/16"]}]}),
        &[],
    );
}

#[test]
fn subnet_cidr_size_breaks_and_passes() {
    check(
        json!({"vpcs": [{"id": "vpc-a", "cidr_blocks": ["10.0.0.0/16"]}], "subnets": [subnet("s1", "10.0.0.0/29")]}),
        &["subnet.cidr-size"],
    );
    check(
        json!({"subnets": [subnet("s1", "10.0.1.0/30")]}),
        &["subnet.cidr-size"],
    );
    check(
        json!({"subnets": [subnet("s1", "10.0.1.1/32")]}),
        &["subnet.cidr-size"],
    );
    check(json!({"subnets": [subnet("s1", "10.0.0.0/16")]}), &[]);
}

#[test]
fn subnet_outside_vpc_breaks_and_passes_with_a_free_block_hint() {
    let found = check(
        json!({"subnets": [subnet("s1", "10.0.0.0/24"), subnet("s2", "10.1.0.0/24")]}),
        &["subnet.outside-vpc"],
    );
    assert!(found[0].hint.contains("10.0.1.0/24"), "{}", found[0].hint);
    check(
        json!({"subnets": [subnet("s1", "192.168.0.0/24")]}),
        &["subnet.outside-vpc"],
    );
    check(
        json!({"vpcs": [{"id": "vpc-a", "cidr_blocks": ["10.0.0.0/24"]}], "subnets": [subnet("s1", "10.0.0.0/23")]}),
        &["subnet.outside-vpc"],
    );
    check(
        json!({"vpcs": [{"id": "vpc-a", "cidr_blocks": ["10.0.0.0/16", "10.1.0.0/16"]}], "subnets": [subnet("s1", "10.1.0.0/24")]}),
        &[],
    );
}

#[test]
fn subnet_overlap_breaks_and_passes() {
    let found = check(
        json!({"subnets": [subnet("s1", "10.0.1.0/24"), subnet("s2", "10.0.1.0/24")]}),
        &["subnet.overlap"],
    );
    assert_eq!(found[0].objects, vec!["s1", "s2"]);
    assert!(found[0].hint.contains("10.0.0.0/24"), "{}", found[0].hint);
    check(
        json!({"subnets": [subnet("s1", "10.0.0.0/20"), subnet("s2", "10.0.4.0/24")]}),
        &["subnet.overlap"],
    );
    check(
        json!({"subnets": [subnet("s1", "10.0.1.0/24"), subnet("s2", "10.0.1.0/25"), subnet("s3", "10.0.1.128/25")]}),
        &["subnet.overlap", "subnet.overlap"],
    );
    check(
        json!({"subnets": [subnet("s1", "10.0.1.0/25"), subnet("s2", "10.0.1.128/25")]}),
        &[],
    );
}

#[test]
fn subnets_of_different_vpcs_may_reuse_a_block() {
    check(
        json!({
            "vpcs": [{"id": "vpc-a", "cidr_blocks": ["10.0.0.0/16"]}, {"id": "vpc-b", "cidr_blocks": ["10.0.0.0/16"]}],
            "subnets": [subnet("s1", "10.0.1.0/24"), {"id": "s2", "vpc": "vpc-b", "availability_zone": "us-east-1b", "cidr": "10.0.1.0/24", "tier": "private"}],
        }),
        &[],
    );
}

#[test]
fn subnet_az_unknown_breaks_and_passes() {
    let region_as_az = json!({"id": "s1", "vpc": "vpc-a", "availability_zone": "us-east-1", "cidr": "10.0.1.0/24", "tier": "private"});
    let found = check(json!({"subnets": [region_as_az]}), &["subnet.az-unknown"]);
    assert!(found[0].message.contains("is the region"));
    let other_region = json!({"id": "s1", "vpc": "vpc-a", "availability_zone": "eu-west-1a", "cidr": "10.0.1.0/24", "tier": "private"});
    check(json!({"subnets": [other_region]}), &["subnet.az-unknown"]);
    let garbage = json!({"id": "s1", "vpc": "vpc-a", "availability_zone": "us-east-1aa", "cidr": "10.0.1.0/24", "tier": "private"});
    check(json!({"subnets": [garbage]}), &["subnet.az-unknown"]);
    let local_zone = json!({"id": "s1", "vpc": "vpc-a", "availability_zone": "us-east-1-bos-1a", "cidr": "10.0.1.0/24", "tier": "private"});
    check(json!({"subnets": [local_zone]}), &[]);
}

#[test]
fn subnet_capacity_errors_when_full_and_warns_above_80_percent() {
    let workload = |count: u32| json!({"id": "w1", "kind": "ec2", "instance_type": "m5.large", "count": count, "subnet": "s1"});
    check(
        json!({"subnets": [subnet("s1", "10.0.1.0/28")], "workloads": [workload(12)]}),
        &["subnet.capacity"],
    );
    let found = check(
        json!({"subnets": [subnet("s1", "10.0.1.0/28")], "workloads": [workload(10)]}),
        &["subnet.capacity"],
    );
    assert_eq!(found[0].severity, Severity::Warning);
    check(
        json!({"subnets": [subnet("s1", "10.0.1.0/28")], "workloads": [workload(9)], "nat_gateways": [{"id": "n1", "subnet": "s1"}, {"id": "n2", "subnet": "s1"}, {"id": "n3", "subnet": "s1"}]}),
        // NAT gateways in a subnet without an internet route are also reported.
        &[
            "route.nat-not-public",
            "route.nat-not-public",
            "route.nat-not-public",
            "subnet.capacity",
        ],
    );
    check(
        json!({"subnets": [subnet("s1", "10.0.1.0/28")], "workloads": [workload(8)]}),
        &[],
    );
}

#[test]
fn dangling_and_duplicate_ids_are_reported() {
    let dangling = json!({"id": "s1", "vpc": "vpc-missing", "availability_zone": "us-east-1a", "cidr": "10.0.1.0/24", "tier": "private"});
    check(json!({"subnets": [dangling]}), &["reference.unknown"]);
    check(
        json!({"subnets": [subnet("vpc-a", "10.0.1.0/24")]}),
        &["id.duplicate"],
    );
}

#[test]
fn validation_reports_everything_at_once() {
    check(
        json!({"subnets": [subnet("s1", "10.0.1.0/24"), subnet("s2", "10.0.1.0/24"), subnet("s3", "11.0.0.0/8"), subnet("s4", "nope")]}),
        &[
            "cidr.invalid",
            "subnet.cidr-size",
            "subnet.outside-vpc",
            "subnet.overlap",
        ],
    );
}

/// The audit codes whose severity says how much is at stake.
#[test]
fn public_ips_nobody_needs_warn_and_public_ips_a_workload_uses_inform() {
    use super::rule_cases::{network, with};
    let severities = |patches: &[(&str, Value)]| -> Vec<(String, Severity, Vec<String>)> {
        let document = with(network(), patches);
        validate(&spec::load_design_value(document).unwrap())
            .into_iter()
            .filter(|d| d.code.starts_with("subnet.public-ip") || d.code == "sg.unattached")
            .map(|d| (d.code, d.severity, d.objects))
            .collect()
    };
    let nobody = severities(&[("/subnets/0/map_public_ip_on_launch", json!(true))]);
    assert_eq!(
        nobody,
        [(
            "subnet.public-ip-on-launch".to_string(),
            Severity::Warning,
            vec!["pub-a".to_string()]
        )]
    );
    let used = severities(&[
        ("/subnets/0/map_public_ip_on_launch", json!(true)),
        ("/workloads/0/subnet", json!("pub-a")),
    ]);
    assert_eq!(
        used,
        [(
            "subnet.public-ip-on-launch".to_string(),
            Severity::Info,
            vec!["pub-a".to_string(), "wl-app".to_string()]
        )]
    );
    let unattached = severities(&[("/workloads/0/security_groups", json!([]))]);
    assert_eq!(
        unattached,
        [(
            "sg.unattached".to_string(),
            Severity::Warning,
            vec!["sg-app".to_string()]
        )]
    );
    let elsewhere = severities(&[("/workloads/0/kind", json!("sagemaker_endpoint"))]);
    assert_eq!(
        elsewhere,
        [(
            "sg.unattached".to_string(),
            Severity::Info,
            vec!["sg-app".to_string(), "wl-app".to_string()]
        )]
    );
    assert!(severities(&[]).is_empty());
}

#[test]
fn flow_logs_in_the_right_shape_raise_nothing_and_each_mistake_names_the_vpc() {
    use super::rule_cases::{network, with};
    let codes = |flow_logs: Value| -> Vec<(String, Vec<String>)> {
        let document = with(network(), &[("/vpcs/0/flow_logs", flow_logs)]);
        let mut found: Vec<(String, Vec<String>)> =
            validate(&spec::load_design_value(document).unwrap())
                .into_iter()
                .map(|d| (d.code, d.objects))
                .collect();
        found.sort();
        found
    };
    assert!(codes(json!({"destination": "arn:aws:s3:::audit/vpc", "traffic_type": "reject", "max_aggregation_interval": 60})).is_empty());
    let vpc = vec!["vpc-a".to_string()];
    assert_eq!(
        codes(
            json!({"destination": "arn:aws:logs:us-east-1:123456789012:log-group:flow", "max_aggregation_interval": 120})
        ),
        [
            ("flowlog.aggregation-interval".to_string(), vpc.clone()),
            ("flowlog.delivery-role".to_string(), vpc.clone()),
        ]
    );
    assert_eq!(
        codes(json!({"destination": "bucket"})),
        [("flowlog.destination-invalid".to_string(), vpc.clone())]
    );
    assert_eq!(codes(Value::Null), [("vpc.flow-logs-off".to_string(), vpc)]);
}

mod table {
    use super::super::codes;
    use super::super::rule_cases::{codes_of, network, rule_cases};
    use super::*;

    #[test]
    fn the_rule_table_base_network_is_clean() {
        assert_eq!(codes_of(&network()), Vec::<String>::new());
    }

    #[test]
    fn every_reference_code_has_at_least_three_breaking_designs_and_one_passing() {
        let cases = rule_cases();
        let audit = [
            codes::VPC_FLOW_LOGS_OFF,
            codes::FLOWLOG_DESTINATION_INVALID,
            codes::FLOWLOG_DELIVERY_ROLE,
            codes::FLOWLOG_AGGREGATION_INTERVAL,
            codes::SUBNET_PUBLIC_IP_ON_LAUNCH,
            codes::SG_UNATTACHED,
        ];
        for code in codes::REFERENCE.iter().chain(audit.iter()) {
            let found = cases.iter().find(|case| case.code == *code);
            assert!(
                found.is_some(),
                "the reference code {code} has no test case"
            );
        }
        for case in &cases {
            assert!(
                case.breaks.len() >= 3,
                "{} has only {} breaking designs",
                case.code,
                case.breaks.len()
            );
            for (number, document) in case.breaks.iter().enumerate() {
                let found = codes_of(document);
                assert!(
                    found.iter().any(|code| code == case.code),
                    "{} breaking design #{number} gave {found:?}",
                    case.code
                );
            }
            let found = codes_of(&case.passes);
            assert!(
                !found.iter().any(|code| code == case.code),
                "{} passing design gave {found:?}",
                case.code
            );
        }
    }

    #[test]
    fn every_diagnostic_names_existing_objects_and_says_what_and_how() {
        for case in rule_cases() {
            for document in case.breaks.iter().chain(std::iter::once(&case.passes)) {
                let design = spec::load_design_value(document.clone()).unwrap();
                let ids: std::collections::HashSet<&str> =
                    design.object_ids().into_iter().map(|(id, _)| id).collect();
                for diagnostic in validate(&design) {
                    assert!(
                        !diagnostic.objects.is_empty(),
                        "{} names no object",
                        diagnostic.code
                    );
                    for object in &diagnostic.objects {
                        assert!(
                            ids.contains(object.as_str()),
                            "{} names {object}, not in the design",
                            diagnostic.code
                        );
                    }
                    assert!(
                        !diagnostic.message.is_empty() && !diagnostic.hint.is_empty(),
                        "{diagnostic:?}"
                    );
                    let known = codes::REFERENCE.contains(&diagnostic.code.as_str())
                        || codes::MOAT_OWN.contains(&diagnostic.code.as_str());
                    assert!(known, "{} is not a documented code", diagnostic.code);
                }
            }
        }
    }
}

/// No input makes loading or validation panic: arbitrary JSON, and templates whose leaves are
/// replaced by hostile values (so that most of them still load and reach every rule).
mod no_panic {
    use proptest::prelude::*;
    use serde_json::Value;

    use super::super::rule_cases::rule_cases;
    use crate::{spec, templates, validate};

    fn arbitrary_json() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            any::<f64>().prop_map(Value::from),
            "[ -~]{0,12}".prop_map(Value::String),
        ];
        leaf.prop_recursive(4, 48, 6, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                proptest::collection::btree_map("[a-z_]{1,16}", inner, 0..6)
                    .prop_map(|map| Value::Object(map.into_iter().collect())),
            ]
        })
    }

    fn hostile_value() -> impl Strategy<Value = Value> {
        prop_oneof![
            "(10|0|255|256|169)\\.[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}/[0-9]{1,2}"
                .prop_map(Value::String),
            "[a-z0-9./-]{0,10}".prop_map(Value::String),
            Just(Value::String(String::new())),
            (-2i64..70000).prop_map(Value::from),
            any::<bool>().prop_map(Value::Bool),
            Just(Value::Array(Vec::new())),
            Just(Value::Null),
        ]
    }

    /// JSON pointers to every leaf and every array of a document.
    fn pointers(value: &Value, at: String, out: &mut Vec<String>) {
        match value {
            Value::Object(map) => map
                .iter()
                .for_each(|(key, child)| pointers(child, format!("{at}/{key}"), out)),
            Value::Array(items) => {
                out.push(at.clone());
                items
                    .iter()
                    .enumerate()
                    .for_each(|(index, child)| pointers(child, format!("{at}/{index}"), out));
            }
            _ => out.push(at),
        }
    }

    fn bases() -> &'static [Value] {
        static BASES: std::sync::OnceLock<Vec<Value>> = std::sync::OnceLock::new();
        BASES.get_or_init(build_bases)
    }

    fn build_bases() -> Vec<Value> {
        let mut documents: Vec<Value> = templates::TEMPLATES
            .iter()
            .map(|t| serde_json::from_str(t.document).unwrap())
            .collect();
        documents.extend(rule_cases().into_iter().take(20).map(|case| case.passes));
        documents
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

        #[test]
        fn arbitrary_json_never_panics(document in arbitrary_json()) {
            if let Ok(design) = spec::load_design_value(document.clone()) {
                let _ = validate(&design);
            }
            let _ = spec::load_design(&document.to_string());
        }

        #[test]
        fn mutated_designs_never_panic(base in 0usize..24, edits in proptest::collection::vec((any::<usize>(), hostile_value()), 1..6)) {
            let bases = bases();
            let mut document = bases[base % bases.len()].clone();
            for (choice, replacement) in edits {
                let mut places = Vec::new();
                pointers(&document, String::new(), &mut places);
                if places.is_empty() {
                    break;
                }
                let place = &places[choice % places.len()];
                if let Some(slot) = document.pointer_mut(place) {
                    *slot = replacement;
                }
            }
            if let Ok(design) = spec::load_design_value(document) {
                let diagnostics = validate(&design);
                for diagnostic in diagnostics {
                    prop_assert!(!diagnostic.message.is_empty());
                }
            }
        }
    }

    #[test]
    fn arbitrary_text_never_panics_the_loader() {
        for text in [
            "",
            "{",
            "[]",
            "null",
            "{\"schema_version\": 1e400}",
            "{\"schema_version\": -1}",
            "\u{feff}{}",
            "{\"schema_version\":1,\"name\":\"x\",\"region\":\"r\",\"vpcs\":[{}]}",
        ] {
            assert!(
                spec::load_design(text).is_err(),
                "{text:?} should be refused"
            );
        }
    }
}

/// The reference check is generic over the kinds' own declarations: in every template, every
/// reference of every object, pointed at an id that names nothing, is reported once, on that
/// object, with the field in the message — and no kind holds a reference field that is not
/// declared (a template reference that is not listed would stay unchecked).
#[test]
fn every_declared_reference_of_every_kind_is_checked() {
    let mut broken = 0;
    let mut kinds_seen = std::collections::BTreeSet::new();
    let mut designs: Vec<(&str, Design)> = crate::templates::TEMPLATES
        .iter()
        .map(|template| (template.name, template.design().unwrap()))
        .collect();
    designs.push((
        "with a network ACL",
        design(json!({
            "subnets": [{"id": "s-1", "vpc": "vpc-a", "availability_zone": "us-east-1a",
                         "cidr": "10.0.1.0/24", "tier": "private"}],
            "network_acls": [{"id": "acl-1", "vpc": "vpc-a", "subnets": ["s-1"]}],
        })),
    ));
    for (name, design) in designs {
        let document = serde_json::to_value(&design).unwrap();
        for kind in crate::model::ObjectKind::ALL {
            let collection = kind.collection();
            let count = design
                .objects()
                .filter(|object| object.kind() == *kind)
                .count();
            for index in 0..count {
                let object = design
                    .objects()
                    .filter(|object| object.kind() == *kind)
                    .nth(index)
                    .unwrap();
                for reference in object.references() {
                    let pointer = format!(
                        "/{collection}/{index}/{}",
                        reference
                            .field
                            .replace("[", "/")
                            .replace("]", "")
                            .replace('.', "/")
                    );
                    let mut changed = document.clone();
                    *changed
                        .pointer_mut(&pointer)
                        .unwrap_or_else(|| panic!("{}: {pointer} is not a field", name)) =
                        Value::from("missing-object");
                    let changed = spec::load_design_value(changed).unwrap();
                    let found: Vec<Diagnostic> = validate(&changed)
                        .into_iter()
                        .filter(|d| {
                            (d.code == codes::REFERENCE_UNKNOWN
                                || d.code == codes::SG_UNKNOWN_REFERENCE)
                                && d.message.contains("missing-object")
                        })
                        .collect();
                    assert_eq!(found.len(), 1, "{}: {pointer} broken gives {found:?}", name);
                    assert_eq!(found[0].objects, vec![object.id().to_string()]);
                    assert!(found[0].message.contains(reference.field.as_ref()));
                    kinds_seen.insert(*kind);
                    broken += 1;
                }
            }
        }
    }
    assert!(broken > 50, "only {broken} references broken");
    // Every kind that can hold a reference is exercised by some template.
    for kind in [
        crate::model::ObjectKind::Subnet,
        crate::model::ObjectKind::InternetGateway,
        crate::model::ObjectKind::NatGateway,
        crate::model::ObjectKind::VpnGateway,
        crate::model::ObjectKind::VpnConnection,
        crate::model::ObjectKind::RouteTable,
        crate::model::ObjectKind::Endpoint,
        crate::model::ObjectKind::SecurityGroup,
        crate::model::ObjectKind::NetworkAcl,
        crate::model::ObjectKind::Workload,
    ] {
        assert!(
            kinds_seen.contains(&kind),
            "no template reference of {kind:?}"
        );
    }
}

/// The catalogue of codes lists exactly the codes validation can report, each once; every
/// rule case is reported with a severity the catalogue states; and the published Markdown is
/// generated from it (`MOAT_UPDATE_SNAPSHOTS=1` rewrites `shared/reference/diagnostics.md`).
#[test]
fn the_catalogue_of_codes_is_complete_true_and_published() {
    use std::collections::BTreeSet;
    let listed: Vec<&str> = super::CATALOGUE
        .iter()
        .flat_map(|section| section.iter())
        .map(|e| e.code)
        .collect();
    let unique: BTreeSet<&str> = listed.iter().copied().collect();
    assert_eq!(unique.len(), listed.len(), "a code is listed twice");
    let known: BTreeSet<&str> = codes::REFERENCE
        .iter()
        .chain(codes::MOAT_OWN)
        .copied()
        .collect();
    assert_eq!(unique, known);
    let mut checked = 0;
    for case in rule_cases::rule_cases() {
        let entry = super::CATALOGUE
            .iter()
            .flat_map(|section| section.iter())
            .find(|e| e.code == case.code)
            .unwrap();
        for document in &case.breaks {
            let design = spec::load_design_value(document.clone()).unwrap();
            for diagnostic in validate(&design).iter().filter(|d| d.code == case.code) {
                assert!(
                    entry.severities.contains(&diagnostic.severity),
                    "{} reported as {:?}; the catalogue says {:?}",
                    case.code,
                    diagnostic.severity,
                    entry.severities
                );
                checked += 1;
            }
        }
    }
    assert!(checked > 150, "only {checked} diagnostics checked");
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("reference/diagnostics.md");
    if std::env::var_os("MOAT_UPDATE_SNAPSHOTS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, catalogue::markdown()).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == catalogue::markdown(),
        "shared/reference/diagnostics.md is stale: rewrite it with MOAT_UPDATE_SNAPSHOTS=1"
    );
}
