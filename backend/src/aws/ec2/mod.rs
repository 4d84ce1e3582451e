//! [`NetworkApi`] through aws-sdk-ec2. This module holds the client, its configuration and the
//! waiter loop, and dispatches each operation (create, update, delete, dry run) to the module of
//! its kind with one exhaustive match per operation, so a new planner kind is flagged here by
//! the compiler. Each kind's module (`vpc`, `subnet`, …) holds that kind's calls and its part
//! of the [`inventory`]; [`calls`] holds what every call shares (tags, client tokens, retries).
//!
//! The SDK's own retries are off: the applier retries every call with its own policy, so one
//! place decides what is retried and how often (and the fault tests see every attempt).

use shared::plan::resource::*;
use std::collections::BTreeMap;
use std::time::Duration;

use aws_sdk_ec2::Client;
use aws_sdk_ec2::config::Region;
use shared::plan::{ObservedResource, ResourceKind, ResourceSpec};

use super::{
    AwsError, BoxFuture, Deleted, DryRunOutcome, InPlaceChange, NetworkApi, OwnershipTags,
    ResolvedIds,
};
use shared::plan::TAGS_ATTRIBUTE;

/// One `DryRun=true` call: its answer, with the operation's name for the error.
macro_rules! send_dry_run {
    ($call:expr, $name:literal) => {
        $call
            .dry_run(true)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| service_error($name, e))
    };
}

mod calls;
mod customer_gateway;
pub(in crate::aws) mod dhcp_options;
mod endpoint;
mod flow_log;
mod instance;
mod internet_gateway;
mod inventory;
mod nat_gateway;
mod network_acl;
pub(in crate::aws) mod network_interface;
mod placement_group;
mod route_table;
mod security_group;
mod subnet;
mod tags;
mod vpc;
mod vpc_cidr_block;
mod vpn_connection;
mod vpn_gateway;

use calls::already_gone;

/// What every create is given besides its kind's fields: the adapter (for its waiters), the
/// client, the AWS ids of what the resource references, its ownership tags, and the resource
/// an earlier attempt made, found by its tags on a retry (each kind's create decides what is
/// left to do with it).
pub(super) struct Creating<'a> {
    network: &'a Ec2Network,
    client: &'a Client,
    ids: &'a ResolvedIds,
    tags: &'a OwnershipTags,
    existing: Option<String>,
}
use inventory::Inventory;

/// EC2 through aws-sdk-ec2, configured from the server's environment.
pub struct Ec2Network {
    sdk_config: aws_config::SdkConfig,
    poll_interval: Duration,
    /// How long a waiter waits for a NAT gateway, endpoint or instance.
    wait_limit: Duration,
}

impl Ec2Network {
    /// Loads the standard AWS configuration chain once, at start-up. `MOAT_AWS_POLL_MS` sets
    /// how often waiters ask (default 2,000 ms).
    pub async fn from_environment() -> Self {
        Self::from_environment_as(None).await
    }

    /// As [`Ec2Network::from_environment`], every call naming `application` in its user agent
    /// (`app/<application>`): a server's id, so a proxy or CloudTrail tells which server made
    /// each call. An id AWS does not accept as an application name is left out.
    pub async fn from_environment_as(application: Option<&str>) -> Self {
        let mut loader = aws_config::defaults(aws_config::BehaviorVersion::latest());
        if let Some(name) =
            application.and_then(|name| aws_config::AppName::new(name.to_string()).ok())
        {
            loader = loader.app_name(name);
        }
        let sdk_config = loader
            .retry_config(aws_config::retry::RetryConfig::disabled())
            .timeout_config(
                aws_config::timeout::TimeoutConfig::builder()
                    .connect_timeout(Duration::from_secs(5))
                    .operation_attempt_timeout(Duration::from_secs(30))
                    .build(),
            )
            .load()
            .await;
        let poll_milliseconds = std::env::var("MOAT_AWS_POLL_MS")
            .ok()
            .and_then(|value| value.parse().ok())
            .unwrap_or(2_000);
        Ec2Network {
            sdk_config,
            poll_interval: Duration::from_millis(poll_milliseconds),
            wait_limit: Duration::from_secs(15 * 60),
        }
    }

