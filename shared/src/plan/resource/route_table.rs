//! A route table, its routes and its subnet associations.
//!
//! Each resource kind: what creating one needs, its row of the resource catalogue, and the
//! attributes the planner compares.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::Resource;
use super::write::*;
use crate::escape::shell_word as q;
use crate::model::Design;
use crate::plan::catalog::{NO_ATTRIBUTES, ResourceFacts};
use crate::plan::*;
use serde_json::json;
use std::fmt::Write;

/// A main table adopts the VPC's own main route table instead of creating one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct RouteTableSpec {
    pub vpc: String,
    pub main: bool,
}

impl Resource for RouteTableSpec {
    const FACTS: ResourceFacts = ResourceFacts {
        name: "route_table",
        rank: 10,
        tagged: true,
        long_pole: false,
        in_place: NO_ATTRIBUTES,
        cloudformation_type: "AWS::EC2::RouteTable",
        terraform_type: "aws_route_table",
        ec2_resource_type: "route-table",
        create_actions: &["ec2:CreateRouteTable", "ec2:CreateTags"],
        delete_actions: &["ec2:DeleteRouteTable", "ec2:DeleteTags"],
        read_actions: &["ec2:DescribeRouteTables"],
        not_found_code: Some("InvalidRouteTableID.NotFound"),
        aws_id_prefix: Some("rtb-"),
    };

    fn attributes(&self) -> BTreeMap<String, String> {
        let RouteTableSpec { vpc, main } = self;
        attributes([("vpc", vpc.clone()), ("main", main.to_string())])
    }

    fn cloudformation(&self, cx: &mut CloudFormation<'_>) -> Option<TemplateResource> {
        let RouteTableSpec { vpc, main } = self;
        let own = cx.own.clone();
        if *main {
            for subnet in cx
                .design
                .subnets
                .iter()
                .filter(|s| s.vpc == *vpc && !cx.associated.contains(s.id.as_str()))
            {
                cx.resources.insert(
                    cx.names.derived(&own, &(cx.style)(&subnet.id)),
                    json!({
                        "Type": "AWS::EC2::SubnetRouteTableAssociation",
                        "Properties": {
                            "SubnetId": reference(&cx.names.of(ResourceKind::Subnet, &subnet.id)),
                            "RouteTableId": reference(&own),
                        }
                    }),
                );
            }
        }
        Some((
            "AWS::EC2::RouteTable",
            json!({"VpcId": reference(&cx.names.of(ResourceKind::Vpc, vpc)), "Tags": cx.tags.clone()}),
            Vec::new(),
        ))
    }

    fn terraform(&self, cx: &mut Terraform<'_>) -> Block {
        let RouteTableSpec { vpc, main } = self;
        let id = cx.id;
        if *main {
            Block::new(cx.header("aws_default_route_table"))
                .raw(
                    "default_route_table_id",
                    cx.names
                        .reference(ResourceKind::Vpc, vpc, "default_route_table_id"),
                )
                .map("tags", terraform_tags(&cx.resource.tags, id))
        } else {
            Block::new(cx.header("aws_route_table"))
                .raw("vpc_id", cx.names.reference(ResourceKind::Vpc, vpc, "id"))
                .map("tags", terraform_tags(&cx.resource.tags, id))
        }
    }

    const TEARDOWN: Option<&'static str> = Some(
        r#"echo "route tables (the main one is the VPC's own: only its tags go)"
for table in $(aws ec2 describe-route-tables --filters "$design_filter" --query 'RouteTables[].RouteTableId' --output text); do
  main=$(aws ec2 describe-route-tables --route-table-ids "$table" \
    --query 'length(RouteTables[0].Associations[?Main==`true`])' --output text)
  if [ "$main" = 0 ]; then
    aws ec2 delete-route-table --route-table-id "$table"
  else
    aws ec2 delete-tags --resources "$table" --tags Key=moat:design-id Key=moat:logical-id
  fi
done
"#,
    );

    fn shell(&self, cx: &mut Shell<'_>) {
        let RouteTableSpec { vpc, main } = self;
        let own = cx.own.clone();
        let id = cx.id;
        let vpc_var = cx.variables.var(ResourceKind::Vpc, vpc);
        if *main {
            let _ = writeln!(
                cx.out,
                "# The VPC's own main route table, adopted (tagged as the design's).\n{own}=$(aws ec2 describe-route-tables --filters Name=vpc-id,Values={vpc_var} Name=association.main,Values=true \\\n  --query 'RouteTables[0].RouteTableId' --output text)\naws ec2 create-tags --resources \"${own}\" \\\n  --tags {}",
                json_word(&json!([
                    {"Key": "Name", "Value": data(id)},
                    {"Key": "moat:design-id", "Value": splice("DESIGN_ID")},
                    {"Key": "moat:logical-id", "Value": data(id)},
                ]))
            );
        } else {
            let _ = writeln!(
                cx.out,
                "{own}=$(aws ec2 describe-route-tables --filters {} \\\n  --query 'RouteTables[0].RouteTableId' --output text)\nif ! found \"${own}\"; then\n  {own}=$(aws ec2 create-route-table --vpc-id {vpc_var} \\\n    --tag-specifications {} \\\n    --query 'RouteTable.RouteTableId' --output text)\nfi",
                owner_filters(cx.id, &[]),
                cx.tags("route-table")
            );
        }
    }
}

