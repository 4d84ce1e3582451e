//! The resource catalogue: one row of plain facts per [`ResourceKind`] the planner knows —
//! its explicit rank, whether it is tagged and a long pole, which attributes AWS changes in
//! place, its CloudFormation, Terraform and EC2 type names, the IAM actions its create, delete
//! and reads need, the error code of a missing one, and its AWS id prefix.
//!
//! Invariant: these facts are written here only. The planner, the exporters, the IAM policy,
//! the EC2 adapter, the recording double and the fault layer read them; `row` is one
//! exhaustive match, so a new kind does not compile without its row. Creation follows `rank`
//! (a resource depends only on lower ranks, a test checks it over every template) and teardown
//! goes the other way ([`teardown_order`]).

use super::ResourceKind;

/// The facts of one resource kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResourceFacts {
    /// The plain name used in plans, journals and progress events (`nat_gateway`).
    pub name: &'static str,
    /// Creation order: a resource depends only on resources of a lower rank. Unique.
    pub rank: u8,
    /// An AWS resource of its own, tagged at creation (the others live inside one: routes,
    /// rules, entries and associations are found through their container).
    pub tagged: bool,
    /// Its creation takes minutes on AWS (started first by the applier).
    pub long_pole: bool,
    /// The attributes AWS changes in place; a change to any other replaces the resource.
    pub in_place: &'static [&'static str],
    /// The CloudFormation type of its main resource.
    pub cloudformation_type: &'static str,
    /// The Terraform resource type (a main route table is `aws_default_route_table`).
    pub terraform_type: &'static str,
    /// EC2's `ResourceType` in tag specifications (`natgateway`); for the kinds that are not
    /// tagged, the resource that holds them.
    pub ec2_resource_type: &'static str,
    /// The IAM actions a create (and an in-place update) needs.
    pub create_actions: &'static [&'static str],
    /// The IAM actions a delete needs.
    pub delete_actions: &'static [&'static str],
    /// The read calls the inventory and the waiters make for it.
    pub read_actions: &'static [&'static str],
    /// The error code EC2 answers for an id of this kind that it does not know (yet).
    pub not_found_code: Option<&'static str>,
    /// The prefix of the ids AWS gives it (`vpc-`); none for kinds without an id of their own
    /// or named by the user (placement groups).
    pub aws_id_prefix: Option<&'static str>,
}

/// The facts of a kind.
pub fn row(kind: ResourceKind) -> &'static ResourceFacts {
    match kind {
        ResourceKind::Vpc => &VPC,
        ResourceKind::CustomerGateway => &CUSTOMER_GATEWAY,
        ResourceKind::PlacementGroup => &PLACEMENT_GROUP,
        ResourceKind::Subnet => &SUBNET,
        ResourceKind::InternetGateway => &INTERNET_GATEWAY,
        ResourceKind::VpnGateway => &VPN_GATEWAY,
        ResourceKind::SecurityGroup => &SECURITY_GROUP,
        ResourceKind::RouteTable => &ROUTE_TABLE,
        ResourceKind::NetworkAcl => &NETWORK_ACL,
        ResourceKind::ElasticIp => &ELASTIC_IP,
        ResourceKind::NatGateway => &NAT_GATEWAY,
        ResourceKind::VpnConnection => &VPN_CONNECTION,
        ResourceKind::GatewayEndpoint => &GATEWAY_ENDPOINT,
        ResourceKind::InterfaceEndpoint => &INTERFACE_ENDPOINT,
        ResourceKind::SecurityGroupRule => &SECURITY_GROUP_RULE,
        ResourceKind::NetworkAclEntry => &NETWORK_ACL_ENTRY,
        ResourceKind::NetworkAclAssociation => &NETWORK_ACL_ASSOCIATION,
        ResourceKind::Route => &ROUTE,
        ResourceKind::RouteTableAssociation => &ROUTE_TABLE_ASSOCIATION,
        ResourceKind::Instance => &INSTANCE,
        ResourceKind::FlowLog => &FLOW_LOG,
        ResourceKind::DhcpOptions => &DHCP_OPTIONS,
        ResourceKind::DhcpOptionsAssociation => &DHCP_OPTIONS_ASSOCIATION,
        ResourceKind::VpcCidrBlock => &VPC_CIDR_BLOCK,
    }
}

/// Every kind, in creation order (rank).
pub fn creation_order() -> Vec<ResourceKind> {
    let mut kinds = ResourceKind::ALL.to_vec();
    kinds.sort_by_key(|kind| row(*kind).rank);
    kinds
}

