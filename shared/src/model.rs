//! The design document: typed, flat collections of objects with stable ids, references by id.
//!
//! Field names are a public contract (tools outside Moat read and write these documents), so
//! they never change meaning. CIDRs are kept as the text the user typed: a value that does not
//! parse is a `cidr.invalid` diagnostic, not a load failure, so a half-typed inspector value is
//! reported like any other problem.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The schema version this build writes. Older versions are migrated by [`crate::spec`].
pub const CURRENT_SCHEMA_VERSION: u32 = 2;

/// A whole network design.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Design {
    pub schema_version: u32,
    pub name: String,
    pub region: String,
    #[serde(default)]
    pub vpcs: Vec<Vpc>,
    #[serde(default)]
    pub subnets: Vec<Subnet>,
    #[serde(default)]
    pub internet_gateways: Vec<InternetGateway>,
    #[serde(default)]
    pub nat_gateways: Vec<NatGateway>,
    #[serde(default)]
    pub vpn_gateways: Vec<VpnGateway>,
    #[serde(default)]
    pub customer_gateways: Vec<CustomerGateway>,
    #[serde(default)]
    pub vpn_connections: Vec<VpnConnection>,
    #[serde(default)]
    pub route_tables: Vec<RouteTable>,
    #[serde(default)]
    pub endpoints: Vec<Endpoint>,
    #[serde(default)]
    pub security_groups: Vec<SecurityGroup>,
    #[serde(default)]
    pub network_acls: Vec<NetworkAcl>,
    #[serde(default)]
    pub placement_groups: Vec<PlacementGroup>,
    #[serde(default)]
    pub workloads: Vec<Workload>,
    /// Canvas positions and sizes by object id. Never affects meaning.
    #[serde(default)]
    pub layout: BTreeMap<String, LayoutBox>,
    /// Expected traffic, for cost estimates.
    #[serde(default)]
    pub flows: Vec<Flow>,
}

impl Design {
    /// An empty design in a region.
    pub fn new(name: impl Into<String>, region: impl Into<String>) -> Self {
        Design {
            schema_version: CURRENT_SCHEMA_VERSION,
            name: name.into(),
            region: region.into(),
            vpcs: Vec::new(),
            subnets: Vec::new(),
            internet_gateways: Vec::new(),
            nat_gateways: Vec::new(),
            vpn_gateways: Vec::new(),
            customer_gateways: Vec::new(),
            vpn_connections: Vec::new(),
            route_tables: Vec::new(),
            endpoints: Vec::new(),
            security_groups: Vec::new(),
            network_acls: Vec::new(),
            placement_groups: Vec::new(),
            workloads: Vec::new(),
            layout: BTreeMap::new(),
            flows: Vec::new(),
        }
    }

    pub fn vpc(&self, vpc_id: &str) -> Option<&Vpc> {
        self.vpcs.iter().find(|vpc| vpc.id == vpc_id)
    }

    pub fn subnet(&self, subnet_id: &str) -> Option<&Subnet> {
        self.subnets.iter().find(|subnet| subnet.id == subnet_id)
    }