    /// An explicit endpoint with fixed test credentials: the test command and the deploy bench
    /// point it at moto (or at the fault layer in front of moto). Never reachable from a request.
    pub async fn for_endpoint(endpoint_url: &str) -> Self {
        let credentials =
            aws_sdk_ec2::config::Credentials::new("testing", "testing", None, None, "moat-tests");
        let sdk_config = aws_config::defaults(aws_config::BehaviorVersion::latest())
            .endpoint_url(endpoint_url)
            .region(Region::new("us-east-1"))
            .credentials_provider(credentials)
            .retry_config(aws_config::retry::RetryConfig::disabled())
            .timeout_config(
                aws_config::timeout::TimeoutConfig::builder()
                    .connect_timeout(Duration::from_secs(5))
                    .operation_attempt_timeout(Duration::from_secs(30))
                    .build(),
            )
            .load()
            .await;
        Ec2Network {
            sdk_config,
            poll_interval: Duration::from_millis(100),
            wait_limit: Duration::from_secs(120),
        }
    }

    /// Overrides the per-attempt timeout (tests use a short one to exercise lost answers).
    pub fn with_attempt_timeout(mut self, timeout: Duration) -> Self {
        self.sdk_config = self
            .sdk_config
            .into_builder()
            .timeout_config(
                aws_config::timeout::TimeoutConfig::builder()
                    .connect_timeout(Duration::from_secs(5))
                    .operation_attempt_timeout(timeout)
                    .build(),
            )
            .build();
        self
    }

    pub fn with_poll_interval(mut self, interval: Duration) -> Self {
        self.poll_interval = interval;
        self
    }

    fn client(&self, region: &str) -> Client {
        let config = aws_sdk_ec2::config::Builder::from(&self.sdk_config)
            .region(Region::new(region.to_string()))
            .interceptor(crate::metrics::AwsCallCounter)
            .build();
        Client::from_conf(config)
    }

    /// Asks `check` every poll interval until it answers `Some`, up to the wait limit.
    async fn wait_for<T, F, Fut>(
        &self,
        operation: &'static str,
        mut check: F,
    ) -> Result<T, AwsError>
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = Result<Option<T>, AwsError>>,
    {
        let started = tokio::time::Instant::now();
        loop {
            match check().await {
                Ok(Some(done)) => return Ok(done),
                Ok(None) => {}
                // A throttled or lost poll, or a resource not visible yet: ask again.
                Err(error) if error.is_transient() || error.is_not_found() => {
                    tracing::debug!(%error, "a waiter's poll failed; polling again");
                }
                Err(error) => return Err(error),
            }
            if started.elapsed() > self.wait_limit {
                return Err(AwsError::Transport {
                    endpoint: None,
                    operation,
                    detail: format!("still not ready after {:?}", self.wait_limit),
                });
            }
            tokio::time::sleep(self.poll_interval).await;
        }
    }
}

impl Ec2Network {
    /// The EC2 endpoint this network answers from in a region: the configured one
    /// (`AWS_ENDPOINT_URL`, a sandbox), else the region's own.
    pub fn endpoint_url_in(&self, region: &str) -> String {
        self.sdk_config
            .endpoint_url()
            .map(str::to_string)
            .unwrap_or_else(|| format!("https://ec2.{region}.amazonaws.com"))
    }

    async fn find_owned_in(
        &self,
        client: &Client,
        kind: ResourceKind,
        tags: &OwnershipTags,
    ) -> Result<Option<String>, AwsError> {
        let found = self.tagged(client, kind, &tags.design_id).await?;
        Ok(found
            .into_iter()
            .find(|(logical_id, _)| *logical_id == tags.logical_id)
            .map(|(_, aws_id)| aws_id))
    }

    /// (logical id, AWS id) of every live resource of `kind` tagged with the design.
    async fn tagged(
        &self,
        client: &Client,
        kind: ResourceKind,
        design_id: &str,
    ) -> Result<Vec<(String, String)>, AwsError> {
        let inventory = read_inventory(client, design_id, &[kind]).await?;
        Ok(inventory
            .observed
            .into_iter()
            .filter(|o| o.key.kind == kind)
            .map(|o| (o.key.logical_id, o.aws_id))
            .collect())
    }