/// Every kind, in teardown order: the reverse of creation.
pub fn teardown_order() -> Vec<ResourceKind> {
    let mut kinds = creation_order();
    kinds.reverse();
    kinds
}

/// Every read call a plan makes, whatever the design holds.
pub fn read_actions() -> Vec<&'static str> {
    let mut actions: Vec<&str> = creation_order()
        .into_iter()
        .flat_map(|kind| row(kind).read_actions.iter().copied())
        .collect();
    actions.sort_unstable();
    actions.dedup();
    actions
}

const NO_ATTRIBUTES: &[&str] = &[];

const VPC: ResourceFacts = ResourceFacts {
    name: "vpc",
    rank: 0,
    tagged: true,
    long_pole: false,
    in_place: &["dns_support", "dns_hostnames"],
    cloudformation_type: "AWS::EC2::VPC",
    terraform_type: "aws_vpc",
    ec2_resource_type: "vpc",
    create_actions: &["ec2:CreateVpc", "ec2:ModifyVpcAttribute", "ec2:CreateTags"],
    delete_actions: &["ec2:DeleteVpc"],
    read_actions: &["ec2:DescribeVpcs", "ec2:DescribeVpcAttribute"],
    not_found_code: Some("InvalidVpcID.NotFound"),
    aws_id_prefix: Some("vpc-"),
};

/// A secondary IPv4 block, associated before any subnet in it is created. Found through its
/// VPC (`DescribeVpcs` lists the associations); its id is the association's.
const VPC_CIDR_BLOCK: ResourceFacts = ResourceFacts {
    name: "vpc_cidr_block",
    rank: 1,
    tagged: false,
    long_pole: false,
    in_place: NO_ATTRIBUTES,
    cloudformation_type: "AWS::EC2::VPCCidrBlock",
    terraform_type: "aws_vpc_ipv4_cidr_block_association",
    ec2_resource_type: "vpc",
    create_actions: &["ec2:AssociateVpcCidrBlock"],
    delete_actions: &["ec2:DisassociateVpcCidrBlock"],
    read_actions: &["ec2:DescribeVpcs"],
    not_found_code: Some("InvalidVpcCidrBlockAssociationID.NotFound"),
    aws_id_prefix: Some("vpc-cidr-assoc-"),
};

const DHCP_OPTIONS: ResourceFacts = ResourceFacts {
    name: "dhcp_options",
    rank: 2,
    tagged: true,
    long_pole: false,
    in_place: NO_ATTRIBUTES,
    cloudformation_type: "AWS::EC2::DHCPOptions",
    terraform_type: "aws_vpc_dhcp_options",
    ec2_resource_type: "dhcp-options",
    create_actions: &["ec2:CreateDhcpOptions", "ec2:CreateTags"],
    delete_actions: &["ec2:DeleteDhcpOptions"],
    read_actions: &["ec2:DescribeDhcpOptions"],
    not_found_code: Some("InvalidDhcpOptionID.NotFound"),
    aws_id_prefix: Some("dopt-"),
};

/// Found through its VPC (`DescribeVpcs` names the set); deleting it associates AWS's
/// default set.
const DHCP_OPTIONS_ASSOCIATION: ResourceFacts = ResourceFacts {
    name: "dhcp_options_association",
    rank: 3,
    tagged: false,
    long_pole: false,
    in_place: &["dhcp_options"],
    cloudformation_type: "AWS::EC2::VPCDHCPOptionsAssociation",
    terraform_type: "aws_vpc_dhcp_options_association",
    ec2_resource_type: "vpc",
    create_actions: &["ec2:AssociateDhcpOptions"],
    delete_actions: &["ec2:AssociateDhcpOptions"],
    read_actions: &["ec2:DescribeVpcs"],
    not_found_code: Some("InvalidVpcID.NotFound"),
    aws_id_prefix: None,
};

const CUSTOMER_GATEWAY: ResourceFacts = ResourceFacts {
    name: "customer_gateway",
    rank: 4,
    tagged: true,
    long_pole: false,
    in_place: NO_ATTRIBUTES,
    cloudformation_type: "AWS::EC2::CustomerGateway",
    terraform_type: "aws_customer_gateway",
    ec2_resource_type: "customer-gateway",
    create_actions: &["ec2:CreateCustomerGateway", "ec2:CreateTags"],
    delete_actions: &["ec2:DeleteCustomerGateway"],
    read_actions: &["ec2:DescribeCustomerGateways"],
    not_found_code: Some("InvalidCustomerGatewayID.NotFound"),
    aws_id_prefix: Some("cgw-"),
};

