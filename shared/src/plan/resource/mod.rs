//! The one list of the planner's resource kinds, and what every one answers for.
//!
//! [`resource_kinds!`] is invoked once, here, with one line per kind: its `ResourceKind`
//! variant and the struct that specifies one. It generates `ResourceKind` (with `ALL` and
//! `facts`) and `ResourceSpec` (one variant holding each struct, with `kind` and
//! `attributes`). Everything a kind knows — its row of the catalogue, the attributes the
//! planner compares — is its [`Resource`] impl beside its struct, one module per family of
//! kinds (`resource/route_table.rs` holds tables, routes and associations).
//!
//! Invariant: no code outside this module lists the resource kinds by hand; code that must
//! answer per kind matches `ResourceKind` or `ResourceSpec` exhaustively, or asks the kind's
//! `Resource` impl.

use std::collections::BTreeMap;

use super::DesiredResource;
use super::catalog::ResourceFacts;
use crate::model::Design;
use write::{Block, CloudFormation, Shell, TemplateResource, Terraform};

pub mod write;

mod customer_gateway;
mod dhcp_options;
mod endpoint;
mod flow_log;
mod instance;
mod internet_gateway;
mod nat_gateway;
mod network_acl;
mod network_interface;
mod placement_group;
mod route_table;
mod security_group;
mod subnet;
mod vpc;
mod vpn_connection;
mod vpn_gateway;

pub use customer_gateway::*;
pub use dhcp_options::*;
pub use endpoint::*;
pub use flow_log::*;
pub use instance::*;
pub use internet_gateway::*;
pub use nat_gateway::*;
pub use network_acl::*;
pub use network_interface::*;
pub use placement_group::*;
pub use route_table::*;
pub use security_group::*;
pub use subnet::*;
pub use vpc::*;
pub use vpn_connection::*;
pub use vpn_gateway::*;

/// What every planner resource kind answers for. Implemented beside each struct.
pub trait Resource {
    /// Its row of the resource catalogue.
    const FACTS: ResourceFacts;

    /// What a Describe reports of the resource, with references as logical ids: the one
    /// statement of what the planner and drift compare (the inventory reports the same
    /// names).
    fn attributes(&self) -> BTreeMap<String, String>;

    /// What it becomes in a CloudFormation template; none when another resource holds it
    /// (a plain CIDR egress rule is written inline on its group).
    fn cloudformation(&self, cx: &mut CloudFormation<'_>) -> Option<TemplateResource>;

    /// Its resource block in the Terraform configuration.
    fn terraform(&self, cx: &mut Terraform<'_>) -> Block;

    /// The AWS CLI commands that find or create it, appended to the apply script.
    fn shell(&self, cx: &mut Shell<'_>);

    /// The teardown script's block deleting every resource of the kind the design owns, in
    /// shell; none for kinds that go with another (a gateway endpoint's routes, ACL entries).
    /// The script runs the blocks in the catalogue's teardown order.
    const TEARDOWN: Option<&'static str>;
}

/// The one list of resource kinds; see the module docs. Each line: `Variant(Struct);`.
macro_rules! resource_kinds {
    ($( $kind:ident ( $spec:ident ); )+) => {
        /// The AWS resources Moat provisions. Their facts are rows of the catalogue (each
        /// kind's [`Resource::FACTS`]); they are ordered by the catalogue's explicit rank, never
        /// by this declaration.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum ResourceKind {
            $( $kind, )+
        }

        impl ResourceKind {
            /// Every kind, in declaration order (generated: never kept by hand).
            pub const ALL: [ResourceKind; [$( stringify!($kind) ),+].len()] = [$( ResourceKind::$kind ),+];

            /// Its row of the resource catalogue.
            pub fn facts(self) -> &'static ResourceFacts {
                match self {
                    $( ResourceKind::$kind => &<$spec as Resource>::FACTS, )+
                }
            }

            /// Its block of the teardown script (its kind's [`Resource::TEARDOWN`]).
            pub fn teardown(self) -> Option<&'static str> {
                match self {
                    $( ResourceKind::$kind => <$spec as Resource>::TEARDOWN, )+
                }
            }
        }

        /// Everything needed to create a resource, with references to other resources of the
        /// design by logical id (the applier turns them into AWS ids).
        #[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
        #[serde(tag = "type", rename_all = "snake_case")]
        pub enum ResourceSpec {
            $( $kind($spec), )+
        }

        impl ResourceSpec {
            /// The kind this specification creates.
            pub fn kind(&self) -> ResourceKind {
                match self {
                    $( ResourceSpec::$kind(_) => ResourceKind::$kind, )+
                }
            }

            /// What a Describe reports of the resource (its kind's [`Resource::attributes`]).
            pub fn attributes(&self) -> BTreeMap<String, String> {
                match self {
                    $( ResourceSpec::$kind(spec) => spec.attributes(), )+
                }
            }

            /// What it becomes in a CloudFormation template (its kind's
            /// [`Resource::cloudformation`]).
            pub fn cloudformation(&self, cx: &mut CloudFormation<'_>) -> Option<TemplateResource> {
                match self {
                    $( ResourceSpec::$kind(spec) => spec.cloudformation(cx), )+
                }
            }

            /// Its resource block in the Terraform configuration (its kind's
            /// [`Resource::terraform`]).
            pub fn terraform(&self, cx: &mut Terraform<'_>) -> Block {
                match self {
                    $( ResourceSpec::$kind(spec) => spec.terraform(cx), )+
                }
            }

            /// Its commands in the apply script (its kind's [`Resource::shell`]).
            pub fn shell(&self, cx: &mut Shell<'_>) {
                match self {
                    $( ResourceSpec::$kind(spec) => spec.shell(cx), )+
                }
            }
        }
    };
}

