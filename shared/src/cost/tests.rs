//! Each template's estimate against hand arithmetic, and every suggestion applied through the
//! editor changing the estimate by what it promised.

use serde_json::json;

use super::*;
use crate::editor::Editor;
use crate::spec::load_design_value;

fn template(name: &str) -> Design {
    crate::templates::template(name).unwrap().design().unwrap()
}

fn close(actual: f64, expected: f64) -> bool {
    (actual - expected).abs() < 0.005
}

#[test]
fn the_templates_cost_what_hand_arithmetic_says() {
    // Hourly items: 730 h. NAT $0.045/h = 32.85; public IPv4 $0.005/h = 3.65;
    // interface endpoint $0.01/h per AZ = 7.30; VPN $0.05/h = 36.50.
    let cases = [
        // MVP: one public notebook address 3.65; S3 through the gateway endpoint free;
        // 50 GB to the internet through the IGW 50 × 0.09 = 4.50.
        ("mvp", 3.65, 4.50),
        // Tabular: VPN 36.50; S3 and DynamoDB through endpoints free; 300 GB to the data
        // center over the VPN 300 × 0.09 = 27.00.
        ("tabular-vpn", 36.50, 27.00),
        // Multi-modal: NAT 32.85 + its EIP 3.65 + three interface endpoints in one AZ
        // 3 × 7.30 = 21.90 → 58.40; Rekognition 50 GB × 0.01 = 0.50; internet 20 GB through
        // NAT 20 × 0.045 + 20 × 0.09 = 0.90 + 1.80 = 2.70; S3 through the endpoint free.
        ("multimodal-endpoints", 58.40, 3.20),
        // LLM training: 10 TB to S3 through the gateway endpoint, nothing else: free.
        ("llm-training-efa", 0.0, 0.0),
    ];
    for (name, fixed, flows) in cases {
        let estimate = estimate(&template(name));
        assert!(estimate.regional_prices, "{name}");
        assert!(
            close(estimate.fixed_monthly, fixed),
            "{name}: fixed {}",
            estimate.fixed_monthly
        );
        assert!(
            close(estimate.flows_monthly, flows),
            "{name}: flows {}",
            estimate.flows_monthly
        );
        assert!(close(estimate.total_monthly, fixed + flows), "{name}");
        assert!(
            estimate.flows.iter().all(|f| f.reachable),
            "{name}: {:?}",
            estimate.flows
        );
    }
    let multimodal = estimate(&template("multimodal-endpoints"));
    let s3 = &multimodal.flows[0];
    assert_eq!(s3.path, "gateway endpoint vpce-s3 (free)");
    assert_eq!(s3.monthly, 0.0);
}

/// Multi-modal with its S3 endpoint removed and 10 TB a month to S3.
fn s3_through_nat() -> Design {
    let mut document = serde_json::to_value(template("multimodal-endpoints")).unwrap();
    document["endpoints"]
        .as_array_mut()
        .unwrap()
        .retain(|e| e["id"] != "vpce-s3");
    document["flows"][0]["gb_per_month"] = json!(10_000.0);
    load_design_value(document).unwrap()
}

#[test]
fn s3_through_a_nat_gateway_suggests_a_gateway_endpoint_that_saves_the_processing_fee() {
    let design = s3_through_nat();
    let before = estimate(&design);
    let s3 = &before.flows[0];
    assert_eq!(s3.path, "NAT gateway nat-a");
    assert!(
        close(s3.monthly, 450.0),
        "10,000 GB × $0.045 = $450: {}",
        s3.monthly
    );
    let suggestion = before
        .suggestions
        .iter()
        .find(|s| s.code == suggestion_codes::GATEWAY_ENDPOINT)
        .expect("a gateway endpoint suggestion");
    assert_eq!(
        suggestion.message,
        "add an S3 gateway endpoint to rt-private: −$450.00/month"
    );
    let mut editor = Editor::new(design);
    editor.apply(suggestion.command.clone()).unwrap();
    let after = estimate(editor.design());
    assert!(close(after.total_monthly, before.total_monthly - 450.0));
    assert!(after.flows[0].path.starts_with("gateway endpoint"));
    assert!(
        after
            .suggestions
            .iter()
            .all(|s| s.code != suggestion_codes::GATEWAY_ENDPOINT)
    );
    assert!(
        editor
            .design()
            .layout
            .keys()
            .any(|id| id.starts_with("vpce"))
            || editor.design().layout.is_empty(),
        "the new endpoint is drawn when the design is"
    );
    // One undo takes the endpoint away again.
    editor.undo();
    assert!(close(
        estimate(editor.design()).total_monthly,
        before.total_monthly
    ));
}

