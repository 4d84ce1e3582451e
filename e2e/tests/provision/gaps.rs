//! Nothing is dropped in silence: an account holding one of everything EC2 attaches to a VPC
//! that Moat does not model is imported, and each thing is named in the "left out" list by its
//! id (IPv6 blocks, IPv6 rules and ACL entries, instances, an egress-only internet gateway, a
//! peering connection, a transit gateway attachment, a carrier gateway), while what Moat does
//! model comes in (a standalone network interface among it, but not an instance's own).

use aws_sdk_ec2::types::{IpPermission, IpRange, Ipv6Range, RuleAction};

use crate::Harness;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn import_names_everything_it_does_not_model_by_object() {
    let harness = Harness::start(41).await.expect("moto and the layer");
    let ec2 = harness.checker();
    let vpc = ec2
        .create_vpc()
        .cidr_block("10.0.0.0/16")
        .amazon_provided_ipv6_cidr_block(true)
        .send()
        .await
        .unwrap();
    let vpc_id = vpc.vpc().unwrap().vpc_id().unwrap().to_string();
    let subnet = ec2
        .create_subnet()
        .vpc_id(&vpc_id)
        .cidr_block("10.0.1.0/24")
        .availability_zone("us-east-1a")
        .send()
        .await
        .unwrap();
    let subnet_id = subnet.subnet().unwrap().subnet_id().unwrap().to_string();

    let egress_only = ec2
        .create_egress_only_internet_gateway()
        .vpc_id(&vpc_id)
        .send()
        .await
        .unwrap();
    let egress_only_id = egress_only
        .egress_only_internet_gateway()
        .unwrap()
        .egress_only_internet_gateway_id()
        .unwrap()
        .to_string();
    let other = ec2
        .create_vpc()
        .cidr_block("10.1.0.0/16")
        .send()
        .await
        .unwrap();
    let peering = ec2
        .create_vpc_peering_connection()
        .vpc_id(&vpc_id)
        .peer_vpc_id(other.vpc().unwrap().vpc_id().unwrap())
        .send()
        .await
        .unwrap();
    let peering_id = peering
        .vpc_peering_connection()
        .unwrap()
        .vpc_peering_connection_id()
        .unwrap()
        .to_string();
    let transit = ec2.create_transit_gateway().send().await.unwrap();
    let attachment = ec2
        .create_transit_gateway_vpc_attachment()
        .transit_gateway_id(
            transit
                .transit_gateway()
                .unwrap()
                .transit_gateway_id()
                .unwrap(),
        )
        .vpc_id(&vpc_id)
        .subnet_ids(&subnet_id)
        .send()
        .await
        .unwrap();
    let attachment_id = attachment
        .transit_gateway_vpc_attachment()
        .unwrap()
        .transit_gateway_attachment_id()
        .unwrap()
        .to_string();
    let carrier = ec2
        .create_carrier_gateway()
        .vpc_id(&vpc_id)
        .send()
        .await
        .unwrap();
    let carrier_id = carrier
        .carrier_gateway()
        .unwrap()
        .carrier_gateway_id()
        .unwrap()
        .to_string();
    let instance = ec2
        .run_instances()
        .image_id("ami-12c6146b")
        .instance_type(aws_sdk_ec2::types::InstanceType::T3Micro)
        .subnet_id(&subnet_id)
        .min_count(1)
        .max_count(1)
        .send()
        .await
        .unwrap();
    let instance_id = instance.instances()[0].instance_id().unwrap().to_string();
    let interface = ec2
        .create_network_interface()
        .subnet_id(&subnet_id)
        .description("a load balancer's")
        .send()
        .await
        .unwrap();
    let interface_id = interface
        .network_interface()
        .unwrap()
        .network_interface_id()
        .unwrap()
        .to_string();

    let group = ec2
        .create_security_group()
        .vpc_id(&vpc_id)
        .group_name("web")
        .description("web")
        .send()
        .await
        .unwrap();
    let group_id = group.group_id().unwrap().to_string();
    ec2.authorize_security_group_ingress()
        .group_id(&group_id)
        .ip_permissions(
            IpPermission::builder()
                .ip_protocol("tcp")
                .from_port(443)
                .to_port(443)
                .ip_ranges(IpRange::builder().cidr_ip("10.0.0.0/8").build())
                .ipv6_ranges(Ipv6Range::builder().cidr_ipv6("::/0").build())
                .build(),
        )
        .send()
        .await
        .unwrap();
    ec2.authorize_security_group_ingress()
        .group_id(&group_id)
        .ip_permissions(
            IpPermission::builder()
                .ip_protocol("50")
                // moto 5.2 answers HTTP 500 to a port-less rule for another protocol.
                .from_port(-1)
                .to_port(-1)
                .ip_ranges(IpRange::builder().cidr_ip("192.168.0.0/16").build())
                .build(),
        )
        .send()
        .await
        .unwrap();
    let acl = ec2
        .create_network_acl()
        .vpc_id(&vpc_id)
        .send()
        .await
        .unwrap();
    let acl_id = acl
        .network_acl()
        .unwrap()
        .network_acl_id()
        .unwrap()
        .to_string();
    ec2.create_network_acl_entry()
        .network_acl_id(&acl_id)
        .rule_number(100)
        .egress(false)
        .protocol("-1")
        .rule_action(RuleAction::Allow)
        .ipv6_cidr_block("::/0")
        .send()
        .await
        .unwrap();
    ec2.create_network_acl_entry()
        .network_acl_id(&acl_id)
        .rule_number(110)
        .egress(false)
        .protocol("47")
        .rule_action(RuleAction::Allow)
        .cidr_block("10.0.0.0/8")
        .send()
        .await
        .unwrap();
    ec2.create_network_acl_entry()
        .network_acl_id(&acl_id)
        .rule_number(120)
        .egress(false)
        .protocol("6")
        .port_range(
            aws_sdk_ec2::types::PortRange::builder()
                .from(443)
                .to(443)
                .build(),
        )
        .rule_action(RuleAction::Allow)
        .cidr_block("10.0.0.0/8")
        .send()
        .await
        .unwrap();

    let (design, left_out) = harness
        .network
        .import_vpc("us-east-1", &vpc_id)
        .await
        .expect("the import");
    let named = |needle: &str, what: &str| {
        assert!(
            left_out
                .iter()
                .any(|line| line.contains(needle) && line.contains(what)),
            "{what} ({needle}) is not named: {left_out:#?}"
        );
    };
    named(&vpc_id, "IPv6 block");
    named(&egress_only_id, "egress-only internet gateway");
    named(&peering_id, "VPC peering connection");
    named(&attachment_id, "transit gateway attachment");
    named(&carrier_id, "carrier gateway");
    named(&instance_id, "instance");
    // The standalone interface is the design's now; the instance's own primary one is not.
    let imported_interface = design
        .network_interfaces
        .iter()
        .find(|i| i.id == interface_id)
        .unwrap_or_else(|| panic!("{:?}", design.network_interfaces));
    assert_eq!(imported_interface.description, "a load balancer's");
    assert_eq!(imported_interface.subnet, subnet_id);
    assert_eq!(
        design.network_interfaces.len(),
        1,
        "{:?}",
        design.network_interfaces
    );
    named(&group_id, "::/0");
    named(&acl_id, "entry 100 for ::/0");
    // What Moat models comes in, and only that: no empty CIDR from the IPv6 entry.
    let imported_acl = design
        .network_acls
        .iter()
        .find(|a| a.id == acl_id)
        .expect("the ACL");
    // Any protocol by number is kept: GRE (47) beside TCP 443.
    assert_eq!(imported_acl.entries.len(), 2, "{:?}", imported_acl.entries);
    assert!(imported_acl.entries.iter().all(|e| e.cidr == "10.0.0.0/8"));
    let gre = imported_acl
        .entries
        .iter()
        .find(|e| e.rule_number == 110)
        .expect("entry 110");
    assert_eq!(gre.protocol, shared::model::Protocol::Number(47));
    assert!(
        !left_out.iter().any(|line| line.contains("protocol 47")),
        "{left_out:#?}"
    );
    let web = design
        .security_groups
        .iter()
        .find(|g| g.id == group_id)
        .expect("the group");
    // The IPv4 half of the TCP rule, and ESP (50) by number.
    assert_eq!(web.ingress.len(), 2, "{:?}", web.ingress);
    assert!(
        web.ingress
            .iter()
            .any(|rule| rule.protocol == shared::model::Protocol::Tcp
                && rule.cidr.as_deref() == Some("10.0.0.0/8")
                && (rule.from_port, rule.to_port) == (443, 443))
    );
    assert!(
        web.ingress
            .iter()
            .any(|rule| rule.protocol == shared::model::Protocol::Number(50)
                && rule.cidr.as_deref() == Some("192.168.0.0/16"))
    );
    assert!(
        !left_out.iter().any(|line| line.contains("protocol 50")),
        "{left_out:#?}"
    );
    // The network interfaces of what Moat imports or names (the instance's) are not listed.
    assert_eq!(
        left_out
            .iter()
            .filter(|line| line.contains("network interface"))
            .count(),
        0,
        "{left_out:#?}"
    );
}
