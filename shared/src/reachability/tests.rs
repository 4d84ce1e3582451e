//! Path cases for every explanation code and every hop kind, the four templates, and
//! longest-prefix match against a brute-force oracle.

use std::collections::HashSet;
use std::net::Ipv4Addr;

use proptest::prelude::*;
use serde_json::{Value, json};

use super::*;
use crate::spec::load_design_value;

/// One VPC with everything a path can cross: public and private subnets in two zones, an
/// internet gateway, a NAT gateway, a VPN to 192.168.0.0/16, an S3 gateway endpoint, an STS
/// interface endpoint guarded by its own group, and three workloads.
fn base() -> Value {
    json!({
        "schema_version": 1, "name": "paths", "region": "us-east-1",
        "vpcs": [{"id": "vpc-1", "name": "main", "cidr_blocks": ["10.0.0.0/16"]}],
        "subnets": [
            {"id": "public-a", "vpc": "vpc-1", "availability_zone": "us-east-1a", "cidr": "10.0.1.0/24", "tier": "public", "map_public_ip_on_launch": true},
            {"id": "private-a", "vpc": "vpc-1", "availability_zone": "us-east-1a", "cidr": "10.0.2.0/24", "tier": "private"},
            {"id": "private-b", "vpc": "vpc-1", "availability_zone": "us-east-1b", "cidr": "10.0.3.0/24", "tier": "private"}
        ],
        "internet_gateways": [{"id": "igw-1", "vpc": "vpc-1"}],
        "nat_gateways": [{"id": "nat-a", "subnet": "public-a"}],
        "vpn_gateways": [{"id": "vgw-1", "vpc": "vpc-1"}],
        "customer_gateways": [{"id": "cgw-1", "ip_address": "203.0.113.10", "bgp_asn": 65000, "on_premises_cidrs": ["192.168.0.0/16"]}],
        "vpn_connections": [{"id": "vpn-1", "vpn_gateway": "vgw-1", "customer_gateway": "cgw-1"}],
        "route_tables": [
            {"id": "rt-main", "vpc": "vpc-1", "main": true},
            {"id": "rt-public", "vpc": "vpc-1", "subnets": ["public-a"], "routes": [{"destination": "0.0.0.0/0", "target": "igw-1"}]},
            {"id": "rt-private", "vpc": "vpc-1", "subnets": ["private-a", "private-b"], "routes": [
                {"destination": "0.0.0.0/0", "target": "nat-a"},
                {"destination": "192.168.0.0/16", "target": "vgw-1"}
            ]}
        ],
        "endpoints": [
            {"id": "vpce-s3", "vpc": "vpc-1", "type": "gateway", "service": "s3", "route_tables": ["rt-private"]},
            {"id": "vpce-sts", "vpc": "vpc-1", "type": "interface", "service": "sts", "subnets": ["private-a", "private-b"], "security_groups": ["sg-endpoints"], "private_dns": true}
        ],
        "security_groups": [
            {"id": "sg-app", "vpc": "vpc-1", "name": "app",
             "ingress": [
                {"protocol": "tcp", "from_port": 8080, "to_port": 8080, "security_group": "sg-app"},
                {"protocol": "tcp", "from_port": 22, "to_port": 22, "cidr": "192.168.0.0/16"}
             ],
             "egress": [{"protocol": "all", "from_port": -1, "to_port": -1, "cidr": "0.0.0.0/0"}]},
            {"id": "sg-web", "vpc": "vpc-1", "name": "web",
             "ingress": [{"protocol": "tcp", "from_port": 443, "to_port": 443, "cidr": "0.0.0.0/0"}],
             "egress": [{"protocol": "all", "from_port": -1, "to_port": -1, "cidr": "0.0.0.0/0"}]},
            {"id": "sg-endpoints", "vpc": "vpc-1", "name": "endpoints",
             "ingress": [{"protocol": "tcp", "from_port": 443, "to_port": 443, "security_group": "sg-app"}],
             "egress": []}
        ],
        "workloads": [
            {"id": "wl-app", "kind": "ec2", "instance_type": "m5.large", "subnet": "private-a", "security_groups": ["sg-app"]},
            {"id": "wl-app-b", "kind": "ec2", "instance_type": "m5.large", "subnet": "private-b", "security_groups": ["sg-app"]},
            {"id": "wl-web", "kind": "ec2", "instance_type": "m5.large", "subnet": "public-a", "security_groups": ["sg-web"]}
        ]
    })
}