    /// Every object id in the design, with the kind of object it names.
    pub fn object_ids(&self) -> Vec<(&str, ObjectKind)> {
        let mut ids = Vec::new();
        ids.extend(self.vpcs.iter().map(|o| (o.id.as_str(), ObjectKind::Vpc)));
        ids.extend(
            self.subnets
                .iter()
                .map(|o| (o.id.as_str(), ObjectKind::Subnet)),
        );
        ids.extend(
            self.internet_gateways
                .iter()
                .map(|o| (o.id.as_str(), ObjectKind::InternetGateway)),
        );
        ids.extend(
            self.nat_gateways
                .iter()
                .map(|o| (o.id.as_str(), ObjectKind::NatGateway)),
        );
        ids.extend(
            self.vpn_gateways
                .iter()
                .map(|o| (o.id.as_str(), ObjectKind::VpnGateway)),
        );
        ids.extend(
            self.customer_gateways
                .iter()
                .map(|o| (o.id.as_str(), ObjectKind::CustomerGateway)),
        );
        ids.extend(
            self.vpn_connections
                .iter()
                .map(|o| (o.id.as_str(), ObjectKind::VpnConnection)),
        );
        ids.extend(
            self.route_tables
                .iter()
                .map(|o| (o.id.as_str(), ObjectKind::RouteTable)),
        );
        ids.extend(
            self.endpoints
                .iter()
                .map(|o| (o.id.as_str(), ObjectKind::Endpoint)),
        );
        ids.extend(
            self.security_groups
                .iter()
                .map(|o| (o.id.as_str(), ObjectKind::SecurityGroup)),
        );
        ids.extend(
            self.network_acls
                .iter()
                .map(|o| (o.id.as_str(), ObjectKind::NetworkAcl)),
        );
        ids.extend(
            self.placement_groups
                .iter()
                .map(|o| (o.id.as_str(), ObjectKind::PlacementGroup)),
        );
        ids.extend(
            self.workloads
                .iter()
                .map(|o| (o.id.as_str(), ObjectKind::Workload)),
        );
        ids
    }

    /// The kind of object an id names, if any.
    /// Looks through each collection in place (no list of every id is built per call).
    pub fn kind_of(&self, object_id: &str) -> Option<ObjectKind> {
        fn holds<T>(items: &[T], id: impl Fn(&T) -> &str, object_id: &str) -> bool {
            items.iter().any(|item| id(item) == object_id)
        }
        let found = [
            (holds(&self.vpcs, |o| &o.id, object_id), ObjectKind::Vpc),
            (
                holds(&self.subnets, |o| &o.id, object_id),
                ObjectKind::Subnet,
            ),
            (
                holds(&self.internet_gateways, |o| &o.id, object_id),
                ObjectKind::InternetGateway,
            ),
            (
                holds(&self.nat_gateways, |o| &o.id, object_id),
                ObjectKind::NatGateway,
            ),
            (
                holds(&self.vpn_gateways, |o| &o.id, object_id),
                ObjectKind::VpnGateway,
            ),
            (
                holds(&self.customer_gateways, |o| &o.id, object_id),
                ObjectKind::CustomerGateway,
            ),
            (
                holds(&self.vpn_connections, |o| &o.id, object_id),
                ObjectKind::VpnConnection,
            ),
            (
                holds(&self.route_tables, |o| &o.id, object_id),
                ObjectKind::RouteTable,
            ),
            (
                holds(&self.endpoints, |o| &o.id, object_id),
                ObjectKind::Endpoint,
            ),
            (
                holds(&self.security_groups, |o| &o.id, object_id),
                ObjectKind::SecurityGroup,
            ),
            (
                holds(&self.network_acls, |o| &o.id, object_id),
                ObjectKind::NetworkAcl,
            ),
            (
                holds(&self.placement_groups, |o| &o.id, object_id),
                ObjectKind::PlacementGroup,
            ),
            (
                holds(&self.workloads, |o| &o.id, object_id),
                ObjectKind::Workload,
            ),
        ];
        found
            .into_iter()
            .find(|(held, _)| *held)
            .map(|(_, kind)| kind)
    }
}

/// The kinds of object a design holds.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum ObjectKind {
    Vpc,
    Subnet,
    InternetGateway,
    NatGateway,
    VpnGateway,
    CustomerGateway,
    VpnConnection,
    RouteTable,
    Endpoint,
    SecurityGroup,
    NetworkAcl,
    PlacementGroup,
    Workload,
}

