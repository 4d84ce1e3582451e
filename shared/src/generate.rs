//! Synthetic designs of any size, for benchmarks (native and wasm) and load tests.
//!
//! Shape per 2,000 subnets: 10 VPCs of 200 subnets (one public), 200 route tables with 5,000
//! routes, 500 security groups, one workload per subnet, an S3 gateway endpoint per VPC.

use crate::model::{
    Design, Endpoint, EndpointType, InternetGateway, NatGateway, Protocol, Route, RouteTable,
    SecurityGroup, SecurityGroupRule, Subnet, SubnetTier, Vpc, VpnGateway, Workload, WorkloadKind,
};

const SUBNETS_PER_VPC: usize = 200;
const SUBNETS_PER_ROUTE_TABLE: usize = 10;
const ROUTES_PER_TABLE: usize = 25;
const SUBNETS_PER_SECURITY_GROUP: usize = 4;

fn rule(
    protocol: Protocol,
    ports: (i32, i32),
    cidr: Option<String>,
    security_group: Option<String>,
) -> SecurityGroupRule {
    SecurityGroupRule {
        protocol,
        from_port: ports.0,
        to_port: ports.1,
        cidr,
        security_group,
        prefix_list: None,
        description: None,
    }
}

/// A design with `subnet_count` subnets (rounded up to whole VPCs of 200).
pub fn generated_design(subnet_count: usize) -> Design {
    let mut design = Design::new(format!("generated {subnet_count}"), "us-east-1");
    let vpc_count = subnet_count.div_ceil(SUBNETS_PER_VPC);
    for vpc_number in 0..vpc_count {
        let vpc_id = format!("vpc-{vpc_number}");
        design.vpcs.push(Vpc {
            tenancy: Default::default(),
            tags: Default::default(),
            id: vpc_id.clone(),
            name: vpc_id.clone(),
            cidr_blocks: vec![format!("10.{vpc_number}.0.0/16")],
            enable_dns_support: true,
            enable_dns_hostnames: true,
            flow_logs: None,
        });
        design.internet_gateways.push(InternetGateway {
            tags: Default::default(),
            id: format!("igw-{vpc_number}"),
            vpc: vpc_id.clone(),
        });
        design.vpn_gateways.push(VpnGateway {
            tags: Default::default(),
            id: format!("vgw-{vpc_number}"),
            vpc: vpc_id.clone(),
            amazon_side_asn: 64512,
        });
        let in_vpc = SUBNETS_PER_VPC.min(subnet_count - vpc_number * SUBNETS_PER_VPC);
        for index in 0..in_vpc {
            let subnet_id = format!("subnet-{vpc_number}-{index}");
            let tier = if index == 0 {
                SubnetTier::Public
            } else {
                SubnetTier::Private
            };
            design.subnets.push(Subnet {
                tags: Default::default(),
                id: subnet_id.clone(),
                vpc: vpc_id.clone(),
                availability_zone: "us-east-1a".into(),
                cidr: format!("10.{vpc_number}.{index}.0/24"),
                tier,
                map_public_ip_on_launch: index == 0,
            });
            let group_number = (vpc_number * SUBNETS_PER_VPC + index) / SUBNETS_PER_SECURITY_GROUP;
            design.workloads.push(Workload {
                hours_per_month: Default::default(),
                tags: Default::default(),
                id: format!("wl-{vpc_number}-{index}"),
                name: String::new(),
                kind: WorkloadKind::Ec2,
                instance_type: "m5.large".into(),
                count: 2,
                subnet: subnet_id,
                security_groups: vec![format!("sg-{vpc_number}-{group_number}")],
                efa: false,
                placement_group: None,
                launch: false,
                image_id: None,
            });
        }
        let nat_id = format!("nat-{vpc_number}");
        design.nat_gateways.push(NatGateway {
            connectivity: Default::default(),
            tags: Default::default(),
            id: nat_id.clone(),
            subnet: format!("subnet-{vpc_number}-0"),
        });
        design.route_tables.push(RouteTable {
            tags: Default::default(),
            id: format!("rt-{vpc_number}-public"),
            vpc: vpc_id.clone(),
            main: true,
            subnets: vec![format!("subnet-{vpc_number}-0")],
            routes: vec![Route {
                destination: "0.0.0.0/0".into(),
                target: format!("igw-{vpc_number}"),
            }],
        });
        let mut private_tables = Vec::new();
        for (table_number, chunk) in (1..in_vpc)
            .collect::<Vec<_>>()
            .chunks(SUBNETS_PER_ROUTE_TABLE)
            .enumerate()
        {
            let table_id = format!("rt-{vpc_number}-{table_number}");
            let mut routes = vec![Route {
                destination: "0.0.0.0/0".into(),
                target: nat_id.clone(),
            }];
            routes.extend((0..ROUTES_PER_TABLE - 1).map(|n| Route {
                destination: format!("192.168.{n}.0/24"),
                target: format!("vgw-{vpc_number}"),
            }));
            design.route_tables.push(RouteTable {
                tags: Default::default(),
                id: table_id.clone(),
                vpc: vpc_id.clone(),
                main: false,
                subnets: chunk
                    .iter()
                    .map(|index| format!("subnet-{vpc_number}-{index}"))
                    .collect(),
                routes,
            });
            private_tables.push(table_id);
        }
        design.endpoints.push(Endpoint {
            tags: Default::default(),
            id: format!("vpce-s3-{vpc_number}"),
            vpc: vpc_id.clone(),
            endpoint_type: EndpointType::Gateway,
            service: "s3".into(),
            route_tables: private_tables,
            subnets: Vec::new(),
            security_groups: Vec::new(),
            private_dns: false,
            policy: None,
        });
        let first_group = vpc_number * SUBNETS_PER_VPC / SUBNETS_PER_SECURITY_GROUP;
        let last_group =
            (vpc_number * SUBNETS_PER_VPC + in_vpc).div_ceil(SUBNETS_PER_SECURITY_GROUP);
        for group_number in first_group..last_group {
            let group_id = format!("sg-{vpc_number}-{group_number}");
            design.security_groups.push(SecurityGroup {
                tags: Default::default(),
                id: group_id.clone(),
                vpc: vpc_id.clone(),
                name: format!("group-{vpc_number}-{group_number}"),
                description: "generated".into(),
                ingress: vec![
                    rule(
                        Protocol::Tcp,
                        (443, 443),
                        Some(format!("10.{vpc_number}.0.0/16")),
                        None,
                    ),
                    rule(Protocol::All, (-1, -1), None, Some(group_id.clone())),
                ],
                egress: vec![rule(
                    Protocol::All,
                    (-1, -1),
                    Some("0.0.0.0/0".into()),
                    None,
                )],
            });
        }
    }
    design
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_2000_subnet_design_has_the_benchmark_shape_and_no_errors() {
        let design = generated_design(2_000);
        assert_eq!(design.subnets.len(), 2_000);
        assert_eq!(design.route_tables.len() - design.vpcs.len(), 200);
        assert_eq!(
            design
                .route_tables
                .iter()
                .map(|t| t.routes.len())
                .sum::<usize>()
                - design.vpcs.len(),
            5_000
        );
        assert_eq!(design.security_groups.len(), 500);
        let errors: Vec<_> = crate::validate(&design)
            .into_iter()
            .filter(|d| d.is_error())
            .collect();
        assert!(errors.is_empty(), "{errors:#?}");
    }
}
