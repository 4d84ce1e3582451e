//! Gateway and interface VPC endpoints.
//!
//! Each resource kind: what creating one needs, its row of the resource catalogue, and the
//! attributes the planner compares.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::Resource;
use super::write::*;
use crate::escape::shell_word as q;
use crate::model::Design;
use crate::plan::catalog::ResourceFacts;
use crate::plan::*;
use serde_json::json;
use std::fmt::Write;

/// A gateway endpoint (S3, DynamoDB) and the route tables it adds its prefix-list routes to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct GatewayEndpointSpec {
    pub vpc: String,
    /// Full service name: `com.amazonaws.us-east-1.s3`.
    pub service_name: String,
    pub route_tables: Vec<String>,
    /// The endpoint policy as compact JSON; none for AWS's default (full access).
    /// Changed in place.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<String>,
}

impl Resource for GatewayEndpointSpec {
    const FACTS: ResourceFacts = ResourceFacts {
        name: "gateway_endpoint",
        rank: 15,
        tagged: true,
        long_pole: false,
        in_place: &["route_tables", "policy"],
        cloudformation_type: "AWS::EC2::VPCEndpoint",
        terraform_type: "aws_vpc_endpoint",
        ec2_resource_type: "vpc-endpoint",
        create_actions: &[
            "ec2:CreateVpcEndpoint",
            "ec2:ModifyVpcEndpoint",
            "ec2:CreateTags",
        ],
        delete_actions: &["ec2:DeleteVpcEndpoints"],
        read_actions: &["ec2:DescribeVpcEndpoints"],
        not_found_code: Some("InvalidVpcEndpointId.NotFound"),
        aws_id_prefix: Some("vpce-"),
    };

    fn attributes(&self) -> BTreeMap<String, String> {
        let GatewayEndpointSpec {
            vpc,
            service_name,
            route_tables,
            policy,
        } = self;
        with_policy(
            attributes([
                ("vpc", vpc.clone()),
                ("service", service_name.clone()),
                ("route_tables", sorted_list(route_tables)),
            ]),
            policy,
        )
    }

    fn cloudformation(&self, cx: &mut CloudFormation<'_>) -> Option<TemplateResource> {
        let GatewayEndpointSpec {
            vpc,
            service_name,
            route_tables,
            policy,
        } = self;
        Some((
            "AWS::EC2::VPCEndpoint",
            with_policy_document(
                json!({
                    "VpcEndpointType": "Gateway",
                    "VpcId": reference(&cx.names.of(ResourceKind::Vpc, vpc)),
                    "ServiceName": service_name,
                    "RouteTableIds": route_tables.iter().map(|t| reference(&cx.names.of(ResourceKind::RouteTable, t))).collect::<Vec<_>>(),
                    "Tags": cx.tags.clone(),
                }),
                policy,
            ),
            Vec::new(),
        ))
    }

    fn terraform(&self, cx: &mut Terraform<'_>) -> Block {
        let GatewayEndpointSpec {
            vpc,
            service_name,
            route_tables,
            policy,
        } = self;
        let id = cx.id;
        Block::new(cx.header("aws_vpc_endpoint"))
            .raw("vpc_id", cx.names.reference(ResourceKind::Vpc, vpc, "id"))
            .text("service_name", service_name)
            .text("vpc_endpoint_type", "Gateway")
            .list(
                "route_table_ids",
                route_tables
                    .iter()
                    .map(|t| cx.names.reference(ResourceKind::RouteTable, t, "id"))
                    .collect(),
            )
            .optional_text("policy", policy.as_deref())
            .map("tags", terraform_tags(&cx.resource.tags, id))
    }

    /// One call deletes both kinds of endpoint: the interface endpoints' block.
    const TEARDOWN: Option<&'static str> = None;