    async fn create_one(
        &self,
        client: &Client,
        spec: &ResourceSpec,
        ids: &ResolvedIds,
        tags: &OwnershipTags,
        existing: Option<String>,
    ) -> Result<String, AwsError> {
        let creating = Creating {
            network: self,
            client,
            ids,
            tags,
            existing,
        };
        match spec {
            ResourceSpec::Vpc(VpcSpec {
                name: _,
                cidr_block,
                dns_support,
                dns_hostnames,
                tenancy,
            }) => {
                vpc::create(
                    creating,
                    cidr_block,
                    *dns_support,
                    *dns_hostnames,
                    tenancy.as_deref(),
                )
                .await
            }
            ResourceSpec::CustomerGateway(CustomerGatewaySpec {
                ip_address,
                bgp_asn,
            }) => customer_gateway::create(creating, ip_address, *bgp_asn).await,
            ResourceSpec::PlacementGroup(PlacementGroupSpec { strategy }) => {
                placement_group::create(creating, strategy).await
            }
            ResourceSpec::NetworkInterface(NetworkInterfaceSpec {
                subnet,
                security_groups,
                private_ip,
                description,
            }) => {
                network_interface::create(
                    creating,
                    subnet,
                    security_groups,
                    private_ip.as_deref(),
                    description,
                )
                .await
            }
            ResourceSpec::Subnet(SubnetSpec {
                vpc,
                cidr_block,
                availability_zone,
                map_public_ip,
            }) => {
                subnet::create(creating, vpc, cidr_block, availability_zone, *map_public_ip).await
            }
            ResourceSpec::InternetGateway(InternetGatewaySpec { vpc }) => {
                internet_gateway::create(creating, vpc).await
            }
            ResourceSpec::VpnGateway(VpnGatewaySpec {
                vpc,
                amazon_side_asn,
            }) => vpn_gateway::create(creating, vpc, *amazon_side_asn).await,
            ResourceSpec::SecurityGroup(SecurityGroupSpec {
                vpc,
                name,
                description,
            }) => security_group::create(creating, vpc, name, description).await,
            ResourceSpec::RouteTable(RouteTableSpec { vpc, main }) => {
                route_table::create(creating, vpc, *main).await
            }
            ResourceSpec::NetworkAcl(NetworkAclSpec { vpc }) => {
                network_acl::create(creating, vpc).await
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
                let entry = network_acl::Entry {
                    rule_number: *rule_number,
                    egress: *egress,
                    protocol,
                    from_port: *from_port,
                    to_port: *to_port,
                    cidr,
                    allow: *allow,
                };
                network_acl::create_entry(creating, network_acl, &entry).await
            }
            ResourceSpec::NetworkAclAssociation(NetworkAclAssociationSpec {
                network_acl,
                subnet,
            }) => network_acl::create_association(creating, network_acl, subnet).await,
            ResourceSpec::ElasticIp(ElasticIpSpec {}) => {
                nat_gateway::create_address(creating).await
            }
            ResourceSpec::NatGateway(NatGatewaySpec { subnet, elastic_ip }) => {
                nat_gateway::create(creating, subnet, elastic_ip.as_deref()).await
            }
            ResourceSpec::VpnConnection(VpnConnectionSpec {
                vpn_gateway,
                customer_gateway,
                static_routes_only,
                static_routes,
            }) => {
                vpn_connection::create(
                    creating,
                    vpn_gateway,
                    customer_gateway,
                    *static_routes_only,
                    static_routes,
                )
                .await
            }
            ResourceSpec::GatewayEndpoint(GatewayEndpointSpec {
                vpc,
                service_name,
                route_tables,
                policy,
            }) => {
                endpoint::create_gateway(
                    creating,
                    vpc,
                    service_name,
                    route_tables,
                    policy.as_deref(),
                )
                .await
            }
            ResourceSpec::InterfaceEndpoint(InterfaceEndpointSpec {
                vpc,
                service_name,
                subnets,
                security_groups,
                private_dns,
                policy,
            }) => {
                endpoint::create_interface(
                    creating,
                    endpoint::Interface {
                        vpc,
                        service_name,
                        subnets,
                        security_groups,
                        private_dns: *private_dns,
                        policy: policy.as_deref(),
                    },
                )
                .await
            }
            ResourceSpec::SecurityGroupRule(SecurityGroupRuleSpec {
                security_group,
                egress,
                protocol,
                from_port,
                to_port,
                peer,
                description,
            }) => {
                let rule = security_group::Rule {
                    security_group,
                    egress: *egress,
                    protocol,
                    from_port: *from_port,
                    to_port: *to_port,
                    peer,
                    description: description.as_deref(),
                };
                security_group::create_rule(creating, rule).await
            }
            ResourceSpec::Route(RouteSpec {
                route_table,
                destination,
                target,
            }) => route_table::create_route(creating, route_table, destination, target).await,
            ResourceSpec::RouteTableAssociation(RouteTableAssociationSpec {
                route_table,
                subnet,
            }) => route_table::create_association(creating, route_table, subnet).await,
            ResourceSpec::Instance(InstanceSpec {
                subnet,
                security_groups,
                placement_group,
                instance_type,
                image_id,
                efa,
            }) => {
                instance::create(
                    creating,
                    subnet,
                    security_groups,
                    placement_group.as_deref(),
                    instance_type,
                    image_id,
                    *efa,
                )
                .await
            }
            ResourceSpec::DhcpOptions(DhcpOptionsSpec {
                domain_name,
                domain_name_servers,
                ntp_servers,
            }) => {
                dhcp_options::create(
                    creating,
                    domain_name.as_deref(),
                    domain_name_servers,
                    ntp_servers,
                )
                .await
            }
            ResourceSpec::DhcpOptionsAssociation(DhcpOptionsAssociationSpec {
                vpc,
                dhcp_options,
            }) => dhcp_options::create_association(creating, vpc, dhcp_options).await,
            ResourceSpec::VpcCidrBlock(VpcCidrBlockSpec { vpc, cidr_block }) => {
                vpc_cidr_block::create(creating, vpc, cidr_block).await
            }
            ResourceSpec::FlowLog(FlowLogSpec {
                vpc,
                destination,
                destination_type,
                traffic_type,
                delivery_role_arn,
                max_aggregation_interval,
            }) => {
                flow_log::create(
                    creating,
                    vpc,
                    destination,
                    destination_type,
                    traffic_type,
                    delivery_role_arn.as_deref(),
                    *max_aggregation_interval,
                )
                .await
            }
        }
    }

