//! The exports' own checks (the real tools judge them in the e2e suite): determinism, the JSON
//! round trip, every reference of CloudFormation and Terraform resolving, the draw.io
//! structure, the SVG parsing with every object in it.

use std::collections::BTreeSet;

use serde_json::Value;

use super::*;
use crate::templates::TEMPLATES;

/// The templates, two with flow logs (to S3 from the MVP, to CloudWatch Logs from the LLM one)
/// and the tabular one on a corporate DHCP options set.
fn designs() -> Vec<Design> {
    let mut designs: Vec<Design> = TEMPLATES.iter().map(|t| t.design().unwrap()).collect();
    designs.extend(with_flow_logs());
    designs.push(with_dhcp_options());
    designs.push(with_secondary_block());
    designs.push(with_endpoint_policies());
    designs.push(with_network_interface());
    designs
}

/// The LLM template with a standalone network interface for a license server: a fixed
/// address, the EFA group, and a description written to break out of every format.
fn with_network_interface() -> Design {
    let mut design = crate::templates::template("llm-training-efa")
        .unwrap()
        .design()
        .unwrap();
    design.name = "llm with a license server interface".into();
    design
        .network_interfaces
        .push(crate::model::NetworkInterface {
            id: "eni-license".into(),
            subnet: "subnet-training-a".into(),
            security_groups: vec!["sg-efa".into()],
            private_ip: Some("10.0.16.10".into()),
            description: "license server: it's $(touch /tmp/pwned) ${var.x} \"q\"".into(),
            tags: [("team".to_string(), "ml-platform".to_string())].into(),
        });
    // And the training subnet behind an ACL of its own: the VPC in, anything out, replies back.
    let entry = |rule_number, egress, protocol, ports: (i32, i32), cidr: &str| {
        crate::model::NetworkAclEntry {
            rule_number,
            egress,
            protocol,
            from_port: ports.0,
            to_port: ports.1,
            cidr: cidr.into(),
            action: crate::model::RuleAction::Allow,
            description: None,
        }
    };
    design.network_acls.push(crate::model::NetworkAcl {
        id: "acl-training".into(),
        vpc: design.vpcs[0].id.clone(),
        subnets: vec!["subnet-training-a".into()],
        entries: vec![
            entry(
                100,
                false,
                crate::model::Protocol::All,
                (-1, -1),
                "10.0.0.0/16",
            ),
            entry(
                110,
                false,
                crate::model::Protocol::Tcp,
                (1024, 65535),
                "0.0.0.0/0",
            ),
            entry(
                100,
                true,
                crate::model::Protocol::All,
                (-1, -1),
                "0.0.0.0/0",
            ),
        ],
        tags: Default::default(),
    });
    crate::layout::fill_missing_layout(&mut design);
    design
}

#[test]
fn every_export_carries_the_network_interface_with_its_address_groups_and_description() {
    let design = with_network_interface();
    assert!(
        crate::validate::validate(&design)
            .iter()
            .all(|d| d.severity != crate::diagnostic::Severity::Error),
        "the design validates without errors"
    );
    let description = design.network_interfaces[0].description.clone();
    let template = cloudformation::template(&design, "d-1");
    let interface = template["Resources"]
        .as_object()
        .unwrap()
        .values()
        .find(|r| {
            r["Type"] == "AWS::EC2::NetworkInterface"
                && r["Properties"]["PrivateIpAddress"] == "10.0.16.10"
        })
        .expect("the interface in CloudFormation");
    assert_eq!(interface["Properties"]["Description"], description.as_str());
    assert_eq!(
        interface["Properties"]["GroupSet"][0]["Fn::GetAtt"][1],
        "GroupId"
    );
    let main_tf = terraform::files(&design, "d-1")
        .into_iter()
        .find(|(name, _)| *name == "main.tf")
        .unwrap()
        .1;
    assert!(main_tf.contains("resource \"aws_network_interface\" \"eni_license\""));
    assert!(
        main_tf.contains("private_ips     = [\"10.0.16.10\"]"),
        "{main_tf}"
    );
    // HCL never interpolates the design's text.
    assert!(main_tf.contains("$${var.x}"));
    let script = cli::apply_script(&design, "d-1");
    assert!(script.contains("aws ec2 create-network-interface --subnet-id \"$SUBNET_SUBNET_TRAINING_A\" --groups \"$SECURITY_GROUP_SG_EFA\" --private-ip-address '10.0.16.10'"), "{script}");
    assert!(script.contains(&crate::escape::shell_word(&description)));
    assert!(cli::teardown_script(&design, "d-1").contains("delete-network-interface"));
    let drawio = drawio::diagram(&design);
    assert!(drawio.contains("Network interface: eni-license"));
}

/// The multi-modal template with its S3 endpoint scoped to the design's buckets, by a policy
/// that carries IAM's `${aws:username}` variable, a quote and a `$(…)`: every export must
/// keep it a string value.
fn with_endpoint_policies() -> Design {
    let mut design = crate::templates::template("multimodal-endpoints")
        .unwrap()
        .design()
        .unwrap();
    design.name = "multimodal with scoped endpoints".into();
    let endpoint = design
        .endpoints
        .iter_mut()
        .find(|e| e.service == "s3")
        .expect("an S3 endpoint");
    endpoint.policy = Some(serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow", "Principal": "*",
            "Action": ["s3:GetObject", "s3:PutObject", "s3:ListBucket"],
            "Resource": [
                "arn:aws:s3:::it's-$(touch /tmp/pwned)",
                "arn:aws:s3:::it's-$(touch /tmp/pwned)/${aws:username}/*"
            ]
        }]
    }));
    design
}