/// One route of a route table to a target of the design.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct RouteSpec {
    pub route_table: String,
    pub destination: String,
    pub target: ResourceKey,
}

impl Resource for RouteSpec {
    const FACTS: ResourceFacts = ResourceFacts {
        name: "route",
        rank: 20,
        tagged: false,
        long_pole: false,
        in_place: &["target"],
        cloudformation_type: "AWS::EC2::Route",
        terraform_type: "aws_route",
        ec2_resource_type: "route-table",
        create_actions: &["ec2:CreateRoute", "ec2:ReplaceRoute"],
        delete_actions: &["ec2:DeleteRoute"],
        read_actions: &["ec2:DescribeRouteTables"],
        not_found_code: Some("InvalidRoute.NotFound"),
        aws_id_prefix: None,
    };

    fn attributes(&self) -> BTreeMap<String, String> {
        let RouteSpec { target, .. } = self;
        attributes([("target", target.logical_id.clone())])
    }

    fn cloudformation(&self, cx: &mut CloudFormation<'_>) -> Option<TemplateResource> {
        let RouteSpec {
            route_table,
            destination,
            target,
        } = self;
        let target_name = cx.names.of(target.kind, &target.logical_id);
        let mut properties = json!({
            "RouteTableId": reference(&cx.names.of(ResourceKind::RouteTable, route_table)),
            "DestinationCidrBlock": destination,
        });
        let mut depends_on = Vec::new();
        match crate::plan::route_target_of(target.kind) {
            Some(via @ (RouteTarget::NatGateway | RouteTarget::NetworkInterface)) => {
                properties[via.cloudformation_property()] = reference(&target_name);
            }
            Some(via @ (RouteTarget::InternetGateway | RouteTarget::VpnGateway)) => {
                properties[via.cloudformation_property()] = reference(&target_name);
                // A route to a gateway fails until the gateway is attached.
                depends_on.push(cx.names.derived(&target_name, "Attachment"));
            }
            // The planner builds routes to route targets only.
            None => {}
        }
        Some(("AWS::EC2::Route", properties, depends_on))
    }

    fn terraform(&self, cx: &mut Terraform<'_>) -> Block {
        let RouteSpec {
            route_table,
            destination,
            target,
        } = self;
        let table = cx
            .names
            .reference(ResourceKind::RouteTable, route_table, "id");
        let block = Block::new(cx.header("aws_route"))
            .raw("route_table_id", table)
            .text("destination_cidr_block", destination);
        match crate::plan::route_target_of(target.kind) {
            Some(via) => block.raw(
                via.terraform_argument(),
                cx.names.reference(target.kind, &target.logical_id, "id"),
            ),
            // The planner builds routes to route targets only.
            None => block,
        }
    }

    const TEARDOWN: Option<&'static str> = Some(
        r#"echo "routes"
for table in $(aws ec2 describe-route-tables --filters "$design_filter" --query 'RouteTables[].RouteTableId' --output text); do
  for destination in $(aws ec2 describe-route-tables --route-table-ids "$table" \
    --query "RouteTables[0].Routes[?GatewayId!='local' && DestinationCidrBlock!=null].DestinationCidrBlock" --output text); do
    aws ec2 delete-route --route-table-id "$table" --destination-cidr-block "$destination"
  done
done
"#,
    );

    fn shell(&self, cx: &mut Shell<'_>) {
        let RouteSpec {
            route_table,
            destination,
            target,
        } = self;
        // The planner builds routes to route targets only.
        let Some(via) = crate::plan::route_target_of(target.kind) else {
            return;
        };
        let target_flag = via.cli_option();
        let arguments = format!(
            "--route-table-id {} \\\n  --destination-cidr-block {} {target_flag} {}",
            cx.variables.var(ResourceKind::RouteTable, route_table),
            q(destination),
            cx.variables.var(target.kind, &target.logical_id)
        );
        let _ = writeln!(
            cx.out,
            "if ! tolerate RouteAlreadyExists aws ec2 create-route {arguments} > /dev/null; then exit 1; fi\naws ec2 replace-route {arguments}"
        );
    }
}

/// A subnet's association with a route table that is not its VPC's main one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct RouteTableAssociationSpec {
    pub route_table: String,
    pub subnet: String,
}