    /// Changes a resource in place; the kinds the catalogue lists with no in-place attribute
    /// are replaced by the plan, never updated.
    async fn update_one(
        &self,
        client: &Client,
        spec: &ResourceSpec,
        ids: &ResolvedIds,
        aws_id: &str,
    ) -> Result<String, AwsError> {
        match spec {
            ResourceSpec::Vpc(VpcSpec {
                dns_support,
                dns_hostnames,
                ..
            }) => vpc::update(self, client, *dns_support, *dns_hostnames, aws_id).await,
            ResourceSpec::Subnet(SubnetSpec { map_public_ip, .. }) => {
                subnet::update(self, client, *map_public_ip, aws_id).await
            }
            ResourceSpec::NetworkInterface(NetworkInterfaceSpec {
                security_groups,
                description,
                ..
            }) => {
                network_interface::update(client, ids, security_groups, description, aws_id).await
            }
            ResourceSpec::Route(RouteSpec {
                route_table,
                destination,
                target,
            }) => {
                route_table::update_route(self, client, route_table, destination, target, ids).await
            }
            ResourceSpec::RouteTableAssociation(RouteTableAssociationSpec {
                route_table, ..
            }) => route_table::update_association(self, client, route_table, ids, aws_id).await,
            ResourceSpec::NetworkAclAssociation(NetworkAclAssociationSpec {
                network_acl, ..
            }) => network_acl::update_association(client, network_acl, ids, aws_id).await,
            ResourceSpec::GatewayEndpoint(GatewayEndpointSpec {
                route_tables,
                policy,
                ..
            }) => {
                endpoint::update_gateway(self, client, route_tables, policy.as_deref(), ids, aws_id)
                    .await
            }
            ResourceSpec::InterfaceEndpoint(InterfaceEndpointSpec {
                vpc,
                service_name,
                subnets,
                security_groups,
                private_dns,
                policy,
            }) => {
                endpoint::update_interface(
                    self,
                    client,
                    endpoint::Interface {
                        vpc,
                        service_name,
                        subnets,
                        security_groups,
                        private_dns: *private_dns,
                        policy: policy.as_deref(),
                    },
                    ids,
                    aws_id,
                )
                .await
            }
            ResourceSpec::DhcpOptionsAssociation(DhcpOptionsAssociationSpec {
                dhcp_options,
                ..
            }) => dhcp_options::update_association(client, dhcp_options, ids, aws_id).await,
            ResourceSpec::SecurityGroupRule(SecurityGroupRuleSpec {
                security_group,
                egress,
                protocol,
                from_port,
                to_port,
                peer,
                description,
            }) => {
                let rule = security_group::Rule {
                    security_group,
                    egress: *egress,
                    protocol,
                    from_port: *from_port,
                    to_port: *to_port,
                    peer,
                    description: description.as_deref(),
                };
                security_group::update_rule_description(client, ids, rule, aws_id).await
            }
            ResourceSpec::CustomerGateway(CustomerGatewaySpec { .. })
            | ResourceSpec::DhcpOptions(DhcpOptionsSpec { .. })
            | ResourceSpec::PlacementGroup(PlacementGroupSpec { .. })
            | ResourceSpec::InternetGateway(InternetGatewaySpec { .. })
            | ResourceSpec::VpnGateway(VpnGatewaySpec { .. })
            | ResourceSpec::SecurityGroup(SecurityGroupSpec { .. })
            | ResourceSpec::RouteTable(RouteTableSpec { .. })
            | ResourceSpec::NetworkAcl(NetworkAclSpec { .. })
            | ResourceSpec::NetworkAclEntry(NetworkAclEntrySpec { .. })
            | ResourceSpec::ElasticIp(ElasticIpSpec {})
            | ResourceSpec::NatGateway(NatGatewaySpec { .. })
            | ResourceSpec::VpnConnection(VpnConnectionSpec { .. })
            | ResourceSpec::Instance(InstanceSpec { .. })
            | ResourceSpec::VpcCidrBlock(VpcCidrBlockSpec { .. })
            | ResourceSpec::FlowLog(FlowLogSpec { .. }) => Err(AwsError::Service {
                endpoint: None,
                request_id: Default::default(),
                status: Default::default(),
                operation: "Update",
                code: "Moat.NotUpdatable".into(),
                message: format!(
                    "a {} cannot change in place; the plan replaces it",
                    spec.kind().name()
                ),
            }),
        }
    }

