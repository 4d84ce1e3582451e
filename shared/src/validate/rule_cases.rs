//! The rule table: for every code of the reference, at least three designs that break the rule
//! and one that passes, checked through one helper. A code without a case fails the build.
//!
//! Designs are patches over [`network`], a small complete design (public and private subnet,
//! internet and NAT gateway, S3 gateway endpoint, one workload) that validates clean.

use serde_json::{Value, json};

use super::{codes, validate};
use crate::spec;

/// A clean design: VPC 10.0.0.0/16 with flow logs to S3, public subnet with IGW route and a
/// NAT gateway (no public addresses on launch: nothing is launched there), private subnet
/// routed to the NAT with an S3 gateway endpoint, one app workload that Moat launches.
pub fn network() -> Value {
    json!({
        "schema_version": 1, "name": "rules", "region": "us-east-1",
        "vpcs": [{"id": "vpc-a", "name": "main", "cidr_blocks": ["10.0.0.0/16"],
                  "flow_logs": {"destination": "arn:aws:s3:::rules-flow-logs"}}],
        "internet_gateways": [{"id": "igw-a", "vpc": "vpc-a"}],
        "subnets": [
            {"id": "pub-a", "vpc": "vpc-a", "availability_zone": "us-east-1a", "cidr": "10.0.0.0/24", "tier": "public"},
            {"id": "priv-a", "vpc": "vpc-a", "availability_zone": "us-east-1a", "cidr": "10.0.1.0/24", "tier": "private"}
        ],
        "nat_gateways": [{"id": "nat-a", "subnet": "pub-a"}],
        "route_tables": [
            {"id": "rt-pub", "vpc": "vpc-a", "main": true, "subnets": ["pub-a"], "routes": [{"destination": "0.0.0.0/0", "target": "igw-a"}]},
            {"id": "rt-priv", "vpc": "vpc-a", "subnets": ["priv-a"], "routes": [{"destination": "0.0.0.0/0", "target": "nat-a"}]}
        ],
        "endpoints": [{"id": "vpce-s3", "vpc": "vpc-a", "type": "gateway", "service": "s3", "route_tables": ["rt-priv"],
                       "policy": scoped_s3_policy()}],
        "security_groups": [{
            "id": "sg-app", "vpc": "vpc-a", "name": "app", "description": "app",
            "ingress": [{"protocol": "tcp", "from_port": 443, "to_port": 443, "cidr": "10.0.0.0/16"}],
            "egress": [{"protocol": "all", "from_port": -1, "to_port": -1, "cidr": "0.0.0.0/0"}]
        }],
        "workloads": [{"id": "wl-app", "kind": "ec2", "instance_type": "m5.large", "count": 2, "subnet": "priv-a", "security_groups": ["sg-app"], "launch": true, "image_id": "ami-0123456789abcdef0"}]
    })
}

/// An S3 endpoint policy that allows the design's own buckets only.
pub fn scoped_s3_policy() -> Value {
    json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow", "Principal": "*",
            "Action": ["s3:GetObject", "s3:PutObject", "s3:ListBucket"],
            "Resource": ["arn:aws:s3:::rules-*", "arn:aws:s3:::rules-*/*"]
        }]
    })
}

/// Applies patches: `("/a/0/b", v)` sets a value, `("/a/-", v)` appends to an array.
pub fn with(mut document: Value, patches: &[(&str, Value)]) -> Value {
    for (pointer, value) in patches {
        if let Some(array) = pointer.strip_suffix("/-") {
            let target = document
                .pointer_mut(array)
                .unwrap_or_else(|| panic!("no {array}"));
            target
                .as_array_mut()
                .unwrap_or_else(|| panic!("{array} is not an array"))
                .push(value.clone());
            continue;
        }
        let (parent, key) = pointer
            .rsplit_once('/')
            .unwrap_or_else(|| panic!("bad pointer {pointer}"));
        let target = if parent.is_empty() {
            &mut document
        } else {
            document
                .pointer_mut(parent)
                .unwrap_or_else(|| panic!("no {parent}"))
        };
        match target {
            Value::Object(map) => {
                map.insert(key.to_string(), value.clone());
            }
            Value::Array(items) => {
                items[key.parse::<usize>().expect("array index")] = value.clone()
            }
            other => panic!("cannot patch into {other}"),
        }
    }
    document
}

fn patched(patches: &[(&str, Value)]) -> Value {
    with(network(), patches)
}

/// The clean design's app group and `count - 1` more like it (`sg-1`, `sg-2`, …).
fn groups(count: usize) -> Value {
    let mut groups = vec![network()["security_groups"][0].clone()];
    for number in 1..count {
        let mut group = groups[0].clone();
        group["id"] = json!(format!("sg-{number}"));
        group["name"] = json!(format!("group-{number}"));
        groups.push(group);
    }
    Value::Array(groups)
}

fn subnet(id: &str, az: &str, cidr: &str, tier: &str) -> Value {
    json!({"id": id, "vpc": "vpc-a", "availability_zone": az, "cidr": cidr, "tier": tier})
}

fn interface_endpoint(
    id: &str,
    service: &str,
    subnets: &[&str],
    groups: &[&str],
    private_dns: bool,
) -> Value {
    json!({"id": id, "vpc": "vpc-a", "type": "interface", "service": service, "subnets": subnets, "security_groups": groups, "private_dns": private_dns})
}

fn group(id: &str, ingress: Value, egress: Value) -> Value {
    json!({"id": id, "vpc": "vpc-a", "name": id, "description": id, "ingress": ingress, "egress": egress})
}

fn efa_node(
    id: &str,
    instance_type: &str,
    subnet: &str,
    groups: &[&str],
    placement: Option<&str>,
) -> Value {
    json!({"id": id, "kind": "ec2", "instance_type": instance_type, "count": 2, "subnet": subnet, "security_groups": groups, "efa": true, "placement_group": placement})
}

fn acl(entries: Value) -> Value {
    json!({"id": "acl-a", "vpc": "vpc-a", "subnets": ["priv-a"], "entries": entries})
}

fn acl_entry(
    rule_number: u32,
    egress: bool,
    protocol: &str,
    ports: (i32, i32),
    cidr: &str,
    action: &str,
) -> Value {
    json!({"rule_number": rule_number, "egress": egress, "protocol": protocol, "from_port": ports.0, "to_port": ports.1, "cidr": cidr, "action": action})
}

fn self_group(id: &str, ingress: bool, egress: bool) -> Value {
    let rule = json!([{"protocol": "all", "from_port": -1, "to_port": -1, "security_group": id}]);
    group(
        id,
        if ingress { rule.clone() } else { json!([]) },
        if egress { rule } else { json!([]) },
    )
}

fn many<T>(count: usize, make: impl Fn(usize) -> T) -> Vec<T> {
    (0..count).map(make).collect()
}

fn extra_vpcs(count: usize) -> Value {
    json!(many(
        count,
        |n| json!({"id": format!("vpc-{n}"), "cidr_blocks": [format!("10.{}.0.0/16", n + 1)]})
    ))
}

fn nat_gateways(count: usize, subnet: &str) -> Value {
    json!(many(
        count,
        |n| json!({"id": format!("nat-{n}"), "subnet": subnet})
    ))
}

fn routes(count: usize) -> Value {
    json!(many(
        count,
        |n| json!({"destination": format!("192.168.{}.{}/32", n / 250, n % 250), "target": "nat-a"})
    ))
}

fn ingress_rules(count: usize) -> Value {
    json!(many(
        count,
        |n| json!({"protocol": "tcp", "from_port": 1000 + n, "to_port": 1000 + n, "cidr": "10.0.0.0/16"})
    ))
}

fn nacl_entries(count: usize, egress: bool) -> Value {
    let mut entries = many(count, |n| {
        acl_entry(
            100 + n as u32,
            egress,
            "tcp",
            (1024, 65535),
            "10.0.0.0/8",
            "allow",
        )
    });
    entries.push(acl_entry(1, !egress, "all", (-1, -1), "0.0.0.0/0", "allow"));
    entries.push(acl_entry(2, egress, "all", (-1, -1), "0.0.0.0/0", "allow"));
    json!(entries)
}

/// The `n` extra subnets: /28 blocks of 10.0.16.0/20 onwards.
fn small_subnets(count: usize) -> Value {
    json!(many(count, |n| subnet(
        &format!("s-{n}"),
        "us-east-1b",
        &format!("10.0.{}.{}/28", 16 + n / 16, (n % 16) * 16),
        "private"
    )))
}

fn route_tables(count: usize) -> Value {
    json!(many(
        count,
        |n| json!({"id": format!("rt-{n}"), "vpc": "vpc-a"})
    ))
}

fn interface_endpoints(count: usize) -> Value {
    json!(many(count, |n| interface_endpoint(
        &format!("vpce-{n}"),
        &format!("service{n}"),
        &["priv-a"],
        &["sg-app"],
        false
    )))
}

fn all_sagemaker_endpoints() -> Value {
    let mut endpoints = many(6, |n| {
        let service = super::compute::PRIVATE_SAGEMAKER_INTERFACE_SERVICES[n];
        interface_endpoint(
            &format!("vpce-i{n}"),
            service,
            &["priv-a"],
            &["sg-app"],
            true,
        )
    });
    endpoints.push(json!({"id": "vpce-s3", "vpc": "vpc-a", "type": "gateway", "service": "s3", "route_tables": ["rt-priv"]}));
    json!(endpoints)
}

fn training(kind: &str, instance_type: &str, subnet: &str) -> Value {
    json!([{"id": "wl-train", "kind": kind, "instance_type": instance_type, "count": 1, "subnet": subnet, "security_groups": ["sg-app"]}])
}

/// One rule: designs that break it and one that passes.
pub struct RuleCase {
    pub code: &'static str,
    pub breaks: Vec<Value>,
    pub passes: Value,
}

