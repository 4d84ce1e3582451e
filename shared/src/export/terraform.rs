//! Terraform for the AWS provider v5: plain resources wired by references (`aws_vpc.x.id`),
//! security group rules as `aws_vpc_security_group_ingress_rule` / `egress_rule` resources
//! (never inline, so Terraform removes AWS's default egress as Moat does), the VPC's main
//! table adopted through `aws_default_route_table`, `variables.tf` for the region, the design
//! id and extra tags, laid out as `terraform fmt` writes it (two-space indent, `=` aligned in
//! runs of single-line attributes, multi-line values after a blank line).

use crate::plan::resource::*;
use std::collections::{BTreeMap, HashMap};

use crate::model::Design;
use crate::plan::{ResourceKey, ResourceKind, ResourceSpec, RulePeer, desired_resources};

/// A value in HCL syntax.
enum Hcl {
    /// Written as is (a reference, a number, a boolean, a call).
    Raw(String),
    /// A quoted string.
    Text(String),
    /// A list of raw items.
    List(Vec<String>),
    /// A map of quoted keys to raw values (written over several lines).
    Map(Vec<(String, String)>),
}

fn quote(text: &str) -> String {
    super::escape::hcl_string(text)
}

struct Block {
    header: String,
    attributes: Vec<(String, Hcl)>,
    /// Nested blocks (`default_tags`, `network_interface`).
    blocks: Vec<Block>,
}

impl Block {
    fn new(header: impl Into<String>) -> Block {
        Block {
            header: header.into(),
            attributes: Vec::new(),
            blocks: Vec::new(),
        }
    }

    fn raw(mut self, name: &str, value: impl Into<String>) -> Self {
        self.attributes.push((name.into(), Hcl::Raw(value.into())));
        self
    }

    fn text(mut self, name: &str, value: &str) -> Self {
        self.attributes.push((name.into(), Hcl::Text(value.into())));
        self
    }

    /// A text attribute when there is a value; left out (the provider's default) when not.
    fn optional_text(self, name: &str, value: Option<&str>) -> Self {
        match value {
            Some(value) => self.text(name, value),
            None => self,
        }
    }

    fn list(mut self, name: &str, items: Vec<String>) -> Self {
        self.attributes.push((name.into(), Hcl::List(items)));
        self
    }

    fn map(mut self, name: &str, entries: Vec<(String, String)>) -> Self {
        self.attributes.push((name.into(), Hcl::Map(entries)));
        self
    }

    fn block(mut self, block: Block) -> Self {
        self.blocks.push(block);
        self
    }

    fn render(&self, indent: usize, out: &mut String) {
        let pad = "  ".repeat(indent);
        out.push_str(&format!("{pad}{} {{\n", self.header));
        let inner = "  ".repeat(indent + 1);
        // Runs of single-line attributes align their `=`.
        let single: Vec<&(String, Hcl)> = self
            .attributes
            .iter()
            .filter(|(_, v)| !matches!(v, Hcl::Map(_)))
            .collect();
        let width = single.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
        for (name, value) in &single {
            let value = match value {
                Hcl::Raw(raw) => raw.clone(),
                Hcl::Text(text) => quote(text),
                Hcl::List(items) => format!("[{}]", items.join(", ")),
                Hcl::Map(_) => String::new(),
            };
            out.push_str(&format!("{inner}{name:<width$} = {value}\n"));
        }
        for (name, value) in &self.attributes {
            if let Hcl::Map(entries) = value {
                if !single.is_empty() {
                    out.push('\n');
                }
                out.push_str(&format!("{inner}{name} = {{\n"));
                let key_width = entries
                    .iter()
                    .map(|(k, _)| quote_key(k).len())
                    .max()
                    .unwrap_or(0);
                for (key, entry) in entries {
                    out.push_str(&format!(
                        "{inner}  {:<key_width$} = {entry}\n",
                        quote_key(key)
                    ));
                }
                out.push_str(&format!("{inner}}}\n"));
            }
        }
        for block in &self.blocks {
            if !self.attributes.is_empty() {
                out.push('\n');
            }
            block.render(indent + 1, out);
        }
        out.push_str(&format!("{pad}}}\n"));
    }
}

/// Map keys: bare when they are identifiers, quoted otherwise (`"moat:logical-id"`).
fn quote_key(key: &str) -> String {
    if key
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        && key.starts_with(|c: char| c.is_ascii_alphabetic())
    {
        key.to_string()
    } else {
        quote(key)
    }
}