    async fn delete_one(
        &self,
        client: &Client,
        kind: ResourceKind,
        aws_id: &str,
        observed: &BTreeMap<String, String>,
    ) -> Result<(), AwsError> {
        use ResourceKind as K;
        match kind {
            K::Vpc => vpc::delete(client, aws_id).await,
            K::CustomerGateway => customer_gateway::delete(client, aws_id).await,
            K::PlacementGroup => placement_group::delete(client, aws_id).await,
            K::Subnet => subnet::delete(client, aws_id).await,
            K::NetworkInterface => network_interface::delete(client, aws_id).await,
            K::InternetGateway => internet_gateway::delete(client, aws_id, observed).await,
            K::VpnGateway => vpn_gateway::delete(client, aws_id, observed).await,
            K::SecurityGroup => security_group::delete(client, aws_id).await,
            K::RouteTable => route_table::delete(client, aws_id, observed).await,
            K::NetworkAcl => network_acl::delete(client, aws_id).await,
            K::NetworkAclEntry => network_acl::delete_entry(client, observed).await,
            K::NetworkAclAssociation => {
                network_acl::delete_association(client, aws_id, observed).await
            }
            K::ElasticIp => nat_gateway::delete_address(client, aws_id).await,
            K::NatGateway => nat_gateway::delete(self, client, aws_id).await,
            K::VpnConnection => vpn_connection::delete(client, aws_id).await,
            K::GatewayEndpoint | K::InterfaceEndpoint => {
                endpoint::delete(self, client, aws_id).await
            }
            K::SecurityGroupRule => security_group::delete_rule(client, observed).await,
            K::Route => route_table::delete_route(client, observed).await,
            K::RouteTableAssociation => route_table::delete_association(client, aws_id).await,
            K::Instance => instance::delete(self, client, aws_id).await,
            K::FlowLog => flow_log::delete(client, aws_id).await,
            K::DhcpOptions => dhcp_options::delete(client, aws_id).await,
            K::DhcpOptionsAssociation => dhcp_options::delete_association(client, aws_id).await,
            K::VpcCidrBlock => vpc_cidr_block::delete(client, aws_id).await,
        }
    }
}