fn case(code: &'static str, breaks: Vec<Value>, passes: Value) -> RuleCase {
    RuleCase {
        code,
        breaks,
        passes,
    }
}

/// The whole table.
pub fn rule_cases() -> Vec<RuleCase> {
    let vpc_b = json!({"id": "vpc-b", "cidr_blocks": ["10.9.0.0/16"]});
    let private_no_nat = ("/route_tables/1/routes", json!([]));
    vec![
        case(
            codes::CIDR_INVALID,
            vec![
                patched(&[("/subnets/1/cidr", json!("10.0.1.0"))]),
                patched(&[("/vpcs/0/cidr_blocks/0", json!("10.0/16"))]),
                patched(&[("/route_tables/1/routes/0/destination", json!("default"))]),
            ],
            network(),
        ),
        case(
            codes::CIDR_NOT_CANONICAL,
            vec![
                patched(&[("/subnets/1/cidr", json!("10.0.1.7/24"))]),
                patched(&[("/route_tables/0/routes/0/destination", json!("0.0.0.1/0"))]),
                patched(&[("/security_groups/0/ingress/0/cidr", json!("10.0.0.1/16"))]),
            ],
            network(),
        ),
        case(
            codes::VPC_CIDR_SIZE,
            vec![
                patched(&[("/vpcs/0/cidr_blocks", json!(["10.0.0.0/8"]))]),
                patched(&[("/vpcs/0/cidr_blocks", json!(["10.0.0.0/29"]))]),
                patched(&[("/vpcs/0/cidr_blocks", json!([]))]),
            ],
            patched(&[("/vpcs/0/cidr_blocks", json!(["10.0.0.0/16", "10.1.0.0/28"]))]),
        ),
        case(
            codes::VPC_CIDR_OVERLAP,
            vec![
                patched(&[("/vpcs/0/cidr_blocks", json!(["10.0.0.0/16", "10.0.0.0/17"]))]),
                patched(&[("/vpcs/0/cidr_blocks", json!(["10.0.0.0/16", "10.0.0.0/16"]))]),
                patched(&[(
                    "/vpcs/0/cidr_blocks",
                    json!(["10.0.0.0/16", "10.0.255.0/24"]),
                )]),
            ],
            patched(&[("/vpcs/0/cidr_blocks", json!(["10.0.0.0/16", "10.1.0.0/16"]))]),
        ),
        case(
            codes::VPC_SECONDARY_CIDR_RESTRICTED,
            vec![
                patched(&[(
                    "/vpcs/0/cidr_blocks",
                    json!(["10.0.0.0/16", "192.168.0.0/16"]),
                )]),
                patched(&[("/vpcs/0/cidr_blocks", json!(["10.1.0.0/16", "10.0.0.0/16"]))]),
                patched(&[(
                    "/vpcs/0/cidr_blocks",
                    json!(["10.0.0.0/16", "198.19.0.0/16"]),
                )]),
                patched(&[
                    (
                        "/vpcs/0/cidr_blocks",
                        json!(["10.0.0.0/16", "10.200.0.0/16"]),
                    ),
                    (
                        "/route_tables/1/routes/-",
                        json!({"destination": "10.200.0.0/16", "target": "nat-a"}),
                    ),
                ]),
            ],
            patched(&[(
                "/vpcs/0/cidr_blocks",
                json!(["10.0.0.0/16", "10.1.0.0/16", "100.64.0.0/16"]),
            )]),
        ),
        case(
            codes::VPC_RESERVED_RANGE,
            vec![
                patched(&[("/vpcs/0/cidr_blocks", json!(["169.254.0.0/16"]))]),
                patched(&[("/vpcs/0/cidr_blocks", json!(["172.17.0.0/16"]))]),
                patched(&[(
                    "/vpcs/0/cidr_blocks",
                    json!(["10.0.0.0/16", "169.254.10.0/24"]),
                )]),
            ],
            patched(&[("/vpcs/0/cidr_blocks", json!(["172.18.0.0/16"]))]),
        ),
        case(
            codes::VPC_CIDR_BLOCK_QUOTA,
            vec![
                patched(&[(
                    "/vpcs/0/cidr_blocks",
                    json!([
                        "10.0.0.0/16",
                        "10.1.0.0/16",
                        "10.2.0.0/16",
                        "10.3.0.0/16",
                        "10.4.0.0/16",
                        "10.5.0.0/16"
                    ]),
                )]),
                patched(&[(
                    "/vpcs/0/cidr_blocks",
                    json!([
                        "10.0.0.0/16",
                        "100.64.0.0/16",
                        "100.65.0.0/16",
                        "100.66.0.0/16",
                        "100.67.0.0/16",
                        "100.68.0.0/16",
                        "100.69.0.0/16"
                    ]),
                )]),
                patched(&[(
                    "/vpcs/0/cidr_blocks",
                    json!([
                        "10.0.0.0/16",
                        "10.1.0.0/24",
                        "10.1.1.0/24",
                        "10.1.2.0/24",
                        "10.1.3.0/24",
                        "10.1.4.0/24"
                    ]),
                )]),
            ],
            patched(&[(
                "/vpcs/0/cidr_blocks",
                json!([
                    "10.0.0.0/16",
                    "10.1.0.0/16",
                    "10.2.0.0/16",
                    "10.3.0.0/16",
                    "10.4.0.0/16"
                ]),
            )]),
        ),
        case(
            codes::SUBNET_CIDR_SIZE,
            vec![
                patched(&[("/subnets/1/cidr", json!("10.0.1.0/29"))]),
                patched(&[("/subnets/1/cidr", json!("10.0.1.0/32"))]),
                patched(&[
                    ("/vpcs/0/cidr_blocks", json!(["10.0.0.0/16", "10.1.0.0/16"])),
                    (
                        "/subnets/-",
                        subnet("big", "us-east-1a", "10.0.0.0/15", "private"),
                    ),
                ]),
            ],
            patched(&[("/subnets/1/cidr", json!("10.0.1.0/28"))]),
        ),
        case(
            codes::SUBNET_OUTSIDE_VPC,
            vec![
                patched(&[("/subnets/1/cidr", json!("10.1.1.0/24"))]),
                patched(&[("/subnets/1/cidr", json!("192.168.1.0/24"))]),
                patched(&[
                    (
                        "/vpcs/0/cidr_blocks",
                        json!(["10.0.0.0/17", "10.0.128.0/17"]),
                    ),
                    (
                        "/subnets/-",
                        subnet("straddle", "us-east-1a", "10.0.64.0/16", "private"),
                    ),
                ]),
            ],
            patched(&[
                ("/vpcs/0/cidr_blocks", json!(["10.0.0.0/16", "10.1.0.0/16"])),
                ("/subnets/1/cidr", json!("10.1.0.0/24")),
            ]),
        ),
        case(
            codes::SUBNET_OVERLAP,
            vec![
                patched(&[("/subnets/1/cidr", json!("10.0.0.0/24"))]),
                patched(&[("/subnets/1/cidr", json!("10.0.0.128/25"))]),
                patched(&[("/subnets/1/cidr", json!("10.0.0.0/20"))]),
            ],
            patched(&[("/subnets/1/cidr", json!("10.0.1.0/25"))]),
        ),
        case(
            codes::SUBNET_CAPACITY,
            vec![
                patched(&[
                    ("/subnets/1/cidr", json!("10.0.1.0/28")),
                    ("/workloads/0/count", json!(12)),
                ]),
                patched(&[
                    ("/subnets/1/cidr", json!("10.0.1.0/28")),
                    ("/workloads/0/count", json!(10)),
                ]),
                patched(&[
                    ("/subnets/0/cidr", json!("10.0.0.0/28")),
                    ("/nat_gateways", nat_gateways(12, "pub-a")),
                ]),
            ],
            patched(&[
                ("/subnets/1/cidr", json!("10.0.1.0/28")),
                ("/workloads/0/count", json!(8)),
            ]),
        ),
        case(
            codes::SUBNET_AZ_UNKNOWN,
            vec![
                patched(&[("/subnets/1/availability_zone", json!("us-east-1"))]),
                patched(&[("/subnets/1/availability_zone", json!("eu-west-1a"))]),
                patched(&[("/subnets/1/availability_zone", json!("us-east-1-a"))]),
            ],
            patched(&[("/subnets/1/availability_zone", json!("us-east-1f"))]),
        ),
        case(
            codes::VPN_ONPREM_OVERLAP,
            vec![
                patched(&[(
                    "/customer_gateways",
                    json!([{"id": "cgw", "ip_address": "203.0.113.10", "bgp_asn": 65000, "on_premises_cidrs": ["10.0.0.0/8"]}]),
                )]),
                patched(&[(
                    "/customer_gateways",
                    json!([{"id": "cgw", "ip_address": "203.0.113.10", "bgp_asn": 65000, "on_premises_cidrs": ["192.168.0.0/16", "10.0.5.0/24"]}]),
                )]),
                patched(&[
                    ("/vpn_gateways", json!([{"id": "vgw", "vpc": "vpc-a"}])),
                    (
                        "/customer_gateways",
                        json!([{"id": "cgw", "ip_address": "203.0.113.10", "bgp_asn": 65000, "on_premises_cidrs": ["10.0.1.128/25"]}]),
                    ),
                    (
                        "/vpn_connections",
                        json!([{"id": "vpn", "vpn_gateway": "vgw", "customer_gateway": "cgw"}]),
                    ),
                ]),
            ],
            patched(&[(
                "/customer_gateways",
                json!([{"id": "cgw", "ip_address": "203.0.113.10", "bgp_asn": 65000, "on_premises_cidrs": ["192.168.0.0/16"]}]),
            )]),
        ),
        case(
            codes::ROUTE_DUPLICATE_DESTINATION,
            vec![
                patched(&[(
                    "/route_tables/1/routes/-",
                    json!({"destination": "0.0.0.0/0", "target": "nat-a"}),
                )]),
                patched(&[(
                    "/route_tables/0/routes/-",
                    json!({"destination": "0.0.0.0/0", "target": "nat-a"}),
                )]),
                patched(&[
                    (
                        "/route_tables/1/routes/-",
                        json!({"destination": "192.168.0.0/16", "target": "nat-a"}),
                    ),
                    (
                        "/route_tables/1/routes/-",
                        json!({"destination": "192.168.0.5/16", "target": "nat-a"}),
                    ),
                ]),
            ],
            patched(&[(
                "/route_tables/1/routes/-",
                json!({"destination": "192.168.0.0/16", "target": "nat-a"}),
            )]),
        ),
        case(
            codes::ROUTE_TARGET_MISSING,
            vec![
                patched(&[("/route_tables/1/routes/0/target", json!("nat-missing"))]),
                patched(&[("/route_tables/1/routes/0/target", json!("priv-a"))]),
                patched(&[("/route_tables/1/routes/0/target", json!("sg-app"))]),
            ],
            patched(&[(
                "/route_tables/1/routes/-",
                json!({"destination": "192.168.0.0/16", "target": "wl-app"}),
            )]),
        ),
        case(
            codes::ROUTE_TARGET_OTHER_VPC,
            vec![
                patched(&[
                    ("/vpcs/-", vpc_b.clone()),
                    (
                        "/internet_gateways/-",
                        json!({"id": "igw-b", "vpc": "vpc-b"}),
                    ),
                    ("/route_tables/0/routes/0/target", json!("igw-b")),
                ]),
                patched(&[
                    ("/vpcs/-", vpc_b.clone()),
                    ("/vpn_gateways", json!([{"id": "vgw-b", "vpc": "vpc-b"}])),
                    (
                        "/route_tables/1/routes/-",
                        json!({"destination": "192.168.0.0/16", "target": "vgw-b"}),
                    ),
                ]),
                patched(&[
                    ("/vpcs/-", vpc_b.clone()),
                    (
                        "/subnets/-",
                        json!({"id": "pub-b", "vpc": "vpc-b", "availability_zone": "us-east-1a", "cidr": "10.9.0.0/24", "tier": "private"}),
                    ),
                    ("/nat_gateways/-", json!({"id": "nat-b", "subnet": "pub-b"})),
                    ("/route_tables/1/routes/0/target", json!("nat-b")),
                ]),
            ],
            patched(&[
                ("/vpn_gateways", json!([{"id": "vgw-a", "vpc": "vpc-a"}])),
                (
                    "/route_tables/1/routes/-",
                    json!({"destination": "192.168.0.0/16", "target": "vgw-a"}),
                ),
            ]),
        ),
        case(
            codes::ROUTE_RESERVED_DESTINATION,
            vec![
                patched(&[(
                    "/route_tables/1/routes/-",
                    json!({"destination": "169.254.168.0/22", "target": "nat-a"}),
                )]),
                patched(&[(
                    "/route_tables/1/routes/-",
                    json!({"destination": "169.254.169.0/24", "target": "nat-a"}),
                )]),
                patched(&[(
                    "/route_tables/0/routes/-",
                    json!({"destination": "169.254.170.2/32", "target": "igw-a"}),
                )]),
            ],
            patched(&[(
                "/route_tables/1/routes/-",
                json!({"destination": "169.254.0.0/24", "target": "nat-a"}),
            )]),
        ),
        case(
            codes::ROUTE_MORE_SPECIFIC_THAN_LOCAL,
            vec![
                patched(&[(
                    "/route_tables/0/routes/-",
                    json!({"destination": "10.0.1.0/24", "target": "igw-a"}),
                )]),
                patched(&[(
                    "/route_tables/0/routes/-",
                    json!({"destination": "10.0.5.0/24", "target": "nat-a"}),
                )]),
                patched(&[(
                    "/route_tables/1/routes/-",
                    json!({"destination": "10.0.0.0/16", "target": "wl-app"}),
                )]),
            ],
            patched(&[(
                "/route_tables/0/routes/-",
                json!({"destination": "10.0.1.0/24", "target": "wl-app"}),
            )]),
        ),
        case(
            codes::ROUTE_NAT_NOT_PUBLIC,
            vec![
                patched(&[("/nat_gateways/0/subnet", json!("priv-a"))]),
                patched(&[("/route_tables/0/routes/0/destination", json!("0.0.0.0/1"))]),
                patched(&[("/route_tables/0/routes", json!([]))]),
            ],
            network(),
        ),
        case(
            codes::SUBNET_ROUTE_TABLE_COUNT,
            vec![
                patched(&[("/route_tables/1/subnets", json!(["priv-a", "pub-a"]))]),
                patched(&[(
                    "/route_tables/-",
                    json!({"id": "rt-3", "vpc": "vpc-a", "subnets": ["priv-a"]}),
                )]),
                patched(&[("/route_tables/1/subnets", json!(["priv-a", "priv-a"]))]),
            ],
            patched(&[(
                "/route_tables/-",
                json!({"id": "rt-3", "vpc": "vpc-a", "subnets": []}),
            )]),
        ),
        case(
            codes::SUBNET_INTENT_MISMATCH,
            vec![
                patched(&[("/route_tables/1/routes/0/target", json!("igw-a"))]),
                patched(&[("/subnets/1/tier", json!("public"))]),
                patched(&[("/subnets/0/tier", json!("private"))]),
            ],
            network(),
        ),
        case(
            codes::ROUTE_TABLE_LIMIT,
            vec![
                patched(&[("/route_tables/1/routes", routes(51))]),
                patched(&[("/route_tables/1/routes", routes(60))]),
                patched(&[("/route_tables/1/routes", routes(120))]),
            ],
            patched(&[("/route_tables/1/routes", routes(50))]),
        ),
        case(
            codes::NAT_CROSS_AZ,
            vec![
                patched(&[("/subnets/1/availability_zone", json!("us-east-1b"))]),
                patched(&[("/subnets/1/availability_zone", json!("us-east-1c"))]),
                patched(&[
                    (
                        "/subnets/-",
                        subnet("priv-b", "us-east-1b", "10.0.2.0/24", "private"),
                    ),
                    ("/route_tables/1/subnets/-", json!("priv-b")),
                ]),
            ],
            network(),
        ),
        case(
            codes::IGW_MULTIPLE,
            vec![
                patched(&[(
                    "/internet_gateways/-",
                    json!({"id": "igw-b", "vpc": "vpc-a"}),
                )]),
                patched(&[
                    (
                        "/internet_gateways/-",
                        json!({"id": "igw-b", "vpc": "vpc-a"}),
                    ),
                    (
                        "/internet_gateways/-",
                        json!({"id": "igw-c", "vpc": "vpc-a"}),
                    ),
                ]),
                patched(&[
                    ("/vpcs/-", vpc_b.clone()),
                    (
                        "/internet_gateways/-",
                        json!({"id": "igw-b", "vpc": "vpc-b"}),
                    ),
                    (
                        "/internet_gateways/-",
                        json!({"id": "igw-c", "vpc": "vpc-b"}),
                    ),
                ]),
            ],
            patched(&[
                ("/vpcs/-", vpc_b.clone()),
                (
                    "/internet_gateways/-",
                    json!({"id": "igw-b", "vpc": "vpc-b"}),
                ),
            ]),
        ),
        case(
            codes::VGW_MULTIPLE,
            vec![
                patched(&[(
                    "/vpn_gateways",
                    json!([{"id": "vgw-1", "vpc": "vpc-a"}, {"id": "vgw-2", "vpc": "vpc-a"}]),
                )]),
                patched(&[(
                    "/vpn_gateways",
                    json!([{"id": "vgw-1", "vpc": "vpc-a"}, {"id": "vgw-2", "vpc": "vpc-a"}, {"id": "vgw-3", "vpc": "vpc-a"}]),
                )]),
                patched(&[
                    ("/vpcs/-", vpc_b.clone()),
                    (
                        "/vpn_gateways",
                        json!([{"id": "vgw-1", "vpc": "vpc-b"}, {"id": "vgw-2", "vpc": "vpc-b"}]),
                    ),
                ]),
            ],
            patched(&[("/vpn_gateways", json!([{"id": "vgw-1", "vpc": "vpc-a"}]))]),
        ),
        case(
            codes::ENDPOINT_GATEWAY_SERVICE,
            vec![
                patched(&[("/endpoints/0/service", json!("sagemaker.api"))]),
                patched(&[("/endpoints/0/service", json!("ecr.dkr"))]),
                patched(&[("/endpoints/0/service", json!("S3"))]),
            ],
            patched(&[("/endpoints/0/service", json!("dynamodb"))]),
        ),
        case(
            codes::ENDPOINT_GATEWAY_NO_ROUTE_TABLE,
            vec![
                patched(&[("/endpoints/0/route_tables", json!([]))]),
                patched(&[(
                    "/endpoints/-",
                    json!({"id": "vpce-ddb", "vpc": "vpc-a", "type": "gateway", "service": "dynamodb"}),
                )]),
                patched(&[
                    ("/endpoints/0/route_tables", json!([])),
                    ("/endpoints/0/subnets", json!(["priv-a"])),
                ]),
            ],
            patched(&[("/endpoints/0/route_tables", json!(["rt-priv", "rt-pub"]))]),
        ),
        case(
            codes::ENDPOINT_INTERFACE_AZ_DUPLICATE,
            vec![
                patched(&[(
                    "/endpoints/-",
                    interface_endpoint(
                        "vpce-sm",
                        "sagemaker.api",
                        &["priv-a", "pub-a"],
                        &["sg-app"],
                        true,
                    ),
                )]),
                patched(&[
                    (
                        "/subnets/-",
                        subnet("priv-a2", "us-east-1a", "10.0.2.0/24", "private"),
                    ),
                    (
                        "/endpoints/-",
                        interface_endpoint(
                            "vpce-sm",
                            "sts",
                            &["priv-a", "priv-a2"],
                            &["sg-app"],
                            true,
                        ),
                    ),
                ]),
                patched(&[(
                    "/endpoints/-",
                    interface_endpoint(
                        "vpce-sm",
                        "logs",
                        &["priv-a", "priv-a"],
                        &["sg-app"],
                        false,
                    ),
                )]),
            ],
            patched(&[
                (
                    "/subnets/-",
                    subnet("priv-b", "us-east-1b", "10.0.2.0/24", "private"),
                ),
                ("/route_tables/1/subnets/-", json!("priv-b")),
                (
                    "/endpoints/-",
                    interface_endpoint(
                        "vpce-sm",
                        "sagemaker.api",
                        &["priv-a", "priv-b"],
                        &["sg-app"],
                        true,
                    ),
                ),
            ]),
        ),
        case(
            codes::ENDPOINT_INTERFACE_NO_SECURITY_GROUP,
            vec![
                patched(&[(
                    "/endpoints/-",
                    interface_endpoint("vpce-sm", "sagemaker.api", &["priv-a"], &[], true),
                )]),
                patched(&[(
                    "/endpoints/-",
                    interface_endpoint("vpce-sm", "rekognition", &["priv-a"], &[], false),
                )]),
                patched(&[(
                    "/endpoints/-",
                    interface_endpoint("vpce-sm", "sts", &[], &[], false),
                )]),
            ],
            patched(&[(
                "/endpoints/-",
                interface_endpoint("vpce-sm", "sagemaker.api", &["priv-a"], &["sg-app"], true),
            )]),
        ),
        case(
            codes::ENDPOINT_INTERFACE_HTTPS_BLOCKED,
            vec![
                patched(&[
                    (
                        "/security_groups/-",
                        group(
                            "sg-db",
                            json!([{"protocol": "tcp", "from_port": 5432, "to_port": 5432, "cidr": "10.0.0.0/16"}]),
                            json!([]),
                        ),
                    ),
                    (
                        "/endpoints/-",
                        interface_endpoint(
                            "vpce-sm",
                            "sagemaker.api",
                            &["priv-a"],
                            &["sg-db"],
                            true,
                        ),
                    ),
                ]),
                patched(&[
                    (
                        "/security_groups/-",
                        group(
                            "sg-onprem",
                            json!([{"protocol": "tcp", "from_port": 443, "to_port": 443, "cidr": "192.168.0.0/16"}]),
                            json!([]),
                        ),
                    ),
                    (
                        "/endpoints/-",
                        interface_endpoint(
                            "vpce-sm",
                            "sagemaker.api",
                            &["priv-a"],
                            &["sg-onprem"],
                            true,
                        ),
                    ),
                ]),
                patched(&[
                    (
                        "/security_groups/-",
                        group(
                            "sg-udp",
                            json!([{"protocol": "udp", "from_port": 443, "to_port": 443, "cidr": "10.0.0.0/16"}]),
                            json!([]),
                        ),
                    ),
                    (
                        "/endpoints/-",
                        interface_endpoint(
                            "vpce-sm",
                            "sagemaker.api",
                            &["priv-a"],
                            &["sg-udp"],
                            true,
                        ),
                    ),
                ]),
            ],
            patched(&[
                (
                    "/security_groups/-",
                    group(
                        "sg-ep",
                        json!([{"protocol": "tcp", "from_port": 443, "to_port": 443, "security_group": "sg-app"}]),
                        json!([]),
                    ),
                ),
                (
                    "/endpoints/-",
                    interface_endpoint("vpce-sm", "sagemaker.api", &["priv-a"], &["sg-ep"], true),
                ),
            ]),
        ),
        case(
            codes::ENDPOINT_PRIVATE_DNS_NEEDS_VPC_DNS,
            vec![
                patched(&[
                    ("/vpcs/0/enable_dns_hostnames", json!(false)),
                    (
                        "/endpoints/-",
                        interface_endpoint(
                            "vpce-sm",
                            "sagemaker.api",
                            &["priv-a"],
                            &["sg-app"],
                            true,
                        ),
                    ),
                ]),
                patched(&[
                    ("/vpcs/0/enable_dns_support", json!(false)),
                    (
                        "/endpoints/-",
                        interface_endpoint(
                            "vpce-sm",
                            "sagemaker.api",
                            &["priv-a"],
                            &["sg-app"],
                            true,
                        ),
                    ),
                ]),
                patched(&[
                    ("/vpcs/0/enable_dns_support", json!(false)),
                    ("/vpcs/0/enable_dns_hostnames", json!(false)),
                    (
                        "/endpoints/-",
                        interface_endpoint("vpce-sm", "sts", &["priv-a"], &["sg-app"], true),
                    ),
                ]),
            ],
            patched(&[
                ("/vpcs/0/enable_dns_hostnames", json!(false)),
                (
                    "/endpoints/-",
                    interface_endpoint("vpce-sm", "sagemaker.api", &["priv-a"], &["sg-app"], false),
                ),
            ]),
        ),
        case(
            codes::ENDPOINT_DUPLICATE_SERVICE,
            vec![
                patched(&[
                    (
                        "/endpoints/-",
                        interface_endpoint("vpce-1", "sts", &["priv-a"], &["sg-app"], true),
                    ),
                    (
                        "/endpoints/-",
                        interface_endpoint("vpce-2", "sts", &["pub-a"], &["sg-app"], true),
                    ),
                ]),
                patched(&[
                    (
                        "/endpoints/-",
                        interface_endpoint("vpce-1", "logs", &["priv-a"], &["sg-app"], true),
                    ),
                    (
                        "/endpoints/-",
                        interface_endpoint("vpce-2", "logs", &["priv-a"], &["sg-app"], true),
                    ),
                    (
                        "/endpoints/-",
                        interface_endpoint("vpce-3", "logs", &["priv-a"], &["sg-app"], true),
                    ),
                ]),
                patched(&[
                    (
                        "/endpoints/-",
                        interface_endpoint("vpce-1", "sagemaker.api", &[], &["sg-app"], true),
                    ),
                    (
                        "/endpoints/-",
                        interface_endpoint("vpce-2", "sagemaker.api", &[], &["sg-app"], true),
                    ),
                ]),
            ],
            patched(&[
                (
                    "/endpoints/-",
                    interface_endpoint("vpce-1", "sts", &["priv-a"], &["sg-app"], true),
                ),
                (
                    "/endpoints/-",
                    interface_endpoint("vpce-2", "sts", &["pub-a"], &["sg-app"], false),
                ),
            ]),
        ),
        case(
            codes::SG_UNKNOWN_REFERENCE,
            vec![
                patched(&[(
                    "/security_groups/0/ingress/-",
                    json!({"protocol": "all", "security_group": "sg-missing"}),
                )]),
                patched(&[("/workloads/0/security_groups", json!(["sg-nope"]))]),
                patched(&[(
                    "/endpoints/-",
                    interface_endpoint("vpce-sm", "sts", &["priv-a"], &["sg-x"], false),
                )]),
            ],
            patched(&[(
                "/security_groups/0/ingress/-",
                json!({"protocol": "all", "security_group": "sg-app"}),
            )]),
        ),
        case(
            codes::SG_REFERENCE_OTHER_VPC,
            vec![
                patched(&[
                    ("/vpcs/-", vpc_b.clone()),
                    (
                        "/security_groups/-",
                        json!({"id": "sg-b", "vpc": "vpc-b", "name": "b"}),
                    ),
                    (
                        "/security_groups/0/ingress/-",
                        json!({"protocol": "all", "security_group": "sg-b"}),
                    ),
                ]),
                patched(&[
                    ("/vpcs/-", vpc_b.clone()),
                    (
                        "/security_groups/-",
                        json!({"id": "sg-b", "vpc": "vpc-b", "name": "b"}),
                    ),
                    ("/workloads/0/security_groups", json!(["sg-b"])),
                ]),
                patched(&[
                    ("/vpcs/-", vpc_b.clone()),
                    (
                        "/security_groups/-",
                        json!({"id": "sg-b", "vpc": "vpc-b", "name": "b"}),
                    ),
                    (
                        "/endpoints/-",
                        interface_endpoint("vpce-sm", "sts", &["priv-a"], &["sg-b"], false),
                    ),
                ]),
            ],
            patched(&[
                (
                    "/security_groups/-",
                    json!({"id": "sg-b", "vpc": "vpc-a", "name": "b"}),
                ),
                (
                    "/security_groups/0/ingress/-",
                    json!({"protocol": "all", "security_group": "sg-b"}),
                ),
            ]),
        ),
        case(
            codes::SG_RULE_LIMIT,
            vec![
                patched(&[("/security_groups/0/ingress", ingress_rules(61))]),
                patched(&[("/security_groups/0/egress", ingress_rules(61))]),
                patched(&[("/security_groups/0/ingress", ingress_rules(100))]),
            ],
            patched(&[("/security_groups/0/ingress", ingress_rules(60))]),
        ),
        case(
            codes::SG_PER_INTERFACE_LIMIT,
            {
                let six: Vec<Value> = many(
                    6,
                    |n| json!({"id": format!("sg-{n}"), "vpc": "vpc-a", "name": format!("g{n}")}),
                );
                let six_ids: Vec<String> = many(6, |n| format!("sg-{n}"));
                let seven: Vec<String> = many(7, |n| format!("sg-{}", n % 6));
                vec![
                    patched(&[
                        ("/security_groups", json!(six.clone())),
                        ("/workloads/0/security_groups", json!(six_ids.clone())),
                    ]),
                    patched(&[
                        ("/security_groups", json!(six.clone())),
                        (
                            "/endpoints/-",
                            json!({"id": "vpce-sm", "vpc": "vpc-a", "type": "interface", "service": "sts", "subnets": ["priv-a"], "security_groups": six_ids}),
                        ),
                    ]),
                    patched(&[
                        ("/security_groups", json!(six.clone())),
                        ("/workloads/0/security_groups", json!(seven)),
                    ]),
                ]
            },
            patched(&[
                (
                    "/security_groups",
                    json!(many(
                        5,
                        |n| json!({"id": format!("sg-{n}"), "vpc": "vpc-a", "name": format!("g{n}")})
                    )),
                ),
                (
                    "/workloads/0/security_groups",
                    json!(many(5, |n| format!("sg-{n}"))),
                ),
            ]),
        ),
        case(
            codes::SG_OPEN_ADMIN_PORT,
            vec![
                patched(&[(
                    "/security_groups/0/ingress/-",
                    json!({"protocol": "tcp", "from_port": 22, "to_port": 22, "cidr": "0.0.0.0/0"}),
                )]),
                patched(&[(
                    "/security_groups/0/ingress/-",
                    json!({"protocol": "tcp", "from_port": 3389, "to_port": 3389, "cidr": "0.0.0.0/0"}),
                )]),
                patched(&[(
                    "/security_groups/0/ingress/-",
                    json!({"protocol": "all", "from_port": -1, "to_port": -1, "cidr": "0.0.0.0/0"}),
                )]),
            ],
            patched(&[(
                "/security_groups/0/ingress/-",
                json!({"protocol": "tcp", "from_port": 22, "to_port": 22, "cidr": "10.0.0.0/16"}),
            )]),
        ),
        case(
            codes::SG_EFA_SELF_RULE,
            vec![
                patched(&[(
                    "/workloads/-",
                    efa_node("wl-efa", "p4d.24xlarge", "priv-a", &["sg-app"], None),
                )]),
                patched(&[
                    ("/security_groups/-", self_group("sg-efa", true, false)),
                    (
                        "/workloads/-",
                        efa_node("wl-efa", "p4d.24xlarge", "priv-a", &["sg-efa"], None),
                    ),
                ]),
                patched(&[
                    ("/security_groups/-", self_group("sg-efa", false, true)),
                    (
                        "/workloads/-",
                        efa_node("wl-efa", "p5.48xlarge", "priv-a", &["sg-efa"], None),
                    ),
                ]),
            ],
            patched(&[
                ("/security_groups/-", self_group("sg-efa", true, true)),
                (
                    "/workloads/-",
                    efa_node(
                        "wl-efa",
                        "p4d.24xlarge",
                        "priv-a",
                        &["sg-app", "sg-efa"],
                        None,
                    ),
                ),
            ]),
        ),
        case(
            codes::NACL_RULE_NUMBER,
            vec![
                patched(&[(
                    "/network_acls",
                    json!([acl(json!([
                        acl_entry(0, false, "all", (-1, -1), "0.0.0.0/0", "allow"),
                        acl_entry(1, true, "all", (-1, -1), "0.0.0.0/0", "allow")
                    ]))]),
                )]),
                patched(&[(
                    "/network_acls",
                    json!([acl(json!([
                        acl_entry(32767, false, "all", (-1, -1), "0.0.0.0/0", "allow"),
                        acl_entry(1, true, "all", (-1, -1), "0.0.0.0/0", "allow")
                    ]))]),
                )]),
                patched(&[(
                    "/network_acls",
                    json!([acl(json!([
                        acl_entry(100, false, "all", (-1, -1), "0.0.0.0/0", "allow"),
                        acl_entry(100, false, "tcp", (22, 22), "0.0.0.0/0", "deny"),
                        acl_entry(1, true, "all", (-1, -1), "0.0.0.0/0", "allow")
                    ]))]),
                )]),
            ],
            patched(&[(
                "/network_acls",
                json!([acl(json!([
                    acl_entry(100, false, "all", (-1, -1), "0.0.0.0/0", "allow"),
                    acl_entry(100, true, "all", (-1, -1), "0.0.0.0/0", "allow")
                ]))]),
            )]),
        ),
        case(
            codes::NACL_RULE_LIMIT,
            vec![
                patched(&[("/network_acls", json!([acl(nacl_entries(20, false))]))]),
                patched(&[("/network_acls", json!([acl(nacl_entries(20, true))]))]),
                patched(&[("/network_acls", json!([acl(nacl_entries(30, false))]))]),
            ],
            patched(&[("/network_acls", json!([acl(nacl_entries(19, false))]))]),
        ),
        case(
            codes::NACL_STATELESS_RETURN,
            vec![
                patched(&[(
                    "/network_acls",
                    json!([acl(json!([
                        acl_entry(100, false, "tcp", (443, 443), "0.0.0.0/0", "allow"),
                        acl_entry(100, true, "tcp", (443, 443), "0.0.0.0/0", "allow")
                    ]))]),
                )]),
                patched(&[(
                    "/network_acls",
                    json!([acl(json!([acl_entry(
                        100,
                        true,
                        "all",
                        (-1, -1),
                        "0.0.0.0/0",
                        "allow"
                    )]))]),
                )]),
                patched(&[(
                    "/network_acls",
                    json!([acl(json!([
                        acl_entry(100, false, "all", (-1, -1), "10.0.0.0/16", "allow"),
                        acl_entry(100, true, "all", (-1, -1), "0.0.0.0/0", "deny")
                    ]))]),
                )]),
            ],
            patched(&[(
                "/network_acls",
                json!([acl(json!([
                    acl_entry(100, false, "tcp", (443, 443), "0.0.0.0/0", "allow"),
                    acl_entry(110, false, "tcp", (1024, 65535), "0.0.0.0/0", "allow"),
                    acl_entry(100, true, "tcp", (443, 443), "0.0.0.0/0", "allow"),
                    acl_entry(110, true, "tcp", (1024, 65535), "0.0.0.0/0", "allow")
                ]))]),
            )]),
        ),
        case(
            codes::NACL_SUBNET_MULTIPLE,
            vec![
                patched(&[(
                    "/network_acls",
                    json!([{"id": "acl-1", "vpc": "vpc-a", "subnets": ["priv-a"]}, {"id": "acl-2", "vpc": "vpc-a", "subnets": ["priv-a"]}]),
                )]),
                patched(&[(
                    "/network_acls",
                    json!([{"id": "acl-1", "vpc": "vpc-a", "subnets": ["priv-a"]}, {"id": "acl-2", "vpc": "vpc-a", "subnets": ["priv-a"]}, {"id": "acl-3", "vpc": "vpc-a", "subnets": ["priv-a"]}]),
                )]),
                patched(&[(
                    "/network_acls",
                    json!([{"id": "acl-1", "vpc": "vpc-a", "subnets": ["pub-a"]}, {"id": "acl-2", "vpc": "vpc-a", "subnets": ["priv-a", "pub-a"]}]),
                )]),
            ],
            patched(&[(
                "/network_acls",
                json!([{"id": "acl-1", "vpc": "vpc-a", "subnets": ["pub-a"]}, {"id": "acl-2", "vpc": "vpc-a", "subnets": ["priv-a"]}]),
            )]),
        ),
        case(
            codes::PLACEMENT_CLUSTER_MULTI_AZ,
            {
                let two_zones = |strategy: &str, second_az: &str| {
                    patched(&[
                        (
                            "/subnets/-",
                            subnet("priv-b", second_az, "10.0.2.0/24", "private"),
                        ),
                        ("/route_tables/1/subnets/-", json!("priv-b")),
                        (
                            "/placement_groups",
                            json!([{"id": "pg", "strategy": strategy}]),
                        ),
                        ("/security_groups/-", self_group("sg-efa", true, true)),
                        (
                            "/workloads/-",
                            efa_node("n1", "p4d.24xlarge", "priv-a", &["sg-efa"], Some("pg")),
                        ),
                        (
                            "/workloads/-",
                            efa_node("n2", "p4d.24xlarge", "priv-b", &["sg-efa"], Some("pg")),
                        ),
                    ])
                };
                vec![
                    two_zones("cluster", "us-east-1b"),
                    two_zones("cluster", "us-east-1c"),
                    two_zones("cluster", "us-east-1d"),
                ]
            },
            patched(&[
                (
                    "/subnets/-",
                    subnet("priv-b", "us-east-1b", "10.0.2.0/24", "private"),
                ),
                ("/route_tables/1/subnets/-", json!("priv-b")),
                (
                    "/placement_groups",
                    json!([{"id": "pg", "strategy": "spread"}]),
                ),
                (
                    "/workloads/-",
                    json!({"id": "n1", "kind": "ec2", "instance_type": "m5.large", "subnet": "priv-a", "security_groups": ["sg-app"], "placement_group": "pg"}),
                ),
                (
                    "/workloads/-",
                    json!({"id": "n2", "kind": "ec2", "instance_type": "m5.large", "subnet": "priv-b", "security_groups": ["sg-app"], "placement_group": "pg"}),
                ),
            ]),
        ),
        case(
            codes::EFA_UNSUPPORTED_TYPE,
            vec![
                patched(&[
                    ("/security_groups/-", self_group("sg-efa", true, true)),
                    (
                        "/workloads/-",
                        efa_node("wl-efa", "m5.large", "priv-a", &["sg-efa"], None),
                    ),
                ]),
                patched(&[
                    ("/security_groups/-", self_group("sg-efa", true, true)),
                    (
                        "/workloads/-",
                        efa_node("wl-efa", "g5.xlarge", "priv-a", &["sg-efa"], None),
                    ),
                ]),
                patched(&[
                    ("/security_groups/-", self_group("sg-efa", true, true)),
                    (
                        "/workloads/-",
                        efa_node("wl-efa", "", "priv-a", &["sg-efa"], None),
                    ),
                ]),
            ],
            patched(&[
                ("/security_groups/-", self_group("sg-efa", true, true)),
                (
                    "/workloads/-",
                    efa_node("wl-efa", "p5.48xlarge", "priv-a", &["sg-efa"], None),
                ),
            ]),
        ),
        case(
            codes::EFA_MULTI_SUBNET,
            {
                let spread = |second: &str, cidr: &str| {
                    patched(&[
                        ("/subnets/-", subnet(second, "us-east-1a", cidr, "private")),
                        ("/route_tables/1/subnets/-", json!(second)),
                        (
                            "/placement_groups",
                            json!([{"id": "pg", "strategy": "cluster"}]),
                        ),
                        ("/security_groups/-", self_group("sg-efa", true, true)),
                        (
                            "/workloads/-",
                            efa_node("n1", "p4d.24xlarge", "priv-a", &["sg-efa"], Some("pg")),
                        ),
                        (
                            "/workloads/-",
                            efa_node("n2", "p4d.24xlarge", second, &["sg-efa"], Some("pg")),
                        ),
                    ])
                };
                vec![
                    spread("priv-a2", "10.0.2.0/24"),
                    spread("priv-a3", "10.0.3.0/24"),
                    spread("priv-a4", "10.0.64.0/18"),
                ]
            },
            patched(&[
                (
                    "/placement_groups",
                    json!([{"id": "pg", "strategy": "cluster"}]),
                ),
                ("/security_groups/-", self_group("sg-efa", true, true)),
                (
                    "/workloads/-",
                    efa_node("n1", "p4d.24xlarge", "priv-a", &["sg-efa"], Some("pg")),
                ),
                (
                    "/workloads/-",
                    efa_node("n2", "p4d.24xlarge", "priv-a", &["sg-efa"], Some("pg")),
                ),
            ]),
        ),
        case(
            codes::ML_PRIVATE_TRAINING_NEEDS_ENDPOINTS,
            vec![
                patched(&[
                    private_no_nat.clone(),
                    (
                        "/workloads",
                        training("sagemaker_training", "ml.p4d.24xlarge", "priv-a"),
                    ),
                ]),
                patched(&[
                    private_no_nat.clone(),
                    (
                        "/workloads",
                        training("sagemaker_notebook", "ml.t3.medium", "priv-a"),
                    ),
                ]),
                patched(&[
                    private_no_nat.clone(),
                    ("/endpoints", interface_endpoints(3)),
                    (
                        "/workloads",
                        training("sagemaker_training", "ml.g5.xlarge", "priv-a"),
                    ),
                ]),
            ],
            patched(&[
                private_no_nat.clone(),
                ("/endpoints", all_sagemaker_endpoints()),
                (
                    "/workloads",
                    training("sagemaker_training", "ml.p4d.24xlarge", "priv-a"),
                ),
            ]),
        ),
        case(
            codes::ML_S3_THROUGH_NAT,
            vec![
                patched(&[("/endpoints", json!([]))]),
                patched(&[("/endpoints/0/route_tables", json!(["rt-pub"]))]),
                patched(&[(
                    "/flows",
                    json!([{"from": "wl-app", "to": "dynamodb", "gb_per_month": 100.0}]),
                )]),
            ],
            patched(&[
                (
                    "/endpoints/-",
                    json!({"id": "vpce-ddb", "vpc": "vpc-a", "type": "gateway", "service": "dynamodb", "route_tables": ["rt-priv"]}),
                ),
                (
                    "/flows",
                    json!([{"from": "wl-app", "to": "dynamodb", "gb_per_month": 100.0}]),
                ),
            ]),
        ),
        case(
            codes::ML_TRAINING_IN_PUBLIC_SUBNET,
            vec![
                patched(&[(
                    "/workloads",
                    training("sagemaker_training", "ml.p4d.24xlarge", "pub-a"),
                )]),
                patched(&[("/workloads", training("ec2", "p4d.24xlarge", "pub-a"))]),
                patched(&[("/workloads", training("ec2", "g5.xlarge", "pub-a"))]),
            ],
            patched(&[("/workloads", training("ec2", "p4d.24xlarge", "priv-a"))]),
        ),
        case(
            codes::QUOTA_VPCS,
            vec![
                patched(&[("/vpcs", extra_vpcs(6))]),
                patched(&[("/vpcs", extra_vpcs(7))]),
                patched(&[("/vpcs", extra_vpcs(12))]),
            ],
            patched(&[("/vpcs", extra_vpcs(5))]),
        ),
        case(
            codes::QUOTA_ELASTIC_IPS,
            vec![
                patched(&[("/nat_gateways", nat_gateways(6, "pub-a"))]),
                patched(&[("/nat_gateways", nat_gateways(8, "pub-a"))]),
                patched(&[("/nat_gateways", nat_gateways(20, "pub-a"))]),
            ],
            patched(&[("/nat_gateways", nat_gateways(5, "pub-a"))]),
        ),
        case(
            codes::QUOTA_NAT_PER_AZ,
            vec![
                patched(&[("/nat_gateways", nat_gateways(6, "pub-a"))]),
                patched(&[("/nat_gateways", nat_gateways(9, "pub-a"))]),
                patched(&[("/nat_gateways", nat_gateways(6, "priv-a"))]),
            ],
            patched(&[("/nat_gateways", nat_gateways(5, "pub-a"))]),
        ),
        case(
            codes::QUOTA_INTERFACE_ENDPOINTS,
            vec![
                patched(&[("/endpoints", interface_endpoints(51))]),
                patched(&[("/endpoints", interface_endpoints(60))]),
                patched(&[
                    ("/subnets/1/cidr", json!("10.0.4.0/22")),
                    ("/endpoints", interface_endpoints(100)),
                ]),
            ],
            patched(&[("/endpoints", interface_endpoints(50))]),
        ),
        case(
            codes::QUOTA_SUBNETS,
            vec![
                patched(&[("/subnets", small_subnets(201))]),
                patched(&[("/subnets", small_subnets(210))]),
                patched(&[("/subnets", small_subnets(250))]),
            ],
            patched(&[
                ("/subnets", small_subnets(200)),
                ("/nat_gateways", json!([])),
                ("/workloads", json!([])),
            ]),
        ),
        case(
            codes::QUOTA_ROUTE_TABLES,
            vec![
                patched(&[("/route_tables", route_tables(201))]),
                patched(&[("/route_tables", route_tables(202))]),
                patched(&[("/route_tables", route_tables(300))]),
            ],
            patched(&[("/route_tables", route_tables(200))]),
        ),
        // Audit and exposure (Moat's own).
        case(
            codes::VPC_FLOW_LOGS_OFF,
            vec![
                patched(&[("/vpcs/0/flow_logs", Value::Null)]),
                with(
                    network(),
                    &[(
                        "/vpcs/-",
                        json!({"id": "vpc-b", "cidr_blocks": ["10.9.0.0/16"]}),
                    )],
                ),
                with(
                    network(),
                    &[
                        ("/vpcs/0/flow_logs", Value::Null),
                        ("/vpcs/0/enable_dns_hostnames", json!(false)),
                    ],
                ),
            ],
            patched(&[(
                "/vpcs/0/flow_logs",
                json!({"destination": "arn:aws:logs:us-east-1:123456789012:log-group:/vpc/flow",
                       "delivery_role_arn": "arn:aws:iam::123456789012:role/flow-logs"}),
            )]),
        ),
        case(
            codes::FLOWLOG_DESTINATION_INVALID,
            vec![
                patched(&[(
                    "/vpcs/0/flow_logs/destination",
                    json!("s3://rules-flow-logs"),
                )]),
                patched(&[("/vpcs/0/flow_logs/destination", json!("rules-flow-logs"))]),
                patched(&[(
                    "/vpcs/0/flow_logs/destination",
                    json!("arn:aws:logs:us-east-1:1234:log-group:flow"),
                )]),
            ],
            patched(&[(
                "/vpcs/0/flow_logs/destination",
                json!("arn:aws:s3:::rules-flow-logs/vpc-a/"),
            )]),
        ),
        case(
            codes::FLOWLOG_DELIVERY_ROLE,
            vec![
                patched(&[(
                    "/vpcs/0/flow_logs/destination",
                    json!("arn:aws:logs:us-east-1:123456789012:log-group:/vpc/flow"),
                )]),
                patched(&[(
                    "/vpcs/0/flow_logs/delivery_role_arn",
                    json!("arn:aws:iam::123456789012:role/flow-logs"),
                )]),
                patched(&[
                    (
                        "/vpcs/0/flow_logs/destination",
                        json!("arn:aws:logs:us-east-1:123456789012:log-group:/vpc/flow"),
                    ),
                    (
                        "/vpcs/0/flow_logs/delivery_role_arn",
                        json!("flow-logs-role"),
                    ),
                ]),
            ],
            patched(&[
                (
                    "/vpcs/0/flow_logs/destination",
                    json!("arn:aws:logs:us-east-1:123456789012:log-group:/vpc/flow"),
                ),
                (
                    "/vpcs/0/flow_logs/delivery_role_arn",
                    json!("arn:aws:iam::123456789012:role/service/flow-logs"),
                ),
            ]),
        ),
        case(
            codes::ENDPOINT_POLICY_INVALID,
            vec![
                patched(&[("/endpoints/0/policy", json!("s3:*"))]),
                patched(&[(
                    "/endpoints/0/policy",
                    json!({"Version": "2012-10-17", "Statement": [{"Effect": "Permit", "Action": "s3:*", "Resource": "*"}]}),
                )]),
                patched(&[(
                    "/endpoints/0/policy",
                    json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*",
                           "Action": "s3:GetObject", "Resource": "x".repeat(20_500)}]}),
                )]),
            ],
            patched(&[(
                "/endpoints/0/policy",
                json!({"Version": "2008-10-17", "Statement": {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::rules-*/*"}}),
            )]),
        ),
        case(
            codes::ENDPOINT_POLICY_FULL_ACCESS,
            vec![
                patched(&[("/endpoints/0/policy", Value::Null)]),
                patched(&[(
                    "/endpoints/0/policy",
                    json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}]}),
                )]),
                patched(&[(
                    "/endpoints/0/policy",
                    json!({"Statement": [{"Effect": "Allow", "Principal": {"AWS": ["*"]}, "Action": ["*"], "Resource": ["*"]}]}),
                )]),
            ],
            // Anyone, but only the design's buckets: not full access.
            patched(&[(
                "/endpoints/0/policy",
                json!({"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*",
                       "Condition": {"StringEquals": {"aws:ResourceAccount": "123456789012"}}}]}),
            )]),
        ),
        case(
            codes::ENDPOINT_POLICY_DENIES_SERVICE,
            vec![
                // An S3 endpoint whose policy names only DynamoDB.
                patched(&[(
                    "/endpoints/0/policy",
                    json!({"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "dynamodb:*", "Resource": "*"}]}),
                )]),
                // Everything of S3 denied to everyone.
                patched(&[(
                    "/endpoints/0/policy",
                    json!({"Statement": [
                        {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"},
                        {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*"}
                    ]}),
                )]),
                // Only denials, and a flow of the design that needs S3.
                patched(&[
                    (
                        "/endpoints/0/policy",
                        json!({"Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:DeleteObject", "Resource": "*"}]}),
                    ),
                    (
                        "/flows",
                        json!([{"from": "wl-app", "to": "s3", "gb_per_month": 100.0}]),
                    ),
                ]),
            ],
            // A Deny with a condition may not apply: the allow stands.
            patched(&[(
                "/endpoints/0/policy",
                json!({"Statement": [
                    {"Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": "*",
                     "Condition": {"StringEquals": {"aws:ResourceAccount": "123456789012"}}},
                    {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*",
                     "Condition": {"StringNotEquals": {"aws:PrincipalAccount": "123456789012"}}}
                ]}),
            )]),
        ),
        case(
            codes::TAG_RESERVED_KEY,
            vec![
                patched(&[("/vpcs/0/tags", json!({"Name": "prod"}))]),
                patched(&[("/subnets/0/tags", json!({"moat:design-id": "someone-else"}))]),
                patched(&[(
                    "/security_groups/0/tags",
                    json!({"AWS:cloudformation:stack-name": "x"}),
                )]),
            ],
            patched(&[(
                "/subnets/0/tags",
                json!({"kubernetes.io/role/elb": "1", "team": "ml"}),
            )]),
        ),
        case(
            codes::TAG_LIMIT,
            vec![
                patched(&[(
                    "/vpcs/0/tags",
                    json!(
                        (0..47)
                            .map(|i| (format!("k{i}"), json!("v")))
                            .collect::<serde_json::Map<_, _>>()
                    ),
                )]),
                patched(&[(
                    "/subnets/1/tags",
                    json!(
                        (0..60)
                            .map(|i| (format!("k{i}"), json!("v")))
                            .collect::<serde_json::Map<_, _>>()
                    ),
                )]),
                patched(&[(
                    "/workloads/0/tags",
                    json!(
                        (0..50)
                            .map(|i| (format!("k{i}"), json!("")))
                            .collect::<serde_json::Map<_, _>>()
                    ),
                )]),
            ],
            patched(&[(
                "/vpcs/0/tags",
                json!(
                    (0..46)
                        .map(|i| (format!("k{i}"), json!("v")))
                        .collect::<serde_json::Map<_, _>>()
                ),
            )]),
        ),
        case(
            codes::TAG_INVALID,
            vec![
                patched(&[("/vpcs/0/tags", json!({"": "empty key"}))]),
                patched(&[("/subnets/0/tags", json!({"k".repeat(129): "v"}))]),
                patched(&[("/endpoints/0/tags", json!({"owner": "v".repeat(257)}))]),
            ],
            patched(&[(
                "/endpoints/0/tags",
                json!({"k".repeat(128): "v".repeat(256)}),
            )]),
        ),
        case(
            codes::ENI_PRIVATE_IP_INVALID,
            vec![
                // Not an address; outside the subnet; a reserved one; taken twice.
                patched(&[(
                    "/network_interfaces",
                    json!([{"id": "eni-a", "subnet": "priv-a", "private_ip": "10.0.1.300"}]),
                )]),
                patched(&[(
                    "/network_interfaces",
                    json!([{"id": "eni-a", "subnet": "priv-a", "private_ip": "10.0.0.20"}]),
                )]),
                patched(&[(
                    "/network_interfaces",
                    json!([{"id": "eni-a", "subnet": "priv-a", "private_ip": "10.0.1.3"}]),
                )]),
                patched(&[(
                    "/network_interfaces",
                    json!([{"id": "eni-a", "subnet": "priv-a", "private_ip": "10.0.1.255"}]),
                )]),
                patched(&[(
                    "/network_interfaces",
                    json!([
                        {"id": "eni-a", "subnet": "priv-a", "private_ip": "10.0.1.20"},
                        {"id": "eni-b", "subnet": "priv-a", "private_ip": "10.0.1.20"}
                    ]),
                )]),
            ],
            patched(&[(
                "/network_interfaces",
                json!([
                    {"id": "eni-a", "subnet": "priv-a", "private_ip": "10.0.1.4", "security_groups": ["sg-app"]},
                    {"id": "eni-b", "subnet": "priv-a", "private_ip": "10.0.1.254"},
                    {"id": "eni-c", "subnet": "pub-a", "private_ip": "10.0.0.20"},
                    {"id": "eni-d", "subnet": "priv-a"}
                ]),
            )]),
        ),
        case(
            codes::ENI_SECURITY_GROUP_COUNT,
            vec![
                with(
                    patched(&[(
                        "/network_interfaces",
                        json!([{"id": "eni-a", "subnet": "priv-a", "security_groups": ["sg-app", "sg-1", "sg-2", "sg-3", "sg-4", "sg-5"]}]),
                    )]),
                    &[("/security_groups", groups(6))],
                ),
                with(
                    patched(&[(
                        "/network_interfaces",
                        json!([{"id": "eni-a", "subnet": "priv-a", "security_groups": ["sg-app", "sg-1", "sg-2", "sg-3", "sg-4", "sg-5", "sg-6", "sg-7"]}]),
                    )]),
                    &[("/security_groups", groups(8))],
                ),
                with(
                    patched(&[(
                        "/network_interfaces",
                        json!([
                            {"id": "eni-a", "subnet": "priv-a", "security_groups": ["sg-app"]},
                            {"id": "eni-b", "subnet": "pub-a", "security_groups": ["sg-app", "sg-1", "sg-2", "sg-3", "sg-4", "sg-5"]}
                        ]),
                    )]),
                    &[("/security_groups", groups(6))],
                ),
            ],
            with(
                patched(&[(
                    "/network_interfaces",
                    json!([{"id": "eni-a", "subnet": "priv-a", "security_groups": ["sg-app", "sg-1", "sg-2", "sg-3", "sg-4"]}]),
                )]),
                &[("/security_groups", groups(5))],
            ),
        ),
        case(
            codes::DHCP_EMPTY,
            vec![
                patched(&[(
                    "/dhcp_options",
                    json!([{"id": "dhcp-a", "vpcs": ["vpc-a"]}]),
                )]),
                patched(&[(
                    "/dhcp_options",
                    json!([{"id": "dhcp-a", "domain_name": " "}]),
                )]),
                patched(&[(
                    "/dhcp_options",
                    json!([{"id": "dhcp-a", "domain_name_servers": [], "ntp_servers": []}]),
                )]),
            ],
            patched(&[(
                "/dhcp_options",
                json!([{"id": "dhcp-a", "ntp_servers": ["169.254.169.123"], "vpcs": ["vpc-a"]}]),
            )]),
        ),
        case(
            codes::DHCP_SERVER_COUNT,
            vec![
                patched(&[(
                    "/dhcp_options",
                    json!([{"id": "dhcp-a", "domain_name_servers": ["10.0.0.2", "10.1.0.2", "10.2.0.2", "10.3.0.2", "AmazonProvidedDNS"]}]),
                )]),
                patched(&[(
                    "/dhcp_options",
                    json!([{"id": "dhcp-a", "ntp_servers": ["10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4", "10.0.0.5"]}]),
                )]),
                patched(&[(
                    "/dhcp_options",
                    json!([{"id": "dhcp-a", "domain_name_servers": ["AmazonProvidedDNS", "10.0.0.2", "10.0.0.3", "10.0.0.4", "10.0.0.5", "10.0.0.6"], "vpcs": ["vpc-a"]}]),
                )]),
            ],
            patched(&[(
                "/dhcp_options",
                json!([{"id": "dhcp-a", "domain_name_servers": ["AmazonProvidedDNS", "10.0.0.2", "10.0.0.3", "10.0.0.4"]}]),
            )]),
        ),
        case(
            codes::DHCP_SERVER_INVALID,
            vec![
                patched(&[(
                    "/dhcp_options",
                    json!([{"id": "dhcp-a", "domain_name_servers": ["dns.corp.example"]}]),
                )]),
                patched(&[(
                    "/dhcp_options",
                    json!([{"id": "dhcp-a", "domain_name_servers": ["amazonprovideddns"]}]),
                )]),
                patched(&[(
                    "/dhcp_options",
                    json!([{"id": "dhcp-a", "ntp_servers": ["AmazonProvidedDNS"]}]),
                )]),
                patched(&[(
                    "/dhcp_options",
                    json!([{"id": "dhcp-a", "ntp_servers": ["time.aws.com"]}]),
                )]),
            ],
            patched(&[(
                "/dhcp_options",
                json!([{"id": "dhcp-a", "domain_name_servers": ["AmazonProvidedDNS", "fd00::53"], "ntp_servers": ["169.254.169.123"]}]),
            )]),
        ),
        case(
            codes::SG_NAME_INVALID,
            vec![
                patched(&[("/security_groups/0/name", json!("sg-app"))]),
                patched(&[(
                    "/security_groups/0/ingress/0/description",
                    json!("https from the VPC <script>"),
                )]),
                patched(&[(
                    "/security_groups/0/egress/0/description",
                    json!("x".repeat(256)),
                )]),
            ],
            patched(&[(
                "/security_groups/0/ingress/0/description",
                json!("HTTPS from the VPC (ALB health checks) #42"),
            )]),
        ),
        case(
            codes::RULE_PROTOCOL_NUMBER_NAMED,
            vec![
                patched(&[("/security_groups/0/ingress/0/protocol", json!(6))]),
                patched(&[("/security_groups/0/egress/0/protocol", json!(17))]),
                patched(&[(
                    "/network_acls",
                    json!([acl(json!([
                        {"rule_number": 100, "egress": false, "protocol": 1, "cidr": "0.0.0.0/0", "action": "allow"},
                        acl_entry(100, true, "all", (-1, -1), "0.0.0.0/0", "allow")
                    ]))]),
                )]),
            ],
            patched(&[
                (
                    "/security_groups/0/ingress/-",
                    json!({"protocol": 50, "cidr": "10.0.0.0/16", "description": "ESP from the VPN"}),
                ),
                (
                    "/network_acls",
                    json!([acl(json!([
                        acl_entry(100, false, "all", (-1, -1), "0.0.0.0/0", "allow"),
                        {"rule_number": 110, "egress": false, "protocol": 47, "cidr": "10.0.0.0/8", "action": "allow"},
                        acl_entry(100, true, "all", (-1, -1), "0.0.0.0/0", "allow")
                    ]))]),
                ),
            ]),
        ),
        case(
            codes::NACL_DESCRIPTION_TOO_LONG,
            [256, 1000, 257]
                .into_iter()
                .enumerate()
                .map(|(index, length)| {
                    patched(&[(
                        "/network_acls",
                        json!([acl(json!([
                            acl_entry(100, false, "all", (-1, -1), "0.0.0.0/0", "allow"),
                            {"rule_number": 100, "egress": true, "protocol": "all", "from_port": -1, "to_port": -1,
                             "cidr": "0.0.0.0/0", "action": "allow", "description": "é".repeat(length)},
                            {"rule_number": 200 + index, "egress": false, "protocol": "tcp", "from_port": 22, "to_port": 22,
                             "cidr": "10.0.0.0/8", "action": "deny", "description": "no SSH"}
                        ]))]),
                    )])
                })
                .collect(),
            patched(&[(
                "/network_acls",
                json!([acl(json!([
                    {"rule_number": 100, "egress": false, "protocol": "all", "from_port": -1, "to_port": -1,
                     "cidr": "0.0.0.0/0", "action": "allow", "description": "x".repeat(255)},
                    acl_entry(100, true, "all", (-1, -1), "0.0.0.0/0", "allow")
                ]))]),
            )]),
        ),
        case(
            codes::WORKLOAD_HOURS_PER_MONTH,
            vec![
                patched(&[("/workloads/0/hours_per_month", json!(745))]),
                patched(&[("/workloads/0/hours_per_month", json!(1000))]),
                patched(&[("/workloads/0/hours_per_month", json!(65535))]),
            ],
            patched(&[("/workloads/0/hours_per_month", json!(744))]),
        ),
        case(
            codes::DHCP_DOMAIN_NAME_INVALID,
            vec![
                patched(&[(
                    "/dhcp_options",
                    json!([{"id": "dhcp-a", "domain_name": "corp_example.com"}]),
                )]),
                patched(&[(
                    "/dhcp_options",
                    json!([{"id": "dhcp-a", "domain_name": "-corp.example.com"}]),
                )]),
                patched(&[(
                    "/dhcp_options",
                    json!([{"id": "dhcp-a", "domain_name": "corp..example.com", "ntp_servers": ["169.254.169.123"]}]),
                )]),
            ],
            patched(&[(
                "/dhcp_options",
                json!([{"id": "dhcp-a", "domain_name": "ec2.internal corp.example.com"}]),
            )]),
        ),
        case(
            codes::DHCP_VPC_MULTIPLE,
            vec![
                patched(&[(
                    "/dhcp_options",
                    json!([
                        {"id": "dhcp-a", "domain_name": "a.example", "vpcs": ["vpc-a"]},
                        {"id": "dhcp-b", "domain_name": "b.example", "vpcs": ["vpc-a"]}
                    ]),
                )]),
                patched(&[(
                    "/dhcp_options",
                    json!([
                        {"id": "dhcp-a", "ntp_servers": ["169.254.169.123"], "vpcs": ["vpc-a"]},
                        {"id": "dhcp-b", "ntp_servers": ["169.254.169.123"], "vpcs": ["vpc-a"]},
                        {"id": "dhcp-c", "ntp_servers": ["169.254.169.123"], "vpcs": ["vpc-a"]}
                    ]),
                )]),
                patched(&[
                    (
                        "/vpcs/-",
                        json!({"id": "vpc-b", "cidr_blocks": ["10.9.0.0/16"], "flow_logs": {"destination": "arn:aws:s3:::rules-flow-logs"}}),
                    ),
                    (
                        "/dhcp_options",
                        json!([
                            {"id": "dhcp-a", "domain_name": "a.example", "vpcs": ["vpc-a", "vpc-b"]},
                            {"id": "dhcp-b", "domain_name": "b.example", "vpcs": ["vpc-b"]}
                        ]),
                    ),
                ]),
            ],
            patched(&[(
                "/dhcp_options",
                json!([
                    {"id": "dhcp-a", "domain_name": "a.example", "vpcs": ["vpc-a"]},
                    {"id": "dhcp-b", "domain_name": "b.example", "vpcs": []}
                ]),
            )]),
        ),
        case(
            codes::DHCP_PRIVATE_DNS_UNRESOLVED,
            vec![
                patched(&[
                    (
                        "/endpoints/-",
                        interface_endpoint("vpce-sts", "sts", &["priv-a"], &["sg-app"], true),
                    ),
                    (
                        "/dhcp_options",
                        json!([{"id": "dhcp-a", "domain_name_servers": ["10.20.0.53"], "vpcs": ["vpc-a"]}]),
                    ),
                ]),
                patched(&[
                    (
                        "/endpoints/-",
                        interface_endpoint("vpce-sts", "sts", &["priv-a"], &["sg-app"], true),
                    ),
                    (
                        "/dhcp_options",
                        json!([{"id": "dhcp-a", "domain_name_servers": ["10.20.0.53", "10.20.1.53"], "domain_name": "corp.example.com", "vpcs": ["vpc-a"]}]),
                    ),
                ]),
                patched(&[
                    (
                        "/endpoints/-",
                        interface_endpoint("vpce-ecr", "ecr.dkr", &["priv-a"], &["sg-app"], true),
                    ),
                    (
                        "/dhcp_options",
                        json!([{"id": "dhcp-a", "domain_name_servers": ["192.168.0.2"], "vpcs": ["vpc-a"]}]),
                    ),
                ]),
            ],
            patched(&[
                (
                    "/endpoints/-",
                    interface_endpoint("vpce-sts", "sts", &["priv-a"], &["sg-app"], true),
                ),
                (
                    "/dhcp_options",
                    json!([{"id": "dhcp-a", "domain_name_servers": ["AmazonProvidedDNS", "10.20.0.53"], "vpcs": ["vpc-a"]}]),
                ),
            ]),
        ),
        case(
            codes::FLOWLOG_AGGREGATION_INTERVAL,
            vec![
                patched(&[("/vpcs/0/flow_logs/max_aggregation_interval", json!(300))]),
                patched(&[("/vpcs/0/flow_logs/max_aggregation_interval", json!(0))]),
                patched(&[("/vpcs/0/flow_logs/max_aggregation_interval", json!(3600))]),
            ],
            patched(&[("/vpcs/0/flow_logs/max_aggregation_interval", json!(60))]),
        ),
        case(
            codes::SUBNET_PUBLIC_IP_ON_LAUNCH,
            vec![
                // Only the NAT gateway lives there: nothing needs the addresses (warning).
                patched(&[("/subnets/0/map_public_ip_on_launch", json!(true))]),
                // A notebook relies on them to reach the internet (info).
                patched(&[
                    ("/subnets/0/map_public_ip_on_launch", json!(true)),
                    ("/workloads/0/subnet", json!("pub-a")),
                ]),
                // A private subnet that hands them out anyway.
                patched(&[("/subnets/1/map_public_ip_on_launch", json!(true))]),
            ],
            patched(&[("/subnets/0/map_public_ip_on_launch", json!(false))]),
        ),
        case(
            codes::SG_UNATTACHED,
            vec![
                // Attached to nothing (warning).
                patched(&[("/workloads/0/security_groups", json!([]))]),
                // Only a SageMaker job started elsewhere uses it (info).
                patched(&[("/workloads/0/kind", json!("sagemaker_training"))]),
                // An EC2 workload Moat does not launch (info).
                patched(&[("/workloads/0/launch", json!(false))]),
            ],
            // An interface endpoint attaches a group Moat creates.
            patched(&[
                ("/workloads/0/security_groups", json!([])),
                (
                    "/endpoints/-",
                    json!({"id": "vpce-sts", "vpc": "vpc-a", "type": "interface", "service": "sts",
                           "subnets": ["priv-a"], "security_groups": ["sg-app"], "private_dns": true}),
                ),
            ]),
        ),
    ]
}

/// Validates a case design; panics with the document's load error.
pub fn codes_of(document: &Value) -> Vec<String> {
    let design = spec::load_design_value(document.clone())
        .unwrap_or_else(|error| panic!("case design must load: {error}"));
    validate(&design).into_iter().map(|d| d.code).collect()
}