resource_kinds! {
    Vpc(VpcSpec);
    CustomerGateway(CustomerGatewaySpec);
    PlacementGroup(PlacementGroupSpec);
    Subnet(SubnetSpec);
    InternetGateway(InternetGatewaySpec);
    VpnGateway(VpnGatewaySpec);
    SecurityGroup(SecurityGroupSpec);
    RouteTable(RouteTableSpec);
    NetworkAcl(NetworkAclSpec);
    ElasticIp(ElasticIpSpec);
    NatGateway(NatGatewaySpec);
    VpnConnection(VpnConnectionSpec);
    GatewayEndpoint(GatewayEndpointSpec);
    InterfaceEndpoint(InterfaceEndpointSpec);
    SecurityGroupRule(SecurityGroupRuleSpec);
    NetworkAclEntry(NetworkAclEntrySpec);
    NetworkAclAssociation(NetworkAclAssociationSpec);
    Route(RouteSpec);
    RouteTableAssociation(RouteTableAssociationSpec);
    Instance(InstanceSpec);
    FlowLog(FlowLogSpec);
    DhcpOptions(DhcpOptionsSpec);
    DhcpOptionsAssociation(DhcpOptionsAssociationSpec);
    VpcCidrBlock(VpcCidrBlockSpec);
    NetworkInterface(NetworkInterfaceSpec);
}

/// The design's resources, kind by kind, in the order a plan lists them (each function adds
/// one family's resources of one pass; rules and routes come once every group and target
/// exists). A new kind adds its function here.
pub(crate) const IN_PLAN_ORDER: &[fn(&Design, &mut Vec<DesiredResource>)] = &[
    vpc::vpcs,
    dhcp_options::dhcp_options_sets,
    customer_gateway::customer_gateways,
    placement_group::placement_groups,
    subnet::subnets,
    internet_gateway::internet_gateways,
    vpn_gateway::vpn_gateways,
    security_group::security_groups,
    route_table::route_tables,
    network_acl::network_acls,
    nat_gateway::nat_gateways,
    vpn_connection::vpn_connections,
    endpoint::endpoints,
    security_group::security_group_rules,
    route_table::routes,
    flow_log::flow_logs,
    network_interface::network_interfaces,
    instance::instances,
];