impl NetworkApi for Ec2Network {
    fn inventory<'a>(
        &'a self,
        region: &'a str,
        design_id: &'a str,
    ) -> BoxFuture<'a, Result<Vec<ObservedResource>, AwsError>> {
        Box::pin(async move {
            let result: Result<_, AwsError> = async {
                let client = self.client(region);
                Ok(read_inventory(&client, design_id, &ResourceKind::ALL)
                    .await?
                    .observed)
            }
            .await;
            result.map_err(|error| error.at_endpoint(&self.endpoint_url_in(region)))
        })
    }

    fn create<'a>(
        &'a self,
        region: &'a str,
        spec: &'a ResourceSpec,
        ids: &'a ResolvedIds,
        tags: &'a OwnershipTags,
        retry: bool,
    ) -> BoxFuture<'a, Result<String, AwsError>> {
        Box::pin(async move {
            let result: Result<_, AwsError> = async {
                let client = self.client(region);
                let kind = spec.kind();
                let existing = if retry && kind.is_tagged() {
                    self.find_owned_in(&client, kind, tags).await?
                } else {
                    None
                };
                self.create_one(&client, spec, ids, tags, existing).await
            }
            .await;
            result.map_err(|error| error.at_endpoint(&self.endpoint_url_in(region)))
        })
    }

    fn update<'a>(
        &'a self,
        region: &'a str,
        spec: &'a ResourceSpec,
        ids: &'a ResolvedIds,
        aws_id: &'a str,
        change: InPlaceChange<'a>,
    ) -> BoxFuture<'a, Result<String, AwsError>> {
        Box::pin(async move {
            let result: Result<_, AwsError> = async {
                let client = self.client(region);
                if change.changed.iter().any(|name| name == TAGS_ATTRIBUTE) {
                    tags::set_user_tags(&client, aws_id, change.tags, change.observed_tags).await?;
                    if change.changed.iter().all(|name| name == TAGS_ATTRIBUTE) {
                        return Ok(aws_id.to_string());
                    }
                }
                self.update_one(&client, spec, ids, aws_id).await
            }
            .await;
            result.map_err(|error| error.at_endpoint(&self.endpoint_url_in(region)))
        })
    }

    fn delete<'a>(
        &'a self,
        region: &'a str,
        kind: ResourceKind,
        aws_id: &'a str,
        observed: &'a BTreeMap<String, String>,
    ) -> BoxFuture<'a, Result<Deleted, AwsError>> {
        Box::pin(async move {
            let result: Result<_, AwsError> = async {
                let client = self.client(region);
                match self.delete_one(&client, kind, aws_id, observed).await {
                    Ok(()) => Ok(Deleted::Deleted),
                    Err(error) if already_gone(&error) => Ok(Deleted::AlreadyGone),
                    Err(error) => Err(error),
                }
            }
            .await;
            result.map_err(|error| error.at_endpoint(&self.endpoint_url_in(region)))
        })
    }

    fn import_vpc<'a>(
        &'a self,
        region: &'a str,
        vpc_id: &'a str,
    ) -> BoxFuture<'a, Result<(shared::Design, Vec<String>), AwsError>> {
        Box::pin(async move {
            let result: Result<_, AwsError> = async {
                let client = self.client(region);
                let imported = super::import::import_vpc(&client, region, vpc_id).await?;
                Ok((imported.design, imported.left_out))
            }
            .await;
            result.map_err(|error| error.at_endpoint(&self.endpoint_url_in(region)))
        })
    }

    fn dry_run<'a>(
        &'a self,
        region: &'a str,
        kind: ResourceKind,
        deleting: bool,
    ) -> BoxFuture<'a, Result<DryRunOutcome, AwsError>> {
        Box::pin(async move {
            let result: Result<_, AwsError> = async {
                let client = self.client(region);
                let outcome = dry_run_call(&client, kind, deleting).await;
                match outcome {
                    Err(error) if error.code() == Some("DryRunOperation") => {
                        Ok(DryRunOutcome::Allowed)
                    }
                    Err(AwsError::Service { code, message, .. })
                        if code == "UnauthorizedOperation" || code == "AccessDenied" =>
                    {
                        Ok(DryRunOutcome::Denied { message })
                    }
                    // Parameter errors mean the permission check passed (EC2 checks it first).
                    Err(AwsError::Service { code, .. })
                        if code.starts_with("Invalid") || code.starts_with("Missing") =>
                    {
                        Ok(DryRunOutcome::Allowed)
                    }
                    Err(error) => Err(error),
                    Ok(()) => Ok(DryRunOutcome::Allowed),
                }
            }
            .await;
            result.map_err(|error| error.at_endpoint(&self.endpoint_url_in(region)))
        })
    }
}