impl ObjectKind {
    /// The name a person reads: "NAT gateway", "Subnet", …
    pub fn label(self) -> &'static str {
        match self {
            ObjectKind::Vpc => "VPC",
            ObjectKind::Subnet => "Subnet",
            ObjectKind::InternetGateway => "Internet gateway",
            ObjectKind::NatGateway => "NAT gateway",
            ObjectKind::VpnGateway => "VPN gateway",
            ObjectKind::CustomerGateway => "Customer gateway",
            ObjectKind::VpnConnection => "VPN connection",
            ObjectKind::RouteTable => "Route table",
            ObjectKind::Endpoint => "Endpoint",
            ObjectKind::SecurityGroup => "Security group",
            ObjectKind::NetworkAcl => "Network ACL",
            ObjectKind::PlacementGroup => "Placement group",
            ObjectKind::Workload => "Workload",
        }
    }

    /// The name of the design's collection holding this kind (`subnets`).
    pub fn collection(self) -> &'static str {
        match self {
            ObjectKind::Vpc => "vpcs",
            ObjectKind::Subnet => "subnets",
            ObjectKind::InternetGateway => "internet_gateways",
            ObjectKind::NatGateway => "nat_gateways",
            ObjectKind::VpnGateway => "vpn_gateways",
            ObjectKind::CustomerGateway => "customer_gateways",
            ObjectKind::VpnConnection => "vpn_connections",
            ObjectKind::RouteTable => "route_tables",
            ObjectKind::Endpoint => "endpoints",
            ObjectKind::SecurityGroup => "security_groups",
            ObjectKind::NetworkAcl => "network_acls",
            ObjectKind::PlacementGroup => "placement_groups",
            ObjectKind::Workload => "workloads",
        }
    }

    /// The prefix of generated ids for this kind (`subnet-3`).
    pub fn id_prefix(self) -> &'static str {
        match self {
            ObjectKind::Vpc => "vpc",
            ObjectKind::Subnet => "subnet",
            ObjectKind::InternetGateway => "igw",
            ObjectKind::NatGateway => "nat",
            ObjectKind::VpnGateway => "vgw",
            ObjectKind::CustomerGateway => "cgw",
            ObjectKind::VpnConnection => "vpn",
            ObjectKind::RouteTable => "rt",
            ObjectKind::Endpoint => "vpce",
            ObjectKind::SecurityGroup => "sg",
            ObjectKind::NetworkAcl => "acl",
            ObjectKind::PlacementGroup => "pg",
            ObjectKind::Workload => "wl",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Vpc {
    pub id: String,
    #[serde(default)]
    pub name: String,
    /// The first block is the primary one.
    pub cidr_blocks: Vec<String>,
    #[serde(default = "default_true")]
    pub enable_dns_support: bool,
    #[serde(default = "default_true")]
    pub enable_dns_hostnames: bool,
    /// Where the VPC's flow logs go; none records no flow logs (`vpc.flow-logs-off`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flow_logs: Option<FlowLogs>,
}

/// Which traffic a flow log records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum FlowLogTraffic {
    #[default]
    All,
    Accept,
    Reject,
}

impl FlowLogTraffic {
    /// The EC2 API's spelling (`ALL`, `ACCEPT`, `REJECT`).
    pub fn api_name(self) -> &'static str {
        match self {
            FlowLogTraffic::All => "ALL",
            FlowLogTraffic::Accept => "ACCEPT",
            FlowLogTraffic::Reject => "REJECT",
        }
    }
}

/// A VPC's flow log. The destination is not created by Moat: an S3 bucket (its ARN, with an
/// optional prefix: `arn:aws:s3:::bucket/prefix`) or a CloudWatch Logs log group (its ARN; a
/// delivery role is then required). Validation checks the shapes (`flowlog.*`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FlowLogs {
    pub destination: String,
    #[serde(default)]
    pub traffic_type: FlowLogTraffic,
    /// CloudWatch Logs only: the IAM role that delivers the records.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery_role_arn: Option<String>,
    /// Seconds a record aggregates: 60 or 600.
    #[serde(default = "default_aggregation_interval")]
    pub max_aggregation_interval: u32,
}

/// Where a flow log's records go, read from its destination ARN.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlowLogDestinationKind {
    S3,
    CloudWatchLogs,
}