/// A resource's own tags (the provider's default tags add the design id): its name, its
/// logical id, then the user's in key order.
fn tags_with(logical_id: &str, user: &crate::model::Tags) -> Vec<(String, String)> {
    let mut tags = vec![
        ("Name".into(), quote(logical_id)),
        ("moat:logical-id".into(), quote(logical_id)),
    ];
    tags.extend(user.iter().map(|(key, value)| (key.clone(), quote(value))));
    tags
}

/// Terraform resource names: snake case, unique per resource type.
struct Names {
    names: HashMap<ResourceKey, String>,
}

impl Names {
    /// Snake case of the logical id, unique per resource type by [`super::UniqueNames`]
    /// (`_2`, `_3`, … in plan order).
    fn new(design: &Design, keys: &[ResourceKey]) -> Names {
        let mut names = HashMap::new();
        let mut taken: HashMap<&'static str, super::UniqueNames> = HashMap::new();
        for key in keys {
            let base = super::snake_case(&key.logical_id);
            let name = taken
                .entry(resource_type(design, key))
                .or_insert_with(|| super::UniqueNames::new(&[]))
                .claim(base, "_");
            names.insert(key.clone(), name);
        }
        Names { names }
    }

    fn of(&self, kind: ResourceKind, logical_id: &str) -> String {
        self.names
            .get(&ResourceKey::new(kind, logical_id))
            .cloned()
            .unwrap_or_else(|| super::snake_case(logical_id))
    }
}

fn is_main_table(design: &Design, table: &str) -> bool {
    design.route_tables.iter().any(|t| t.id == table && t.main)
}

fn resource_type(design: &Design, key: &ResourceKey) -> &'static str {
    match key.kind {
        ResourceKind::RouteTable if is_main_table(design, &key.logical_id) => {
            "aws_default_route_table"
        }
        kind => kind.facts().terraform_type,
    }
}

/// Each planner resource's Terraform address (`aws_vpc.vpc_mvp`): what a tool reading the
/// Terraform reports (checkov, `terraform plan`) maps back to the design through it.
pub fn resource_addresses(design: &Design) -> Vec<(String, ResourceKey)> {
    let desired = desired_resources(design);
    let keys: Vec<ResourceKey> = desired.iter().map(|r| r.key.clone()).collect();
    let names = Names::new(design, &keys);
    desired
        .into_iter()
        .map(|resource| {
            // Rules are declared by direction (the generic type only scopes their names).
            let kind = match resource.spec {
                ResourceSpec::SecurityGroupRule(SecurityGroupRuleSpec { egress: true, .. }) => {
                    "aws_vpc_security_group_egress_rule"
                }
                ResourceSpec::SecurityGroupRule(SecurityGroupRuleSpec {
                    egress: false, ..
                }) => "aws_vpc_security_group_ingress_rule",
                _ => resource_type(design, &resource.key),
            };
            let address = format!(
                "{kind}.{}",
                names.of(resource.key.kind, &resource.key.logical_id)
            );
            (address, resource.key)
        })
        .collect()
}