#[test]
fn an_existing_endpoint_is_associated_rather_than_duplicated() {
    let mut document = serde_json::to_value(s3_through_nat()).unwrap();
    document["endpoints"].as_array_mut().unwrap().push(json!({
        "id": "vpce-s3-other", "vpc": "vpc-multimodal", "type": "gateway", "service": "s3",
        "route_tables": ["rt-public"]
    }));
    let design = load_design_value(document).unwrap();
    let suggestion = estimate(&design)
        .suggestions
        .into_iter()
        .find(|s| s.code == suggestion_codes::GATEWAY_ENDPOINT)
        .unwrap();
    assert_eq!(
        suggestion.message,
        "associate vpce-s3-other with rt-private: −$450.00/month"
    );
    let mut editor = Editor::new(design);
    editor.apply(suggestion.command).unwrap();
    let endpoint = editor
        .design()
        .endpoints
        .iter()
        .find(|e| e.id == "vpce-s3-other")
        .unwrap();
    assert_eq!(endpoint.route_tables, vec!["rt-public", "rt-private"]);
    assert_eq!(
        editor
            .design()
            .endpoints
            .iter()
            .filter(|e| e.service == "s3")
            .count(),
        1
    );
}

/// Multi-modal plus zone b: a public and a private subnet there, the private one routed to
/// zone a's NAT gateway, with 1,000 GB a month to the internet from a workload in it.
fn cross_zone_nat() -> Design {
    let mut document = serde_json::to_value(template("multimodal-endpoints")).unwrap();
    let subnets = document["subnets"].as_array_mut().unwrap();
    subnets.push(json!({"id": "subnet-public-b", "vpc": "vpc-multimodal", "availability_zone": "us-east-1b", "cidr": "10.0.3.0/24", "tier": "public", "map_public_ip_on_launch": true}));
    subnets.push(json!({"id": "subnet-private-b", "vpc": "vpc-multimodal", "availability_zone": "us-east-1b", "cidr": "10.0.4.0/24", "tier": "private"}));
    let tables = document["route_tables"].as_array_mut().unwrap();
    for table in tables.iter_mut() {
        if table["id"] == "rt-public" {
            table["subnets"]
                .as_array_mut()
                .unwrap()
                .push(json!("subnet-public-b"));
        }
    }
    tables.push(json!({"id": "rt-private-b", "vpc": "vpc-multimodal", "subnets": ["subnet-private-b"], "routes": [{"destination": "0.0.0.0/0", "target": "nat-a"}]}));
    document["workloads"].as_array_mut().unwrap().push(json!({"id": "wl-b", "kind": "ec2", "instance_type": "m5.large", "subnet": "subnet-private-b", "security_groups": ["sg-training"]}));
    document["flows"]
        .as_array_mut()
        .unwrap()
        .push(json!({"from": "wl-b", "to": "internet", "gb_per_month": 1000.0}));
    load_design_value(document).unwrap()
}

#[test]
fn another_zones_nat_gateway_pays_twice_and_a_nat_per_zone_is_priced_both_ways() {
    let design = cross_zone_nat();
    let before = estimate(&design);
    let flow = before.flows.last().unwrap();
    assert_eq!(flow.path, "NAT gateway nat-a in another zone");
    // 1,000 GB: NAT 45.00 + zones 2 × 0.01 × 1,000 = 20.00 + internet 90.00.
    assert!(close(flow.monthly, 155.0), "{}", flow.monthly);
    let suggestion = before
        .suggestions
        .iter()
        .find(|s| s.code == suggestion_codes::NAT_PER_AZ)
        .expect("a NAT per zone suggestion");
    // A new NAT gateway and its address: +36.50 fixed; −20.00 across zones; net +16.50.
    assert!(
        close(suggestion.monthly_change, 16.5),
        "{}",
        suggestion.monthly_change
    );
    assert!(
        suggestion.message.contains("+$36.50/month fixed"),
        "{}",
        suggestion.message
    );
    assert!(
        suggestion.message.contains("−$20.00 across zones"),
        "{}",
        suggestion.message
    );
    let mut editor = Editor::new(design);
    editor.apply(suggestion.command.clone()).unwrap();
    let after = estimate(editor.design());
    assert!(close(after.total_monthly, before.total_monthly + 16.5));
    assert_eq!(after.flows.last().unwrap().path, "NAT gateway nat-1");
    assert!(
        crate::validate(editor.design())
            .iter()
            .all(|d| !d.is_error())
    );
}

