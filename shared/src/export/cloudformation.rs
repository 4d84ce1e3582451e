//! CloudFormation (YAML and JSON): one resource per planner resource, wired with `Ref` and
//! `GetAtt`, `DependsOn` where AWS needs it (routes to an internet or VPN gateway after its
//! attachment), every taggable resource tagged with Moat's ownership tags.
//!
//! Two things CloudFormation cannot say as Moat does, handled so the network is the same:
//! a VPC's main route table cannot be adopted, so a main table becomes a table explicitly
//! associated with every subnet that has no table of its own (and a main table with nothing of
//! its own to hold is the VPC's, left out); and a security group keeps
//! AWS's default allow-all egress unless egress rules are given inline, so groups whose design
//! has no plain CIDR egress get AWS's documented "no egress" placeholder rule (ICMP type 252
//! code 86 to 255.255.255.255/32), which matches no traffic.

use crate::plan::resource::*;
use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};

use serde_json::{Map, Value, json};

use crate::model::{Design, RouteTarget};
use crate::plan::{ResourceKey, ResourceKind, ResourceSpec, RulePeer, desired_resources};

/// The "no egress" placeholder: AWS's own way to drop a new group's default egress rule.
pub const NO_EGRESS_PLACEHOLDER_CIDR: &str = "255.255.255.255/32";

/// CloudFormation logical ids: letters and digits, unique in the template by construction.
/// A resource's id is the Pascal case of its kind and logical id; the resources a planner
/// resource brings along (a gateway's attachment, a table's association, an instance's
/// interface) are its id plus a suffix. All are claimed from one [`super::UniqueNames`]
/// (`2`, `3`, … appended on a clash, in plan order), the planner's resources first.
pub struct Names {
    names: HashMap<ResourceKey, String>,
    taken: RefCell<super::UniqueNames>,
    derived: RefCell<HashMap<(String, String), String>>,
}

impl Names {
    pub fn new(keys: impl Iterator<Item = ResourceKey>, style: fn(&str) -> String) -> Names {
        let mut taken = super::UniqueNames::new(&["DesignId", "AWS"]);
        let names = keys
            .map(|key| {
                let wanted = style(&format!("{}-{}", key.kind.name(), key.logical_id));
                let name = taken.claim(wanted, "");
                (key, name)
            })
            .collect();
        Names {
            names,
            taken: RefCell::new(taken),
            derived: RefCell::new(HashMap::new()),
        }
    }

    pub fn of(&self, kind: ResourceKind, logical_id: &str) -> String {
        self.names
            .get(&ResourceKey::new(kind, logical_id))
            .cloned()
            .unwrap_or_else(|| super::pascal_case(logical_id))
    }

    /// The id of a resource `owner` brings along: `owner` + `suffix`, claimed once.
    pub fn derived(&self, owner: &str, suffix: &str) -> String {
        let key = (owner.to_string(), suffix.to_string());
        if let Some(name) = self.derived.borrow().get(&key) {
            return name.clone();
        }
        let name = self
            .taken
            .borrow_mut()
            .claim(format!("{owner}{suffix}"), "");
        self.derived.borrow_mut().insert(key, name.clone());
        name
    }
}

/// Each planner resource's CloudFormation logical id (a stack's resources map back to the
/// design through it).
pub fn logical_ids(design: &Design) -> Vec<(String, ResourceKey)> {
    let desired = desired_resources(design);
    let names = Names::new(desired.iter().map(|r| r.key.clone()), super::pascal_case);
    desired
        .into_iter()
        .map(|r| (names.of(r.key.kind, &r.key.logical_id), r.key))
        .collect()
}

/// A resource's tags: its name, Moat's ownership tags, then the user's in key order.
fn tags_with(logical_id: &str, user: &crate::model::Tags) -> Value {
    let mut tags = vec![
        json!({"Key": "Name", "Value": logical_id}),
        json!({"Key": "moat:design-id", "Value": {"Ref": "DesignId"}}),
        json!({"Key": "moat:logical-id", "Value": logical_id}),
    ];
    tags.extend(
        user.iter()
            .map(|(key, value)| json!({"Key": key, "Value": value})),
    );
    Value::Array(tags)
}