const PLACEMENT_GROUP: ResourceFacts = ResourceFacts {
    name: "placement_group",
    rank: 5,
    tagged: true,
    long_pole: false,
    in_place: NO_ATTRIBUTES,
    cloudformation_type: "AWS::EC2::PlacementGroup",
    terraform_type: "aws_placement_group",
    ec2_resource_type: "placement-group",
    create_actions: &["ec2:CreatePlacementGroup", "ec2:CreateTags"],
    delete_actions: &["ec2:DeletePlacementGroup"],
    read_actions: &["ec2:DescribePlacementGroups"],
    not_found_code: Some("InvalidPlacementGroup.Unknown"),
    aws_id_prefix: None,
};

const SUBNET: ResourceFacts = ResourceFacts {
    name: "subnet",
    rank: 6,
    tagged: true,
    long_pole: false,
    in_place: &["map_public_ip"],
    cloudformation_type: "AWS::EC2::Subnet",
    terraform_type: "aws_subnet",
    ec2_resource_type: "subnet",
    create_actions: &[
        "ec2:CreateSubnet",
        "ec2:ModifySubnetAttribute",
        "ec2:CreateTags",
    ],
    delete_actions: &["ec2:DeleteSubnet"],
    read_actions: &["ec2:DescribeSubnets"],
    not_found_code: Some("InvalidSubnetID.NotFound"),
    aws_id_prefix: Some("subnet-"),
};

const INTERNET_GATEWAY: ResourceFacts = ResourceFacts {
    name: "internet_gateway",
    rank: 7,
    tagged: true,
    long_pole: false,
    in_place: NO_ATTRIBUTES,
    cloudformation_type: "AWS::EC2::InternetGateway",
    terraform_type: "aws_internet_gateway",
    ec2_resource_type: "internet-gateway",
    create_actions: &[
        "ec2:CreateInternetGateway",
        "ec2:AttachInternetGateway",
        "ec2:CreateTags",
    ],
    delete_actions: &["ec2:DetachInternetGateway", "ec2:DeleteInternetGateway"],
    read_actions: &["ec2:DescribeInternetGateways"],
    not_found_code: Some("InvalidInternetGatewayID.NotFound"),
    aws_id_prefix: Some("igw-"),
};

const VPN_GATEWAY: ResourceFacts = ResourceFacts {
    name: "vpn_gateway",
    rank: 8,
    tagged: true,
    long_pole: true,
    in_place: NO_ATTRIBUTES,
    cloudformation_type: "AWS::EC2::VPNGateway",
    terraform_type: "aws_vpn_gateway",
    ec2_resource_type: "vpn-gateway",
    create_actions: &[
        "ec2:CreateVpnGateway",
        "ec2:AttachVpnGateway",
        "ec2:CreateTags",
    ],
    delete_actions: &["ec2:DetachVpnGateway", "ec2:DeleteVpnGateway"],
    read_actions: &["ec2:DescribeVpnGateways"],
    not_found_code: Some("InvalidVpnGatewayID.NotFound"),
    aws_id_prefix: Some("vgw-"),
};

const SECURITY_GROUP: ResourceFacts = ResourceFacts {
    name: "security_group",
    rank: 9,
    tagged: true,
    long_pole: false,
    in_place: NO_ATTRIBUTES,
    cloudformation_type: "AWS::EC2::SecurityGroup",
    terraform_type: "aws_security_group",
    ec2_resource_type: "security-group",
    create_actions: &[
        "ec2:CreateSecurityGroup",
        "ec2:RevokeSecurityGroupEgress",
        "ec2:CreateTags",
    ],
    delete_actions: &["ec2:DeleteSecurityGroup"],
    read_actions: &["ec2:DescribeSecurityGroups"],
    not_found_code: Some("InvalidGroup.NotFound"),
    aws_id_prefix: Some("sg-"),
};