/// Reads the resources of `kinds` (and, for the full inventory, what lives inside them).
async fn read_inventory(
    client: &Client,
    design_id: &str,
    kinds: &[ResourceKind],
) -> Result<Inventory, AwsError> {
    let mut inventory = Inventory::default();
    let found = &mut inventory;
    vpc::read(found, client, design_id, kinds).await?;
    dhcp_options::read(found, client, design_id, kinds).await?;
    customer_gateway::read(found, client, design_id, kinds).await?;
    placement_group::read(found, client, design_id, kinds).await?;
    subnet::read(found, client, design_id, kinds).await?;
    internet_gateway::read(found, client, design_id, kinds).await?;
    vpn_gateway::read(found, client, design_id, kinds).await?;
    security_group::read(found, client, design_id, kinds).await?;
    nat_gateway::read(found, client, design_id, kinds).await?;
    nat_gateway::read_addresses(found, client, design_id, kinds).await?;
    vpn_connection::read(found, client, design_id, kinds).await?;
    route_table::read(found, client, design_id, kinds).await?;
    network_acl::read(found, client, design_id, kinds).await?;
    // Instances and endpoints name subnets, groups and tables: read after them.
    endpoint::read(found, client, design_id, kinds).await?;
    instance::read(found, client, design_id, kinds).await?;
    flow_log::read(found, client, design_id, kinds).await?;
    // Interfaces name subnets and groups.
    network_interface::read(found, client, design_id, kinds).await?;
    // Routes name every target above; associations name subnets.
    route_table::read_contents(found, client).await?;
    network_acl::read_contents(found, client).await?;
    // Every kind's user tags at once, by the AWS ids just read.
    tags::read_user_tags(found, client).await?;
    Ok(inventory)
}