struct Case {
    name: &'static str,
    change: fn(&mut Value),
    from: &'static str,
    to: &'static str,
    traffic: Traffic,
    /// `None`: reachable; `Some(code)`: blocked with that code.
    expect: Option<&'static str>,
}

fn tcp(port: u16) -> Traffic {
    Traffic {
        protocol: Protocol::Tcp,
        port: Some(port),
    }
}

fn unchanged(_: &mut Value) {}

fn second_vpc(document: &mut Value) {
    document["vpcs"]
        .as_array_mut()
        .unwrap()
        .push(json!({"id": "vpc-2", "name": "other", "cidr_blocks": ["10.1.0.0/16"]}));
    document["subnets"].as_array_mut().unwrap().push(json!({"id": "other-a", "vpc": "vpc-2", "availability_zone": "us-east-1a", "cidr": "10.1.1.0/24", "tier": "private"}));
    document["internet_gateways"]
        .as_array_mut()
        .unwrap()
        .push(json!({"id": "igw-2", "vpc": "vpc-2"}));
}

fn acl(document: &mut Value, subnet: &str, entries: Value) {
    let list = document
        .as_object_mut()
        .unwrap()
        .entry("network_acls")
        .or_insert(json!([]));
    list.as_array_mut().unwrap().push(json!({
        "id": format!("acl-{subnet}"), "vpc": "vpc-1", "subnets": [subnet], "entries": entries
    }));
}