/// `main.tf`, `variables.tf`, `versions.tf` and `outputs.tf`.
pub fn files(design: &Design, design_id: &str) -> Vec<(&'static str, String)> {
    let desired = desired_resources(design);
    let keys: Vec<ResourceKey> = desired.iter().map(|r| r.key.clone()).collect();
    let names = Names::new(design, &keys);
    let reference = |kind: ResourceKind, id: &str, attribute: &str| {
        let key = ResourceKey::new(kind, id);
        format!(
            "{}.{}.{attribute}",
            resource_type(design, &key),
            names.of(kind, id)
        )
    };
    let mut blocks: Vec<Block> = Vec::new();
    blocks.push(
        Block::new("provider \"aws\"")
            .raw("region", "var.region")
            .block(Block::new("default_tags").raw(
                "tags",
                "merge(var.tags, { \"moat:design-id\" = var.design_id })",
            )),
    );
    let mut outputs: BTreeMap<String, String> = BTreeMap::new();
    // Output names are one namespace across resource types (a VPC and a group may share a name).
    let mut output_names = super::UniqueNames::new(&[]);
    for resource in &desired {
        let id = resource.key.logical_id.as_str();
        let own = names.of(resource.key.kind, id);
        let tags = |logical_id: &str| tags_with(logical_id, &resource.tags);
        let header = |kind: &str| format!("resource \"{kind}\" \"{own}\"");
        let block = match &resource.spec {
            ResourceSpec::Vpc(VpcSpec {
                cidr_block,
                dns_support,
                dns_hostnames,
                tenancy,
                ..
            }) => {
                outputs.insert(
                    output_names.claim(format!("{own}_id"), "_"),
                    reference(ResourceKind::Vpc, id, "id"),
                );
                // The VPC's default group, which nothing in a Moat design uses, allows
                // nothing (no rule blocks: Terraform removes AWS's defaults).
                blocks.push(
                    Block::new(format!(
                        "resource \"aws_default_security_group\" \"{own}_default\""
                    ))
                    .raw("vpc_id", reference(ResourceKind::Vpc, id, "id"))
                    .map("tags", tags(&format!("{id}/default-security-group"))),
                );
                Block::new(header("aws_vpc"))
                    .text("cidr_block", cidr_block)
                    .raw("enable_dns_support", dns_support.to_string())
                    .raw("enable_dns_hostnames", dns_hostnames.to_string())
                    .optional_text("instance_tenancy", tenancy.as_deref())
                    .map("tags", tags(id))
            }
            ResourceSpec::CustomerGateway(CustomerGatewaySpec {
                ip_address,
                bgp_asn,
            }) => Block::new(header("aws_customer_gateway"))
                .text("bgp_asn", &bgp_asn.to_string())
                .text("ip_address", ip_address)
                .text("type", "ipsec.1")
                .map("tags", tags(id)),
            ResourceSpec::PlacementGroup(PlacementGroupSpec { strategy }) => {
                Block::new(header("aws_placement_group"))
                    .raw(
                        "name",
                        format!(
                            "\"moat-${{var.design_id}}-{}\"",
                            super::escape::hcl_string_body(id)
                        ),
                    )
                    .text("strategy", strategy)
                    .map("tags", tags(id))
            }
            ResourceSpec::Subnet(SubnetSpec {
                vpc,
                cidr_block,
                availability_zone,
                map_public_ip,
            }) => {
                let mut block = Block::new(header("aws_subnet"))
                    .raw("vpc_id", reference(ResourceKind::Vpc, vpc, "id"))
                    .text("cidr_block", cidr_block)
                    .text("availability_zone", availability_zone)
                    .raw("map_public_ip_on_launch", map_public_ip.to_string());
                // A subnet in a secondary block waits for the block's association.
                let blocks: Vec<String> = resource
                    .depends_on
                    .iter()
                    .filter(|key| key.kind == ResourceKind::VpcCidrBlock)
                    .map(|key| {
                        format!(
                            "{}.{}",
                            ResourceKind::VpcCidrBlock.facts().terraform_type,
                            names.of(key.kind, &key.logical_id)
                        )
                    })
                    .collect();
                if !blocks.is_empty() {
                    block = block.list("depends_on", blocks);
                }
                block.map("tags", tags(id))
            }
            ResourceSpec::InternetGateway(InternetGatewaySpec { vpc }) => {
                Block::new(header("aws_internet_gateway"))
                    .raw("vpc_id", reference(ResourceKind::Vpc, vpc, "id"))
                    .map("tags", tags(id))
            }
            ResourceSpec::VpnGateway(VpnGatewaySpec {
                vpc,
                amazon_side_asn,
            }) => Block::new(header("aws_vpn_gateway"))
                .raw("vpc_id", reference(ResourceKind::Vpc, vpc, "id"))
                .text("amazon_side_asn", &amazon_side_asn.to_string())
                .map("tags", tags(id)),
            ResourceSpec::SecurityGroup(SecurityGroupSpec {
                vpc,
                name,
                description,
            }) => {
                // Workloads Moat does not start are started with these ids.
                outputs.insert(
                    output_names.claim(format!("{own}_id"), "_"),
                    reference(ResourceKind::SecurityGroup, id, "id"),
                );
                Block::new(header("aws_security_group"))
                    .text("name", name)
                    .text("description", description)
                    .raw("vpc_id", reference(ResourceKind::Vpc, vpc, "id"))
                    .map("tags", tags(id))
            }
            ResourceSpec::RouteTable(RouteTableSpec { vpc, main }) => {
                if *main {
                    Block::new(header("aws_default_route_table"))
                        .raw(
                            "default_route_table_id",
                            reference(ResourceKind::Vpc, vpc, "default_route_table_id"),
                        )
                        .map("tags", tags(id))
                } else {
                    Block::new(header("aws_route_table"))
                        .raw("vpc_id", reference(ResourceKind::Vpc, vpc, "id"))
                        .map("tags", tags(id))
                }
            }
            ResourceSpec::NetworkAcl(NetworkAclSpec { vpc }) => {
                Block::new(header("aws_network_acl"))
                    .raw("vpc_id", reference(ResourceKind::Vpc, vpc, "id"))
                    .map("tags", tags(id))
            }
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
                let mut block = Block::new(header("aws_network_acl_rule"))
                    .raw(
                        "network_acl_id",
                        reference(ResourceKind::NetworkAcl, network_acl, "id"),
                    )
                    .raw("rule_number", rule_number.to_string())
                    .raw("egress", egress.to_string())
                    .text("protocol", protocol)
                    .text("rule_action", if *allow { "allow" } else { "deny" })
                    .text("cidr_block", cidr);
                match protocol.as_str() {
                    "6" | "17" => {
                        block = block
                            .raw("from_port", from_port.to_string())
                            .raw("to_port", to_port.to_string());
                    }
                    "1" => block = block.raw("icmp_type", "-1").raw("icmp_code", "-1"),
                    _ => {}
                }
                block
            }
            ResourceSpec::NetworkAclAssociation(NetworkAclAssociationSpec {
                network_acl,
                subnet,
            }) => Block::new(header("aws_network_acl_association"))
                .raw(
                    "network_acl_id",
                    reference(ResourceKind::NetworkAcl, network_acl, "id"),
                )
                .raw("subnet_id", reference(ResourceKind::Subnet, subnet, "id")),
            ResourceSpec::ElasticIp(ElasticIpSpec {}) => Block::new(header("aws_eip"))
                .text("domain", "vpc")
                .map("tags", tags(id)),
            ResourceSpec::NatGateway(NatGatewaySpec { subnet, elastic_ip }) => {
                let vpc = design
                    .subnets
                    .iter()
                    .find(|s| s.id == *subnet)
                    .map(|s| s.vpc.clone())
                    .unwrap_or_default();
                let mut block = match elastic_ip {
                    Some(address) => Block::new(header("aws_nat_gateway")).raw(
                        "allocation_id",
                        reference(ResourceKind::ElasticIp, address, "id"),
                    ),
                    None => {
                        Block::new(header("aws_nat_gateway")).text("connectivity_type", "private")
                    }
                }
                .raw("subnet_id", reference(ResourceKind::Subnet, subnet, "id"));
                // AWS: a public NAT gateway needs the VPC's internet gateway first.
                let gateways: Vec<String> = design
                    .internet_gateways
                    .iter()
                    .filter(|g| g.vpc == vpc)
                    .map(|g| {
                        format!(
                            "aws_internet_gateway.{}",
                            names.of(ResourceKind::InternetGateway, &g.id)
                        )
                    })
                    .collect();
                if !gateways.is_empty() && elastic_ip.is_some() {
                    block = block.list("depends_on", gateways);
                }
                block.map("tags", tags(id))
            }
            ResourceSpec::VpnConnection(VpnConnectionSpec {
                vpn_gateway,
                customer_gateway,
                static_routes_only,
                static_routes,
            }) => {
                for (index, destination) in static_routes.iter().enumerate() {
                    if !static_routes_only {
                        break;
                    }
                    blocks.push(
                        Block::new(format!(
                            "resource \"aws_vpn_connection_route\" \"{own}_{}\"",
                            index + 1
                        ))
                        .text("destination_cidr_block", destination)
                        .raw("vpn_connection_id", format!("aws_vpn_connection.{own}.id")),
                    );
                }
                Block::new(header("aws_vpn_connection"))
                    .raw(
                        "vpn_gateway_id",
                        reference(ResourceKind::VpnGateway, vpn_gateway, "id"),
                    )
                    .raw(
                        "customer_gateway_id",
                        reference(ResourceKind::CustomerGateway, customer_gateway, "id"),
                    )
                    .text("type", "ipsec.1")
                    .raw("static_routes_only", static_routes_only.to_string())
                    .map("tags", tags(id))
            }
            ResourceSpec::GatewayEndpoint(GatewayEndpointSpec {
                vpc,
                service_name,
                route_tables,
                policy,
            }) => Block::new(header("aws_vpc_endpoint"))
                .raw("vpc_id", reference(ResourceKind::Vpc, vpc, "id"))
                .text("service_name", service_name)
                .text("vpc_endpoint_type", "Gateway")
                .list(
                    "route_table_ids",
                    route_tables
                        .iter()
                        .map(|t| reference(ResourceKind::RouteTable, t, "id"))
                        .collect(),
                )
                .optional_text("policy", policy.as_deref())
                .map("tags", tags(id)),
            ResourceSpec::InterfaceEndpoint(InterfaceEndpointSpec {
                vpc,
                service_name,
                subnets,
                security_groups,
                private_dns,
                policy,
            }) => Block::new(header("aws_vpc_endpoint"))
                .raw("vpc_id", reference(ResourceKind::Vpc, vpc, "id"))
                .text("service_name", service_name)
                .text("vpc_endpoint_type", "Interface")
                .list(
                    "subnet_ids",
                    subnets
                        .iter()
                        .map(|s| reference(ResourceKind::Subnet, s, "id"))
                        .collect(),
                )
                .list(
                    "security_group_ids",
                    security_groups
                        .iter()
                        .map(|g| reference(ResourceKind::SecurityGroup, g, "id"))
                        .collect(),
                )
                .raw("private_dns_enabled", private_dns.to_string())
                .optional_text("policy", policy.as_deref())
                .map("tags", tags(id)),
            ResourceSpec::SecurityGroupRule(SecurityGroupRuleSpec {
                security_group,
                egress,
                protocol,
                from_port,
                to_port,
                peer,
                description,
            }) => {
                let kind = if *egress {
                    "aws_vpc_security_group_egress_rule"
                } else {
                    "aws_vpc_security_group_ingress_rule"
                };
                let mut block = Block::new(header(kind))
                    .raw(
                        "security_group_id",
                        reference(ResourceKind::SecurityGroup, security_group, "id"),
                    )
                    .text(
                        "description",
                        &description
                            .clone()
                            .unwrap_or_else(|| format!("{id} (Moat)")),
                    )
                    .text("ip_protocol", protocol);
                if crate::model::ec2_protocol_has_ports(protocol) {
                    block = block
                        .raw("from_port", from_port.to_string())
                        .raw("to_port", to_port.to_string());
                }
                block = match peer {
                    RulePeer::Cidr(cidr) => block.text("cidr_ipv4", cidr),
                    RulePeer::SecurityGroup(group) => block.raw(
                        "referenced_security_group_id",
                        reference(ResourceKind::SecurityGroup, group, "id"),
                    ),
                    RulePeer::PrefixList(list) => block.text("prefix_list_id", list),
                };
                block
            }
            ResourceSpec::Route(RouteSpec {
                route_table,
                destination,
                target,
            }) => {
                let table = reference(ResourceKind::RouteTable, route_table, "id");
                let block = Block::new(header("aws_route"))
                    .raw("route_table_id", table)
                    .text("destination_cidr_block", destination);
                match crate::plan::route_target_of(target.kind) {
                    Some(via) => block.raw(
                        via.terraform_argument(),
                        reference(target.kind, &target.logical_id, "id"),
                    ),
                    // The planner builds routes to route targets only.
                    None => block,
                }
            }
            ResourceSpec::RouteTableAssociation(RouteTableAssociationSpec {
                route_table,
                subnet,
            }) => Block::new(header("aws_route_table_association"))
                .raw("subnet_id", reference(ResourceKind::Subnet, subnet, "id"))
                .raw(
                    "route_table_id",
                    reference(ResourceKind::RouteTable, route_table, "id"),
                ),
            ResourceSpec::Instance(InstanceSpec {
                subnet,
                security_groups,
                placement_group,
                instance_type,
                image_id,
                efa,
            }) => {
                let groups: Vec<String> = security_groups
                    .iter()
                    .map(|g| reference(ResourceKind::SecurityGroup, g, "id"))
                    .collect();
                let interface = format!("{own}_primary");
                let mut interface_block = Block::new(format!(
                    "resource \"aws_network_interface\" \"{interface}\""
                ))
                .raw("subnet_id", reference(ResourceKind::Subnet, subnet, "id"))
                .list("security_groups", groups);
                if *efa {
                    interface_block = interface_block.text("interface_type", "efa");
                }
                blocks.push(interface_block.map("tags", tags(id)));
                let mut block = Block::new(header("aws_instance"))
                    .text("ami", image_id)
                    .text("instance_type", instance_type);
                if let Some(group) = placement_group {
                    block = block.raw(
                        "placement_group",
                        reference(ResourceKind::PlacementGroup, group, "name"),
                    );
                }
                block
                    .map("tags", tags(id))
                    .block(
                        Block::new("network_interface")
                            .raw(
                                "network_interface_id",
                                format!("aws_network_interface.{interface}.id"),
                            )
                            .raw("device_index", "0"),
                    )
                    .block(
                        Block::new("metadata_options")
                            .text("http_endpoint", "enabled")
                            .text("http_tokens", "required")
                            .raw(
                                "http_put_response_hop_limit",
                                crate::plan::INSTANCE_METADATA_HOP_LIMIT.to_string(),
                            ),
                    )
            }
            ResourceSpec::FlowLog(FlowLogSpec {
                vpc,
                destination,
                destination_type,
                traffic_type,
                delivery_role_arn,
                max_aggregation_interval,
            }) => {
                let mut block = Block::new(header("aws_flow_log"))
                    .raw("vpc_id", reference(ResourceKind::Vpc, vpc, "id"))
                    .text("traffic_type", traffic_type)
                    .text("log_destination_type", destination_type)
                    .text("log_destination", destination)
                    .raw(
                        "max_aggregation_interval",
                        max_aggregation_interval.to_string(),
                    );
                if let Some(role) = delivery_role_arn {
                    block = block.text("iam_role_arn", role);
                }
                block.map("tags", tags(id))
            }
            ResourceSpec::DhcpOptions(DhcpOptionsSpec {
                domain_name,
                domain_name_servers,
                ntp_servers,
            }) => {
                let mut block = Block::new(header("aws_vpc_dhcp_options"));
                if let Some(domain_name) = domain_name {
                    block = block.text("domain_name", domain_name);
                }
                // Quoted one by one: every server is design text.
                let quoted = |servers: &[String]| servers.iter().map(|s| quote(s)).collect();
                if !domain_name_servers.is_empty() {
                    block = block.list("domain_name_servers", quoted(domain_name_servers));
                }
                if !ntp_servers.is_empty() {
                    block = block.list("ntp_servers", quoted(ntp_servers));
                }
                block.map("tags", tags(id))
            }
            ResourceSpec::DhcpOptionsAssociation(DhcpOptionsAssociationSpec {
                vpc,
                dhcp_options,
            }) => Block::new(header("aws_vpc_dhcp_options_association"))
                .raw("vpc_id", reference(ResourceKind::Vpc, vpc, "id"))
                .raw(
                    "dhcp_options_id",
                    reference(ResourceKind::DhcpOptions, dhcp_options, "id"),
                ),
            ResourceSpec::VpcCidrBlock(VpcCidrBlockSpec { vpc, cidr_block }) => {
                Block::new(header("aws_vpc_ipv4_cidr_block_association"))
                    .raw("vpc_id", reference(ResourceKind::Vpc, vpc, "id"))
                    .text("cidr_block", cidr_block)
            }
        };
        blocks.push(block);
    }
    let mut main = format!(
        "# {} ({}), exported by Moat. Every resource carries the design's ownership tags.\n\n",
        super::escape::comment_text(&design.name),
        super::escape::comment_text(&design.region)
    );
    for (index, block) in blocks.iter().enumerate() {
        if index > 0 {
            main.push('\n');
        }
        block.render(0, &mut main);
    }
    let mut variables = String::new();
    for (index, block) in [
        Block::new("variable \"region\"")
            .text("description", "The AWS region to deploy to")
            .raw("type", "string")
            .text("default", &design.region),
        Block::new("variable \"design_id\"")
            .text(
                "description",
                "Written into every resource's moat:design-id tag",
            )
            .raw("type", "string")
            .text("default", design_id),
        Block::new("variable \"tags\"")
            .text("description", "Extra tags for every resource")
            .raw("type", "map(string)")
            .raw("default", "{}"),
    ]
    .iter()
    .enumerate()
    {
        if index > 0 {
            variables.push('\n');
        }
        block.render(0, &mut variables);
    }
    let mut versions = String::new();
    Block::new("terraform")
        .raw("required_version", "\">= 1.5\"")
        .block(Block::new("required_providers").map(
            "aws",
            vec![
                ("source".into(), quote("hashicorp/aws")),
                ("version".into(), quote("~> 5.0")),
            ],
        ))
        .render(0, &mut versions);
    let mut outputs_file = String::new();
    for (index, (name, value)) in outputs.iter().enumerate() {
        if index > 0 {
            outputs_file.push('\n');
        }
        Block::new(format!("output \"{name}\""))
            .raw("value", value.clone())
            .render(0, &mut outputs_file);
    }
    vec![
        ("main.tf", main),
        ("variables.tf", variables),
        ("versions.tf", versions),
        ("outputs.tf", outputs_file),
    ]
}