const ROUTE_TABLE: ResourceFacts = ResourceFacts {
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

const NETWORK_ACL: ResourceFacts = ResourceFacts {
    name: "network_acl",
    rank: 11,
    tagged: true,
    long_pole: false,
    in_place: NO_ATTRIBUTES,
    cloudformation_type: "AWS::EC2::NetworkAcl",
    terraform_type: "aws_network_acl",
    ec2_resource_type: "network-acl",
    create_actions: &["ec2:CreateNetworkAcl", "ec2:CreateTags"],
    delete_actions: &["ec2:DeleteNetworkAcl"],
    read_actions: &["ec2:DescribeNetworkAcls"],
    not_found_code: Some("InvalidNetworkAclID.NotFound"),
    aws_id_prefix: Some("acl-"),
};

const ELASTIC_IP: ResourceFacts = ResourceFacts {
    name: "elastic_ip",
    rank: 12,
    tagged: true,
    long_pole: true,
    in_place: NO_ATTRIBUTES,
    cloudformation_type: "AWS::EC2::EIP",
    terraform_type: "aws_eip",
    ec2_resource_type: "elastic-ip",
    create_actions: &["ec2:AllocateAddress", "ec2:CreateTags"],
    delete_actions: &["ec2:ReleaseAddress"],
    read_actions: &["ec2:DescribeAddresses"],
    not_found_code: Some("InvalidAllocationID.NotFound"),
    aws_id_prefix: Some("eipalloc-"),
};

const NAT_GATEWAY: ResourceFacts = ResourceFacts {
    name: "nat_gateway",
    rank: 13,
    tagged: true,
    long_pole: true,
    in_place: NO_ATTRIBUTES,
    cloudformation_type: "AWS::EC2::NatGateway",
    terraform_type: "aws_nat_gateway",
    ec2_resource_type: "natgateway",
    create_actions: &["ec2:CreateNatGateway", "ec2:CreateTags"],
    delete_actions: &["ec2:DeleteNatGateway"],
    read_actions: &["ec2:DescribeNatGateways"],
    not_found_code: Some("NatGatewayNotFound"),
    aws_id_prefix: Some("nat-"),
};

const VPN_CONNECTION: ResourceFacts = ResourceFacts {
    name: "vpn_connection",
    rank: 14,
    tagged: true,
    long_pole: true,
    in_place: NO_ATTRIBUTES,
    cloudformation_type: "AWS::EC2::VPNConnection",
    terraform_type: "aws_vpn_connection",
    ec2_resource_type: "vpn-connection",
    create_actions: &[
        "ec2:CreateVpnConnection",
        "ec2:CreateVpnConnectionRoute",
        "ec2:CreateTags",
    ],
    delete_actions: &["ec2:DeleteVpnConnection"],
    read_actions: &["ec2:DescribeVpnConnections"],
    not_found_code: Some("InvalidVpnConnectionID.NotFound"),
    aws_id_prefix: Some("vpn-"),
};

const GATEWAY_ENDPOINT: ResourceFacts = ResourceFacts {
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

const INTERFACE_ENDPOINT: ResourceFacts = ResourceFacts {
    name: "interface_endpoint",
    rank: 16,
    tagged: true,
    long_pole: true,
    in_place: &["subnets", "security_groups", "private_dns", "policy"],
    ..GATEWAY_ENDPOINT
};

const SECURITY_GROUP_RULE: ResourceFacts = ResourceFacts {
    name: "security_group_rule",
    rank: 17,
    tagged: false,
    long_pole: false,
    in_place: &["description"],
    cloudformation_type: "AWS::EC2::SecurityGroupIngress",
    terraform_type: "aws_vpc_security_group_rule",
    ec2_resource_type: "security-group-rule",
    create_actions: &[
        "ec2:AuthorizeSecurityGroupIngress",
        "ec2:AuthorizeSecurityGroupEgress",
        "ec2:UpdateSecurityGroupRuleDescriptionsIngress",
        "ec2:UpdateSecurityGroupRuleDescriptionsEgress",
    ],
    delete_actions: &[
        "ec2:RevokeSecurityGroupIngress",
        "ec2:RevokeSecurityGroupEgress",
    ],
    read_actions: &["ec2:DescribeSecurityGroups"],
    not_found_code: Some("InvalidPermission.NotFound"),
    aws_id_prefix: Some("sgr-"),
};

const NETWORK_ACL_ENTRY: ResourceFacts = ResourceFacts {
    name: "network_acl_entry",
    rank: 18,
    tagged: false,
    long_pole: false,
    in_place: NO_ATTRIBUTES,
    cloudformation_type: "AWS::EC2::NetworkAclEntry",
    terraform_type: "aws_network_acl_rule",
    ec2_resource_type: "network-acl",
    create_actions: &["ec2:CreateNetworkAclEntry", "ec2:ReplaceNetworkAclEntry"],
    delete_actions: &["ec2:DeleteNetworkAclEntry"],
    read_actions: &["ec2:DescribeNetworkAcls"],
    not_found_code: Some("InvalidNetworkAclEntry.NotFound"),
    aws_id_prefix: None,
};

const NETWORK_ACL_ASSOCIATION: ResourceFacts = ResourceFacts {
    name: "network_acl_association",
    rank: 19,
    tagged: false,
    long_pole: false,
    in_place: &["network_acl"],
    cloudformation_type: "AWS::EC2::SubnetNetworkAclAssociation",
    terraform_type: "aws_network_acl_association",
    ec2_resource_type: "network-acl",
    create_actions: &["ec2:ReplaceNetworkAclAssociation"],
    delete_actions: &["ec2:ReplaceNetworkAclAssociation"],
    read_actions: &["ec2:DescribeNetworkAcls"],
    not_found_code: Some("InvalidAssociationID.NotFound"),
    aws_id_prefix: Some("aclassoc-"),
};

const ROUTE: ResourceFacts = ResourceFacts {
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

const ROUTE_TABLE_ASSOCIATION: ResourceFacts = ResourceFacts {
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

const INSTANCE: ResourceFacts = ResourceFacts {
    name: "instance",
    rank: 22,
    tagged: true,
    long_pole: false,
    in_place: NO_ATTRIBUTES,
    cloudformation_type: "AWS::EC2::Instance",
    terraform_type: "aws_instance",
    ec2_resource_type: "instance",
    create_actions: &["ec2:RunInstances", "ec2:CreateTags"],
    delete_actions: &["ec2:TerminateInstances"],
    read_actions: &["ec2:DescribeInstances"],
    not_found_code: Some("InvalidInstanceID.NotFound"),
    aws_id_prefix: Some("i-"),
};

/// Delivery to S3 or CloudWatch Logs is set up by the Logs service on the caller's behalf.
const FLOW_LOG: ResourceFacts = ResourceFacts {
    name: "flow_log",
    rank: 23,
    tagged: true,
    long_pole: false,
    in_place: NO_ATTRIBUTES,
    cloudformation_type: "AWS::EC2::FlowLog",
    terraform_type: "aws_flow_log",
    ec2_resource_type: "vpc-flow-log",
    create_actions: &[
        "ec2:CreateFlowLogs",
        "ec2:CreateTags",
        "logs:CreateLogDelivery",
    ],
    delete_actions: &["ec2:DeleteFlowLogs", "logs:DeleteLogDelivery"],
    read_actions: &["ec2:DescribeFlowLogs"],
    not_found_code: Some("InvalidFlowLogId.NotFound"),
    aws_id_prefix: Some("fl-"),
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranks_and_names_are_unique() {
        let mut ranks: Vec<u8> = ResourceKind::ALL.iter().map(|k| row(*k).rank).collect();
        ranks.sort_unstable();
        ranks.dedup();
        assert_eq!(ranks.len(), ResourceKind::ALL.len());
        let mut names: Vec<&str> = ResourceKind::ALL.iter().map(|k| row(*k).name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), ResourceKind::ALL.len());
    }

    /// The rank is the planner's promise: in every template, every resource depends only on
    /// resources of a lower rank, so creating in rank order and deleting in reverse is safe.
    #[test]
    fn every_dependency_has_a_lower_rank() {
        let mut checked = 0;
        for template in crate::templates::TEMPLATES {
            for resource in super::super::desired_resources(&template.design().unwrap()) {
                for dependency in &resource.depends_on {
                    assert!(
                        row(dependency.kind).rank < row(resource.key.kind).rank,
                        "{}: {} depends on {}",
                        template.name,
                        resource.key,
                        dependency
                    );
                    checked += 1;
                }
            }
        }
        assert!(checked > 50, "only {checked} dependencies");
    }

    #[test]
    fn tagged_kinds_have_their_ids_and_codes() {
        for kind in ResourceKind::ALL {
            let facts = row(kind);
            assert!(
                facts
                    .not_found_code
                    .is_some_and(|code| code.contains("NotFound") || code.ends_with(".Unknown"))
            );
            assert!(!facts.create_actions.is_empty() && !facts.delete_actions.is_empty());
            assert!(!facts.read_actions.is_empty());
            assert!(facts.cloudformation_type.starts_with("AWS::EC2::"));
            assert!(facts.terraform_type.starts_with("aws_"));
        }
    }
}