fn reference(name: &str) -> Value {
    json!({"Ref": name})
}

fn protocol_value(protocol: &str) -> Value {
    match protocol {
        "-1" => json!("-1"),
        other => json!(other.parse::<i64>().unwrap_or(-1)),
    }
}

/// An endpoint's properties with its policy as a JSON object, when it has one of its own.
fn with_policy_document(mut properties: Value, policy: &Option<String>) -> Value {
    if let Some(document) = policy
        .as_deref()
        .and_then(|text| serde_json::from_str::<Value>(text).ok())
    {
        properties["PolicyDocument"] = document;
    }
    properties
}

/// The template as a JSON value.
pub fn template(design: &Design, design_id: &str) -> Value {
    let desired = desired_resources(design);
    let names = Names::new(desired.iter().map(|r| r.key.clone()), super::pascal_case);
    let mut resources: BTreeMap<String, Value> = BTreeMap::new();
    let mut outputs: BTreeMap<String, Value> = BTreeMap::new();
    let name = |kind: ResourceKind, id: &str| names.of(kind, id);
    // Inline egress per group (plain CIDR rules); the rest become their own resources.
    let mut inline_egress: HashMap<String, Vec<Value>> = HashMap::new();
    for resource in &desired {
        if let ResourceSpec::SecurityGroupRule(SecurityGroupRuleSpec {
            security_group,
            egress: true,
            protocol,
            from_port,
            to_port,
            peer: RulePeer::Cidr(cidr),
            description,
        }) = &resource.spec
        {
            let mut rule = json!({"IpProtocol": protocol_value(protocol), "CidrIp": cidr});
            if crate::model::ec2_protocol_has_ports(protocol) {
                rule["FromPort"] = json!(from_port);
                rule["ToPort"] = json!(to_port);
            }
            if let Some(description) = description {
                rule["Description"] = json!(description);
            }
            inline_egress
                .entry(security_group.clone())
                .or_default()
                .push(rule);
        }
    }
    // Subnets with a table of their own (a main table covers the others explicitly).
    let associated: std::collections::HashSet<&str> = design
        .route_tables
        .iter()
        .filter(|t| !t.main)
        .flat_map(|t| t.subnets.iter().map(String::as_str))
        .collect();
    // A main table with no route of its own, serving no subnet and named by no endpoint is the
    // VPC's own main table, which CloudFormation makes with the VPC: nothing to create.
    let idle_main_tables: std::collections::HashSet<&str> = design
        .route_tables
        .iter()
        .filter(|table| {
            table.main
                && table.routes.is_empty()
                && design
                    .subnets
                    .iter()
                    .filter(|s| s.vpc == table.vpc)
                    .all(|s| associated.contains(s.id.as_str()))
                && !design
                    .endpoints
                    .iter()
                    .any(|e| e.route_tables.contains(&table.id))
        })
        .map(|table| table.id.as_str())
        .collect();
    for resource in &desired {
        let id = resource.key.logical_id.as_str();
        if resource.key.kind == ResourceKind::RouteTable && idle_main_tables.contains(id) {
            continue;
        }
        let tags = |logical_id: &str| tags_with(logical_id, &resource.tags);
        let own = name(resource.key.kind, id);
        let (kind, properties, depends_on): (&str, Value, Vec<String>) = match &resource.spec {
            ResourceSpec::Vpc(VpcSpec {
                cidr_block,
                dns_support,
                dns_hostnames,
                tenancy,
                ..
            }) => {
                outputs.insert(
                    names.derived(&own, "Id"),
                    json!({"Description": format!("The id of VPC {id}"), "Value": reference(&own)}),
                );
                let mut properties = json!({
                    "CidrBlock": cidr_block,
                    "EnableDnsSupport": dns_support,
                    "EnableDnsHostnames": dns_hostnames,
                    "Tags": tags(id),
                });
                if let Some(tenancy) = tenancy {
                    properties["InstanceTenancy"] = json!(tenancy);
                }
                ("AWS::EC2::VPC", properties, Vec::new())
            }
            ResourceSpec::CustomerGateway(CustomerGatewaySpec {
                ip_address,
                bgp_asn,
            }) => (
                "AWS::EC2::CustomerGateway",
                json!({"Type": "ipsec.1", "IpAddress": ip_address, "BgpAsn": bgp_asn, "Tags": tags(id)}),
                Vec::new(),
            ),
            ResourceSpec::PlacementGroup(PlacementGroupSpec { strategy }) => (
                "AWS::EC2::PlacementGroup",
                json!({"Strategy": strategy, "Tags": tags(id)}),
                Vec::new(),
            ),
            ResourceSpec::Subnet(SubnetSpec {
                vpc,
                cidr_block,
                availability_zone,
                map_public_ip,
            }) => (
                "AWS::EC2::Subnet",
                json!({
                    "VpcId": reference(&name(ResourceKind::Vpc, vpc)),
                    "CidrBlock": cidr_block,
                    "AvailabilityZone": availability_zone,
                    "MapPublicIpOnLaunch": map_public_ip,
                    "Tags": tags(id),
                }),
                // A subnet in a secondary block waits for the block's association.
                resource
                    .depends_on
                    .iter()
                    .filter(|key| key.kind == ResourceKind::VpcCidrBlock)
                    .map(|key| name(key.kind, &key.logical_id))
                    .collect(),
            ),
            ResourceSpec::InternetGateway(InternetGatewaySpec { vpc }) => {
                resources.insert(
                    names.derived(&own, "Attachment"),
                    json!({
                        "Type": "AWS::EC2::VPCGatewayAttachment",
                        "Properties": {
                            "VpcId": reference(&name(ResourceKind::Vpc, vpc)),
                            "InternetGatewayId": reference(&own),
                        }
                    }),
                );
                (
                    "AWS::EC2::InternetGateway",
                    json!({"Tags": tags(id)}),
                    Vec::new(),
                )
            }
            ResourceSpec::VpnGateway(VpnGatewaySpec {
                vpc,
                amazon_side_asn,
            }) => {
                resources.insert(
                    names.derived(&own, "Attachment"),
                    json!({
                        "Type": "AWS::EC2::VPCGatewayAttachment",
                        "Properties": {
                            "VpcId": reference(&name(ResourceKind::Vpc, vpc)),
                            "VpnGatewayId": reference(&own),
                        }
                    }),
                );
                (
                    "AWS::EC2::VPNGateway",
                    json!({"Type": "ipsec.1", "AmazonSideAsn": amazon_side_asn, "Tags": tags(id)}),
                    Vec::new(),
                )
            }
            ResourceSpec::SecurityGroup(SecurityGroupSpec {
                vpc,
                name: group_name,
                description,
            }) => {
                let egress = inline_egress.get(id).cloned().unwrap_or_else(|| {
                    vec![json!({
                        "IpProtocol": "icmp",
                        "FromPort": 252,
                        "ToPort": 86,
                        "CidrIp": NO_EGRESS_PLACEHOLDER_CIDR,
                        "Description": "No egress: replaces AWS's default allow-all rule",
                    })]
                });
                (
                    "AWS::EC2::SecurityGroup",
                    json!({
                        "GroupName": group_name,
                        "GroupDescription": description,
                        "VpcId": reference(&name(ResourceKind::Vpc, vpc)),
                        "SecurityGroupEgress": egress,
                        "Tags": tags(id),
                    }),
                    Vec::new(),
                )
            }
            ResourceSpec::RouteTable(RouteTableSpec { vpc, main }) => {
                if *main {
                    for subnet in design
                        .subnets
                        .iter()
                        .filter(|s| s.vpc == *vpc && !associated.contains(s.id.as_str()))
                    {
                        resources.insert(
                            names.derived(&own, &super::pascal_case(&subnet.id)),
                            json!({
                                "Type": "AWS::EC2::SubnetRouteTableAssociation",
                                "Properties": {
                                    "SubnetId": reference(&name(ResourceKind::Subnet, &subnet.id)),
                                    "RouteTableId": reference(&own),
                                }
                            }),
                        );
                    }
                }
                (
                    "AWS::EC2::RouteTable",
                    json!({"VpcId": reference(&name(ResourceKind::Vpc, vpc)), "Tags": tags(id)}),
                    Vec::new(),
                )
            }
            ResourceSpec::NetworkAcl(NetworkAclSpec { vpc }) => (
                "AWS::EC2::NetworkAcl",
                json!({"VpcId": reference(&name(ResourceKind::Vpc, vpc)), "Tags": tags(id)}),
                Vec::new(),
            ),
            ResourceSpec::NetworkAclEntry(NetworkAclEntrySpec {
                network_acl,
                rule_number,
                egress,
                protocol,
                from_port,
                to_port,
                cidr,
                allow,
            }) => {
                let mut properties = json!({
                    "NetworkAclId": reference(&name(ResourceKind::NetworkAcl, network_acl)),
                    "RuleNumber": rule_number,
                    "Protocol": protocol.parse::<i64>().unwrap_or(-1),
                    "RuleAction": if *allow { "allow" } else { "deny" },
                    "Egress": egress,
                    "CidrBlock": cidr,
                });
                match protocol.as_str() {
                    "6" | "17" => {
                        properties["PortRange"] = json!({"From": from_port, "To": to_port});
                    }
                    "1" => properties["Icmp"] = json!({"Code": -1, "Type": -1}),
                    _ => {}
                }
                ("AWS::EC2::NetworkAclEntry", properties, Vec::new())
            }
            ResourceSpec::NetworkAclAssociation(NetworkAclAssociationSpec {
                network_acl,
                subnet,
            }) => (
                "AWS::EC2::SubnetNetworkAclAssociation",
                json!({
                    "SubnetId": reference(&name(ResourceKind::Subnet, subnet)),
                    "NetworkAclId": reference(&name(ResourceKind::NetworkAcl, network_acl)),
                }),
                Vec::new(),
            ),
            ResourceSpec::ElasticIp(ElasticIpSpec {}) => (
                "AWS::EC2::EIP",
                json!({"Domain": "vpc", "Tags": tags(id)}),
                Vec::new(),
            ),
            ResourceSpec::NatGateway(NatGatewaySpec { subnet, elastic_ip }) => {
                let mut properties = json!({
                    "SubnetId": reference(&name(ResourceKind::Subnet, subnet)),
                    "Tags": tags(id),
                });
                match elastic_ip {
                    Some(address) => {
                        properties["AllocationId"] = json!({"Fn::GetAtt": [name(ResourceKind::ElasticIp, address), "AllocationId"]});
                    }
                    None => properties["ConnectivityType"] = json!("private"),
                }
                ("AWS::EC2::NatGateway", properties, Vec::new())
            }
            ResourceSpec::VpnConnection(VpnConnectionSpec {
                vpn_gateway,
                customer_gateway,
                static_routes_only,
                static_routes,
            }) => {
                if *static_routes_only {
                    for (index, destination) in static_routes.iter().enumerate() {
                        resources.insert(
                            names.derived(&own, &format!("Route{}", index + 1)),
                            json!({
                                "Type": "AWS::EC2::VPNConnectionRoute",
                                "Properties": {
                                    "VpnConnectionId": reference(&own),
                                    "DestinationCidrBlock": destination,
                                }
                            }),
                        );
                    }
                }
                let gateway = name(ResourceKind::VpnGateway, vpn_gateway);
                (
                    "AWS::EC2::VPNConnection",
                    json!({
                        "Type": "ipsec.1",
                        "VpnGatewayId": reference(&gateway),
                        "CustomerGatewayId": reference(&name(ResourceKind::CustomerGateway, customer_gateway)),
                        "StaticRoutesOnly": static_routes_only,
                        "Tags": tags(id),
                    }),
                    vec![names.derived(&gateway, "Attachment")],
                )
            }
            ResourceSpec::GatewayEndpoint(GatewayEndpointSpec {
                vpc,
                service_name,
                route_tables,
                policy,
            }) => (
                "AWS::EC2::VPCEndpoint",
                with_policy_document(
                    json!({
                        "VpcEndpointType": "Gateway",
                        "VpcId": reference(&name(ResourceKind::Vpc, vpc)),
                        "ServiceName": service_name,
                        "RouteTableIds": route_tables.iter().map(|t| reference(&name(ResourceKind::RouteTable, t))).collect::<Vec<_>>(),
                        "Tags": tags(id),
                    }),
                    policy,
                ),
                Vec::new(),
            ),
            ResourceSpec::InterfaceEndpoint(InterfaceEndpointSpec {
                vpc,
                service_name,
                subnets,
                security_groups,
                private_dns,
                policy,
            }) => (
                "AWS::EC2::VPCEndpoint",
                with_policy_document(
                    json!({
                        "VpcEndpointType": "Interface",
                        "VpcId": reference(&name(ResourceKind::Vpc, vpc)),
                        "ServiceName": service_name,
                        "SubnetIds": subnets.iter().map(|s| reference(&name(ResourceKind::Subnet, s))).collect::<Vec<_>>(),
                        "SecurityGroupIds": security_groups.iter().map(|g| reference(&name(ResourceKind::SecurityGroup, g))).collect::<Vec<_>>(),
                        "PrivateDnsEnabled": private_dns,
                        "Tags": tags(id),
                    }),
                    policy,
                ),
                Vec::new(),
            ),
            ResourceSpec::SecurityGroupRule(SecurityGroupRuleSpec {
                security_group,
                egress,
                protocol,
                from_port,
                to_port,
                peer,
                description,
            }) => {
                if *egress && matches!(peer, RulePeer::Cidr(_)) {
                    // Inline on its group (see above).
                    continue;
                }
                let mut properties = json!({
                    "GroupId": {"Fn::GetAtt": [name(ResourceKind::SecurityGroup, security_group), "GroupId"]},
                    "IpProtocol": protocol_value(protocol),
                });
                if crate::model::ec2_protocol_has_ports(protocol) {
                    properties["FromPort"] = json!(from_port);
                    properties["ToPort"] = json!(to_port);
                }
                let (cidr_key, group_key, list_key) = if *egress {
                    (
                        "CidrIp",
                        "DestinationSecurityGroupId",
                        "DestinationPrefixListId",
                    )
                } else {
                    ("CidrIp", "SourceSecurityGroupId", "SourcePrefixListId")
                };
                match peer {
                    RulePeer::Cidr(cidr) => properties[cidr_key] = json!(cidr),
                    RulePeer::SecurityGroup(group) => {
                        properties[group_key] = json!({"Fn::GetAtt": [name(ResourceKind::SecurityGroup, group), "GroupId"]});
                    }
                    RulePeer::PrefixList(list) => properties[list_key] = json!(list),
                }
                if let Some(description) = description {
                    properties["Description"] = json!(description);
                }
                (
                    if *egress {
                        "AWS::EC2::SecurityGroupEgress"
                    } else {
                        "AWS::EC2::SecurityGroupIngress"
                    },
                    properties,
                    Vec::new(),
                )
            }
            ResourceSpec::Route(RouteSpec {
                route_table,
                destination,
                target,
            }) => {
                let target_name = name(target.kind, &target.logical_id);
                let mut properties = json!({
                    "RouteTableId": reference(&name(ResourceKind::RouteTable, route_table)),
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
                        depends_on.push(names.derived(&target_name, "Attachment"));
                    }
                    // The planner builds routes to route targets only.
                    None => {}
                }
                ("AWS::EC2::Route", properties, depends_on)
            }
            ResourceSpec::RouteTableAssociation(RouteTableAssociationSpec {
                route_table,
                subnet,
            }) => (
                "AWS::EC2::SubnetRouteTableAssociation",
                json!({
                    "SubnetId": reference(&name(ResourceKind::Subnet, subnet)),
                    "RouteTableId": reference(&name(ResourceKind::RouteTable, route_table)),
                }),
                Vec::new(),
            ),
            ResourceSpec::Instance(InstanceSpec {
                subnet,
                security_groups,
                placement_group,
                instance_type,
                image_id,
                efa,
            }) => {
                // The primary interface is a resource of its own: an instance's inline
                // interface cannot say it is an EFA (as in the Terraform export).
                let interface = names.derived(&own, "PrimaryInterface");
                let mut interface_properties = json!({
                    "SubnetId": reference(&name(ResourceKind::Subnet, subnet)),
                    "GroupSet": security_groups.iter().map(|g| json!({"Fn::GetAtt": [name(ResourceKind::SecurityGroup, g), "GroupId"]})).collect::<Vec<_>>(),
                    "Tags": tags(id),
                });
                if *efa {
                    interface_properties["InterfaceType"] = json!("efa");
                }
                resources.insert(
                    interface.clone(),
                    json!({"Type": "AWS::EC2::NetworkInterface", "Properties": interface_properties}),
                );
                let mut properties = json!({
                    "ImageId": image_id,
                    "InstanceType": instance_type,
                    "NetworkInterfaces": [{"DeviceIndex": "0", "NetworkInterfaceId": reference(&interface)}],
                    "MetadataOptions": {
                        "HttpEndpoint": "enabled",
                        "HttpTokens": "required",
                        "HttpPutResponseHopLimit": crate::plan::INSTANCE_METADATA_HOP_LIMIT,
                    },
                    "Tags": tags(id),
                });
                if let Some(group) = placement_group {
                    properties["PlacementGroupName"] =
                        reference(&name(ResourceKind::PlacementGroup, group));
                }
                ("AWS::EC2::Instance", properties, Vec::new())
            }
            ResourceSpec::FlowLog(FlowLogSpec {
                vpc,
                destination,
                destination_type,
                traffic_type,
                delivery_role_arn,
                max_aggregation_interval,
            }) => {
                let mut properties = json!({
                    "ResourceId": reference(&name(ResourceKind::Vpc, vpc)),
                    "ResourceType": "VPC",
                    "TrafficType": traffic_type,
                    "LogDestinationType": destination_type,
                    "LogDestination": destination,
                    "MaxAggregationInterval": max_aggregation_interval,
                    "Tags": tags(id),
                });
                if let Some(role) = delivery_role_arn {
                    properties["DeliverLogsPermissionArn"] = json!(role);
                }
                ("AWS::EC2::FlowLog", properties, Vec::new())
            }
            ResourceSpec::DhcpOptions(DhcpOptionsSpec {
                domain_name,
                domain_name_servers,
                ntp_servers,
            }) => {
                let mut properties = json!({"Tags": tags(id)});
                if let Some(domain_name) = domain_name {
                    properties["DomainName"] = json!(domain_name);
                }
                if !domain_name_servers.is_empty() {
                    properties["DomainNameServers"] = json!(domain_name_servers);
                }
                if !ntp_servers.is_empty() {
                    properties["NtpServers"] = json!(ntp_servers);
                }
                ("AWS::EC2::DHCPOptions", properties, Vec::new())
            }
            ResourceSpec::DhcpOptionsAssociation(DhcpOptionsAssociationSpec {
                vpc,
                dhcp_options,
            }) => (
                "AWS::EC2::VPCDHCPOptionsAssociation",
                json!({
                    "VpcId": reference(&name(ResourceKind::Vpc, vpc)),
                    "DhcpOptionsId": reference(&name(ResourceKind::DhcpOptions, dhcp_options)),
                }),
                Vec::new(),
            ),
            ResourceSpec::VpcCidrBlock(VpcCidrBlockSpec { vpc, cidr_block }) => (
                "AWS::EC2::VPCCidrBlock",
                json!({
                    "VpcId": reference(&name(ResourceKind::Vpc, vpc)),
                    "CidrBlock": cidr_block,
                }),
                Vec::new(),
            ),
        };
        let mut body = Map::new();
        body.insert("Type".into(), json!(kind));
        if !depends_on.is_empty() {
            body.insert(
                "DependsOn".into(),
                if depends_on.len() == 1 {
                    json!(depends_on[0])
                } else {
                    json!(depends_on)
                },
            );
        }
        body.insert("Properties".into(), properties);
        resources.insert(own, Value::Object(body));
    }
    json!({
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": format!("{} ({}), exported by Moat", super::escape::comment_text(&design.name), super::escape::comment_text(&design.region)),
        "Parameters": {
            "DesignId": {
                "Type": "String",
                "Default": design_id,
                "Description": "Written into every resource's moat:design-id tag",
            }
        },
        "Resources": resources,
        "Outputs": outputs,
    })
}

/// The template in YAML.
pub fn yaml(design: &Design, design_id: &str) -> String {
    super::yaml::to_yaml(&template(design, design_id))
}

/// The template in JSON.
pub fn json(design: &Design, design_id: &str) -> String {
    let mut text = serde_json::to_string_pretty(&template(design, design_id)).unwrap_or_default();
    text.push('\n');
    text
}