fn cases() -> Vec<Case> {
    vec![
        Case {
            name: "workload to workload in another zone",
            change: unchanged,
            from: "wl-app",
            to: "wl-app-b",
            traffic: tcp(8080),
            expect: None,
        },
        Case {
            name: "private workload to the internet through the NAT gateway",
            change: unchanged,
            from: "wl-app",
            to: "internet",
            traffic: Traffic::HTTPS,
            expect: None,
        },
        Case {
            name: "public workload to the internet through the internet gateway",
            change: unchanged,
            from: "wl-web",
            to: "internet",
            traffic: Traffic::HTTPS,
            expect: None,
        },
        Case {
            name: "S3 through the gateway endpoint",
            change: unchanged,
            from: "wl-app",
            to: "s3",
            traffic: Traffic::HTTPS,
            expect: None,
        },
        Case {
            name: "STS through the interface endpoint",
            change: unchanged,
            from: "wl-app",
            to: "sts",
            traffic: Traffic::HTTPS,
            expect: None,
        },
        Case {
            name: "on-premises over the VPN",
            change: unchanged,
            from: "wl-app",
            to: "192.168.1.10",
            traffic: tcp(22),
            expect: None,
        },
        Case {
            name: "the internet reaches the public web server",
            change: unchanged,
            from: "internet",
            to: "wl-web",
            traffic: Traffic::HTTPS,
            expect: None,
        },
        Case {
            name: "on-premises reaches the private workload over the VPN",
            change: unchanged,
            from: "cgw-1",
            to: "wl-app",
            traffic: tcp(22),
            expect: None,
        },
        Case {
            name: "unknown source",
            change: unchanged,
            from: "wl-missing",
            to: "internet",
            traffic: Traffic::HTTPS,
            expect: Some(explanation::UNKNOWN_PLACE),
        },
        Case {
            name: "the internet to a service is not a question about the design",
            change: unchanged,
            from: "internet",
            to: "s3",
            traffic: Traffic::HTTPS,
            expect: Some(explanation::UNSUPPORTED_QUERY),
        },
        Case {
            name: "another VPC",
            change: second_vpc,
            from: "wl-app",
            to: "other-a",
            traffic: Traffic::HTTPS,
            expect: Some(explanation::DIFFERENT_VPC),
        },
        Case {
            name: "no default route",
            change: |d| {
                d["route_tables"][2]["routes"]
                    .as_array_mut()
                    .unwrap()
                    .remove(0);
            },
            from: "wl-app",
            to: "internet",
            traffic: Traffic::HTTPS,
            expect: Some(explanation::NO_ROUTE),
        },
        Case {
            name: "a route to a workload is no way out",
            change: |d| d["route_tables"][2]["routes"][0]["target"] = json!("wl-web"),
            from: "wl-app",
            to: "internet",
            traffic: Traffic::HTTPS,
            expect: Some(explanation::ROUTE_TARGET_MISSING),
        },
        Case {
            name: "egress emptied",
            change: |d| d["security_groups"][0]["egress"] = json!([]),
            from: "wl-app",
            to: "internet",
            traffic: Traffic::HTTPS,
            expect: Some(explanation::SG_EGRESS_DENIED),
        },
        Case {
            name: "a port the destination group does not admit",
            change: unchanged,
            from: "wl-app",
            to: "wl-app-b",
            traffic: tcp(9999),
            expect: Some(explanation::SG_INGRESS_DENIED),
        },
        Case {
            name: "an ACL with no outbound rule",
            change: |d| {
                acl(
                    d,
                    "private-a",
                    json!([{"rule_number": 100, "egress": false, "protocol": "all", "cidr": "0.0.0.0/0", "action": "allow"}]),
                )
            },
            from: "wl-app",
            to: "internet",
            traffic: Traffic::HTTPS,
            expect: Some(explanation::NACL_OUTBOUND_DENIED),
        },
        Case {
            name: "an ACL that admits only ephemeral ports",
            change: |d| {
                acl(
                    d,
                    "private-b",
                    json!([
                        {"rule_number": 100, "egress": false, "protocol": "tcp", "from_port": 32768, "to_port": 65535, "cidr": "0.0.0.0/0", "action": "allow"},
                        {"rule_number": 100, "egress": true, "protocol": "all", "cidr": "0.0.0.0/0", "action": "allow"}
                    ]),
                )
            },
            from: "wl-app",
            to: "wl-app-b",
            traffic: tcp(8080),
            expect: Some(explanation::NACL_INBOUND_DENIED),
        },
        Case {
            name: "an ACL that forgets the return traffic",
            change: |d| {
                acl(
                    d,
                    "private-a",
                    json!([
                        {"rule_number": 100, "egress": false, "protocol": "tcp", "from_port": 22, "to_port": 22, "cidr": "192.168.0.0/16", "action": "allow"},
                        {"rule_number": 100, "egress": true, "protocol": "all", "cidr": "0.0.0.0/0", "action": "allow"}
                    ]),
                )
            },
            from: "wl-app",
            to: "internet",
            traffic: Traffic::HTTPS,
            expect: Some(explanation::NACL_RETURN_DENIED),
        },
        Case {
            name: "the NAT gateway's subnet has no way out",
            change: |d| d["route_tables"][1]["routes"] = json!([]),
            from: "wl-app",
            to: "internet",
            traffic: Traffic::HTTPS,
            expect: Some(explanation::NAT_WITHOUT_IGW),
        },
        Case {
            name: "a public route without a public address",
            change: |d| d["subnets"][0]["map_public_ip_on_launch"] = json!(false),
            from: "wl-web",
            to: "internet",
            traffic: Traffic::HTTPS,
            expect: Some(explanation::NO_PUBLIC_IP),
        },
        Case {
            name: "a route to another VPC's internet gateway",
            change: |d| {
                second_vpc(d);
                d["route_tables"][1]["routes"][0]["target"] = json!("igw-2");
            },
            from: "wl-web",
            to: "internet",
            traffic: Traffic::HTTPS,
            expect: Some(explanation::IGW_OTHER_VPC),
        },
        Case {
            name: "a VPN gateway without a connection",
            change: |d| d["vpn_connections"] = json!([]),
            from: "wl-app",
            to: "192.168.1.10",
            traffic: tcp(22),
            expect: Some(explanation::VPN_NOT_CONNECTED),
        },
        Case {
            name: "on-premises reaches a subnet whose replies go to the internet",
            change: |d| {
                d["security_groups"][1]["ingress"]
                    .as_array_mut()
                    .unwrap()
                    .push(json!({"protocol": "tcp", "from_port": 22, "to_port": 22, "cidr": "192.168.0.0/16"}))
            },
            from: "cgw-1",
            to: "wl-web",
            traffic: tcp(22),
            expect: Some(explanation::NO_RETURN_ROUTE),
        },
        Case {
            name: "the endpoint's group does not admit the caller",
            change: |d| d["security_groups"][2]["ingress"] = json!([]),
            from: "wl-app",
            to: "sts",
            traffic: Traffic::HTTPS,
            expect: Some(explanation::ENDPOINT_SG_DENIED),
        },
        Case {
            name: "the S3 endpoint's policy allows only DynamoDB",
            change: |d| {
                d["endpoints"][0]["policy"] = json!({"Statement": [
                    {"Effect": "Allow", "Principal": "*", "Action": "dynamodb:*", "Resource": "*"}
                ]})
            },
            from: "wl-app",
            to: "s3",
            traffic: Traffic::HTTPS,
            expect: Some(explanation::ENDPOINT_POLICY),
        },
        Case {
            name: "the STS endpoint's policy denies all of STS",
            change: |d| {
                d["endpoints"][1]["policy"] = json!({"Statement": [
                    {"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"},
                    {"Effect": "Deny", "Principal": "*", "Action": "sts:*", "Resource": "*"}
                ]})
            },
            from: "wl-app",
            to: "sts",
            traffic: Traffic::HTTPS,
            expect: Some(explanation::ENDPOINT_POLICY),
        },
        Case {
            name: "the private subnet's NAT gateway is a private one",
            change: |d| d["nat_gateways"][0]["connectivity"] = json!("private"),
            from: "wl-app",
            to: "internet",
            traffic: Traffic::HTTPS,
            expect: Some(explanation::NAT_PRIVATE),
        },
        Case {
            name: "a scoped S3 policy still lets the path through",
            change: |d| {
                d["endpoints"][0]["policy"] = json!({"Statement": [
                    {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::data/*"}
                ]})
            },
            from: "wl-app",
            to: "s3",
            traffic: Traffic::HTTPS,
            expect: None,
        },
    ]
}

fn answer(document: Value, from: &str, to: &str, traffic: Traffic) -> PathAnswer {
    let design = load_design_value(document).expect("case design loads");
    let engine = Reachability::new(&design);
    let from = parse_place(&design, from).unwrap_or(Place::Workload(from.to_string()));
    let to = parse_place(&design, to).expect("destination parses");
    engine.explain(&from, &to, traffic)
}

#[test]
fn every_case_gives_its_answer_and_every_code_and_hop_kind_is_exercised() {
    let mut codes_seen = HashSet::new();
    let mut hops_seen = HashSet::new();
    for case in cases() {
        let mut document = base();
        (case.change)(&mut document);
        let result = answer(document, case.from, case.to, case.traffic);
        match case.expect {
            None => {
                assert!(result.reachable, "{}: {:?}", case.name, result.blocked);
                assert!(result.exit.is_some(), "{}", case.name);
                assert!(
                    result.hops.iter().all(|h| h.verdict != Verdict::Block),
                    "{}",
                    case.name
                );
            }
            Some(code) => {
                assert!(!result.reachable, "{} should be blocked", case.name);
                let blocked = result.blocked.as_ref().expect("a reason");
                assert_eq!(blocked.code, code, "{}: {}", case.name, blocked.message);
                assert!(!blocked.message.is_empty() && !blocked.hint.is_empty());
                assert_eq!(
                    result.hops.last().map(|h| h.verdict),
                    Some(Verdict::Block),
                    "{}: the last hop is the blocking one",
                    case.name
                );
                codes_seen.insert(code);
            }
        }
        hops_seen.extend(result.hops.iter().map(|h| h.kind));
    }
    for code in explanation::ALL {
        assert!(codes_seen.contains(code), "no case for {code}");
    }
    for kind in HopKind::ALL {
        assert!(
            hops_seen.contains(&kind),
            "no case crosses {}",
            kind.label()
        );
    }
}

#[test]
fn each_exit_is_the_one_the_design_implies() {
    let exit = |from: &str, to: &str| answer(base(), from, to, Traffic::HTTPS).exit;
    assert_eq!(
        exit("wl-app", "internet"),
        Some(Exit::NatGateway {
            nat: "nat-a".into(),
            cross_az: false
        })
    );
    assert_eq!(
        exit("wl-app-b", "internet"),
        Some(Exit::NatGateway {
            nat: "nat-a".into(),
            cross_az: true
        }),
        "private-b uses zone a's NAT gateway"
    );
    assert_eq!(
        exit("wl-app", "s3"),
        Some(Exit::GatewayEndpoint {
            endpoint: "vpce-s3".into()
        })
    );
    assert_eq!(
        exit("wl-app-b", "sts"),
        Some(Exit::InterfaceEndpoint {
            endpoint: "vpce-sts".into(),
            cross_az: false
        }),
        "the endpoint's interface in the caller's zone is used"
    );
    assert!(
        matches!(exit("wl-app", "dynamodb"), Some(Exit::NatGateway { .. })),
        "no DynamoDB endpoint: its public endpoint through the NAT gateway"
    );
    // The interface endpoint without private DNS is not used by the service's name.
    let mut document = base();
    document["endpoints"][1]["private_dns"] = json!(false);
    assert!(matches!(
        answer(document, "wl-app", "sts", Traffic::HTTPS).exit,
        Some(Exit::NatGateway { .. })
    ));
}

#[test]
fn the_templates_answer_the_seed_articles_questions() {
    let template = |name: &str| crate::templates::template(name).unwrap().design().unwrap();
    // LLM training: the nodes reach each other on every port, and not the internet.
    let llm = template("llm-training-efa");
    let engine = Reachability::new(&llm);
    let nodes = Place::Workload("wl-trainers".into());
    let each_other = engine.explain(&nodes, &nodes, Traffic::ALL);
    assert!(each_other.reachable, "{:?}", each_other.blocked);
    let internet = engine.explain(&nodes, &Place::Internet, Traffic::HTTPS);
    assert!(!internet.reachable);
    assert_eq!(internet.blocked.unwrap().code, explanation::NO_ROUTE);
    assert!(matches!(
        engine
            .explain(&nodes, &Place::Service("s3".into()), Traffic::HTTPS)
            .exit,
        Some(Exit::GatewayEndpoint { .. })
    ));
    // Tabular: S3 through the endpoint, not a NAT gateway; on-premises reaches the subnet.
    let tabular = template("tabular-vpn");
    let engine = Reachability::new(&tabular);
    let batch = Place::Workload("wl-batch".into());
    let s3 = engine.explain(&batch, &Place::Service("s3".into()), Traffic::HTTPS);
    assert_eq!(
        s3.exit,
        Some(Exit::GatewayEndpoint {
            endpoint: "vpce-s3".into()
        })
    );
    assert!(!s3.hops.iter().any(|h| h.kind == HopKind::NatGateway));
    let on_premises = parse_place(&tabular, "cgw-datacenter").unwrap();
    let inbound = engine.explain(
        &on_premises,
        &Place::Subnet("subnet-private-a".into()),
        Traffic::HTTPS,
    );
    assert!(inbound.reachable, "{:?}", inbound.blocked);
    assert!(matches!(inbound.exit, Some(Exit::Vpn { .. })));
    // Multi-modal: Rekognition through its interface endpoint, the internet through NAT.
    let multimodal = template("multimodal-endpoints");
    let engine = Reachability::new(&multimodal);
    let hosting = Place::Workload("wl-hosting".into());
    assert!(matches!(
        engine
            .explain(
                &hosting,
                &Place::Service("rekognition".into()),
                Traffic::HTTPS
            )
            .exit,
        Some(Exit::InterfaceEndpoint { .. })
    ));
    assert!(matches!(
        engine
            .explain(&hosting, &Place::Internet, Traffic::HTTPS)
            .exit,
        Some(Exit::NatGateway { .. })
    ));
    // MVP: the notebook reaches the internet through the internet gateway.
    let mvp = template("mvp");
    let engine = Reachability::new(&mvp);
    assert!(matches!(
        engine
            .explain(
                &Place::Workload("wl-notebook".into()),
                &Place::Internet,
                Traffic::HTTPS
            )
            .exit,
        Some(Exit::InternetGateway { .. })
    ));
}

#[test]
fn the_matrix_has_a_row_per_subnet_and_agrees_with_single_questions() {
    for template in crate::templates::TEMPLATES {
        let design = template.design().unwrap();
        let rows = reachability_matrix(&design);
        assert_eq!(rows.len(), design.subnets.len());
        let columns = matrix_columns(&design);
        let engine = Reachability::new(&design);
        for row in &rows {
            assert_eq!(row.cells.len(), columns.len());
            for (cell, (name, place, inbound)) in row.cells.iter().zip(&columns) {
                assert_eq!(&cell.column, name);
                let subnet = Place::Subnet(row.subnet.clone());
                let single = if *inbound {
                    engine.explain(place, &subnet, Traffic::HTTPS)
                } else {
                    engine.explain(&subnet, place, Traffic::HTTPS)
                };
                assert_eq!(cell.reachable, single.reachable, "{}: {name}", row.subnet);
                assert_eq!(cell.reachable, cell.code.is_none());
            }
        }
    }
    let tabular = crate::templates::template("tabular-vpn")
        .unwrap()
        .design()
        .unwrap();
    let rows = reachability_matrix(&tabular);
    let on_premises = rows[0]
        .cells
        .iter()
        .find(|c| c.column.starts_with("on-premises"))
        .expect("an on-premises column");
    assert!(on_premises.reachable);
    assert_eq!(on_premises.via.as_deref(), Some("vpn"));
}

#[test]
fn places_parse_from_what_people_type() {
    let design = load_design_value(base()).unwrap();
    assert_eq!(
        parse_place(&design, "wl-app"),
        Ok(Place::Workload("wl-app".into()))
    );
    assert_eq!(
        parse_place(&design, "private-a"),
        Ok(Place::Subnet("private-a".into()))
    );
    assert_eq!(parse_place(&design, "Internet"), Ok(Place::Internet));
    assert_eq!(
        parse_place(&design, "sagemaker.api"),
        Ok(Place::Service("sagemaker.api".into()))
    );
    assert_eq!(
        parse_place(&design, "cgw-1"),
        Ok(Place::OnPremises(Ipv4Addr::new(192, 168, 0, 4)))
    );
    assert_eq!(
        parse_place(&design, "172.16.5.9"),
        Ok(Place::OnPremises(Ipv4Addr::new(172, 16, 5, 9)))
    );
    let wrong = parse_place(&design, "rt-private").unwrap_err();
    assert!(wrong.contains("Route table"), "{wrong}");
    let unknown = parse_place(&design, "subnet-typo").unwrap_err();
    assert!(unknown.contains("subnet-typo"), "{unknown}");
}

#[test]
fn acl_rules_apply_in_number_order_and_a_partial_deny_denies_a_range() {
    let acl: NetworkAcl = serde_json::from_value(json!({
        "id": "acl", "vpc": "v", "subnets": [],
        "entries": [
            {"rule_number": 200, "egress": false, "protocol": "tcp", "from_port": 0, "to_port": 65535, "cidr": "0.0.0.0/0", "action": "allow"},
            {"rule_number": 100, "egress": false, "protocol": "tcp", "from_port": 3000, "to_port": 3000, "cidr": "10.0.0.0/8", "action": "deny"}
        ]
    }))
    .unwrap();
    let from_ten = Some(Ipv4Addr::new(10, 1, 2, 3));
    let from_elsewhere = Some(Ipv4Addr::new(8, 8, 8, 8));
    assert_eq!(
        acl_decision(&acl, false, Protocol::Tcp, (3000, 3000), from_ten),
        AclDecision::Denied(Some(100))
    );
    assert_eq!(
        acl_decision(&acl, false, Protocol::Tcp, (3000, 3000), from_elsewhere),
        AclDecision::Allowed(200)
    );
    assert_eq!(
        acl_decision(&acl, false, Protocol::Tcp, (1024, 65535), from_ten),
        AclDecision::Denied(Some(100)),
        "one denied port in the ephemeral range breaks replies"
    );
    assert_eq!(
        acl_decision(&acl, true, Protocol::Tcp, (443, 443), from_ten),
        AclDecision::Denied(None),
        "no outbound rule: the final deny"
    );
    assert_eq!(
        acl_decision(&acl, false, Protocol::Udp, (53, 53), from_elsewhere),
        AclDecision::Denied(None),
        "a TCP rule does not allow UDP"
    );
}

proptest! {
    #[test]
    fn longest_prefix_match_agrees_with_brute_force(
        routes in proptest::collection::vec((any::<u32>(), 0u8..=32), 0..24),
        probes in proptest::collection::vec(any::<u32>(), 1..16),
    ) {
        let table: Vec<(Ipv4Net, usize)> = routes
            .iter()
            .enumerate()
            .map(|(index, (address, length))| {
                (Ipv4Net::new(Ipv4Addr::from(*address), *length).unwrap().trunc(), index)
            })
            .collect();
        for probe in probes {
            // Also probe inside each route, so matches are common.
            let mut addresses = vec![Ipv4Addr::from(probe)];
            addresses.extend(table.iter().map(|(net, _)| {
                let span = u32::MAX.checked_shr(u32::from(net.prefix_len())).unwrap_or(0);
                Ipv4Addr::from(u32::from(net.network()) | (probe & span))
            }));
            for address in addresses {
                let mut oracle: Option<&(Ipv4Net, usize)> = None;
                for route in &table {
                    let contains = (u32::from(address) & u32::from(route.0.netmask())) == u32::from(route.0.network());
                    if contains && oracle.is_none_or(|best| route.0.prefix_len() > best.0.prefix_len()) {
                        oracle = Some(route);
                    }
                }
                prop_assert_eq!(longest_prefix_match(&table, address), oracle);
            }
        }
    }
}

/// Every place the Path tool makes of a clicked object is one `parse_place` accepts, in every
/// template, and the kinds that are no place give none.
#[test]
fn every_clicked_place_parses() {
    let mut places = 0;
    for template in crate::templates::TEMPLATES {
        let design = template.design().unwrap();
        for object in design.objects() {
            match path_place_of(&design, object.id()) {
                Some(place) => {
                    assert!(
                        parse_place(&design, &place).is_ok(),
                        "{}: {place}",
                        template.name
                    );
                    places += 1;
                }
                None => assert!(matches!(
                    object.kind(),
                    ObjectKind::Vpc
                        | ObjectKind::NatGateway
                        | ObjectKind::VpnGateway
                        | ObjectKind::VpnConnection
                        | ObjectKind::RouteTable
                        | ObjectKind::SecurityGroup
                        | ObjectKind::NetworkAcl
                        | ObjectKind::PlacementGroup
                )),
            }
        }
    }
    assert!(places > 10);
}

#[test]
fn a_protocol_by_number_matches_only_itself_on_every_port() {
    let acl: NetworkAcl = serde_json::from_value(json!({
        "id": "acl", "vpc": "v", "subnets": [],
        "entries": [
            {"rule_number": 100, "egress": false, "protocol": 47, "cidr": "10.0.0.0/8", "action": "allow"}
        ]
    }))
    .unwrap();
    let from_ten = Some(Ipv4Addr::new(10, 1, 2, 3));
    assert_eq!(
        acl_decision(&acl, false, Protocol::Number(47), (0, 65535), from_ten),
        AclDecision::Allowed(100),
        "GRE is allowed, on every port"
    );
    assert_eq!(
        acl_decision(&acl, false, Protocol::Tcp, (443, 443), from_ten),
        AclDecision::Denied(None),
        "a GRE entry does not allow TCP"
    );
    // A security group rule for ESP: ESP from the VPN reaches the workload, HTTPS does not.
    let mut document = base();
    document["security_groups"][0]["ingress"] = json!([{"protocol": 50, "cidr": "192.168.0.0/16"}]);
    let esp = answer(
        document.clone(),
        "192.168.1.10",
        "wl-app",
        Traffic {
            protocol: Protocol::Number(50),
            port: None,
        },
    );
    assert!(esp.reachable, "{esp:#?}");
    assert_eq!(esp.traffic, "protocol 50");
    let https = answer(document, "192.168.1.10", "wl-app", tcp(443));
    assert!(!https.reachable, "{https:#?}");
    assert_eq!(https.traffic, "TCP 443");
}