impl FlowLogDestinationKind {
    /// The EC2 API's `LogDestinationType`.
    pub fn api_name(self) -> &'static str {
        match self {
            FlowLogDestinationKind::S3 => "s3",
            FlowLogDestinationKind::CloudWatchLogs => "cloud-watch-logs",
        }
    }
}

impl FlowLogs {
    /// The destination's kind, if the ARN has the shape of one (`arn:<partition>:s3:::bucket`
    /// or `arn:<partition>:logs:<region>:<account>:log-group:<name>`).
    pub fn destination_kind(&self) -> Option<FlowLogDestinationKind> {
        let parts: Vec<&str> = self.destination.splitn(6, ':').collect();
        let [arn, partition, service, region, account, resource] = parts[..] else {
            return None;
        };
        if arn != "arn" || !partition.starts_with("aws") {
            return None;
        }
        match service {
            "s3" if region.is_empty() && account.is_empty() => {
                let bucket = resource.split('/').next().unwrap_or_default();
                let valid_bucket = (3..=63).contains(&bucket.len())
                    && bucket.bytes().all(|b| {
                        b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.'
                    })
                    && bucket.as_bytes()[0].is_ascii_alphanumeric()
                    && bucket.as_bytes()[bucket.len() - 1].is_ascii_alphanumeric();
                valid_bucket.then_some(FlowLogDestinationKind::S3)
            }
            "logs" => {
                let name = resource.strip_prefix("log-group:")?;
                let name = name.strip_suffix(":*").unwrap_or(name);
                let valid = !region.is_empty()
                    && account.len() == 12
                    && account.bytes().all(|b| b.is_ascii_digit())
                    && (1..=512).contains(&name.len())
                    && name
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b"_-/.#".contains(&b));
                valid.then_some(FlowLogDestinationKind::CloudWatchLogs)
            }
            _ => None,
        }
    }
}

/// `arn:<partition>:iam::<12 digits>:role/<path and name>`, one literal role: the path and
/// name in IAM's own characters (letters, digits, `+=,.@_-`, `/` between path parts), so no
/// `*` or `?` can make it a wildcard (the IAM policy grants `iam:PassRole` on exactly it).
pub fn is_role_arn(text: &str) -> bool {
    let parts: Vec<&str> = text.splitn(6, ':').collect();
    matches!(
        parts[..],
        ["arn", partition, "iam", "", account, resource]
            if partition.starts_with("aws")
                && partition.bytes().all(|b| b.is_ascii_lowercase() || b == b'-')
                && account.len() == 12
                && account.bytes().all(|b| b.is_ascii_digit())
                && resource.strip_prefix("role/").is_some_and(|name| {
                    !name.is_empty()
                        && !name.ends_with('/')
                        && name.len() <= 576
                        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b"+=,.@_-/".contains(&b))
                })
    )
}