#[test]
fn an_endpoint_policy_reaches_every_export_as_one_escaped_value() {
    let design = with_endpoint_policies();
    let policy = design
        .endpoints
        .iter()
        .find(|e| e.service == "s3")
        .and_then(|e| e.policy.clone())
        .unwrap();
    let template = cloudformation::template(&design, "d-1");
    let documents: Vec<&serde_json::Value> = template["Resources"]
        .as_object()
        .unwrap()
        .values()
        .filter_map(|resource| resource["Properties"].get("PolicyDocument"))
        .collect();
    assert_eq!(
        documents,
        vec![&policy],
        "CloudFormation: the document itself"
    );
    let terraform: String = terraform::files(&design, "d-1")
        .into_iter()
        .map(|(_, text)| text)
        .collect();
    let line = terraform
        .lines()
        .find(|line| line.trim_start().starts_with("policy "))
        .expect("Terraform sets the policy");
    assert!(
        line.contains(r#"$${aws:username}"#) && line.contains(r#"\"Effect\":\"Allow\""#),
        "Terraform: one string, its interpolation escaped: {line}"
    );
    assert_eq!(
        terraform.matches("policy ").count(),
        1,
        "only the S3 endpoint has one"
    );
    let script = cli::apply_script(&design, "d-1");
    let line = script
        .lines()
        .find(|line| line.contains("--policy-document"))
        .expect("the script sets it");
    assert!(
        line.trim_start().starts_with("--policy-document '") && line.contains(r#"it'\''s"#),
        "inside one single-quoted word: {line}"
    );
    assert!(
        !cli::apply_script(
            &crate::templates::template("multimodal-endpoints")
                .unwrap()
                .design()
                .unwrap(),
            "d-1"
        )
        .contains("--policy-document"),
        "an endpoint with AWS's default carries none"
    );
}

/// The MVP with a secondary block (100.64.0.0/16) and a private subnet in it.
fn with_secondary_block() -> Design {
    let mut design = crate::templates::template("mvp").unwrap().design().unwrap();
    design.name = "mvp with a pod block".into();
    design.vpcs[0].cidr_blocks.push("100.64.0.0/16".into());
    design.subnets.push(crate::model::Subnet {
        tags: Default::default(),
        id: "subnet-pods-a".into(),
        vpc: design.vpcs[0].id.clone(),
        availability_zone: "us-east-1a".into(),
        cidr: "100.64.0.0/20".into(),
        tier: crate::model::SubnetTier::Private,
        map_public_ip_on_launch: false,
    });
    crate::layout::fill_missing_layout(&mut design);
    design
}

#[test]
fn a_rule_description_reaches_every_export_escaped() {
    let mut design = crate::templates::template("multimodal-endpoints")
        .unwrap()
        .design()
        .unwrap();
    let hostile = "it's \"$(touch /tmp/pwned)\" ${var.x}";
    let group = design
        .security_groups
        .iter_mut()
        .find(|group| !group.ingress.is_empty())
        .expect("a group with an ingress rule");
    group.ingress[0].description = Some(hostile.to_string());
    let template = cloudformation::template(&design, "d-1");
    let described = template["Resources"]
        .as_object()
        .unwrap()
        .values()
        .filter_map(|resource| resource["Properties"]["Description"].as_str())
        .any(|text| text == hostile);
    assert!(described, "CloudFormation carries it as a string value");
    let terraform: String = terraform::files(&design, "d-1")
        .into_iter()
        .map(|(_, text)| text)
        .collect();
    assert!(
        terraform.contains(r#"= "it's \"$(touch /tmp/pwned)\" $${var.x}""#),
        "Terraform escapes quotes and interpolation: {terraform}"
    );
    let script = cli::apply_script(&design, "d-1");
    let line = script
        .lines()
        .find(|line| line.contains("touch /tmp/pwned"))
        .expect("the script carries it");
    assert!(
        line.trim_start().starts_with("--ip-permissions '") && line.contains(r#"it'\''s"#),
        "inside one single-quoted word: {line}"
    );
}

#[test]
fn every_export_associates_the_secondary_block_before_the_subnet_in_it() {
    let design = with_secondary_block();
    let template = cloudformation::template(&design, "d-1");
    let resources = template["Resources"].as_object().unwrap();
    let (block_name, block) = resources
        .iter()
        .find(|(_, r)| r["Type"] == "AWS::EC2::VPCCidrBlock")
        .expect("a VPCCidrBlock");
    assert_eq!(block["Properties"]["CidrBlock"], "100.64.0.0/16");
    assert!(block["Properties"]["VpcId"]["Ref"].is_string());
    let pods = resources
        .values()
        .find(|r| {
            r["Type"] == "AWS::EC2::Subnet" && r["Properties"]["CidrBlock"] == "100.64.0.0/20"
        })
        .expect("the pod subnet");
    assert_eq!(pods["DependsOn"], serde_json::json!(block_name));
    let primary = resources
        .values()
        .find(|r| r["Type"] == "AWS::EC2::Subnet" && r["Properties"]["CidrBlock"] == "10.0.1.0/24")
        .expect("the public subnet");
    assert!(primary.get("DependsOn").is_none(), "{primary}");

    let terraform: String = terraform::files(&design, "d-1")
        .into_iter()
        .map(|(_, text)| text)
        .collect();
    assert!(
        terraform.contains("resource \"aws_vpc_ipv4_cidr_block_association\""),
        "{terraform}"
    );
    assert!(
        terraform.contains("= [aws_vpc_ipv4_cidr_block_association.vpc_mvp_cidr_100_64_0_0_16]"),
        "{terraform}"
    );

    let script = cli::apply_script(&design, "d-1");
    let associate = script
        .find("associate_cidr_block \"$")
        .expect("the block is associated");
    let subnet = script
        .find("--cidr-block '100.64.0.0/20'")
        .expect("the pod subnet is created");
    assert!(associate < subnet, "the block comes first");
    assert!(
        !cli::apply_script(
            &crate::templates::template("mvp").unwrap().design().unwrap(),
            "d-1"
        )
        .contains("cidr_block_associated"),
        "a design without a secondary block carries no helper"
    );
}

fn with_dhcp_options() -> Design {
    let mut design = crate::templates::template("tabular-vpn")
        .unwrap()
        .design()
        .unwrap();
    design.name = "tabular with corporate dns".into();
    design.dhcp_options.push(crate::model::DhcpOptions {
        tags: Default::default(),
        id: "dhcp-corp".into(),
        name: "corp".into(),
        domain_name: Some("corp.example.com".into()),
        domain_name_servers: vec!["AmazonProvidedDNS".into(), "10.20.0.53".into()],
        ntp_servers: vec!["169.254.169.123".into()],
        vpcs: vec![design.vpcs[0].id.clone()],
    });
    crate::layout::fill_missing_layout(&mut design);
    design
}

#[test]
fn every_export_carries_the_dhcp_options_set_and_its_association() {
    let design = with_dhcp_options();
    let vpc = design.vpcs[0].id.clone();
    let template = cloudformation::template(&design, "d-1");
    let resources = template["Resources"].as_object().unwrap();
    let set = resources
        .values()
        .find(|r| r["Type"] == "AWS::EC2::DHCPOptions")
        .expect("a DHCPOptions resource");
    assert_eq!(set["Properties"]["DomainName"], "corp.example.com");
    assert_eq!(
        set["Properties"]["DomainNameServers"],
        serde_json::json!(["AmazonProvidedDNS", "10.20.0.53"])
    );
    assert_eq!(
        set["Properties"]["NtpServers"],
        serde_json::json!(["169.254.169.123"])
    );
    let association = resources
        .values()
        .find(|r| r["Type"] == "AWS::EC2::VPCDHCPOptionsAssociation")
        .expect("an association");
    assert!(association["Properties"]["VpcId"]["Ref"].is_string());
    assert!(association["Properties"]["DhcpOptionsId"]["Ref"].is_string());

    let terraform: String = terraform::files(&design, "d-1")
        .into_iter()
        .map(|(_, text)| text)
        .collect();
    assert!(
        terraform.contains("resource \"aws_vpc_dhcp_options\""),
        "{terraform}"
    );
    assert!(
        terraform.contains("\"AmazonProvidedDNS\", \"10.20.0.53\""),
        "{terraform}"
    );
    assert!(terraform.contains("resource \"aws_vpc_dhcp_options_association\""));

    let script = cli::apply_script(&design, "d-1");
    assert!(
        script.contains("aws ec2 create-dhcp-options --dhcp-configurations"),
        "{script}"
    );
    assert!(
        script.contains("aws ec2 associate-dhcp-options"),
        "{script}"
    );
    let teardown = cli::teardown_script(&design, "d-1");
    let association = teardown
        .find("associate-dhcp-options --dhcp-options-id default")
        .unwrap();
    let deletion = teardown.find("delete-dhcp-options").unwrap();
    let vpcs = teardown.find("aws ec2 delete-vpc ").unwrap();
    assert!(
        association < deletion && deletion < vpcs,
        "VPCs leave the set before it goes"
    );

    // Drawn: a chip with its domain, joined to the VPC it serves.
    let edges = crate::diagram::edges(&design);
    assert!(edges.iter().any(|e| e.from == "dhcp-corp" && e.to == vpc));
    let svg = svg::diagram(&design, &svg::SvgOptions::default());
    assert!(svg.contains("data-id=\"dhcp-corp\""), "the set is drawn");
    assert!(drawio::diagram(&design).contains("dhcp-corp"));
    assert_eq!(
        crate::diagram::chip_label(&design, "dhcp-corp", crate::model::ObjectKind::DhcpOptions),
        "corp.example.com"
    );
}

fn with_flow_logs() -> Vec<Design> {
    use crate::model::{FlowLogTraffic, FlowLogs};
    let mut to_s3 = crate::templates::template("mvp").unwrap().design().unwrap();
    to_s3.name = "mvp with flow logs".into();
    to_s3.vpcs[0].flow_logs = Some(FlowLogs {
        destination: "arn:aws:s3:::audit-flow-logs/mvp".into(),
        traffic_type: FlowLogTraffic::All,
        delivery_role_arn: None,
        max_aggregation_interval: 600,
    });
    let mut to_logs = crate::templates::template("llm-training-efa")
        .unwrap()
        .design()
        .unwrap();
    to_logs.name = "llm with flow logs".into();
    to_logs.vpcs[0].flow_logs = Some(FlowLogs {
        destination: "arn:aws:logs:us-east-1:123456789012:log-group:/moat/llm".into(),
        traffic_type: FlowLogTraffic::Reject,
        delivery_role_arn: Some("arn:aws:iam::123456789012:role/flow-logs".into()),
        max_aggregation_interval: 60,
    });
    vec![to_s3, to_logs]
}

#[test]
fn instances_moat_launches_require_imdsv2_and_keep_their_efa_in_every_code_export() {
    let mut design = crate::templates::template("llm-training-efa")
        .unwrap()
        .design()
        .unwrap();
    design.workloads[0].launch = true;
    design.workloads[0].image_id = Some("ami-0123456789abcdef0".into());
    let template = cloudformation::template(&design, "d-1");
    let instances: Vec<&Value> = template["Resources"]
        .as_object()
        .unwrap()
        .values()
        .filter(|r| r["Type"] == "AWS::EC2::Instance")
        .collect();
    assert_eq!(instances.len(), design.workloads[0].count as usize);
    let resources = template["Resources"].as_object().unwrap();
    for instance in instances {
        // An EFA primary interface is its own resource (the inline form has no type).
        let interface = instance["Properties"]["NetworkInterfaces"][0]["NetworkInterfaceId"]["Ref"]
            .as_str()
            .unwrap();
        assert_eq!(resources[interface]["Type"], "AWS::EC2::NetworkInterface");
        assert_eq!(resources[interface]["Properties"]["InterfaceType"], "efa");
        let options = &instance["Properties"]["MetadataOptions"];
        assert_eq!(options["HttpTokens"], "required");
        assert_eq!(options["HttpEndpoint"], "enabled");
        assert_eq!(options["HttpPutResponseHopLimit"], 2);
    }
    let files = terraform::files(&design, "d-1");
    let main = &files.iter().find(|(n, _)| *n == "main.tf").unwrap().1;
    // Each block runs to the first closing brace at the start of a line.
    let instance_blocks: Vec<&str> = main
        .match_indices("resource \"aws_instance\"")
        .map(|(start, _)| {
            let rest = &main[start..];
            &rest[..rest.find("\n}\n").unwrap()]
        })
        .collect();
    assert_eq!(instance_blocks.len(), design.workloads[0].count as usize);
    for block in instance_blocks {
        assert!(block.contains("  metadata_options {\n    http_endpoint               = \"enabled\"\n    http_tokens                 = \"required\"\n    http_put_response_hop_limit = 2\n  }"), "{block}");
    }
    let script = cli::apply_script(&design, "d-1");
    assert_eq!(
        script
            .matches("--metadata-options HttpEndpoint=enabled,HttpTokens=required,HttpPutResponseHopLimit=2 \\\n")
            .count(),
        design.workloads[0].count as usize
    );
}

#[test]
fn every_terraform_address_is_declared_once() {
    for design in designs() {
        let addresses = terraform::resource_addresses(&design);
        let files = terraform::files(&design, "d-1");
        let main = &files.iter().find(|(n, _)| *n == "main.tf").unwrap().1;
        let unique: BTreeSet<&str> = addresses.iter().map(|(a, _)| a.as_str()).collect();
        assert_eq!(unique.len(), addresses.len(), "{}", design.name);
        for (address, key) in &addresses {
            let (kind, name) = address.split_once('.').unwrap();
            assert!(
                main.contains(&format!("resource \"{kind}\" \"{name}\" {{")),
                "{}: {address} ({key}) is not declared",
                design.name
            );
        }
    }
}

#[test]
fn every_code_export_records_the_flow_logs_the_design_asks_for() {
    let designs = with_flow_logs();
    let (to_s3, to_logs) = (&designs[0], &designs[1]);
    assert!(
        crate::validate(to_s3)
            .iter()
            .all(|d| d.code != "vpc.flow-logs-off")
    );
    assert!(crate::validate(to_logs).iter().all(|d| !d.is_error()));

    let template = cloudformation::template(to_logs, "d-1");
    let flow_logs: Vec<&Value> = template["Resources"]
        .as_object()
        .unwrap()
        .values()
        .filter(|r| r["Type"] == "AWS::EC2::FlowLog")
        .collect();
    assert_eq!(flow_logs.len(), 1);
    let properties = &flow_logs[0]["Properties"];
    assert_eq!(properties["ResourceType"], "VPC");
    assert_eq!(properties["TrafficType"], "REJECT");
    assert_eq!(properties["LogDestinationType"], "cloud-watch-logs");
    assert_eq!(
        properties["LogDestination"],
        "arn:aws:logs:us-east-1:123456789012:log-group:/moat/llm"
    );
    assert_eq!(
        properties["DeliverLogsPermissionArn"],
        "arn:aws:iam::123456789012:role/flow-logs"
    );
    assert_eq!(properties["MaxAggregationInterval"], 60);
    assert!(properties["ResourceId"]["Ref"].is_string());

    let s3_template = cloudformation::template(to_s3, "d-1");
    let s3_log = s3_template["Resources"]
        .as_object()
        .unwrap()
        .values()
        .find(|r| r["Type"] == "AWS::EC2::FlowLog")
        .unwrap();
    assert_eq!(s3_log["Properties"]["LogDestinationType"], "s3");
    assert!(
        s3_log["Properties"]
            .get("DeliverLogsPermissionArn")
            .is_none()
    );

    let files = terraform::files(to_s3, "d-1");
    let main = &files.iter().find(|(n, _)| *n == "main.tf").unwrap().1;
    let block = main
        .split("\n\n")
        .find(|b| b.starts_with("resource \"aws_flow_log\""))
        .unwrap();
    for line in [
        "vpc_id                   = aws_vpc.vpc_mvp.id",
        "traffic_type             = \"ALL\"",
        "log_destination_type     = \"s3\"",
        "log_destination          = \"arn:aws:s3:::audit-flow-logs/mvp\"",
        "max_aggregation_interval = 600",
    ] {
        assert!(block.contains(line), "{line} in:\n{block}");
    }
    assert!(!block.contains("iam_role_arn"));

    let script = cli::apply_script(to_logs, "d-1");
    assert!(
        script.contains(
            "aws ec2 create-flow-logs --resource-type VPC --resource-ids \"$VPC_VPC_LLM\""
        )
    );
    assert!(script.contains("--traffic-type 'REJECT' --log-destination-type 'cloud-watch-logs'"));
    assert!(
        script.contains("--deliver-logs-permission-arn 'arn:aws:iam::123456789012:role/flow-logs'")
    );
    assert!(script.contains(
        "--tag-specifications '[{\"ResourceType\":\"vpc-flow-log\",\"Tags\":[{\"Key\":\"Name\",\"Value\":\"vpc-llm/flow-logs\"}"
    ));
    assert!(
        cli::teardown_script(to_logs, "d-1")
            .contains("aws ec2 delete-flow-logs --flow-log-ids $flow_logs")
    );
}

#[test]
fn every_export_is_deterministic() {
    for design in designs() {
        for format in Format::ALL {
            assert_eq!(
                export(&design, format, "d-1"),
                export(&design, format, "d-1"),
                "{} {}",
                design.name,
                format.name()
            );
        }
    }
}

#[test]
fn the_json_export_round_trips_to_the_same_design() {
    for design in designs() {
        let files = export(&design, Format::Json, "d-1").unwrap();
        let loaded = crate::spec::load_design(&files[0].contents).unwrap();
        assert_eq!(loaded, design);
    }
}

/// Every `Ref` and `Fn::GetAtt` names a resource or parameter; every `DependsOn` a resource.
#[test]
fn cloudformation_references_resolve_and_routes_wait_for_attachments() {
    for design in designs() {
        let template = cloudformation::template(&design, "d-1");
        let resources = template["Resources"].as_object().unwrap();
        let mut names: BTreeSet<&str> = resources.keys().map(String::as_str).collect();
        names.insert("DesignId");
        fn walk<'a>(value: &'a Value, found: &mut Vec<&'a str>) {
            match value {
                Value::Object(map) => {
                    for (key, item) in map {
                        match (key.as_str(), item) {
                            ("Ref", Value::String(name)) => found.push(name),
                            ("Fn::GetAtt", Value::Array(parts)) => {
                                if let Some(Value::String(name)) = parts.first() {
                                    found.push(name);
                                }
                            }
                            _ => walk(item, found),
                        }
                    }
                }
                Value::Array(items) => items.iter().for_each(|i| walk(i, found)),
                _ => {}
            }
        }
        let mut referenced = Vec::new();
        walk(&template, &mut referenced);
        for name in &referenced {
            assert!(
                names.contains(name),
                "{}: {name} is not defined",
                design.name
            );
        }
        for (name, resource) in resources {
            let depends: Vec<&str> = match &resource["DependsOn"] {
                Value::String(one) => vec![one.as_str()],
                Value::Array(many) => many.iter().filter_map(Value::as_str).collect(),
                _ => Vec::new(),
            };
            for dependency in depends {
                assert!(
                    resources.contains_key(dependency),
                    "{name} waits for {dependency}"
                );
            }
            if resource["Type"] == "AWS::EC2::Route"
                && resource["Properties"]["GatewayId"].is_object()
            {
                assert!(
                    resource["DependsOn"].is_string(),
                    "{name}: a gateway route waits for the attachment"
                );
            }
        }
        // One resource per planner resource at least (attachments and VPN routes add some;
        // egress CIDR rules are inline on their group).
        let inline: usize = design
            .security_groups
            .iter()
            .map(|g| g.egress.iter().filter(|r| r.cidr.is_some()).count())
            .sum();
        // A main table with nothing of its own is the VPC's own: not created.
        let idle_main = design
            .route_tables
            .iter()
            .filter(|t| t.main && t.routes.is_empty())
            .count();
        assert!(
            resources.len() + inline + idle_main >= crate::plan::desired_resources(&design).len(),
            "{}",
            design.name
        );
        // YAML and JSON carry the same template.
        let json_text = cloudformation::json(&design, "d-1");
        assert_eq!(serde_json::from_str::<Value>(&json_text).unwrap(), template);
        let yaml = cloudformation::yaml(&design, "d-1");
        assert!(
            yaml.starts_with("AWSTemplateFormatVersion: \"2010-09-09\"\n")
                || yaml.contains("\nAWSTemplateFormatVersion: \"2010-09-09\"\n")
        );
        for name in resources.keys() {
            assert!(
                yaml.contains(&format!("\n  {name}:\n")),
                "{name} missing in YAML"
            );
        }
    }
}

/// Every `aws_x.name.attribute` reference in main.tf names a resource declared there.
#[test]
fn terraform_references_resolve_and_blocks_balance() {
    for design in designs() {
        let files = terraform::files(&design, "d-1");
        let main = &files.iter().find(|(n, _)| *n == "main.tf").unwrap().1;
        let declared: BTreeSet<String> = main
            .lines()
            .filter_map(|line| {
                let rest = line.strip_prefix("resource \"")?;
                let (kind, rest) = rest.split_once("\" \"")?;
                let (name, _) = rest.split_once('"')?;
                Some(format!("{kind}.{name}"))
            })
            .collect();
        assert!(!declared.is_empty());
        for word in main.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.')) {
            if word.starts_with("aws_") && word.matches('.').count() == 2 {
                let reference = word.rsplit_once('.').unwrap().0;
                assert!(
                    declared.contains(reference),
                    "{}: {reference} is not declared",
                    design.name
                );
            }
        }
        for (name, text) in &files {
            assert_eq!(
                text.matches('{').count(),
                text.matches('}').count(),
                "{name}"
            );
            assert!(!text.contains('\t'), "{name}: two-space indent, no tabs");
        }
        // Rules are their own resources: no inline ingress/egress blocks.
        assert!(!main.contains("ingress {") && !main.contains("egress {"));
    }
}

#[test]
fn the_drawio_export_nests_containers_and_attaches_every_edge() {
    for design in designs() {
        let text = drawio::diagram(&design);
        let document = roxmltree::Document::parse(&text).expect("well-formed XML");
        let cells: Vec<roxmltree::Node> = document
            .descendants()
            .filter(|n| n.has_tag_name("mxCell"))
            .collect();
        let ids: BTreeSet<&str> = cells.iter().filter_map(|c| c.attribute("id")).collect();
        assert_eq!(ids.len(), cells.len(), "ids are unique");
        for cell in &cells {
            if let Some(parent) = cell.attribute("parent") {
                assert!(ids.contains(parent), "{parent} is not a cell");
            }
            if cell.attribute("edge") == Some("1") {
                for end in ["source", "target"] {
                    let id = cell
                        .attribute(end)
                        .expect("edges are attached at both ends");
                    assert!(ids.contains(id), "edge end {id} is not a cell");
                }
            }
        }
        let parent_of = |id: &str| {
            cells
                .iter()
                .find(|c| c.attribute("id") == Some(id))
                .and_then(|c| c.attribute("parent"))
                .unwrap()
                .to_string()
        };
        for subnet in &design.subnets {
            // Subnet → its AZ container → its VPC.
            let lane = parent_of(&subnet.id);
            assert_eq!(
                lane,
                format!("az:{}:{}", subnet.vpc, subnet.availability_zone)
            );
            assert_eq!(parent_of(&lane), subnet.vpc);
        }
        for nat in &design.nat_gateways {
            assert_eq!(
                parent_of(&nat.id),
                nat.subnet,
                "a NAT gateway sits in its subnet"
            );
        }
        let routes: usize = design.route_tables.iter().map(|t| t.routes.len()).sum();
        let edges = cells
            .iter()
            .filter(|c| c.attribute("edge") == Some("1"))
            .count();
        assert!(
            edges >= routes,
            "{}: {edges} edges for {routes} routes",
            design.name
        );
    }
}

#[test]
fn the_svg_diagram_parses_and_draws_every_object_with_a_legend() {
    for design in designs() {
        let text = svg::diagram(&design, &svg::SvgOptions::default());
        let document = roxmltree::Document::parse(&text).expect("well-formed SVG");
        let root = document.root_element();
        assert_eq!(root.tag_name().name(), "svg");
        assert!(root.attribute("viewBox").is_some(), "scales crisply");
        let drawn: BTreeSet<&str> = document
            .descendants()
            .filter_map(|n| n.attribute("data-id"))
            .collect();
        let mut laid_out = design.clone();
        crate::layout::fill_missing_layout(&mut laid_out);
        for (id, _) in laid_out.object_ids() {
            if laid_out.layout.contains_key(id) {
                assert!(drawn.contains(id), "{}: {id} not drawn", design.name);
            }
        }
        let texts: String = document
            .descendants()
            .filter(|n| n.is_text())
            .filter_map(|n| n.text())
            .collect::<Vec<_>>()
            .join(" ");
        assert!(texts.contains(&design.name) && texts.contains(&design.region));
        assert!(
            texts.contains("private subnet") && texts.contains("NAT gateway"),
            "the legend"
        );
        assert!(
            !text.contains("data-diagnostics"),
            "no overlay unless asked"
        );
    }
    // The overlay marks the objects a diagnostic names.
    let fixture = crate::templates::template("mvp").unwrap().design().unwrap();
    let mut broken = fixture.clone();
    broken.subnets[0].cidr = "192.168.0.0/24".into();
    let text = svg::diagram(&broken, &svg::SvgOptions { diagnostics: true });
    assert!(text.contains(&format!("data-diagnostics=\"{}\"", broken.subnets[0].id)));
}

#[test]
fn the_cli_script_assigns_every_id_before_using_it() {
    for design in designs() {
        let script = cli::apply_script(&design, "d-1");
        assert!(script.starts_with("#!/usr/bin/env bash\n"));
        assert!(script.contains("set -euo pipefail"));
        let mut assigned: BTreeSet<String> = BTreeSet::new();
        for line in script.lines() {
            let trimmed = line.trim_start();
            // Uses first (a line may use ids and assign another).
            let mut rest = trimmed;
            while let Some(position) = rest.find("\"$") {
                let name: String = rest[position + 2..]
                    .chars()
                    .take_while(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || *c == '_')
                    .collect();
                if name.len() > 3
                    && name.contains('_')
                    && !["DESIGN_ID", "AWS_REGION", "ASSOCIATION"].contains(&name.as_str())
                {
                    assert!(
                        assigned.contains(&name),
                        "{}: ${name} used before it is set",
                        design.name
                    );
                }
                rest = &rest[position + 2..];
            }
            if let Some((name, _)) = trimmed.split_once("=$(")
                && name
                    .chars()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
            {
                assigned.insert(name.to_string());
            }
            if let Some((name, _)) = trimmed.split_once("=\"moat-") {
                assigned.insert(name.to_string());
            }
        }
        // Every continuation is in place: a backslash ends a line only before more arguments.
        for pair in script.lines().collect::<Vec<_>>().windows(2) {
            if pair[0].ends_with('\\') {
                assert!(
                    pair[1].starts_with("  "),
                    "a continuation is indented: {:?}",
                    pair
                );
            }
        }
        let teardown = cli::teardown_script(&design, "d-1");
        assert!(teardown.contains("set -euo pipefail") && teardown.contains("delete-vpc"));
    }
}

#[test]
fn names_are_plain_and_unique() {
    assert_eq!(pascal_case("rt-private/0.0.0.0/0"), "RtPrivate00000");
    assert_eq!(snake_case("vpc-llm"), "vpc_llm");
    assert_eq!(snake_case("1-a"), "r_1_a");
    assert_eq!(slug("LLM training (EFA)"), "llm-training-efa");
    let keys = [
        crate::plan::ResourceKey::new(crate::plan::ResourceKind::Route, "rt/10.0.0.0/8"),
        crate::plan::ResourceKey::new(crate::plan::ResourceKind::Route, "rt/100.0.0.0/8"),
    ];
    let names = cloudformation::Names::new(keys.iter().cloned(), pascal_case);
    let a = names.of(crate::plan::ResourceKind::Route, "rt/10.0.0.0/8");
    let b = names.of(crate::plan::ResourceKind::Route, "rt/100.0.0.0/8");
    assert_ne!(a, b);
}

/// Every export of every template (and of the two flow-log designs), and the planner's
/// desired resources, byte for byte against committed snapshots (`shared/snapshots/`): the
/// guard under every refactor of the kinds, the planner and the exporters. After an intended
/// change, `MOAT_UPDATE_SNAPSHOTS=1 cargo test -p shared snapshots` rewrites them; the diff is
/// then reviewed like code.
#[test]
fn every_export_of_every_template_matches_its_snapshot() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("snapshots");
    let update = std::env::var_os("MOAT_UPDATE_SNAPSHOTS").is_some();
    let mut compared = 0;
    for design in designs() {
        let directory = root.join(short_slug(&design.name));
        let mut files: Vec<ExportedFile> = Format::ALL
            .into_iter()
            .flat_map(|format| export(&design, format, "d-snapshot").unwrap())
            .collect();
        files.push(ExportedFile {
            name: "desired-resources.json".into(),
            contents: serde_json::to_string_pretty(&crate::plan::desired_resources(&design))
                .unwrap()
                + "\n",
        });
        if update {
            std::fs::create_dir_all(&directory).unwrap();
        }
        for file in files {
            let path = directory.join(&file.name);
            if update {
                std::fs::write(&path, &file.contents).unwrap();
            }
            let committed = std::fs::read_to_string(&path).unwrap_or_else(|_| {
                panic!(
                    "{} is missing: run with MOAT_UPDATE_SNAPSHOTS=1",
                    path.display()
                )
            });
            assert!(
                committed == file.contents,
                "{}: the export changed; review it and rewrite the snapshot with MOAT_UPDATE_SNAPSHOTS=1",
                path.display()
            );
            compared += 1;
        }
    }
    assert!(compared >= 6 * 9, "only {compared} snapshots compared");
}

mod fuzz {
    //! The fuzz target of #14: designs with hostile text, numbers and boxes anywhere go through
    //! load → validate → every export and the planner without a panic, and the exports that
    //! are not refused by the limits are deterministic.
    use proptest::prelude::*;

    use super::*;

    fn hostile_text() -> impl Strategy<Value = String> {
        prop_oneof![
            any::<String>(),
            "[\\x00-\\x1f'\"`$(){}%<>&;|\\\\\\n\\u{202e}\\u{2028}]{0,40}",
            Just("${file(\"/etc/passwd\")}".to_string()),
            Just("$(touch pwned)".to_string()),
            Just("]]><script>".to_string()),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]
        #[test]
        fn hostile_designs_never_panic_validation_the_planner_or_any_export(
            texts in proptest::collection::vec(hostile_text(), 12),
            count in any::<u32>(),
            coordinate in any::<f64>(),
            port in any::<i32>(),
        ) {
            let mut document: serde_json::Value = serde_json::from_str(
                crate::templates::template("llm-training-efa").unwrap().document,
            )
            .unwrap();
            document["name"] = serde_json::json!(texts[0]);
            document["region"] = serde_json::json!(texts[1]);
            document["subnets"][0]["cidr"] = serde_json::json!(texts[2]);
            document["subnets"][0]["availability_zone"] = serde_json::json!(texts[3]);
            document["security_groups"][0]["name"] = serde_json::json!(texts[4]);
            document["security_groups"][0]["description"] = serde_json::json!(texts[5]);
            document["workloads"][0]["instance_type"] = serde_json::json!(texts[6]);
            document["workloads"][0]["count"] = serde_json::json!(count);
            document["workloads"][0]["launch"] = serde_json::json!(true);
            document["workloads"][0]["image_id"] = serde_json::json!(texts[7]);
            document["security_groups"][0]["ingress"][0]["from_port"] = serde_json::json!(port);
            document["layout"] = serde_json::json!({
                texts[8].clone(): {"x": coordinate.clamp(-1e300, 1e300), "y": 0.0, "width": 10.0, "height": 10.0}
            });
            let renamed = serde_json::to_string(&document)
                .unwrap()
                .replace("\"pg-llm\"", &serde_json::to_string(&texts[9]).unwrap());
            let Ok(design) = crate::spec::load_design(&renamed) else {
                return Ok(());
            };
            let _ = crate::validate(&design);
            let _ = crate::plan::desired_resources(&design);
            for format in Format::ALL {
                let first = export(&design, format, &texts[10]);
                if first.is_ok() {
                    prop_assert_eq!(first, export(&design, format, &texts[10]));
                }
            }
        }
    }
}

mod unique_names {
    //! r14: ids that differ only by characters a target drops or folds (`db`, `db.`, `db_`,
    //! `d-b`, `DB`) never share an exported name: every resource of the design is still there,
    //! under a name of its own, in every code export and in draw.io.
    use std::collections::BTreeSet;

    use proptest::prelude::*;

    use super::*;

    /// A design with one security group per id (each with a rule naming the next group), all in
    /// one VPC.
    fn with_groups(ids: &[String]) -> Design {
        let mut design = crate::templates::template("mvp").unwrap().design().unwrap();
        let vpc = design.vpcs[0].id.clone();
        design.security_groups = ids
            .iter()
            .enumerate()
            .map(|(index, id)| crate::model::SecurityGroup {
                tags: Default::default(),
                id: id.clone(),
                vpc: vpc.clone(),
                name: format!("group {index}"),
                description: "alike".into(),
                ingress: vec![crate::model::SecurityGroupRule {
                    protocol: crate::model::Protocol::Tcp,
                    from_port: 443,
                    to_port: 443,
                    cidr: None,
                    security_group: Some(ids[(index + 1) % ids.len()].clone()),
                    prefix_list: None,
                    description: None,
                }],
                egress: Vec::new(),
            })
            .collect();
        for workload in &mut design.workloads {
            workload.security_groups = vec![ids[0].clone()];
        }
        design.endpoints.retain(|e| e.security_groups.is_empty());
        design
    }

    fn terraform_blocks(design: &Design) -> Vec<String> {
        terraform::files(design, "d-1")
            .into_iter()
            .flat_map(|(_, text)| {
                text.lines()
                    .filter(|l| l.starts_with("resource ") || l.starts_with("output "))
                    .map(str::to_string)
                    .collect::<Vec<_>>()
            })
            .collect()
    }

    fn script_variables(design: &Design) -> Vec<String> {
        cli::apply_script(design, "d-1")
            .lines()
            .filter(|l| l.contains("=$(aws ec2 describe-security-groups"))
            .map(|l| l.split('=').next().unwrap().to_string())
            .collect()
    }

    fn drawio_ids(design: &Design) -> Vec<String> {
        let text = drawio::diagram(design);
        let document = roxmltree::Document::parse(&text).unwrap();
        document
            .descendants()
            .filter(|n| n.has_tag_name("mxCell"))
            .filter_map(|n| n.attribute("id").map(str::to_string))
            .collect()
    }

    fn all_distinct(names: &[String]) -> bool {
        names.iter().collect::<BTreeSet<_>>().len() == names.len()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn ids_a_target_spells_alike_never_share_an_exported_name(
            suffixes in proptest::collection::btree_set("[._ A-Z-]{0,3}", 2..6)
        ) {
            let alike: Vec<String> = suffixes.iter().map(|s| format!("db{s}")).collect();
            let canonical: Vec<String> = (0..alike.len()).map(|n| format!("db-{n}")).collect();
            let (hostile, plain) = (with_groups(&alike), with_groups(&canonical));
            // CloudFormation: a clash would overwrite a resource in the map.
            let resources = |d: &Design| cloudformation::template(d, "d-1")["Resources"]
                .as_object()
                .unwrap()
                .len();
            prop_assert_eq!(resources(&hostile), resources(&plain));
            let blocks = terraform_blocks(&hostile);
            prop_assert!(all_distinct(&blocks), "{:?}", blocks);
            prop_assert_eq!(blocks.len(), terraform_blocks(&plain).len());
            let variables = script_variables(&hostile);
            prop_assert!(all_distinct(&variables), "{:?}", variables);
            prop_assert_eq!(variables.len(), alike.len());
            let cells = drawio_ids(&hostile);
            prop_assert!(all_distinct(&cells), "{:?}", cells);
            prop_assert_eq!(cells.len(), drawio_ids(&plain).len());
        }
    }
}

#[test]
fn user_tags_reach_every_export_escaped_after_moats_own() {
    let mut design = crate::templates::template("mvp").unwrap().design().unwrap();
    let hostile = "it's \"$(touch /tmp/pwned)\" ${var.x}";
    design.subnets[0].tags = [
        ("kubernetes.io/role/elb".to_string(), "1".to_string()),
        ("note".to_string(), hostile.to_string()),
    ]
    .into();
    let subnet = design.subnets[0].id.clone();
    let template = cloudformation::template(&design, "d-1");
    let tags = template["Resources"]
        .as_object()
        .unwrap()
        .values()
        .find(|r| {
            r["Type"] == "AWS::EC2::Subnet"
                && r["Properties"]["Tags"][0]["Value"] == subnet.as_str()
        })
        .map(|r| r["Properties"]["Tags"].clone())
        .expect("the subnet");
    assert_eq!(tags[1]["Key"], "moat:design-id", "Moat's first: {tags}");
    assert_eq!(
        tags[3],
        serde_json::json!({"Key": "kubernetes.io/role/elb", "Value": "1"})
    );
    assert_eq!(
        tags[4],
        serde_json::json!({"Key": "note", "Value": hostile})
    );
    let terraform: String = terraform::files(&design, "d-1")
        .into_iter()
        .map(|(_, text)| text)
        .collect();
    assert!(
        terraform.contains(r#""kubernetes.io/role/elb" = "1""#),
        "a key that is no identifier is quoted: {terraform}"
    );
    assert!(
        terraform.contains(r#"= "it's \"$(touch /tmp/pwned)\" $${var.x}""#),
        "{terraform}"
    );
    let script = cli::apply_script(&design, "d-1");
    let line = script
        .lines()
        .find(|line| line.contains("kubernetes.io/role/elb"))
        .expect("the script tags the subnet");
    assert!(
        line.trim_start().starts_with("--tag-specifications '") && line.contains(r#"it'\''s"#),
        "inside one single-quoted word: {line}"
    );
}

#[test]
fn a_private_nat_gateway_and_dedicated_tenancy_reach_every_export() {
    let mut design = crate::templates::template("multimodal-endpoints")
        .unwrap()
        .design()
        .unwrap();
    design.nat_gateways[0].connectivity = crate::model::NatConnectivity::Private;
    design.vpcs[0].tenancy = crate::model::VpcTenancy::Dedicated;
    let template = cloudformation::template(&design, "d-1");
    let resources = template["Resources"].as_object().unwrap();
    let nat = resources
        .values()
        .find(|r| r["Type"] == "AWS::EC2::NatGateway")
        .unwrap();
    assert_eq!(nat["Properties"]["ConnectivityType"], "private");
    assert!(nat["Properties"].get("AllocationId").is_none());
    assert!(!resources.values().any(|r| r["Type"] == "AWS::EC2::EIP"));
    let vpc = resources
        .values()
        .find(|r| r["Type"] == "AWS::EC2::VPC")
        .unwrap();
    assert_eq!(vpc["Properties"]["InstanceTenancy"], "dedicated");
    let terraform: String = terraform::files(&design, "d-1")
        .into_iter()
        .map(|(_, text)| text)
        .collect();
    assert!(
        terraform.contains(r#"connectivity_type = "private""#),
        "{terraform}"
    );
    assert!(terraform.contains(r#"= "dedicated""#), "{terraform}");
    assert!(!terraform.contains("aws_eip"), "{terraform}");
    let script = cli::apply_script(&design, "d-1");
    assert!(script.contains("--connectivity-type private"));
    assert!(script.contains("--instance-tenancy 'dedicated'"));
    assert!(!script.contains("--allocation-id"));
}

/// ESP (50) from on premises into a group, GRE (47) through an ACL with a described entry.
fn with_protocols_by_number() -> Design {
    let mut design = crate::templates::template("multimodal-endpoints")
        .unwrap()
        .design()
        .unwrap();
    let vpc = design.vpcs[0].id.clone();
    let subnet = design.subnets[0].id.clone();
    design.security_groups[0]
        .ingress
        .push(crate::model::SecurityGroupRule {
            protocol: crate::model::Protocol::Number(50),
            from_port: 0,
            to_port: 0,
            cidr: Some("192.168.0.0/16".into()),
            security_group: None,
            prefix_list: None,
            description: None,
        });
    design.network_acls.push(crate::model::NetworkAcl {
        id: "acl-gre".into(),
        vpc,
        subnets: vec![subnet],
        entries: vec![crate::model::NetworkAclEntry {
            rule_number: 100,
            egress: false,
            protocol: crate::model::Protocol::Number(47),
            from_port: 0,
            to_port: 0,
            cidr: "10.0.0.0/8".into(),
            action: crate::model::RuleAction::Allow,
            description: Some("GRE from the 'lab' $(tunnel)".into()),
        }],
        tags: Default::default(),
    });
    crate::layout::fill_missing_layout(&mut design);
    design
}

#[test]
fn a_protocol_by_number_is_written_without_ports_and_an_entry_description_stays_home() {
    let design = with_protocols_by_number();
    let desired = crate::plan::desired_resources(&design);
    let esp = desired
        .iter()
        .find_map(|resource| match &resource.spec {
            crate::plan::ResourceSpec::SecurityGroupRule(crate::plan::SecurityGroupRuleSpec {
                protocol,
                from_port,
                to_port,
                ..
            }) if protocol == "50" => Some((*from_port, *to_port)),
            _ => None,
        })
        .expect("the ESP rule is planned");
    assert_eq!(
        esp,
        (-1, -1),
        "EC2 reports no ports for it, so none are planned"
    );

    let template = cloudformation::template(&design, "d-1");
    let resources = template["Resources"].as_object().unwrap();
    let esp_rule = resources
        .values()
        .find(|r| r["Properties"]["IpProtocol"] == serde_json::json!(50))
        .expect("CloudFormation writes IpProtocol 50");
    assert!(
        esp_rule["Properties"].get("FromPort").is_none(),
        "{esp_rule}"
    );
    let gre = resources
        .values()
        .find(|r| {
            r["Type"] == "AWS::EC2::NetworkAclEntry"
                && r["Properties"]["Protocol"] == serde_json::json!(47)
        })
        .expect("CloudFormation writes Protocol 47");
    assert!(gre["Properties"].get("PortRange").is_none(), "{gre}");
    assert!(gre["Properties"].get("Icmp").is_none(), "{gre}");

    let terraform: String = terraform::files(&design, "d-1")
        .into_iter()
        .map(|(_, text)| text)
        .collect();
    let sets = |block: &str, key: &str, value: &str| {
        block.lines().any(|line| {
            let line = line.trim();
            line.starts_with(key)
                && line[key.len()..].trim_start().starts_with('=')
                && line.ends_with(value)
        })
    };
    let esp_block = terraform
        .split("\nresource ")
        .find(|block| sets(block, "ip_protocol", "\"50\""))
        .expect("Terraform writes ip_protocol 50");
    assert!(!esp_block.contains("from_port"), "{esp_block}");
    let gre_block = terraform
        .split("\nresource ")
        .find(|block| sets(block, "protocol", "\"47\""))
        .expect("Terraform writes protocol 47");
    assert!(!gre_block.contains("from_port"), "{gre_block}");

    let script = cli::apply_script(&design, "d-1");
    let esp_line = script
        .lines()
        .find(|line| line.contains(r#""IpProtocol":"50""#))
        .expect("the script writes IpProtocol 50");
    assert!(!esp_line.contains("FromPort"), "{esp_line}");
    let gre_line = script
        .lines()
        .find(|line| line.contains("--protocol '47'"))
        .expect("the script writes protocol 47");
    assert!(
        !gre_line.contains("--port-range") && !gre_line.contains("--icmp-type-code"),
        "{gre_line}"
    );

    // AWS keeps no description on an ACL entry: no export carries it.
    let exported = [serde_json::to_string(&template).unwrap(), terraform, script];
    for text in exported {
        assert!(!text.contains("tunnel"), "the description leaked");
    }
    // The design's own JSON keeps it.
    let json = crate::spec::save_design(&design);
    assert!(json.contains("GRE from the 'lab' $(tunnel)"));
}

/// The draw.io export opens as an AWS diagram: diagrams.net's own VPC, subnet and zone groups,
/// and each object with an icon in the AWS set drawn as that icon.
#[test]
fn the_drawio_export_draws_with_diagrams_nets_aws_shapes() {
    let expected: &[(&str, &str)] = &[
        ("vpc", "grIcon=mxgraph.aws4.group_vpc2"),
        ("subnet", "grIcon=mxgraph.aws4.group_security_group"),
        ("internet_gateway", "shape=mxgraph.aws4.internet_gateway;"),
        ("nat_gateway", "shape=mxgraph.aws4.nat_gateway;"),
        ("vpn_gateway", "shape=mxgraph.aws4.vpn_gateway;"),
        ("customer_gateway", "shape=mxgraph.aws4.customer_gateway;"),
        ("endpoint", "shape=mxgraph.aws4.endpoints;"),
        ("route_table", "shape=mxgraph.aws4.route_table;"),
        (
            "network_acl",
            "shape=mxgraph.aws4.network_access_control_list;",
        ),
        (
            "network_interface",
            "shape=mxgraph.aws4.elastic_network_interface;",
        ),
        (
            "workload",
            "shape=mxgraph.aws4.resourceIcon;resIcon=mxgraph.aws4.",
        ),
    ];
    let mut seen: BTreeSet<&str> = BTreeSet::new();
    for design in designs() {
        let text = drawio::diagram(&design);
        let document = roxmltree::Document::parse(&text).expect("well-formed XML");
        for cell in document.descendants().filter(|n| n.has_tag_name("mxCell")) {
            let (Some(id), Some(style)) = (cell.attribute("id"), cell.attribute("style")) else {
                continue;
            };
            let Some(kind) = design.kind_of(id) else {
                continue;
            };
            let name = kind.collection();
            if let Some((collection, fragment)) = expected
                .iter()
                .find(|(collection, _)| name.trim_end_matches('s') == *collection)
            {
                assert!(style.contains(fragment), "{id}: {style}");
                seen.insert(collection);
            }
        }
        // Public and private subnets keep AWS's colours.
        for subnet in &design.subnets {
            let cell = document
                .descendants()
                .find(|n| n.attribute("id") == Some(subnet.id.as_str()))
                .unwrap();
            let fill = match subnet.tier {
                crate::model::SubnetTier::Public => "fillColor=#F2F6E8",
                crate::model::SubnetTier::Private => "fillColor=#E6F6F7",
            };
            assert!(cell.attribute("style").unwrap().contains(fill));
        }
    }
    let sagemaker = drawio::diagram(&crate::templates::template("mvp").unwrap().design().unwrap());
    assert!(sagemaker.contains("resIcon=mxgraph.aws4.sagemaker"));
    assert_eq!(
        seen.len(),
        expected.len(),
        "every kind with an icon is drawn somewhere in the designs: {seen:?}"
    );
}