    fn shell(&self, cx: &mut Shell<'_>) {
        let GatewayEndpointSpec {
            vpc,
            service_name,
            route_tables,
            policy,
        } = self;
        let own = cx.own.clone();
        let tables: Vec<String> = route_tables
            .iter()
            .map(|t| cx.variables.var(ResourceKind::RouteTable, t))
            .collect();
        let _ = writeln!(
            cx.out,
            "{own}=$(aws ec2 describe-vpc-endpoints --filters {} \\\n  --query 'VpcEndpoints[0].VpcEndpointId' --output text)\nif ! found \"${own}\"; then\n  {own}=$(aws ec2 create-vpc-endpoint --vpc-endpoint-type Gateway --vpc-id {} \\\n    --service-name {} --route-table-ids {} \\\n    {}--tag-specifications {} \\\n    --query 'VpcEndpoint.VpcEndpointId' --output text)\nfi",
            owner_filters(cx.id, &[("vpc-endpoint-state", &["available", "pending"])]),
            cx.variables.var(ResourceKind::Vpc, vpc),
            q(service_name),
            tables.join(" "),
            policy_argument(policy),
            cx.tags("vpc-endpoint")
        );
    }
}

/// An interface endpoint: one network interface per subnet, behind its security groups.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct InterfaceEndpointSpec {
    pub vpc: String,
    pub service_name: String,
    pub subnets: Vec<String>,
    pub security_groups: Vec<String>,
    pub private_dns: bool,
    /// The endpoint policy as compact JSON; none for AWS's default (full access).
    /// Changed in place.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<String>,
}

impl Resource for InterfaceEndpointSpec {
    const FACTS: ResourceFacts = ResourceFacts {
        name: "interface_endpoint",
        rank: 16,
        tagged: true,
        long_pole: true,
        in_place: &["subnets", "security_groups", "private_dns", "policy"],
        ..<GatewayEndpointSpec as Resource>::FACTS
    };

    fn attributes(&self) -> BTreeMap<String, String> {
        let InterfaceEndpointSpec {
            vpc,
            service_name,
            subnets,
            security_groups,
            private_dns,
            policy,
        } = self;
        with_policy(
            attributes([
                ("vpc", vpc.clone()),
                ("service", service_name.clone()),
                ("subnets", sorted_list(subnets)),
                ("security_groups", sorted_list(security_groups)),
                ("private_dns", private_dns.to_string()),
            ]),
            policy,
        )
    }

    fn cloudformation(&self, cx: &mut CloudFormation<'_>) -> Option<TemplateResource> {
        let InterfaceEndpointSpec {
            vpc,
            service_name,
            subnets,
            security_groups,
            private_dns,
            policy,
        } = self;
        Some((
            "AWS::EC2::VPCEndpoint",
            with_policy_document(
                json!({
                    "VpcEndpointType": "Interface",
                    "VpcId": reference(&cx.names.of(ResourceKind::Vpc, vpc)),
                    "ServiceName": service_name,
                    "SubnetIds": subnets.iter().map(|s| reference(&cx.names.of(ResourceKind::Subnet, s))).collect::<Vec<_>>(),
                    "SecurityGroupIds": security_groups.iter().map(|g| reference(&cx.names.of(ResourceKind::SecurityGroup, g))).collect::<Vec<_>>(),
                    "PrivateDnsEnabled": private_dns,
                    "Tags": cx.tags.clone(),
                }),
                policy,
            ),
            Vec::new(),
        ))
    }

    fn terraform(&self, cx: &mut Terraform<'_>) -> Block {
        let InterfaceEndpointSpec {
            vpc,
            service_name,
            subnets,
            security_groups,
            private_dns,
            policy,
        } = self;
        let id = cx.id;
        Block::new(cx.header("aws_vpc_endpoint"))
            .raw("vpc_id", cx.names.reference(ResourceKind::Vpc, vpc, "id"))
            .text("service_name", service_name)
            .text("vpc_endpoint_type", "Interface")
            .list(
                "subnet_ids",
                subnets
                    .iter()
                    .map(|s| cx.names.reference(ResourceKind::Subnet, s, "id"))
                    .collect(),
            )
            .list(
                "security_group_ids",
                security_groups
                    .iter()
                    .map(|g| cx.names.reference(ResourceKind::SecurityGroup, g, "id"))
                    .collect(),
            )
            .raw("private_dns_enabled", private_dns.to_string())
            .optional_text("policy", policy.as_deref())
            .map("tags", terraform_tags(&cx.resource.tags, id))
    }