/// The user's intent for a subnet; validation checks that the routes agree with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum SubnetTier {
    Public,
    Private,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Subnet {
    pub id: String,
    pub vpc: String,
    pub availability_zone: String,
    pub cidr: String,
    pub tier: SubnetTier,
    #[serde(default)]
    pub map_public_ip_on_launch: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct InternetGateway {
    pub id: String,
    pub vpc: String,
}

/// A public NAT gateway; an Elastic IP is implied.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NatGateway {
    pub id: String,
    pub subnet: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct VpnGateway {
    pub id: String,
    pub vpc: String,
    #[serde(default = "default_amazon_side_asn")]
    pub amazon_side_asn: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CustomerGateway {
    pub id: String,
    pub ip_address: String,
    pub bgp_asn: u32,
    #[serde(default)]
    pub on_premises_cidrs: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct VpnConnection {
    pub id: String,
    pub vpn_gateway: String,
    pub customer_gateway: String,
    #[serde(default = "default_true")]
    pub static_routes_only: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RouteTable {
    pub id: String,
    pub vpc: String,
    #[serde(default)]
    pub main: bool,
    /// Associated subnet ids.
    #[serde(default)]
    pub subnets: Vec<String>,
    #[serde(default)]
    pub routes: Vec<Route>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Route {
    pub destination: String,
    /// An id of an internet, NAT or VPN gateway, or of a workload.
    pub target: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum EndpointType {
    Gateway,
    Interface,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Endpoint {
    pub id: String,
    pub vpc: String,
    #[serde(rename = "type")]
    pub endpoint_type: EndpointType,
    /// Short service name: `s3`, `dynamodb`, `sagemaker.api`, …
    pub service: String,
    /// Gateway endpoints: associated route tables.
    #[serde(default)]
    pub route_tables: Vec<String>,
    /// Interface endpoints: one subnet per AZ.
    #[serde(default)]
    pub subnets: Vec<String>,
    #[serde(default)]
    pub security_groups: Vec<String>,
    #[serde(default)]
    pub private_dns: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SecurityGroup {
    pub id: String,
    pub vpc: String,
    pub name: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub ingress: Vec<SecurityGroupRule>,
    #[serde(default)]
    pub egress: Vec<SecurityGroupRule>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Protocol {
    Tcp,
    Udp,
    Icmp,
    All,
}

/// One security group rule. Exactly one of `cidr`, `security_group` (its own id means
/// self-reference) or `prefix_list` names the peer; validation reports any other count.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SecurityGroupRule {
    pub protocol: Protocol,
    #[serde(default)]
    pub from_port: i32,
    #[serde(default)]
    pub to_port: i32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cidr: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub security_group: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prefix_list: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NetworkAcl {
    pub id: String,
    pub vpc: String,
    #[serde(default)]
    pub subnets: Vec<String>,
    #[serde(default)]
    pub entries: Vec<NetworkAclEntry>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RuleAction {
    Allow,
    Deny,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NetworkAclEntry {
    pub rule_number: u32,
    pub egress: bool,
    pub protocol: Protocol,
    #[serde(default)]
    pub from_port: i32,
    #[serde(default)]
    pub to_port: i32,
    pub cidr: String,
    pub action: RuleAction,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum PlacementStrategy {
    Cluster,
    Spread,
    Partition,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PlacementGroup {
    pub id: String,
    pub strategy: PlacementStrategy,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum WorkloadKind {
    Ec2,
    SagemakerNotebook,
    SagemakerTraining,
    SagemakerEndpoint,
    Rds,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Workload {
    pub id: String,
    #[serde(default)]
    pub name: String,
    pub kind: WorkloadKind,
    #[serde(default)]
    pub instance_type: String,
    #[serde(default = "default_count")]
    pub count: u32,
    pub subnet: String,
    #[serde(default)]
    pub security_groups: Vec<String>,
    #[serde(default)]
    pub efa: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub placement_group: Option<String>,
    /// `ec2` only: whether Moat launches the instances.
    #[serde(default)]
    pub launch: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_id: Option<String>,
}

impl Workload {
    /// The image Moat launches this workload from: `ec2` workloads marked `launch` with an
    /// image only. The planner creates instances for exactly these; validation counts their
    /// security groups as attached.
    pub fn launch_image(&self) -> Option<&str> {
        (self.kind == WorkloadKind::Ec2 && self.launch)
            .then_some(self.image_id.as_deref())
            .flatten()
    }
}

/// A box on the canvas, in canvas units.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LayoutBox {
    pub x: f64,
    pub y: f64,
    pub width: f64,
    pub height: f64,
}

impl LayoutBox {
    pub fn contains_point(&self, x: f64, y: f64) -> bool {
        x >= self.x && x <= self.x + self.width && y >= self.y && y <= self.y + self.height
    }
}

/// Expected traffic from an object to a destination (an id, `internet`, `s3`, `dynamodb` or a
/// service name), for cost estimates.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Flow {
    pub from: String,
    pub to: String,
    pub gb_per_month: f64,
}

fn default_true() -> bool {
    true
}

fn default_aggregation_interval() -> u32 {
    600
}

fn default_count() -> u32 {
    1
}

fn default_amazon_side_asn() -> u32 {
    64512
}