impl Resource for RouteTableAssociationSpec {
    const FACTS: ResourceFacts = ResourceFacts {
        name: "route_table_association",
        rank: 21,
        tagged: false,
        long_pole: false,
        in_place: &["route_table"],
        cloudformation_type: "AWS::EC2::SubnetRouteTableAssociation",
        terraform_type: "aws_route_table_association",
        ec2_resource_type: "route-table",
        create_actions: &[
            "ec2:AssociateRouteTable",
            "ec2:ReplaceRouteTableAssociation",
        ],
        delete_actions: &["ec2:DisassociateRouteTable"],
        read_actions: &["ec2:DescribeRouteTables"],
        not_found_code: Some("InvalidAssociationID.NotFound"),
        aws_id_prefix: Some("rtbassoc-"),
    };

    fn attributes(&self) -> BTreeMap<String, String> {
        let RouteTableAssociationSpec { route_table, .. } = self;
        attributes([("route_table", route_table.clone())])
    }

    fn cloudformation(&self, cx: &mut CloudFormation<'_>) -> Option<TemplateResource> {
        let RouteTableAssociationSpec {
            route_table,
            subnet,
        } = self;
        Some((
            "AWS::EC2::SubnetRouteTableAssociation",
            json!({
                "SubnetId": reference(&cx.names.of(ResourceKind::Subnet, subnet)),
                "RouteTableId": reference(&cx.names.of(ResourceKind::RouteTable, route_table)),
            }),
            Vec::new(),
        ))
    }

    fn terraform(&self, cx: &mut Terraform<'_>) -> Block {
        let RouteTableAssociationSpec {
            route_table,
            subnet,
        } = self;
        Block::new(cx.header("aws_route_table_association"))
            .raw(
                "subnet_id",
                cx.names.reference(ResourceKind::Subnet, subnet, "id"),
            )
            .raw(
                "route_table_id",
                cx.names
                    .reference(ResourceKind::RouteTable, route_table, "id"),
            )
    }

    const TEARDOWN: Option<&'static str> = Some(
        r#"echo "route table associations"
for table in $(aws ec2 describe-route-tables --filters "$design_filter" --query 'RouteTables[].RouteTableId' --output text); do
  for association in $(aws ec2 describe-route-tables --route-table-ids "$table" \
    --query 'RouteTables[0].Associations[?Main!=`true`].RouteTableAssociationId' --output text); do
    aws ec2 disassociate-route-table --association-id "$association"
  done
done
"#,
    );

    fn shell(&self, cx: &mut Shell<'_>) {
        let RouteTableAssociationSpec {
            route_table,
            subnet,
        } = self;
        let _ = writeln!(
            cx.out,
            "tolerate Resource.AlreadyAssociated aws ec2 associate-route-table \\\n  --route-table-id {} --subnet-id {} > /dev/null",
            cx.variables.var(ResourceKind::RouteTable, route_table),
            cx.variables.var(ResourceKind::Subnet, subnet)
        );
    }
}

/// Each route table (its routes come later, once every target exists).
pub(crate) fn route_tables(design: &Design, resources: &mut Vec<DesiredResource>) {
    use ResourceKind::*;
    let vpc_key = |id: &str| ResourceKey::new(Vpc, id);
    for table in &design.route_tables {
        push(
            resources,
            RouteTable,
            table.id.clone(),
            vec![vpc_key(&table.vpc)],
            ResourceSpec::RouteTable(RouteTableSpec {
                vpc: table.vpc.clone(),
                main: table.main,
            }),
        );
    }
}

/// Each route to a target Moat provisions, and each subnet association.
pub(crate) fn routes(design: &Design, resources: &mut Vec<DesiredResource>) {
    use ResourceKind::*;
    let kinds: HashMap<&str, crate::model::ObjectKind> =
        design.object_ids().into_iter().rev().collect();
    let target_key = |target: &str| -> Option<ResourceKey> {
        let kind = route_target_resource(kinds.get(target)?.route_target()?)?;
        Some(ResourceKey::new(kind, target))
    };
    for table in &design.route_tables {
        for route in &table.routes {
            // Routes to workloads are not provisioned (Moat launches no network interface
            // for them); validation reports them.
            let Some(target) = target_key(&route.target) else {
                continue;
            };
            push(
                resources,
                Route,
                format!("{}/{}", table.id, route.destination),
                vec![
                    ResourceKey::new(RouteTable, table.id.clone()),
                    target.clone(),
                ],
                ResourceSpec::Route(RouteSpec {
                    route_table: table.id.clone(),
                    destination: route.destination.clone(),
                    target,
                }),
            );
        }
        for subnet in &table.subnets {
            push(
                resources,
                RouteTableAssociation,
                format!("{subnet}/route-table"),
                vec![
                    ResourceKey::new(Subnet, subnet.clone()),
                    ResourceKey::new(RouteTable, table.id.clone()),
                ],
                ResourceSpec::RouteTableAssociation(RouteTableAssociationSpec {
                    route_table: table.id.clone(),
                    subnet: subnet.clone(),
                }),
            );
        }
    }
}