    const TEARDOWN: Option<&'static str> = Some(
        r#"echo "endpoints"
endpoints=$(aws ec2 describe-vpc-endpoints --filters "$design_filter" Name=vpc-endpoint-state,Values=available,pending \
  --query 'VpcEndpoints[].VpcEndpointId' --output text)
if [ -n "$endpoints" ]; then
  aws ec2 delete-vpc-endpoints --vpc-endpoint-ids $endpoints > /dev/null
fi
"#,
    );

    fn shell(&self, cx: &mut Shell<'_>) {
        let InterfaceEndpointSpec {
            vpc,
            service_name,
            subnets,
            security_groups,
            private_dns,
            policy,
        } = self;
        let own = cx.own.clone();
        let subnets: Vec<String> = subnets
            .iter()
            .map(|s| cx.variables.var(ResourceKind::Subnet, s))
            .collect();
        let groups: Vec<String> = security_groups
            .iter()
            .map(|g| cx.variables.var(ResourceKind::SecurityGroup, g))
            .collect();
        let dns = if *private_dns {
            "--private-dns-enabled"
        } else {
            "--no-private-dns-enabled"
        };
        let _ = writeln!(
            cx.out,
            "{own}=$(aws ec2 describe-vpc-endpoints --filters {} \\\n  --query 'VpcEndpoints[0].VpcEndpointId' --output text)\nif ! found \"${own}\"; then\n  {own}=$(aws ec2 create-vpc-endpoint --vpc-endpoint-type Interface --vpc-id {} \\\n    --service-name {} --subnet-ids {} \\\n    --security-group-ids {} {dns} \\\n    {}--tag-specifications {} \\\n    --query 'VpcEndpoint.VpcEndpointId' --output text)\nfi\nwait_endpoint \"${own}\"",
            owner_filters(cx.id, &[("vpc-endpoint-state", &["available", "pending"])]),
            cx.variables.var(ResourceKind::Vpc, vpc),
            q(service_name),
            subnets.join(" "),
            groups.join(" "),
            policy_argument(policy),
            cx.tags("vpc-endpoint")
        );
    }
}

/// Each VPC endpoint.
pub(crate) fn endpoints(design: &Design, resources: &mut Vec<DesiredResource>) {
    use ResourceKind::*;
    let vpc_key = |id: &str| ResourceKey::new(Vpc, id);
    for endpoint in &design.endpoints {
        let service = service_name(&design.region, &endpoint.service);
        match endpoint.endpoint_type {
            EndpointType::Gateway => {
                let mut depends_on: Vec<ResourceKey> = endpoint
                    .route_tables
                    .iter()
                    .map(|t| ResourceKey::new(RouteTable, t.clone()))
                    .collect();
                depends_on.push(vpc_key(&endpoint.vpc));
                push(
                    resources,
                    GatewayEndpoint,
                    endpoint.id.clone(),
                    depends_on,
                    ResourceSpec::GatewayEndpoint(GatewayEndpointSpec {
                        vpc: endpoint.vpc.clone(),
                        service_name: service,
                        route_tables: endpoint.route_tables.clone(),
                        policy: endpoint.applied_policy(),
                    }),
                );
            }
            EndpointType::Interface => {
                let mut depends_on: Vec<ResourceKey> = endpoint
                    .subnets
                    .iter()
                    .map(|s| ResourceKey::new(Subnet, s.clone()))
                    .chain(
                        endpoint
                            .security_groups
                            .iter()
                            .map(|g| ResourceKey::new(SecurityGroup, g.clone())),
                    )
                    .collect();
                depends_on.push(vpc_key(&endpoint.vpc));
                push(
                    resources,
                    InterfaceEndpoint,
                    endpoint.id.clone(),
                    depends_on,
                    ResourceSpec::InterfaceEndpoint(InterfaceEndpointSpec {
                        vpc: endpoint.vpc.clone(),
                        service_name: service,
                        subnets: endpoint.subnets.clone(),
                        security_groups: endpoint.security_groups.clone(),
                        private_dns: endpoint.private_dns,
                        policy: endpoint.applied_policy(),
                    }),
                );
            }
        }
    }
}