#[test]
fn a_nat_gateway_nothing_routes_to_is_worth_removing() {
    let mut document = serde_json::to_value(template("multimodal-endpoints")).unwrap();
    for table in document["route_tables"].as_array_mut().unwrap() {
        if table["id"] == "rt-private" {
            table["routes"] = json!([]);
        }
    }
    let design = load_design_value(document).unwrap();
    let before = estimate(&design);
    let suggestion = before
        .suggestions
        .iter()
        .find(|s| s.code == suggestion_codes::UNUSED_NAT)
        .unwrap();
    assert_eq!(
        suggestion.message,
        "remove nat-a: no route uses it: −$36.50/month"
    );
    let mut editor = Editor::new(design);
    editor.apply(suggestion.command.clone()).unwrap();
    assert!(close(
        estimate(editor.design()).total_monthly,
        before.total_monthly - 36.5
    ));
    // The unreachable internet flow is reported, not priced.
    let internet = before.flows.iter().find(|f| f.to == "internet").unwrap();
    assert!(
        !internet.reachable && internet.path.contains("no-route"),
        "{}",
        internet.path
    );
}

#[test]
fn money_is_formatted_with_sign_and_thousands() {
    assert_eq!(format_money(1234.5, false), "$1,234.50");
    assert_eq!(format_money(-450.0, true), "−$450.00");
    assert_eq!(format_money(32.85, true), "+$32.85");
    assert_eq!(format_money(0.0, true), "$0.00");
    assert_eq!(format_money(1_000_000.0, false), "$1,000,000.00");
    let (table, own) = prices_for("eu-west-1");
    assert!(!own && table.region == "us-east-1");
}

#[test]
fn compute_is_priced_apart_from_the_network_and_what_is_unknown_is_said() {
    // LLM training: 4 × p4d.24xlarge always on: 4 × 730 h × $21.96 = $64,123.20, while the
    // network stays free.
    let llm = estimate(&template("llm-training-efa"));
    assert!(close(llm.total_monthly, 0.0), "the network alone");
    assert!(close(llm.compute.monthly, 64_123.20), "{:?}", llm.compute);
    assert_eq!(llm.compute.lines[0].object_ids, vec!["wl-trainers"]);
    assert!(llm.compute.unpriced.is_empty());
    // SageMaker types: the endpoint's 2 × ml.g5.2xlarge: 2 × 730 × 1.515 = 2,211.90.
    let multimodal = estimate(&template("multimodal-endpoints"));
    assert!(
        close(multimodal.compute.monthly, 2_211.90),
        "{:?}",
        multimodal.compute
    );
    // A dedicated VPC: the region fee once ($2/h × 730 = $1,460) and a note on the rates.
    let mut dedicated = template("llm-training-efa");
    dedicated.vpcs[0].tenancy = crate::model::VpcTenancy::Dedicated;
    let dedicated = estimate(&dedicated).compute;
    assert!(
        close(dedicated.monthly, 64_123.20 + 1_460.0),
        "{dedicated:?}"
    );
    assert!(dedicated.notes[0].contains("wl-trainers"), "{dedicated:?}");
    // Count × hours: the trainers used a week a month.
    let mut design = template("llm-training-efa");
    design.workloads[0].hours_per_month = Some(168);
    assert!(close(
        estimate(&design).compute.monthly,
        4.0 * 168.0 * 21.96
    ));
    // What Moat cannot price is listed with its reason, never a silent $0.
    design.workloads[0].instance_type = "p9.huge".into();
    let unknown = estimate(&design).compute;
    assert!(close(unknown.monthly, 0.0));
    assert_eq!(unknown.unpriced.len(), 1);
    assert!(
        unknown.unpriced[0]
            .reason
            .contains("p9.huge is not in Moat's EC2 price table"),
        "{:?}",
        unknown.unpriced
    );
    design.workloads[0].instance_type = "ml.g5.2xlarge".into();
    let crossed = estimate(&design).compute;
    assert!(
        crossed.unpriced[0].reason.contains("SageMaker's"),
        "{crossed:?}"
    );
    design.workloads[0].kind = crate::model::WorkloadKind::Rds;
    design.workloads[0].instance_type = "db.r6g.large".into();
    assert!(estimate(&design).compute.unpriced[0].reason.contains("RDS"));
}

#[test]
fn every_template_workload_and_every_efa_type_has_a_price_or_a_stated_gap() {
    for template_entry in crate::templates::TEMPLATES {
        let design = template(template_entry.name);
        let compute = estimate(&design).compute;
        assert!(
            compute.unpriced.is_empty(),
            "{}: {:?}",
            template_entry.name,
            compute.unpriced
        );
    }
    // Each table holds its own product's spellings, with a price.
    for (name, price) in compute::COMPUTE_PRICES.ec2 {
        assert!(*price > 0.0, "{name}");
        assert!(!name.starts_with("ml."), "{name}");
    }
    for (name, price) in compute::COMPUTE_PRICES.sagemaker {
        assert!(*price > 0.0 && name.starts_with("ml."), "{name}");
    }
}