/// One `DryRun=true` call standing for a kind's create or delete. Placeholder ids are enough:
/// EC2 checks permissions before parameters.
async fn dry_run_call(client: &Client, kind: ResourceKind, deleting: bool) -> Result<(), AwsError> {
    use ResourceKind as K;
    match kind {
        K::Vpc => vpc::dry_run(client, deleting).await,
        K::CustomerGateway => customer_gateway::dry_run(client, deleting).await,
        K::PlacementGroup => placement_group::dry_run(client, deleting).await,
        K::Subnet => subnet::dry_run(client, deleting).await,
        K::NetworkInterface => network_interface::dry_run(client, deleting).await,
        K::InternetGateway => internet_gateway::dry_run(client, deleting).await,
        K::VpnGateway => vpn_gateway::dry_run(client, deleting).await,
        K::SecurityGroup => security_group::dry_run(client, deleting).await,
        K::RouteTable => route_table::dry_run(client, deleting).await,
        K::NetworkAcl => network_acl::dry_run(client, deleting).await,
        K::NetworkAclEntry => network_acl::dry_run_entry(client, deleting).await,
        K::NetworkAclAssociation => network_acl::dry_run_association(client).await,
        K::ElasticIp => nat_gateway::dry_run_address(client, deleting).await,
        K::NatGateway => nat_gateway::dry_run(client, deleting).await,
        K::VpnConnection => vpn_connection::dry_run(client, deleting).await,
        K::GatewayEndpoint | K::InterfaceEndpoint => endpoint::dry_run(client, deleting).await,
        K::SecurityGroupRule => security_group::dry_run_rule(client, deleting).await,
        K::Route => route_table::dry_run_route(client, deleting).await,
        K::RouteTableAssociation => route_table::dry_run_association(client, deleting).await,
        K::Instance => instance::dry_run(client, deleting).await,
        K::FlowLog => flow_log::dry_run(client, deleting).await,
        K::DhcpOptions => dhcp_options::dry_run(client, deleting).await,
        K::DhcpOptionsAssociation => dhcp_options::dry_run_association(client).await,
        K::VpcCidrBlock => vpc_cidr_block::dry_run(client, deleting).await,
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    use super::*;
    use crate::aws::NetworkApi;

    /// A local endpoint that answers every request with `status`, `content_type` and `body`;
    /// its URL, and how many requests it has answered.
    async fn answering(
        status: &'static str,
        content_type: &'static str,
        body: &'static str,
    ) -> (String, Arc<AtomicUsize>) {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let requests = Arc::new(AtomicUsize::new(0));
        let counted = requests.clone();
        tokio::spawn(async move {
            while let Ok((mut socket, _)) = listener.accept().await {
                let counted = counted.clone();
                tokio::spawn(async move {
                    let mut buffer = vec![0u8; 65_536];
                    let _ = socket.read(&mut buffer).await;
                    counted.fetch_add(1, Ordering::SeqCst);
                    let answer = format!(
                        "HTTP/1.1 {status}\r\ncontent-type: {content_type}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                        body.len()
                    );
                    let _ = socket.write_all(answer.as_bytes()).await;
                });
            }
        });
        (url, requests)
    }

    /// r14: an endpoint that answers 500 with no EC2 error (what an emulator says for a call it
    /// lacks) fails the call at once, in one line, instead of being retried for a minute.
    #[tokio::test]
    async fn an_answer_that_is_not_ec2s_is_not_retried_and_says_what_it_is() {
        let (url, requests) = answering(
            "500 Internal Server Error",
            "text/html",
            "<html><body>Not implemented</body></html>",
        )
        .await;
        let network = Ec2Network::for_endpoint(&url).await;
        let error = network
            .inventory("us-east-1", "d-1")
            .await
            .expect_err("a 500 that is not EC2's");
        assert!(!error.is_transient(), "{error}");
        let shown = error.to_string();
        assert!(shown.contains("HTTP 500"), "{shown}");
        assert!(shown.contains("may not implement"), "{shown}");
        assert!(!shown.contains("ServiceError"), "no Debug dump: {shown}");
        assert_eq!(shown.lines().count(), 1, "{shown}");
        // The inventory reads each kind once (in parallel); a retried read would ask again
        // and again with backoff (the old behaviour: 70–90 s of retries).
        let asked = requests.load(Ordering::SeqCst);
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        assert_eq!(
            requests.load(Ordering::SeqCst),
            asked,
            "nothing retries afterwards"
        );
        assert!(asked <= 40, "{asked} requests");
    }

    /// A refusal reaches a person as one line: the operation, the HTTP status, AWS's code and
    /// message, the request id and a hint, never the SDK's Debug text.
    #[tokio::test]
    async fn a_refusal_is_one_line_with_status_code_request_id_and_hint() {
        let (url, _) = answering(
            "403 Forbidden",
            "text/xml;charset=UTF-8",
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Response><Errors><Error><Code>UnauthorizedOperation</Code><Message>You are not authorized\nto perform this operation.</Message></Error></Errors><RequestID>7a62c49f-347e-4fc4-9331-6e8eEXAMPLE</RequestID></Response>",
        )
        .await;
        let network = Ec2Network::for_endpoint(&url).await;
        let error = network
            .inventory("us-east-1", "d-1")
            .await
            .expect_err("a refusal");
        let shown = error.to_string();
        assert_eq!(shown.lines().count(), 1, "{shown}");
        assert!(shown.starts_with("AWS refused Describe"), "{shown}");
        assert!(
            shown.contains("(HTTP 403): UnauthorizedOperation: You are not authorized to perform"),
            "{shown}"
        );
        assert!(
            shown.contains("[request id 7a62c49f-347e-4fc4-9331-6e8eEXAMPLE]"),
            "{shown}"
        );
        // The endpoint that answered, so a person knows which account or emulator said no.
        assert!(
            shown.contains(&format!(
                "[request id 7a62c49f-347e-4fc4-9331-6e8eEXAMPLE] at {url}"
            )),
            "{shown}"
        );
        assert!(
            shown.contains(
                "hint: the server's credentials may not make this call: `moat iam-policy"
            ),
            "{shown}"
        );
        assert!(
            !shown.contains("ServiceError") && !shown.contains("Unhandled"),
            "{shown}"
        );
    }
}
