//! [`NetworkApi`] through aws-sdk-ec2: one function per resource kind to create, update and
//! delete it, the waiters for resources that take minutes, and the inventory that reads back
//! everything tagged with a design in the planner's terms (references as logical ids).
//!
//! The SDK's own retries are off: the applier retries every call with its own policy, so one
//! place decides what is retried and how often (and the fault tests see every attempt).

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use aws_sdk_ec2::Client;
use aws_sdk_ec2::config::Region;
use aws_sdk_ec2::types::{
    AttributeBooleanValue, DomainType, Filter, FlowLogsResourceType, GatewayType, HttpTokensState,
    InstanceMetadataEndpointState, InstanceMetadataOptionsRequest,
    InstanceNetworkInterfaceSpecification, InstanceType, IpPermission, IpRange, LogDestinationType,
    Placement, PlacementStrategy, PortRange, PrefixListId, ResourceType, RuleAction, Tag,
    TagSpecification, TrafficType, UnsuccessfulItem, UserIdGroupPair, VpcEndpointType,
    VpnConnectionOptionsSpecification,
};
use shared::model::RouteTarget;

use super::sdk::{route_target_id, service_error};
use shared::plan::{
    ObservedResource, ResourceKey, ResourceKind, ResourceSpec, RulePeer, security_group_rule_id,
};

use super::{
    AwsError, BoxFuture, Deleted, DryRunOutcome, NetworkApi, OwnershipTags, ResolvedIds,
    TAG_DEPLOYMENT_ID, TAG_DESIGN_ID, TAG_LOGICAL_ID,
};

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
        let sdk_config = aws_config::defaults(aws_config::BehaviorVersion::latest())
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
                    operation,
                    detail: format!("still not ready after {:?}", self.wait_limit),
                });
            }
            tokio::time::sleep(self.poll_interval).await;
        }
    }
}

fn resource_type(kind: ResourceKind) -> ResourceType {
    ResourceType::from(kind.facts().ec2_resource_type)
}

fn tag_pairs(tags: &OwnershipTags) -> Vec<Tag> {
    [
        ("Name", tags.name.as_str()),
        (TAG_DESIGN_ID, tags.design_id.as_str()),
        (TAG_LOGICAL_ID, tags.logical_id.as_str()),
        (TAG_DEPLOYMENT_ID, tags.deployment_id.as_str()),
    ]
    .iter()
    .map(|(key, value)| Tag::builder().key(*key).value(*value).build())
    .collect()
}

fn tag_specification(kind: ResourceKind, tags: &OwnershipTags) -> TagSpecification {
    TagSpecification::builder()
        .resource_type(resource_type(kind))
        .set_tags(Some(tag_pairs(tags)))
        .build()
}

/// A client token derived from the owner: the same create asked twice is one create on AWS.
fn client_token(tags: &OwnershipTags) -> String {
    let digest = crate::digest::document_hash(&format!(
        "{}/{}/{}",
        tags.design_id, tags.deployment_id, tags.logical_id
    ));
    digest.chars().take(64).collect()
}

fn flag(value: bool) -> AttributeBooleanValue {
    AttributeBooleanValue::builder().value(value).build()
}

fn missing(operation: &'static str, what: &'static str) -> AwsError {
    AwsError::IncompleteAnswer {
        operation,
        missing: what,
    }
}

/// Whether an error says the thing asked for already exists (a retried create that had
/// worked).
fn already_exists(error: &AwsError) -> bool {
    matches!(
        error.code(),
        Some(
            "RouteAlreadyExists"
                | "InvalidPermission.Duplicate"
                | "NetworkAclEntryAlreadyExists"
                | "Resource.AlreadyAssociated"
                | "InvalidGroup.Duplicate"
        )
    )
}

/// Whether an error says the thing to delete is already gone.
fn already_gone(error: &AwsError) -> bool {
    error.is_not_found()
        || matches!(
            error.code(),
            Some("InvalidPermission.NotFound" | "InvalidAssociationID.NotFound")
        )
}

fn permission(
    protocol: &str,
    from_port: i32,
    to_port: i32,
    peer: &RulePeer,
    peer_group_id: Option<&str>,
) -> IpPermission {
    let mut builder = IpPermission::builder().ip_protocol(protocol);
    if protocol != "-1" {
        builder = builder.from_port(from_port).to_port(to_port);
    }
    match peer {
        RulePeer::Cidr(cidr) => builder
            .ip_ranges(IpRange::builder().cidr_ip(cidr).build())
            .build(),
        RulePeer::SecurityGroup(_) => builder
            .user_id_group_pairs(
                UserIdGroupPair::builder()
                    .group_id(peer_group_id.unwrap_or_default())
                    .build(),
            )
            .build(),
        RulePeer::PrefixList(list) => builder
            .prefix_list_ids(PrefixListId::builder().prefix_list_id(list).build())
            .build(),
    }
}

/// Retries a read call on throttling, server errors and lost answers (reads are safe to
/// repeat), with jittered exponential backoff: the inventory makes many of them and one
/// throttled call must not fail the whole read.
async fn with_retries<T, F, Fut>(mut call: F) -> Result<T, AwsError>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, AwsError>>,
{
    let mut attempt: u32 = 0;
    loop {
        attempt += 1;
        match call().await {
            Err(error) if error.is_transient() && attempt < 10 => {
                let ceiling = Duration::from_millis(20)
                    .saturating_mul(2u32.saturating_pow(attempt))
                    .min(Duration::from_secs(2));
                tokio::time::sleep(ceiling.mul_f64(super::jitter())).await;
            }
            other => return other,
        }
    }
}

/// Instances Moat launches accept only IMDSv2 (session tokens) on their metadata endpoint; two
/// hops, so a training job in a container on the instance still reaches it.
fn imdsv2_required() -> InstanceMetadataOptionsRequest {
    InstanceMetadataOptionsRequest::builder()
        .http_endpoint(InstanceMetadataEndpointState::Enabled)
        .http_tokens(HttpTokensState::Required)
        .http_put_response_hop_limit(shared::plan::INSTANCE_METADATA_HOP_LIMIT)
        .build()
}

/// CreateFlowLogs and DeleteFlowLogs answer a resource they could not handle with an
/// "unsuccessful" item rather than an error: it becomes the error it stands for.
fn unsuccessful(operation: &'static str, items: &[UnsuccessfulItem]) -> Option<AwsError> {
    let item = items.first()?;
    let error = item.error();
    Some(AwsError::Service {
        operation,
        code: error
            .and_then(|e| e.code())
            .unwrap_or("Unsuccessful")
            .to_string(),
        message: format!(
            "{}: {}",
            item.resource_id().unwrap_or_default(),
            error.and_then(|e| e.message()).unwrap_or_default()
        ),
    })
}

impl Ec2Network {
    async fn create_one(
        &self,
        client: &Client,
        spec: &ResourceSpec,
        ids: &ResolvedIds,
        tags: &OwnershipTags,
        existing: Option<String>,
    ) -> Result<String, AwsError> {
        use ResourceKind as K;
        // Found by its tags on a retry, and nothing else to do for it.
        if let Some(id) = &existing
            && matches!(
                spec.kind(),
                K::CustomerGateway
                    | K::PlacementGroup
                    | K::NetworkAcl
                    | K::ElasticIp
                    | K::GatewayEndpoint
                    | K::Instance
                    | K::FlowLog
            )
        {
            return Ok(id.clone());
        }
        match spec {
            ResourceSpec::Vpc {
                cidr_block,
                dns_support,
                dns_hostnames,
                ..
            } => {
                let vpc_id = match existing {
                    Some(id) => id,
                    None => client
                        .create_vpc()
                        .cidr_block(cidr_block)
                        .tag_specifications(tag_specification(K::Vpc, tags))
                        .send()
                        .await
                        .map_err(|e| service_error("CreateVpc", e))?
                        .vpc()
                        .and_then(|v| v.vpc_id())
                        .ok_or(missing("CreateVpc", "a VPC id"))?
                        .to_string(),
                };
                self.set_vpc_dns(client, &vpc_id, *dns_support, *dns_hostnames)
                    .await?;
                Ok(vpc_id)
            }
            ResourceSpec::CustomerGateway {
                ip_address,
                bgp_asn,
            } => {
                let created = client
                    .create_customer_gateway()
                    .r#type(GatewayType::Ipsec1)
                    .ip_address(ip_address)
                    .bgp_asn(i32::try_from(*bgp_asn).unwrap_or(i32::MAX))
                    .tag_specifications(tag_specification(K::CustomerGateway, tags))
                    .send()
                    .await
                    .map_err(|e| service_error("CreateCustomerGateway", e))?;
                Ok(created
                    .customer_gateway()
                    .and_then(|g| g.customer_gateway_id())
                    .ok_or(missing("CreateCustomerGateway", "a gateway id"))?
                    .to_string())
            }
            ResourceSpec::PlacementGroup { strategy } => {
                let name = placement_group_name(tags);
                let created = client
                    .create_placement_group()
                    .group_name(&name)
                    .strategy(PlacementStrategy::from(strategy.as_str()))
                    .tag_specifications(tag_specification(K::PlacementGroup, tags))
                    .send()
                    .await
                    .map_err(|e| service_error("CreatePlacementGroup", e));
                match created {
                    Err(error) if error.code() == Some("InvalidPlacementGroup.Duplicate") => {}
                    other => {
                        other?;
                    }
                }
                Ok(name)
            }
            ResourceSpec::Subnet {
                vpc,
                cidr_block,
                availability_zone,
                map_public_ip,
            } => {
                let subnet_id = match existing {
                    Some(id) => id,
                    None => client
                        .create_subnet()
                        .vpc_id(ids.get(K::Vpc, vpc)?)
                        .cidr_block(cidr_block)
                        .availability_zone(availability_zone)
                        .tag_specifications(tag_specification(K::Subnet, tags))
                        .send()
                        .await
                        .map_err(|e| service_error("CreateSubnet", e))?
                        .subnet()
                        .and_then(|s| s.subnet_id())
                        .ok_or(missing("CreateSubnet", "a subnet id"))?
                        .to_string(),
                };
                if *map_public_ip {
                    self.set_map_public_ip(client, &subnet_id, true).await?;
                }
                Ok(subnet_id)
            }
            ResourceSpec::InternetGateway { vpc } => {
                let gateway_id = match existing {
                    Some(existing) => existing,
                    None => client
                        .create_internet_gateway()
                        .tag_specifications(tag_specification(K::InternetGateway, tags))
                        .send()
                        .await
                        .map_err(|e| service_error("CreateInternetGateway", e))?
                        .internet_gateway()
                        .and_then(|g| g.internet_gateway_id())
                        .ok_or(missing("CreateInternetGateway", "a gateway id"))?
                        .to_string(),
                };
                let attached = client
                    .attach_internet_gateway()
                    .internet_gateway_id(&gateway_id)
                    .vpc_id(ids.get(K::Vpc, vpc)?)
                    .send()
                    .await
                    .map_err(|e| service_error("AttachInternetGateway", e));
                match attached {
                    Err(error) if error.code() == Some("Resource.AlreadyAssociated") => {}
                    other => {
                        other?;
                    }
                }
                Ok(gateway_id)
            }
            ResourceSpec::VpnGateway {
                vpc,
                amazon_side_asn,
            } => {
                let gateway_id = match existing {
                    Some(existing) => existing,
                    None => client
                        .create_vpn_gateway()
                        .r#type(GatewayType::Ipsec1)
                        .amazon_side_asn(i64::from(*amazon_side_asn))
                        .tag_specifications(tag_specification(K::VpnGateway, tags))
                        .send()
                        .await
                        .map_err(|e| service_error("CreateVpnGateway", e))?
                        .vpn_gateway()
                        .and_then(|g| g.vpn_gateway_id())
                        .ok_or(missing("CreateVpnGateway", "a gateway id"))?
                        .to_string(),
                };
                let attached = client
                    .attach_vpn_gateway()
                    .vpn_gateway_id(&gateway_id)
                    .vpc_id(ids.get(K::Vpc, vpc)?)
                    .send()
                    .await
                    .map_err(|e| service_error("AttachVpnGateway", e));
                match attached {
                    Err(error)
                        if matches!(
                            error.code(),
                            Some(
                                "Resource.AlreadyAssociated" | "VpnGatewayAttachmentLimitExceeded"
                            )
                        ) => {}
                    other => {
                        other?;
                    }
                }
                Ok(gateway_id)
            }
            ResourceSpec::SecurityGroup {
                vpc,
                name,
                description,
            } => {
                let group_id = match existing {
                    Some(id) => id,
                    None => client
                        .create_security_group()
                        .group_name(name)
                        .description(description)
                        .vpc_id(ids.get(K::Vpc, vpc)?)
                        .tag_specifications(tag_specification(K::SecurityGroup, tags))
                        .send()
                        .await
                        .map_err(|e| service_error("CreateSecurityGroup", e))?
                        .group_id()
                        .ok_or(missing("CreateSecurityGroup", "a group id"))?
                        .to_string(),
                };
                // A new group allows all egress; the design's egress rules are its own steps
                // (as Terraform does), so the default rule goes.
                let revoked = client
                    .revoke_security_group_egress()
                    .group_id(&group_id)
                    .ip_permissions(
                        IpPermission::builder()
                            .ip_protocol("-1")
                            .ip_ranges(IpRange::builder().cidr_ip("0.0.0.0/0").build())
                            .build(),
                    )
                    .send()
                    .await
                    .map_err(|e| service_error("RevokeSecurityGroupEgress", e));
                match revoked {
                    Err(error) if already_gone(&error) => {}
                    other => {
                        other?;
                    }
                }
                Ok(group_id)
            }
            ResourceSpec::RouteTable { vpc, main } => {
                let vpc_id = ids.get(K::Vpc, vpc)?;
                if *main {
                    // The VPC's own main table, adopted: tagged as the design's.
                    let table_id = self.main_route_table(client, vpc_id).await?;
                    client
                        .create_tags()
                        .resources(&table_id)
                        .set_tags(Some(tag_pairs(tags)))
                        .send()
                        .await
                        .map_err(|e| service_error("CreateTags", e))?;
                    return Ok(table_id);
                }
                if let Some(id) = existing {
                    return Ok(id);
                }
                Ok(client
                    .create_route_table()
                    .vpc_id(vpc_id)
                    .tag_specifications(tag_specification(K::RouteTable, tags))
                    .send()
                    .await
                    .map_err(|e| service_error("CreateRouteTable", e))?
                    .route_table()
                    .and_then(|t| t.route_table_id())
                    .ok_or(missing("CreateRouteTable", "a table id"))?
                    .to_string())
            }
            ResourceSpec::NetworkAcl { vpc } => Ok(client
                .create_network_acl()
                .vpc_id(ids.get(K::Vpc, vpc)?)
                .tag_specifications(tag_specification(K::NetworkAcl, tags))
                .send()
                .await
                .map_err(|e| service_error("CreateNetworkAcl", e))?
                .network_acl()
                .and_then(|a| a.network_acl_id())
                .ok_or(missing("CreateNetworkAcl", "an ACL id"))?
                .to_string()),
            ResourceSpec::NetworkAclEntry {
                network_acl,
                rule_number,
                egress,
                ..
            } => {
                let acl_id = ids.get(K::NetworkAcl, network_acl)?;
                let created = self.put_acl_entry(client, acl_id, spec, false).await;
                match created {
                    Err(error) if already_exists(&error) => {
                        self.put_acl_entry(client, acl_id, spec, true).await?;
                    }
                    other => other?,
                }
                Ok(format!("{acl_id}:{}:{rule_number}", egress_word(*egress)))
            }
            ResourceSpec::NetworkAclAssociation {
                network_acl,
                subnet,
            } => {
                let subnet_id = ids.get(K::Subnet, subnet)?;
                let (association_id, _) = self.acl_association_of(client, subnet_id).await?;
                Ok(client
                    .replace_network_acl_association()
                    .association_id(association_id)
                    .network_acl_id(ids.get(K::NetworkAcl, network_acl)?)
                    .send()
                    .await
                    .map_err(|e| service_error("ReplaceNetworkAclAssociation", e))?
                    .new_association_id()
                    .ok_or(missing("ReplaceNetworkAclAssociation", "an association id"))?
                    .to_string())
            }
            ResourceSpec::ElasticIp => Ok(client
                .allocate_address()
                .domain(DomainType::Vpc)
                .tag_specifications(tag_specification(K::ElasticIp, tags))
                .send()
                .await
                .map_err(|e| service_error("AllocateAddress", e))?
                .allocation_id()
                .ok_or(missing("AllocateAddress", "an allocation id"))?
                .to_string()),
            ResourceSpec::NatGateway { subnet, elastic_ip } => {
                let nat_id = match existing {
                    Some(id) => id,
                    None => client
                        .create_nat_gateway()
                        .subnet_id(ids.get(K::Subnet, subnet)?)
                        .allocation_id(ids.get(K::ElasticIp, elastic_ip)?)
                        .client_token(client_token(tags))
                        .tag_specifications(tag_specification(K::NatGateway, tags))
                        .send()
                        .await
                        .map_err(|e| service_error("CreateNatGateway", e))?
                        .nat_gateway()
                        .and_then(|n| n.nat_gateway_id())
                        .ok_or(missing("CreateNatGateway", "a NAT gateway id"))?
                        .to_string(),
                };
                self.wait_nat(client, &nat_id, "available").await?;
                Ok(nat_id)
            }
            ResourceSpec::VpnConnection {
                vpn_gateway,
                customer_gateway,
                static_routes_only,
                static_routes,
            } => {
                let connection_id = match existing {
                    Some(existing) => existing,
                    None => client
                        .create_vpn_connection()
                        .r#type("ipsec.1")
                        .vpn_gateway_id(ids.get(K::VpnGateway, vpn_gateway)?)
                        .customer_gateway_id(ids.get(K::CustomerGateway, customer_gateway)?)
                        .options(
                            VpnConnectionOptionsSpecification::builder()
                                .static_routes_only(*static_routes_only)
                                .build(),
                        )
                        .tag_specifications(tag_specification(K::VpnConnection, tags))
                        .send()
                        .await
                        .map_err(|e| service_error("CreateVpnConnection", e))?
                        .vpn_connection()
                        .and_then(|c| c.vpn_connection_id())
                        .ok_or(missing("CreateVpnConnection", "a connection id"))?
                        .to_string(),
                };
                if *static_routes_only {
                    for destination in static_routes {
                        let added = client
                            .create_vpn_connection_route()
                            .vpn_connection_id(&connection_id)
                            .destination_cidr_block(destination)
                            .send()
                            .await
                            .map_err(|e| service_error("CreateVpnConnectionRoute", e));
                        match added {
                            Err(error) if already_exists(&error) => {}
                            other => {
                                other?;
                            }
                        }
                    }
                }
                Ok(connection_id)
            }
            ResourceSpec::GatewayEndpoint {
                vpc,
                service_name,
                route_tables,
            } => {
                let table_ids = route_tables
                    .iter()
                    .map(|t| ids.get(K::RouteTable, t).map(str::to_string))
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(client
                    .create_vpc_endpoint()
                    .vpc_endpoint_type(VpcEndpointType::Gateway)
                    .vpc_id(ids.get(K::Vpc, vpc)?)
                    .service_name(service_name)
                    .set_route_table_ids(Some(table_ids))
                    .client_token(client_token(tags))
                    .tag_specifications(tag_specification(K::GatewayEndpoint, tags))
                    .send()
                    .await
                    .map_err(|e| service_error("CreateVpcEndpoint", e))?
                    .vpc_endpoint()
                    .and_then(|e| e.vpc_endpoint_id())
                    .ok_or(missing("CreateVpcEndpoint", "an endpoint id"))?
                    .to_string())
            }
            ResourceSpec::InterfaceEndpoint {
                vpc,
                service_name,
                subnets,
                security_groups,
                private_dns,
            } => {
                let subnet_ids = subnets
                    .iter()
                    .map(|s| ids.get(K::Subnet, s).map(str::to_string))
                    .collect::<Result<Vec<_>, _>>()?;
                let group_ids = security_groups
                    .iter()
                    .map(|g| ids.get(K::SecurityGroup, g).map(str::to_string))
                    .collect::<Result<Vec<_>, _>>()?;
                let endpoint_id = match existing {
                    Some(id) => id,
                    None => client
                        .create_vpc_endpoint()
                        .vpc_endpoint_type(VpcEndpointType::Interface)
                        .vpc_id(ids.get(K::Vpc, vpc)?)
                        .service_name(service_name)
                        .set_subnet_ids(Some(subnet_ids))
                        .set_security_group_ids(Some(group_ids))
                        .private_dns_enabled(*private_dns)
                        .client_token(client_token(tags))
                        .tag_specifications(tag_specification(K::InterfaceEndpoint, tags))
                        .send()
                        .await
                        .map_err(|e| service_error("CreateVpcEndpoint", e))?
                        .vpc_endpoint()
                        .and_then(|e| e.vpc_endpoint_id())
                        .ok_or(missing("CreateVpcEndpoint", "an endpoint id"))?
                        .to_string(),
                };
                self.wait_endpoint(client, &endpoint_id, false).await?;
                Ok(endpoint_id)
            }
            ResourceSpec::SecurityGroupRule {
                security_group,
                egress,
                protocol,
                from_port,
                to_port,
                peer,
            } => {
                let group_id = ids.get(K::SecurityGroup, security_group)?;
                let peer_group_id = match peer {
                    RulePeer::SecurityGroup(peer_group) => {
                        Some(ids.get(K::SecurityGroup, peer_group)?)
                    }
                    _ => None,
                };
                let permission = permission(protocol, *from_port, *to_port, peer, peer_group_id);
                let authorized = if *egress {
                    client
                        .authorize_security_group_egress()
                        .group_id(group_id)
                        .ip_permissions(permission)
                        .send()
                        .await
                        .map(|_| ())
                        .map_err(|e| service_error("AuthorizeSecurityGroupEgress", e))
                } else {
                    client
                        .authorize_security_group_ingress()
                        .group_id(group_id)
                        .ip_permissions(permission)
                        .send()
                        .await
                        .map(|_| ())
                        .map_err(|e| service_error("AuthorizeSecurityGroupIngress", e))
                };
                match authorized {
                    Err(error) if already_exists(&error) => {}
                    other => other?,
                }
                Ok(format!("{group_id}:{}", tags.logical_id))
            }
            ResourceSpec::Route {
                route_table,
                destination,
                target,
            } => {
                let table_id = ids.get(K::RouteTable, route_table)?;
                let target_id = ids.get(target.kind, &target.logical_id)?;
                let created = self
                    .put_route(client, table_id, destination, target, target_id, false)
                    .await;
                match created {
                    Err(error) if already_exists(&error) => {
                        self.put_route(client, table_id, destination, target, target_id, true)
                            .await?;
                    }
                    other => other?,
                }
                Ok(format!("{table_id}:{destination}"))
            }
            ResourceSpec::RouteTableAssociation {
                route_table,
                subnet,
            } => {
                let table_id = ids.get(K::RouteTable, route_table)?;
                let subnet_id = ids.get(K::Subnet, subnet)?;
                let associated = client
                    .associate_route_table()
                    .route_table_id(table_id)
                    .subnet_id(subnet_id)
                    .send()
                    .await
                    .map_err(|e| service_error("AssociateRouteTable", e));
                match associated {
                    Ok(answer) => Ok(answer
                        .association_id()
                        .ok_or(missing("AssociateRouteTable", "an association id"))?
                        .to_string()),
                    Err(error) if already_exists(&error) => {
                        // Already associated (a retried call, or to another table): point
                        // the subnet's association at this table.
                        let existing = self.route_table_association_of(client, subnet_id).await?;
                        match existing {
                            Some((association_id, current)) if current == table_id => {
                                Ok(association_id)
                            }
                            Some((association_id, _)) => {
                                self.replace_route_association(client, &association_id, table_id)
                                    .await
                            }
                            None => Err(error),
                        }
                    }
                    Err(error) => Err(error),
                }
            }
            ResourceSpec::Instance {
                subnet,
                security_groups,
                placement_group,
                instance_type,
                image_id,
                efa,
            } => {
                let group_ids = security_groups
                    .iter()
                    .map(|g| ids.get(K::SecurityGroup, g).map(str::to_string))
                    .collect::<Result<Vec<_>, _>>()?;
                let mut interface = InstanceNetworkInterfaceSpecification::builder()
                    .device_index(0)
                    .subnet_id(ids.get(K::Subnet, subnet)?)
                    .set_groups(Some(group_ids));
                if *efa {
                    interface = interface.interface_type("efa");
                }
                let mut request = client
                    .run_instances()
                    .image_id(image_id)
                    .instance_type(InstanceType::from(instance_type.as_str()))
                    .min_count(1)
                    .max_count(1)
                    .client_token(client_token(tags))
                    .network_interfaces(interface.build())
                    .metadata_options(imdsv2_required())
                    .tag_specifications(tag_specification(K::Instance, tags));
                if let Some(group) = placement_group {
                    request = request.placement(
                        Placement::builder()
                            .group_name(ids.get(K::PlacementGroup, group)?)
                            .build(),
                    );
                }
                let answer = request
                    .send()
                    .await
                    .map_err(|e| service_error("RunInstances", e))?;
                Ok(answer
                    .instances()
                    .first()
                    .and_then(|i| i.instance_id())
                    .ok_or(missing("RunInstances", "an instance id"))?
                    .to_string())
            }
            ResourceSpec::FlowLog {
                vpc,
                destination,
                destination_type,
                traffic_type,
                delivery_role_arn,
                max_aggregation_interval,
            } => {
                let answer = client
                    .create_flow_logs()
                    .resource_type(FlowLogsResourceType::Vpc)
                    .resource_ids(ids.get(K::Vpc, vpc)?)
                    .traffic_type(TrafficType::from(traffic_type.as_str()))
                    .log_destination_type(LogDestinationType::from(destination_type.as_str()))
                    .log_destination(destination)
                    .set_deliver_logs_permission_arn(delivery_role_arn.clone())
                    .max_aggregation_interval(
                        i32::try_from(*max_aggregation_interval).unwrap_or(600),
                    )
                    .client_token(client_token(tags))
                    .tag_specifications(tag_specification(K::FlowLog, tags))
                    .send()
                    .await
                    .map_err(|e| service_error("CreateFlowLogs", e))?;
                if let Some(error) = unsuccessful("CreateFlowLogs", answer.unsuccessful()) {
                    return Err(error);
                }
                Ok(answer
                    .flow_log_ids()
                    .first()
                    .ok_or(missing("CreateFlowLogs", "a flow log id"))?
                    .clone())
            }
        }
    }

    async fn set_vpc_dns(
        &self,
        client: &Client,
        vpc_id: &str,
        dns_support: bool,
        dns_hostnames: bool,
    ) -> Result<(), AwsError> {
        // EC2 takes one attribute per ModifyVpcAttribute call.
        client
            .modify_vpc_attribute()
            .vpc_id(vpc_id)
            .enable_dns_support(flag(dns_support))
            .send()
            .await
            .map_err(|e| service_error("ModifyVpcAttribute", e))?;
        client
            .modify_vpc_attribute()
            .vpc_id(vpc_id)
            .enable_dns_hostnames(flag(dns_hostnames))
            .send()
            .await
            .map_err(|e| service_error("ModifyVpcAttribute", e))?;
        Ok(())
    }

    async fn set_map_public_ip(
        &self,
        client: &Client,
        subnet_id: &str,
        value: bool,
    ) -> Result<(), AwsError> {
        client
            .modify_subnet_attribute()
            .subnet_id(subnet_id)
            .map_public_ip_on_launch(flag(value))
            .send()
            .await
            .map_err(|e| service_error("ModifySubnetAttribute", e))?;
        Ok(())
    }

    async fn put_acl_entry(
        &self,
        client: &Client,
        acl_id: &str,
        spec: &ResourceSpec,
        replace: bool,
    ) -> Result<(), AwsError> {
        let ResourceSpec::NetworkAclEntry {
            rule_number,
            egress,
            protocol,
            from_port,
            to_port,
            cidr,
            allow,
            ..
        } = spec
        else {
            return Ok(());
        };
        let action = if *allow {
            RuleAction::Allow
        } else {
            RuleAction::Deny
        };
        let rule_number = i32::try_from(*rule_number).unwrap_or(i32::MAX);
        let ports = PortRange::builder().from(*from_port).to(*to_port).build();
        if replace {
            client
                .replace_network_acl_entry()
                .network_acl_id(acl_id)
                .rule_number(rule_number)
                .egress(*egress)
                .protocol(protocol)
                .rule_action(action)
                .cidr_block(cidr)
                .port_range(ports)
                .send()
                .await
                .map_err(|e| service_error("ReplaceNetworkAclEntry", e))?;
        } else {
            client
                .create_network_acl_entry()
                .network_acl_id(acl_id)
                .rule_number(rule_number)
                .egress(*egress)
                .protocol(protocol)
                .rule_action(action)
                .cidr_block(cidr)
                .port_range(ports)
                .send()
                .await
                .map_err(|e| service_error("CreateNetworkAclEntry", e))?;
        }
        Ok(())
    }

    async fn put_route(
        &self,
        client: &Client,
        table_id: &str,
        destination: &str,
        target: &ResourceKey,
        target_id: &str,
        replace: bool,
    ) -> Result<(), AwsError> {
        // The planner builds routes to route targets only.
        let via = shared::plan::route_target_of(target.kind).ok_or_else(|| {
            AwsError::NotARouteTarget {
                reference: target.to_string(),
            }
        })?;
        if replace {
            let call = client
                .replace_route()
                .route_table_id(table_id)
                .destination_cidr_block(destination);
            let call = match via {
                RouteTarget::InternetGateway | RouteTarget::VpnGateway => {
                    call.gateway_id(target_id)
                }
                RouteTarget::NatGateway => call.nat_gateway_id(target_id),
                RouteTarget::NetworkInterface => call.network_interface_id(target_id),
            };
            call.send()
                .await
                .map_err(|e| service_error("ReplaceRoute", e))?;
        } else {
            let call = client
                .create_route()
                .route_table_id(table_id)
                .destination_cidr_block(destination);
            let call = match via {
                RouteTarget::InternetGateway | RouteTarget::VpnGateway => {
                    call.gateway_id(target_id)
                }
                RouteTarget::NatGateway => call.nat_gateway_id(target_id),
                RouteTarget::NetworkInterface => call.network_interface_id(target_id),
            };
            call.send()
                .await
                .map_err(|e| service_error("CreateRoute", e))?;
        }
        Ok(())
    }

    async fn main_route_table(&self, client: &Client, vpc_id: &str) -> Result<String, AwsError> {
        let tables = with_retries(|| async {
            client
                .describe_route_tables()
                .filters(Filter::builder().name("vpc-id").values(vpc_id).build())
                .send()
                .await
                .map_err(|e| service_error("DescribeRouteTables", e))
        })
        .await?;
        tables
            .route_tables()
            .iter()
            .find(|t| t.associations().iter().any(|a| a.main() == Some(true)))
            .and_then(|t| t.route_table_id())
            .map(str::to_string)
            .ok_or(missing("DescribeRouteTables", "the VPC's main route table"))
    }

    /// The subnet's route table association and its table, if it has one of its own.
    async fn route_table_association_of(
        &self,
        client: &Client,
        subnet_id: &str,
    ) -> Result<Option<(String, String)>, AwsError> {
        let tables = with_retries(|| async {
            client
                .describe_route_tables()
                .filters(
                    Filter::builder()
                        .name("association.subnet-id")
                        .values(subnet_id)
                        .build(),
                )
                .send()
                .await
                .map_err(|e| service_error("DescribeRouteTables", e))
        })
        .await?;
        Ok(tables.route_tables().iter().find_map(|table| {
            table
                .associations()
                .iter()
                .find(|a| a.subnet_id() == Some(subnet_id))
                .and_then(|a| a.route_table_association_id())
                .map(|a| {
                    (
                        a.to_string(),
                        table.route_table_id().unwrap_or_default().to_string(),
                    )
                })
        }))
    }

    async fn replace_route_association(
        &self,
        client: &Client,
        association_id: &str,
        table_id: &str,
    ) -> Result<String, AwsError> {
        Ok(client
            .replace_route_table_association()
            .association_id(association_id)
            .route_table_id(table_id)
            .send()
            .await
            .map_err(|e| service_error("ReplaceRouteTableAssociation", e))?
            .new_association_id()
            .ok_or(missing("ReplaceRouteTableAssociation", "an association id"))?
            .to_string())
    }

    /// The subnet's network ACL association (every subnet has one) and its ACL.
    async fn acl_association_of(
        &self,
        client: &Client,
        subnet_id: &str,
    ) -> Result<(String, String), AwsError> {
        let acls = with_retries(|| async {
            client
                .describe_network_acls()
                .filters(
                    Filter::builder()
                        .name("association.subnet-id")
                        .values(subnet_id)
                        .build(),
                )
                .send()
                .await
                .map_err(|e| service_error("DescribeNetworkAcls", e))
        })
        .await?;
        acls.network_acls()
            .iter()
            .find_map(|acl| {
                acl.associations()
                    .iter()
                    .find(|a| a.subnet_id() == Some(subnet_id))
                    .and_then(|a| a.network_acl_association_id())
                    .map(|a| {
                        (
                            a.to_string(),
                            acl.network_acl_id().unwrap_or_default().to_string(),
                        )
                    })
            })
            .ok_or(AwsError::Service {
                operation: "DescribeNetworkAcls",
                code: "InvalidAssociationID.NotFound".into(),
                message: format!("no network ACL association for {subnet_id} yet"),
            })
    }

    async fn wait_nat(&self, client: &Client, nat_id: &str, wanted: &str) -> Result<(), AwsError> {
        self.wait_for("DescribeNatGateways", || async {
            let answer = client
                .describe_nat_gateways()
                .nat_gateway_ids(nat_id)
                .send()
                .await
                .map_err(|e| service_error("DescribeNatGateways", e));
            let answer = match answer {
                Err(error) if error.is_not_found() && wanted == "deleted" => return Ok(Some(())),
                other => other?,
            };
            let state = answer
                .nat_gateways()
                .first()
                .and_then(|n| n.state())
                .map(|s| s.as_str().to_string());
            match state.as_deref() {
                None if wanted == "deleted" => Ok(Some(())),
                Some(state) if state == wanted => Ok(Some(())),
                Some("failed") if wanted == "available" => Err(AwsError::Service {
                    operation: "CreateNatGateway",
                    code: "NatGatewayFailed".into(),
                    message: format!("NAT gateway {nat_id} failed"),
                }),
                _ => Ok(None),
            }
        })
        .await
    }

    async fn wait_endpoint(
        &self,
        client: &Client,
        endpoint_id: &str,
        deleting: bool,
    ) -> Result<(), AwsError> {
        self.wait_for("DescribeVpcEndpoints", || async {
            let answer = client
                .describe_vpc_endpoints()
                .vpc_endpoint_ids(endpoint_id)
                .send()
                .await
                .map_err(|e| service_error("DescribeVpcEndpoints", e));
            let answer = match answer {
                Err(error) if error.is_not_found() && deleting => return Ok(Some(())),
                other => other?,
            };
            let state = answer
                .vpc_endpoints()
                .first()
                .and_then(|e| e.state())
                .map(|s| s.as_str().to_lowercase());
            Ok(match (state.as_deref(), deleting) {
                (None | Some("deleted"), true) => Some(()),
                (Some("available"), false) => Some(()),
                (Some("failed"), false) => {
                    return Err(AwsError::Service {
                        operation: "CreateVpcEndpoint",
                        code: "VpcEndpointFailed".into(),
                        message: format!("endpoint {endpoint_id} failed"),
                    });
                }
                _ => None,
            })
        })
        .await
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
        let inventory = Inventory::read(client, design_id, &[kind]).await?;
        Ok(inventory
            .observed
            .into_iter()
            .filter(|o| o.key.kind == kind)
            .map(|o| (o.key.logical_id, o.aws_id))
            .collect())
    }

    async fn delete_one(
        &self,
        client: &Client,
        kind: ResourceKind,
        aws_id: &str,
        observed: &BTreeMap<String, String>,
    ) -> Result<(), AwsError> {
        use ResourceKind as K;
        let hidden = |name: &str| observed.get(name).cloned().unwrap_or_default();
        match kind {
            K::Vpc => client
                .delete_vpc()
                .vpc_id(aws_id)
                .send()
                .await
                .map(|_| ())
                .map_err(|e| service_error("DeleteVpc", e)),
            K::CustomerGateway => client
                .delete_customer_gateway()
                .customer_gateway_id(aws_id)
                .send()
                .await
                .map(|_| ())
                .map_err(|e| service_error("DeleteCustomerGateway", e)),
            K::PlacementGroup => client
                .delete_placement_group()
                .group_name(aws_id)
                .send()
                .await
                .map(|_| ())
                .map_err(|e| service_error("DeletePlacementGroup", e)),
            K::Subnet => client
                .delete_subnet()
                .subnet_id(aws_id)
                .send()
                .await
                .map(|_| ())
                .map_err(|e| service_error("DeleteSubnet", e)),
            K::InternetGateway => {
                let vpc_id = hidden("_vpc_id");
                if !vpc_id.is_empty() {
                    let detached = client
                        .detach_internet_gateway()
                        .internet_gateway_id(aws_id)
                        .vpc_id(&vpc_id)
                        .send()
                        .await
                        .map_err(|e| service_error("DetachInternetGateway", e));
                    match detached {
                        Err(error)
                            if already_gone(&error)
                                || error.code() == Some("Gateway.NotAttached") => {}
                        other => {
                            other?;
                        }
                    }
                }
                client
                    .delete_internet_gateway()
                    .internet_gateway_id(aws_id)
                    .send()
                    .await
                    .map(|_| ())
                    .map_err(|e| service_error("DeleteInternetGateway", e))
            }
            K::VpnGateway => {
                let vpc_id = hidden("_vpc_id");
                if !vpc_id.is_empty() {
                    let detached = client
                        .detach_vpn_gateway()
                        .vpn_gateway_id(aws_id)
                        .vpc_id(&vpc_id)
                        .send()
                        .await
                        .map_err(|e| service_error("DetachVpnGateway", e));
                    match detached {
                        Err(error)
                            if already_gone(&error)
                                || error.code() == Some("InvalidVpnGatewayAttachment.NotFound") => {
                        }
                        other => {
                            other?;
                        }
                    }
                }
                client
                    .delete_vpn_gateway()
                    .vpn_gateway_id(aws_id)
                    .send()
                    .await
                    .map(|_| ())
                    .map_err(|e| service_error("DeleteVpnGateway", e))
            }
            K::SecurityGroup => client
                .delete_security_group()
                .group_id(aws_id)
                .send()
                .await
                .map(|_| ())
                .map_err(|e| service_error("DeleteSecurityGroup", e)),
            K::RouteTable => {
                if hidden("main") == "true" {
                    // The VPC's own main table goes with the VPC; it is only disowned.
                    client
                        .delete_tags()
                        .resources(aws_id)
                        .tags(Tag::builder().key(TAG_DESIGN_ID).build())
                        .tags(Tag::builder().key(TAG_LOGICAL_ID).build())
                        .tags(Tag::builder().key(TAG_DEPLOYMENT_ID).build())
                        .send()
                        .await
                        .map(|_| ())
                        .map_err(|e| service_error("DeleteTags", e))
                } else {
                    client
                        .delete_route_table()
                        .route_table_id(aws_id)
                        .send()
                        .await
                        .map(|_| ())
                        .map_err(|e| service_error("DeleteRouteTable", e))
                }
            }
            K::NetworkAcl => client
                .delete_network_acl()
                .network_acl_id(aws_id)
                .send()
                .await
                .map(|_| ())
                .map_err(|e| service_error("DeleteNetworkAcl", e)),
            K::NetworkAclEntry => client
                .delete_network_acl_entry()
                .network_acl_id(hidden("_acl_id"))
                .rule_number(hidden("_rule_number").parse().unwrap_or_default())
                .egress(hidden("_egress") == "true")
                .send()
                .await
                .map(|_| ())
                .map_err(|e| service_error("DeleteNetworkAclEntry", e)),
            K::NetworkAclAssociation => {
                // A subnet always has an ACL: it goes back to the VPC's default one.
                let default_acl = hidden("_default_acl_id");
                client
                    .replace_network_acl_association()
                    .association_id(aws_id)
                    .network_acl_id(default_acl)
                    .send()
                    .await
                    .map(|_| ())
                    .map_err(|e| service_error("ReplaceNetworkAclAssociation", e))
            }
            K::ElasticIp => client
                .release_address()
                .allocation_id(aws_id)
                .send()
                .await
                .map(|_| ())
                .map_err(|e| service_error("ReleaseAddress", e)),
            K::NatGateway => {
                client
                    .delete_nat_gateway()
                    .nat_gateway_id(aws_id)
                    .send()
                    .await
                    .map_err(|e| service_error("DeleteNatGateway", e))?;
                self.wait_nat(client, aws_id, "deleted").await
            }
            K::VpnConnection => client
                .delete_vpn_connection()
                .vpn_connection_id(aws_id)
                .send()
                .await
                .map(|_| ())
                .map_err(|e| service_error("DeleteVpnConnection", e)),
            K::GatewayEndpoint | K::InterfaceEndpoint => {
                client
                    .delete_vpc_endpoints()
                    .vpc_endpoint_ids(aws_id)
                    .send()
                    .await
                    .map_err(|e| service_error("DeleteVpcEndpoints", e))?;
                self.wait_endpoint(client, aws_id, true).await
            }
            K::SecurityGroupRule => {
                let peer = match hidden("_peer_type").as_str() {
                    "sg" => RulePeer::SecurityGroup(hidden("_peer")),
                    "pl" => RulePeer::PrefixList(hidden("_peer")),
                    _ => RulePeer::Cidr(hidden("_peer")),
                };
                let peer_group = match &peer {
                    RulePeer::SecurityGroup(group) => Some(group.as_str()),
                    _ => None,
                };
                let permission = permission(
                    &hidden("_protocol"),
                    hidden("_from_port").parse().unwrap_or(-1),
                    hidden("_to_port").parse().unwrap_or(-1),
                    &peer,
                    peer_group,
                );
                let group_id = hidden("_group_id");
                if hidden("_egress") == "true" {
                    client
                        .revoke_security_group_egress()
                        .group_id(group_id)
                        .ip_permissions(permission)
                        .send()
                        .await
                        .map(|_| ())
                        .map_err(|e| service_error("RevokeSecurityGroupEgress", e))
                } else {
                    client
                        .revoke_security_group_ingress()
                        .group_id(group_id)
                        .ip_permissions(permission)
                        .send()
                        .await
                        .map(|_| ())
                        .map_err(|e| service_error("RevokeSecurityGroupIngress", e))
                }
            }
            K::Route => client
                .delete_route()
                .route_table_id(hidden("_route_table_id"))
                .destination_cidr_block(hidden("_destination"))
                .send()
                .await
                .map(|_| ())
                .map_err(|e| service_error("DeleteRoute", e)),
            K::RouteTableAssociation => client
                .disassociate_route_table()
                .association_id(aws_id)
                .send()
                .await
                .map(|_| ())
                .map_err(|e| service_error("DisassociateRouteTable", e)),
            K::FlowLog => {
                let answer = client
                    .delete_flow_logs()
                    .flow_log_ids(aws_id)
                    .send()
                    .await
                    .map_err(|e| service_error("DeleteFlowLogs", e))?;
                match unsuccessful("DeleteFlowLogs", answer.unsuccessful()) {
                    Some(error) => Err(error),
                    None => Ok(()),
                }
            }
            K::Instance => {
                client
                    .terminate_instances()
                    .instance_ids(aws_id)
                    .send()
                    .await
                    .map_err(|e| service_error("TerminateInstances", e))?;
                self.wait_for("DescribeInstances", || async {
                    let answer = with_retries(|| async {
                        client
                            .describe_instances()
                            .instance_ids(aws_id)
                            .send()
                            .await
                            .map_err(|e| service_error("DescribeInstances", e))
                    })
                    .await?;
                    let state = answer
                        .reservations()
                        .iter()
                        .flat_map(|r| r.instances())
                        .find_map(|i| i.state().and_then(|s| s.name()))
                        .map(|s| s.as_str().to_string());
                    Ok(matches!(state.as_deref(), None | Some("terminated")).then_some(()))
                })
                .await
            }
        }
    }

    async fn update_one(
        &self,
        client: &Client,
        spec: &ResourceSpec,
        ids: &ResolvedIds,
        aws_id: &str,
    ) -> Result<String, AwsError> {
        use ResourceKind as K;
        match spec {
            ResourceSpec::Vpc {
                dns_support,
                dns_hostnames,
                ..
            } => {
                self.set_vpc_dns(client, aws_id, *dns_support, *dns_hostnames)
                    .await?;
                Ok(aws_id.to_string())
            }
            ResourceSpec::Subnet { map_public_ip, .. } => {
                self.set_map_public_ip(client, aws_id, *map_public_ip)
                    .await?;
                Ok(aws_id.to_string())
            }
            ResourceSpec::Route {
                route_table,
                destination,
                target,
            } => {
                let table_id = ids.get(K::RouteTable, route_table)?;
                let target_id = ids.get(target.kind, &target.logical_id)?;
                self.put_route(client, table_id, destination, target, target_id, true)
                    .await?;
                Ok(format!("{table_id}:{destination}"))
            }
            ResourceSpec::RouteTableAssociation { route_table, .. } => {
                self.replace_route_association(client, aws_id, ids.get(K::RouteTable, route_table)?)
                    .await
            }
            ResourceSpec::NetworkAclAssociation { network_acl, .. } => Ok(client
                .replace_network_acl_association()
                .association_id(aws_id)
                .network_acl_id(ids.get(K::NetworkAcl, network_acl)?)
                .send()
                .await
                .map_err(|e| service_error("ReplaceNetworkAclAssociation", e))?
                .new_association_id()
                .ok_or(missing("ReplaceNetworkAclAssociation", "an association id"))?
                .to_string()),
            ResourceSpec::GatewayEndpoint { route_tables, .. } => {
                let current = self.endpoint(client, aws_id).await?;
                let wanted = route_tables
                    .iter()
                    .map(|t| ids.get(K::RouteTable, t).map(str::to_string))
                    .collect::<Result<Vec<_>, _>>()?;
                let (add, remove) = difference(&wanted, &current.route_table_ids);
                client
                    .modify_vpc_endpoint()
                    .vpc_endpoint_id(aws_id)
                    .set_add_route_table_ids(Some(add))
                    .set_remove_route_table_ids(Some(remove))
                    .send()
                    .await
                    .map_err(|e| service_error("ModifyVpcEndpoint", e))?;
                Ok(aws_id.to_string())
            }
            ResourceSpec::InterfaceEndpoint {
                subnets,
                security_groups,
                private_dns,
                ..
            } => {
                let current = self.endpoint(client, aws_id).await?;
                let wanted_subnets = subnets
                    .iter()
                    .map(|s| ids.get(K::Subnet, s).map(str::to_string))
                    .collect::<Result<Vec<_>, _>>()?;
                let wanted_groups = security_groups
                    .iter()
                    .map(|g| ids.get(K::SecurityGroup, g).map(str::to_string))
                    .collect::<Result<Vec<_>, _>>()?;
                let (add_subnets, remove_subnets) =
                    difference(&wanted_subnets, &current.subnet_ids);
                let (add_groups, remove_groups) =
                    difference(&wanted_groups, &current.security_group_ids);
                client
                    .modify_vpc_endpoint()
                    .vpc_endpoint_id(aws_id)
                    .set_add_subnet_ids(Some(add_subnets))
                    .set_remove_subnet_ids(Some(remove_subnets))
                    .set_add_security_group_ids(Some(add_groups))
                    .set_remove_security_group_ids(Some(remove_groups))
                    .private_dns_enabled(*private_dns)
                    .send()
                    .await
                    .map_err(|e| service_error("ModifyVpcEndpoint", e))?;
                Ok(aws_id.to_string())
            }
            other => Err(AwsError::Service {
                operation: "Update",
                code: "Moat.NotUpdatable".into(),
                message: format!("{other:?} cannot change in place; the plan replaces it"),
            }),
        }
    }

    async fn endpoint(&self, client: &Client, endpoint_id: &str) -> Result<EndpointIds, AwsError> {
        let answer = with_retries(|| async {
            client
                .describe_vpc_endpoints()
                .vpc_endpoint_ids(endpoint_id)
                .send()
                .await
                .map_err(|e| service_error("DescribeVpcEndpoints", e))
        })
        .await?;
        let endpoint = answer
            .vpc_endpoints()
            .first()
            .ok_or(missing("DescribeVpcEndpoints", "the endpoint"))?;
        Ok(EndpointIds {
            route_table_ids: endpoint.route_table_ids().to_vec(),
            subnet_ids: endpoint.subnet_ids().to_vec(),
            security_group_ids: endpoint
                .groups()
                .iter()
                .filter_map(|g| g.group_id().map(str::to_string))
                .collect(),
        })
    }
}

struct EndpointIds {
    route_table_ids: Vec<String>,
    subnet_ids: Vec<String>,
    security_group_ids: Vec<String>,
}

/// What to add and what to remove to go from `current` to `wanted`.
fn difference(wanted: &[String], current: &[String]) -> (Vec<String>, Vec<String>) {
    let add = wanted
        .iter()
        .filter(|w| !current.contains(w))
        .cloned()
        .collect();
    let remove = current
        .iter()
        .filter(|c| !wanted.contains(c))
        .cloned()
        .collect();
    (add, remove)
}

fn egress_word(egress: bool) -> &'static str {
    if egress { "egress" } else { "ingress" }
}

/// Placement group names are account-wide: the design id keeps two designs apart.
fn placement_group_name(tags: &OwnershipTags) -> String {
    format!("moat-{}-{}", tags.design_id, tags.logical_id)
}

fn tag_value<'a>(tags: &'a [Tag], key: &str) -> Option<&'a str> {
    tags.iter()
        .find(|t| t.key() == Some(key))
        .and_then(|t| t.value())
}

fn owned_by<'a>(tags: &'a [Tag], design_id: &str) -> Option<&'a str> {
    (tag_value(tags, TAG_DESIGN_ID) == Some(design_id))
        .then(|| tag_value(tags, TAG_LOGICAL_ID))
        .flatten()
}

fn design_filter(design_id: &str) -> Filter {
    Filter::builder()
        .name(format!("tag:{TAG_DESIGN_ID}"))
        .values(design_id)
        .build()
}

fn pairs<const N: usize>(items: [(&str, String); N]) -> BTreeMap<String, String> {
    items
        .into_iter()
        .map(|(name, value)| (name.to_string(), value))
        .collect()
}

/// What a region holds for one design: the tagged resources and what lives inside them.
struct Inventory {
    observed: Vec<ObservedResource>,
}

impl Inventory {
    /// Reads the resources of `kinds` (and, for the full inventory, what lives inside them).
    async fn read(
        client: &Client,
        design_id: &str,
        kinds: &[ResourceKind],
    ) -> Result<Inventory, AwsError> {
        use ResourceKind as K;
        let wants = |kind: ResourceKind| kinds.contains(&kind);
        let mut observed: Vec<ObservedResource> = Vec::new();
        // AWS id → logical id, to write references the planner's way.
        let mut logical: HashMap<String, (ResourceKind, String)> = HashMap::new();
        fn add(
            observed: &mut Vec<ObservedResource>,
            logical: &mut HashMap<String, (ResourceKind, String)>,
            kind: ResourceKind,
            logical_id: &str,
            aws_id: &str,
            attributes: BTreeMap<String, String>,
        ) {
            logical.insert(aws_id.to_string(), (kind, logical_id.to_string()));
            observed.push(ObservedResource {
                key: ResourceKey::new(kind, logical_id),
                aws_id: aws_id.to_string(),
                attributes,
            });
        }
        let mut vpc_rows = Vec::new();
        if wants(K::Vpc) {
            let vpcs = with_retries(|| async {
                client
                    .describe_vpcs()
                    .filters(design_filter(design_id))
                    .send()
                    .await
                    .map_err(|e| service_error("DescribeVpcs", e))
            })
            .await?;
            for vpc in vpcs.vpcs() {
                let (Some(logical_id), Some(vpc_id)) =
                    (owned_by(vpc.tags(), design_id), vpc.vpc_id())
                else {
                    continue;
                };
                vpc_rows.push((
                    logical_id.to_string(),
                    vpc_id.to_string(),
                    vpc.cidr_block().unwrap_or_default().to_string(),
                ));
            }
        }
        for (logical_id, vpc_id, cidr) in &vpc_rows {
            let support = with_retries(|| async {
                client
                    .describe_vpc_attribute()
                    .vpc_id(vpc_id)
                    .attribute(aws_sdk_ec2::types::VpcAttributeName::EnableDnsSupport)
                    .send()
                    .await
                    .map_err(|e| service_error("DescribeVpcAttribute", e))
            })
            .await?
            .enable_dns_support()
            .and_then(|v| v.value())
            .unwrap_or(true);
            let hostnames = with_retries(|| async {
                client
                    .describe_vpc_attribute()
                    .vpc_id(vpc_id)
                    .attribute(aws_sdk_ec2::types::VpcAttributeName::EnableDnsHostnames)
                    .send()
                    .await
                    .map_err(|e| service_error("DescribeVpcAttribute", e))
            })
            .await?
            .enable_dns_hostnames()
            .and_then(|v| v.value())
            .unwrap_or(false);
            add(
                &mut observed,
                &mut logical,
                K::Vpc,
                logical_id,
                vpc_id,
                pairs([
                    ("cidr_block", cidr.clone()),
                    ("dns_support", support.to_string()),
                    ("dns_hostnames", hostnames.to_string()),
                ]),
            );
        }
        let vpc_logical = |logical: &HashMap<String, (ResourceKind, String)>, aws_id: &str| {
            logical
                .get(aws_id)
                .map(|(_, l)| l.clone())
                .unwrap_or_else(|| aws_id.to_string())
        };
        if wants(K::CustomerGateway) {
            let gateways = with_retries(|| async {
                client
                    .describe_customer_gateways()
                    .filters(design_filter(design_id))
                    .send()
                    .await
                    .map_err(|e| service_error("DescribeCustomerGateways", e))
            })
            .await?;
            for gateway in gateways.customer_gateways() {
                let (Some(logical_id), Some(id)) = (
                    owned_by(gateway.tags(), design_id),
                    gateway.customer_gateway_id(),
                ) else {
                    continue;
                };
                if matches!(gateway.state(), Some("deleted" | "deleting")) {
                    continue;
                }
                add(
                    &mut observed,
                    &mut logical,
                    K::CustomerGateway,
                    logical_id,
                    id,
                    pairs([
                        (
                            "ip_address",
                            gateway.ip_address().unwrap_or_default().to_string(),
                        ),
                        ("bgp_asn", gateway.bgp_asn().unwrap_or_default().to_string()),
                    ]),
                );
            }
        }
        if wants(K::PlacementGroup) {
            let groups = with_retries(|| async {
                client
                    .describe_placement_groups()
                    .filters(design_filter(design_id))
                    .send()
                    .await
                    .map_err(|e| service_error("DescribePlacementGroups", e))
            })
            .await?;
            for group in groups.placement_groups() {
                let (Some(logical_id), Some(name)) =
                    (owned_by(group.tags(), design_id), group.group_name())
                else {
                    continue;
                };
                if matches!(
                    group.state().map(|s| s.as_str()),
                    Some("deleted" | "deleting")
                ) {
                    continue;
                }
                add(
                    &mut observed,
                    &mut logical,
                    K::PlacementGroup,
                    logical_id,
                    name,
                    pairs([(
                        "strategy",
                        group
                            .strategy()
                            .map(|s| s.as_str().to_string())
                            .unwrap_or_default(),
                    )]),
                );
            }
        }
        if wants(K::Subnet) {
            let subnets = with_retries(|| async {
                client
                    .describe_subnets()
                    .filters(design_filter(design_id))
                    .send()
                    .await
                    .map_err(|e| service_error("DescribeSubnets", e))
            })
            .await?;
            for subnet in subnets.subnets() {
                let (Some(logical_id), Some(id)) =
                    (owned_by(subnet.tags(), design_id), subnet.subnet_id())
                else {
                    continue;
                };
                let vpc = vpc_logical(&logical, subnet.vpc_id().unwrap_or_default());
                add(
                    &mut observed,
                    &mut logical,
                    K::Subnet,
                    logical_id,
                    id,
                    pairs([
                        ("vpc", vpc),
                        (
                            "cidr_block",
                            subnet.cidr_block().unwrap_or_default().to_string(),
                        ),
                        (
                            "availability_zone",
                            subnet.availability_zone().unwrap_or_default().to_string(),
                        ),
                        (
                            "map_public_ip",
                            subnet
                                .map_public_ip_on_launch()
                                .unwrap_or(false)
                                .to_string(),
                        ),
                    ]),
                );
            }
        }
        if wants(K::InternetGateway) {
            let gateways = with_retries(|| async {
                client
                    .describe_internet_gateways()
                    .filters(design_filter(design_id))
                    .send()
                    .await
                    .map_err(|e| service_error("DescribeInternetGateways", e))
            })
            .await?;
            for gateway in gateways.internet_gateways() {
                let (Some(logical_id), Some(id)) = (
                    owned_by(gateway.tags(), design_id),
                    gateway.internet_gateway_id(),
                ) else {
                    continue;
                };
                let vpc_id = gateway
                    .attachments()
                    .first()
                    .and_then(|a| a.vpc_id())
                    .unwrap_or_default()
                    .to_string();
                let vpc = vpc_logical(&logical, &vpc_id);
                add(
                    &mut observed,
                    &mut logical,
                    K::InternetGateway,
                    logical_id,
                    id,
                    pairs([("vpc", vpc), ("_vpc_id", vpc_id)]),
                );
            }
        }
        if wants(K::VpnGateway) {
            let gateways = with_retries(|| async {
                client
                    .describe_vpn_gateways()
                    .filters(design_filter(design_id))
                    .send()
                    .await
                    .map_err(|e| service_error("DescribeVpnGateways", e))
            })
            .await?;
            for gateway in gateways.vpn_gateways() {
                let (Some(logical_id), Some(id)) = (
                    owned_by(gateway.tags(), design_id),
                    gateway.vpn_gateway_id(),
                ) else {
                    continue;
                };
                if matches!(
                    gateway.state().map(|s| s.as_str()),
                    Some("deleted" | "deleting")
                ) {
                    continue;
                }
                let vpc_id = gateway
                    .vpc_attachments()
                    .iter()
                    .find(|a| {
                        matches!(
                            a.state().map(|s| s.as_str()),
                            Some("attached" | "attaching")
                        )
                    })
                    .and_then(|a| a.vpc_id())
                    .unwrap_or_default()
                    .to_string();
                let vpc = vpc_logical(&logical, &vpc_id);
                add(
                    &mut observed,
                    &mut logical,
                    K::VpnGateway,
                    logical_id,
                    id,
                    pairs([
                        ("vpc", vpc),
                        (
                            "amazon_side_asn",
                            gateway.amazon_side_asn().unwrap_or_default().to_string(),
                        ),
                        ("_vpc_id", vpc_id),
                    ]),
                );
            }
        }
        let mut group_rows = Vec::new();
        if wants(K::SecurityGroup) {
            let groups = with_retries(|| async {
                client
                    .describe_security_groups()
                    .filters(design_filter(design_id))
                    .send()
                    .await
                    .map_err(|e| service_error("DescribeSecurityGroups", e))
            })
            .await?;
            for group in groups.security_groups() {
                let (Some(logical_id), Some(id)) =
                    (owned_by(group.tags(), design_id), group.group_id())
                else {
                    continue;
                };
                let vpc = vpc_logical(&logical, group.vpc_id().unwrap_or_default());
                add(
                    &mut observed,
                    &mut logical,
                    K::SecurityGroup,
                    logical_id,
                    id,
                    pairs([
                        ("vpc", vpc),
                        ("name", group.group_name().unwrap_or_default().to_string()),
                    ]),
                );
                group_rows.push((logical_id.to_string(), id.to_string(), group.clone()));
            }
        }
        // Rules, once every group's logical id is known (rules name their peers).
        for (group_logical, group_id, group) in &group_rows {
            for (egress, permissions) in [
                (false, group.ip_permissions()),
                (true, group.ip_permissions_egress()),
            ] {
                for permission in permissions {
                    let protocol = match permission.ip_protocol().unwrap_or("-1") {
                        "tcp" => "6",
                        "udp" => "17",
                        "icmp" => "1",
                        other => other,
                    }
                    .to_string();
                    let (from_port, to_port) = if protocol == "-1" {
                        (-1, -1)
                    } else {
                        (
                            permission.from_port().unwrap_or(-1),
                            permission.to_port().unwrap_or(-1),
                        )
                    };
                    let mut peers: Vec<(RulePeer, String, &str)> = Vec::new();
                    for range in permission.ip_ranges() {
                        let cidr = range.cidr_ip().unwrap_or_default().to_string();
                        peers.push((RulePeer::Cidr(cidr.clone()), cidr, "cidr"));
                    }
                    for range in permission.ipv6_ranges() {
                        let cidr = range.cidr_ipv6().unwrap_or_default().to_string();
                        peers.push((RulePeer::Cidr(cidr.clone()), cidr, "cidr"));
                    }
                    for pair in permission.user_id_group_pairs() {
                        let peer_id = pair.group_id().unwrap_or_default().to_string();
                        let peer_logical = vpc_logical(&logical, &peer_id);
                        peers.push((RulePeer::SecurityGroup(peer_logical), peer_id, "sg"));
                    }
                    for list in permission.prefix_list_ids() {
                        let list_id = list.prefix_list_id().unwrap_or_default().to_string();
                        peers.push((RulePeer::PrefixList(list_id.clone()), list_id, "pl"));
                    }
                    for (peer, peer_aws, peer_type) in peers {
                        let rule_id = security_group_rule_id(
                            group_logical,
                            egress,
                            &protocol,
                            from_port,
                            to_port,
                            &peer,
                        );
                        observed.push(ObservedResource {
                            key: ResourceKey::new(K::SecurityGroupRule, rule_id.clone()),
                            aws_id: format!("{group_id}:{rule_id}"),
                            attributes: pairs([
                                ("_group_id", group_id.clone()),
                                ("_egress", egress.to_string()),
                                ("_protocol", protocol.clone()),
                                ("_from_port", from_port.to_string()),
                                ("_to_port", to_port.to_string()),
                                ("_peer_type", peer_type.to_string()),
                                ("_peer", peer_aws),
                            ]),
                        });
                    }
                }
            }
        }
        let mut nat_rows = Vec::new();
        if wants(K::NatGateway) || wants(K::Route) {
            let nats = with_retries(|| async {
                client
                    .describe_nat_gateways()
                    .filter(design_filter(design_id))
                    .send()
                    .await
                    .map_err(|e| service_error("DescribeNatGateways", e))
            })
            .await?;
            for nat in nats.nat_gateways() {
                let (Some(logical_id), Some(id)) =
                    (owned_by(nat.tags(), design_id), nat.nat_gateway_id())
                else {
                    continue;
                };
                if matches!(
                    nat.state().map(|s| s.as_str()),
                    Some("deleted" | "deleting" | "failed")
                ) {
                    continue;
                }
                nat_rows.push((
                    logical_id.to_string(),
                    id.to_string(),
                    nat.subnet_id().unwrap_or_default().to_string(),
                ));
            }
        }
        for (logical_id, id, subnet_id) in &nat_rows {
            let subnet = vpc_logical(&logical, subnet_id);
            add(
                &mut observed,
                &mut logical,
                K::NatGateway,
                logical_id,
                id,
                pairs([("subnet", subnet)]),
            );
        }
        if wants(K::ElasticIp) {
            let addresses = with_retries(|| async {
                client
                    .describe_addresses()
                    .filters(design_filter(design_id))
                    .send()
                    .await
                    .map_err(|e| service_error("DescribeAddresses", e))
            })
            .await?;
            for address in addresses.addresses() {
                let (Some(logical_id), Some(id)) =
                    (owned_by(address.tags(), design_id), address.allocation_id())
                else {
                    continue;
                };
                add(
                    &mut observed,
                    &mut logical,
                    K::ElasticIp,
                    logical_id,
                    id,
                    BTreeMap::new(),
                );
            }
        }
        if wants(K::VpnConnection) {
            let connections = with_retries(|| async {
                client
                    .describe_vpn_connections()
                    .filters(design_filter(design_id))
                    .send()
                    .await
                    .map_err(|e| service_error("DescribeVpnConnections", e))
            })
            .await?;
            for connection in connections.vpn_connections() {
                let (Some(logical_id), Some(id)) = (
                    owned_by(connection.tags(), design_id),
                    connection.vpn_connection_id(),
                ) else {
                    continue;
                };
                if matches!(
                    connection.state().map(|s| s.as_str()),
                    Some("deleted" | "deleting")
                ) {
                    continue;
                }
                let gateway =
                    vpc_logical(&logical, connection.vpn_gateway_id().unwrap_or_default());
                let customer = vpc_logical(
                    &logical,
                    connection.customer_gateway_id().unwrap_or_default(),
                );
                add(
                    &mut observed,
                    &mut logical,
                    K::VpnConnection,
                    logical_id,
                    id,
                    pairs([("vpn_gateway", gateway), ("customer_gateway", customer)]),
                );
            }
        }
        let mut table_rows = Vec::new();
        if wants(K::RouteTable) {
            let tables = with_retries(|| async {
                client
                    .describe_route_tables()
                    .filters(design_filter(design_id))
                    .send()
                    .await
                    .map_err(|e| service_error("DescribeRouteTables", e))
            })
            .await?;
            for table in tables.route_tables() {
                let (Some(logical_id), Some(id)) =
                    (owned_by(table.tags(), design_id), table.route_table_id())
                else {
                    continue;
                };
                let main = table.associations().iter().any(|a| a.main() == Some(true));
                let vpc = vpc_logical(&logical, table.vpc_id().unwrap_or_default());
                add(
                    &mut observed,
                    &mut logical,
                    K::RouteTable,
                    logical_id,
                    id,
                    pairs([("vpc", vpc), ("main", main.to_string())]),
                );
                table_rows.push((logical_id.to_string(), id.to_string(), table.clone()));
            }
        }
        let mut acl_rows = Vec::new();
        if wants(K::NetworkAcl) {
            let acls = with_retries(|| async {
                client
                    .describe_network_acls()
                    .filters(design_filter(design_id))
                    .send()
                    .await
                    .map_err(|e| service_error("DescribeNetworkAcls", e))
            })
            .await?;
            for acl in acls.network_acls() {
                let (Some(logical_id), Some(id)) =
                    (owned_by(acl.tags(), design_id), acl.network_acl_id())
                else {
                    continue;
                };
                let vpc = vpc_logical(&logical, acl.vpc_id().unwrap_or_default());
                add(
                    &mut observed,
                    &mut logical,
                    K::NetworkAcl,
                    logical_id,
                    id,
                    pairs([("vpc", vpc)]),
                );
                acl_rows.push((logical_id.to_string(), id.to_string(), acl.clone()));
            }
        }
        let mut endpoint_rows = Vec::new();
        if wants(K::GatewayEndpoint) || wants(K::InterfaceEndpoint) {
            let endpoints = with_retries(|| async {
                client
                    .describe_vpc_endpoints()
                    .filters(design_filter(design_id))
                    .send()
                    .await
                    .map_err(|e| service_error("DescribeVpcEndpoints", e))
            })
            .await?;
            for endpoint in endpoints.vpc_endpoints() {
                let (Some(logical_id), Some(_)) = (
                    owned_by(endpoint.tags(), design_id),
                    endpoint.vpc_endpoint_id(),
                ) else {
                    continue;
                };
                if matches!(
                    endpoint
                        .state()
                        .map(|s| s.as_str().to_lowercase())
                        .as_deref(),
                    Some("deleted" | "deleting" | "failed")
                ) {
                    continue;
                }
                endpoint_rows.push((logical_id.to_string(), endpoint.clone()));
            }
        }
        // Instances and endpoints name subnets, groups and tables: read after them.
        for (logical_id, endpoint) in &endpoint_rows {
            let id = endpoint.vpc_endpoint_id().unwrap_or_default();
            let vpc = vpc_logical(&logical, endpoint.vpc_id().unwrap_or_default());
            let names = |items: Vec<String>| {
                let mut names: Vec<String> =
                    items.iter().map(|i| vpc_logical(&logical, i)).collect();
                names.sort();
                names.join(",")
            };
            let service = endpoint.service_name().unwrap_or_default().to_string();
            let gateway = endpoint
                .vpc_endpoint_type()
                .map(|t| t.as_str().to_lowercase())
                == Some("gateway".into());
            let attributes = if gateway {
                pairs([
                    ("vpc", vpc),
                    ("service", service),
                    ("route_tables", names(endpoint.route_table_ids().to_vec())),
                ])
            } else {
                pairs([
                    ("vpc", vpc),
                    ("service", service),
                    ("subnets", names(endpoint.subnet_ids().to_vec())),
                    (
                        "security_groups",
                        names(
                            endpoint
                                .groups()
                                .iter()
                                .filter_map(|g| g.group_id().map(str::to_string))
                                .collect(),
                        ),
                    ),
                    (
                        "private_dns",
                        endpoint.private_dns_enabled().unwrap_or(false).to_string(),
                    ),
                ])
            };
            let kind = if gateway {
                K::GatewayEndpoint
            } else {
                K::InterfaceEndpoint
            };
            add(
                &mut observed,
                &mut logical,
                kind,
                logical_id,
                id,
                attributes,
            );
        }
        if wants(K::Instance) {
            let reservations = with_retries(|| async {
                client
                    .describe_instances()
                    .filters(design_filter(design_id))
                    .send()
                    .await
                    .map_err(|e| service_error("DescribeInstances", e))
            })
            .await?;
            for instance in reservations
                .reservations()
                .iter()
                .flat_map(|r| r.instances())
            {
                let (Some(logical_id), Some(id)) =
                    (owned_by(instance.tags(), design_id), instance.instance_id())
                else {
                    continue;
                };
                if matches!(
                    instance.state().and_then(|s| s.name()).map(|s| s.as_str()),
                    Some("terminated" | "shutting-down")
                ) {
                    continue;
                }
                let subnet = vpc_logical(&logical, instance.subnet_id().unwrap_or_default());
                add(
                    &mut observed,
                    &mut logical,
                    K::Instance,
                    logical_id,
                    id,
                    pairs([
                        ("subnet", subnet),
                        (
                            "instance_type",
                            instance
                                .instance_type()
                                .map(|t| t.as_str().to_string())
                                .unwrap_or_default(),
                        ),
                        (
                            "image_id",
                            instance.image_id().unwrap_or_default().to_string(),
                        ),
                    ]),
                );
            }
        }
        if wants(K::FlowLog) {
            let flow_logs = with_retries(|| async {
                client
                    .describe_flow_logs()
                    .filter(design_filter(design_id))
                    .send()
                    .await
                    .map_err(|e| service_error("DescribeFlowLogs", e))
            })
            .await?;
            for flow_log in flow_logs.flow_logs() {
                let (Some(logical_id), Some(id)) =
                    (owned_by(flow_log.tags(), design_id), flow_log.flow_log_id())
                else {
                    continue;
                };
                let vpc = vpc_logical(&logical, flow_log.resource_id().unwrap_or_default());
                add(
                    &mut observed,
                    &mut logical,
                    K::FlowLog,
                    logical_id,
                    id,
                    pairs([
                        ("vpc", vpc),
                        (
                            "destination",
                            flow_log.log_destination().unwrap_or_default().to_string(),
                        ),
                        (
                            "traffic_type",
                            flow_log
                                .traffic_type()
                                .map(|t| t.as_str().to_string())
                                .unwrap_or_default(),
                        ),
                        (
                            "delivery_role",
                            flow_log
                                .deliver_logs_permission_arn()
                                .unwrap_or_default()
                                .to_string(),
                        ),
                        (
                            "max_aggregation_interval",
                            flow_log
                                .max_aggregation_interval()
                                .unwrap_or(600)
                                .to_string(),
                        ),
                    ]),
                );
            }
        }
        // Routes and associations of the design's tables.
        for (table_logical, table_id, table) in &table_rows {
            for route in table.routes() {
                let Some(destination) = route.destination_cidr_block() else {
                    continue;
                };
                let target_id = route_target_id(route)
                    .or(route.gateway_id())
                    .or(route.transit_gateway_id())
                    .or(route.vpc_peering_connection_id())
                    .unwrap_or_default();
                if target_id == "local"
                    || route.gateway_id().is_some_and(|g| g.starts_with("vpce-"))
                {
                    continue;
                }
                // Routes a VPN gateway propagates are not the design's.
                if route.origin().map(|o| o.as_str()) == Some("EnableVgwRoutePropagation") {
                    continue;
                }
                let target = vpc_logical(&logical, target_id);
                observed.push(ObservedResource {
                    key: ResourceKey::new(K::Route, format!("{table_logical}/{destination}")),
                    aws_id: format!("{table_id}:{destination}"),
                    attributes: pairs([
                        ("target", target),
                        ("_route_table_id", table_id.clone()),
                        ("_destination", destination.to_string()),
                    ]),
                });
            }
            for association in table.associations() {
                let (Some(subnet_id), Some(association_id)) = (
                    association.subnet_id(),
                    association.route_table_association_id(),
                ) else {
                    continue;
                };
                let Some((_, subnet_logical)) = logical.get(subnet_id) else {
                    continue;
                };
                observed.push(ObservedResource {
                    key: ResourceKey::new(
                        K::RouteTableAssociation,
                        format!("{subnet_logical}/route-table"),
                    ),
                    aws_id: association_id.to_string(),
                    attributes: pairs([("route_table", table_logical.clone())]),
                });
            }
        }
        if !acl_rows.is_empty() {
            // The VPCs' default ACLs, where a subnet goes back to when its association goes.
            let mut default_acls: HashMap<String, String> = HashMap::new();
            let acls = with_retries(|| async {
                client
                    .describe_network_acls()
                    .filters(Filter::builder().name("default").values("true").build())
                    .send()
                    .await
                    .map_err(|e| service_error("DescribeNetworkAcls", e))
            })
            .await?;
            for acl in acls.network_acls() {
                if let (Some(vpc_id), Some(id)) = (acl.vpc_id(), acl.network_acl_id()) {
                    default_acls.insert(vpc_id.to_string(), id.to_string());
                }
            }
            for (acl_logical, acl_id, acl) in &acl_rows {
                for entry in acl.entries() {
                    let rule_number = entry.rule_number().unwrap_or_default();
                    if rule_number >= 32_767 {
                        continue;
                    }
                    let egress = entry.egress().unwrap_or(false);
                    let (from_port, to_port) = entry
                        .port_range()
                        .map(|r| (r.from().unwrap_or(-1), r.to().unwrap_or(-1)))
                        .unwrap_or((-1, -1));
                    let protocol = entry.protocol().unwrap_or("-1").to_string();
                    let (from_port, to_port) = if protocol == "-1" {
                        (-1, -1)
                    } else {
                        (from_port, to_port)
                    };
                    observed.push(ObservedResource {
                        key: ResourceKey::new(
                            K::NetworkAclEntry,
                            format!("{acl_logical}/{}/{rule_number}", egress_word(egress)),
                        ),
                        aws_id: format!("{acl_id}:{}:{rule_number}", egress_word(egress)),
                        attributes: pairs([
                            ("protocol", protocol),
                            ("ports", format!("{from_port}-{to_port}")),
                            ("cidr", entry.cidr_block().unwrap_or_default().to_string()),
                            (
                                "allow",
                                (entry.rule_action() == Some(&RuleAction::Allow)).to_string(),
                            ),
                            ("_acl_id", acl_id.clone()),
                            ("_rule_number", rule_number.to_string()),
                            ("_egress", egress.to_string()),
                        ]),
                    });
                }
                let default_acl = default_acls
                    .get(acl.vpc_id().unwrap_or_default())
                    .cloned()
                    .unwrap_or_default();
                for association in acl.associations() {
                    let (Some(subnet_id), Some(association_id)) = (
                        association.subnet_id(),
                        association.network_acl_association_id(),
                    ) else {
                        continue;
                    };
                    let Some((_, subnet_logical)) = logical.get(subnet_id) else {
                        continue;
                    };
                    observed.push(ObservedResource {
                        key: ResourceKey::new(
                            K::NetworkAclAssociation,
                            format!("{subnet_logical}/network-acl"),
                        ),
                        aws_id: association_id.to_string(),
                        attributes: pairs([
                            ("network_acl", acl_logical.clone()),
                            ("_default_acl_id", default_acl.clone()),
                        ]),
                    });
                }
            }
        }
        Ok(Inventory { observed })
    }
}

impl NetworkApi for Ec2Network {
    fn inventory<'a>(
        &'a self,
        region: &'a str,
        design_id: &'a str,
    ) -> BoxFuture<'a, Result<Vec<ObservedResource>, AwsError>> {
        Box::pin(async move {
            let client = self.client(region);
            Ok(Inventory::read(&client, design_id, &ResourceKind::ALL)
                .await?
                .observed)
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
            let client = self.client(region);
            let kind = spec.kind();
            let existing = if retry && kind.is_tagged() {
                self.find_owned_in(&client, kind, tags).await?
            } else {
                None
            };
            self.create_one(&client, spec, ids, tags, existing).await
        })
    }

    fn update<'a>(
        &'a self,
        region: &'a str,
        spec: &'a ResourceSpec,
        ids: &'a ResolvedIds,
        aws_id: &'a str,
    ) -> BoxFuture<'a, Result<String, AwsError>> {
        Box::pin(async move {
            let client = self.client(region);
            self.update_one(&client, spec, ids, aws_id).await
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
            let client = self.client(region);
            match self.delete_one(&client, kind, aws_id, observed).await {
                Ok(()) => Ok(Deleted::Deleted),
                Err(error) if already_gone(&error) => Ok(Deleted::AlreadyGone),
                Err(error) => Err(error),
            }
        })
    }

    fn import_vpc<'a>(
        &'a self,
        region: &'a str,
        vpc_id: &'a str,
    ) -> BoxFuture<'a, Result<(shared::Design, Vec<String>), AwsError>> {
        Box::pin(async move {
            let client = self.client(region);
            let imported = super::import::import_vpc(&client, region, vpc_id).await?;
            Ok((imported.design, imported.left_out))
        })
    }

    fn dry_run<'a>(
        &'a self,
        region: &'a str,
        kind: ResourceKind,
        deleting: bool,
    ) -> BoxFuture<'a, Result<DryRunOutcome, AwsError>> {
        Box::pin(async move {
            let client = self.client(region);
            let outcome = dry_run_call(&client, kind, deleting).await;
            match outcome {
                Err(error) if error.code() == Some("DryRunOperation") => Ok(DryRunOutcome::Allowed),
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
        })
    }
}

/// One `DryRun=true` call standing for a kind's create or delete. Placeholder ids are enough:
/// EC2 checks permissions before parameters.
async fn dry_run_call(client: &Client, kind: ResourceKind, deleting: bool) -> Result<(), AwsError> {
    use ResourceKind as K;
    let placeholder = "moat-dry-run";
    macro_rules! send {
        ($call:expr, $name:literal) => {
            $call
                .dry_run(true)
                .send()
                .await
                .map(|_| ())
                .map_err(|e| service_error($name, e))
        };
    }
    match (kind, deleting) {
        (K::Vpc, false) => send!(client.create_vpc().cidr_block("10.0.0.0/16"), "CreateVpc"),
        (K::Vpc, true) => send!(client.delete_vpc().vpc_id("vpc-00000000"), "DeleteVpc"),
        (K::Subnet, false) => send!(
            client
                .create_subnet()
                .vpc_id("vpc-00000000")
                .cidr_block("10.0.0.0/24"),
            "CreateSubnet"
        ),
        (K::Subnet, true) => send!(
            client.delete_subnet().subnet_id("subnet-00000000"),
            "DeleteSubnet"
        ),
        (K::InternetGateway, false) => {
            send!(client.create_internet_gateway(), "CreateInternetGateway")
        }
        (K::InternetGateway, true) => send!(
            client
                .delete_internet_gateway()
                .internet_gateway_id("igw-00000000"),
            "DeleteInternetGateway"
        ),
        (K::VpnGateway, false) => send!(
            client.create_vpn_gateway().r#type(GatewayType::Ipsec1),
            "CreateVpnGateway"
        ),
        (K::VpnGateway, true) => send!(
            client.delete_vpn_gateway().vpn_gateway_id("vgw-00000000"),
            "DeleteVpnGateway"
        ),
        (K::CustomerGateway, false) => send!(
            client
                .create_customer_gateway()
                .r#type(GatewayType::Ipsec1)
                .ip_address("203.0.113.1")
                .bgp_asn(65000),
            "CreateCustomerGateway"
        ),
        (K::CustomerGateway, true) => send!(
            client
                .delete_customer_gateway()
                .customer_gateway_id("cgw-00000000"),
            "DeleteCustomerGateway"
        ),
        (K::PlacementGroup, false) => send!(
            client
                .create_placement_group()
                .group_name(placeholder)
                .strategy(PlacementStrategy::Cluster),
            "CreatePlacementGroup"
        ),
        (K::PlacementGroup, true) => send!(
            client.delete_placement_group().group_name(placeholder),
            "DeletePlacementGroup"
        ),
        (K::SecurityGroup, false) => send!(
            client
                .create_security_group()
                .group_name(placeholder)
                .description(placeholder)
                .vpc_id("vpc-00000000"),
            "CreateSecurityGroup"
        ),
        (K::SecurityGroup, true) => send!(
            client.delete_security_group().group_id("sg-00000000"),
            "DeleteSecurityGroup"
        ),
        (K::RouteTable, false) => send!(
            client.create_route_table().vpc_id("vpc-00000000"),
            "CreateRouteTable"
        ),
        (K::RouteTable, true) => send!(
            client.delete_route_table().route_table_id("rtb-00000000"),
            "DeleteRouteTable"
        ),
        (K::NetworkAcl, false) => send!(
            client.create_network_acl().vpc_id("vpc-00000000"),
            "CreateNetworkAcl"
        ),
        (K::NetworkAcl, true) => send!(
            client.delete_network_acl().network_acl_id("acl-00000000"),
            "DeleteNetworkAcl"
        ),
        (K::NetworkAclEntry, false) => send!(
            client
                .create_network_acl_entry()
                .network_acl_id("acl-00000000")
                .rule_number(100)
                .egress(false)
                .protocol("-1")
                .rule_action(RuleAction::Allow)
                .cidr_block("0.0.0.0/0"),
            "CreateNetworkAclEntry"
        ),
        (K::NetworkAclEntry, true) => send!(
            client
                .delete_network_acl_entry()
                .network_acl_id("acl-00000000")
                .rule_number(100)
                .egress(false),
            "DeleteNetworkAclEntry"
        ),
        (K::NetworkAclAssociation, _) => send!(
            client
                .replace_network_acl_association()
                .association_id("aclassoc-00000000")
                .network_acl_id("acl-00000000"),
            "ReplaceNetworkAclAssociation"
        ),
        (K::ElasticIp, false) => send!(
            client.allocate_address().domain(DomainType::Vpc),
            "AllocateAddress"
        ),
        (K::ElasticIp, true) => send!(
            client.release_address().allocation_id("eipalloc-00000000"),
            "ReleaseAddress"
        ),
        (K::NatGateway, false) => send!(
            client
                .create_nat_gateway()
                .subnet_id("subnet-00000000")
                .allocation_id("eipalloc-00000000"),
            "CreateNatGateway"
        ),
        (K::NatGateway, true) => send!(
            client.delete_nat_gateway().nat_gateway_id("nat-00000000"),
            "DeleteNatGateway"
        ),
        (K::VpnConnection, false) => send!(
            client
                .create_vpn_connection()
                .r#type("ipsec.1")
                .customer_gateway_id("cgw-00000000")
                .vpn_gateway_id("vgw-00000000"),
            "CreateVpnConnection"
        ),
        (K::VpnConnection, true) => send!(
            client
                .delete_vpn_connection()
                .vpn_connection_id("vpn-00000000"),
            "DeleteVpnConnection"
        ),
        (K::GatewayEndpoint | K::InterfaceEndpoint, false) => send!(
            client
                .create_vpc_endpoint()
                .vpc_id("vpc-00000000")
                .service_name("com.amazonaws.us-east-1.s3"),
            "CreateVpcEndpoint"
        ),
        (K::GatewayEndpoint | K::InterfaceEndpoint, true) => send!(
            client
                .delete_vpc_endpoints()
                .vpc_endpoint_ids("vpce-00000000"),
            "DeleteVpcEndpoints"
        ),
        (K::SecurityGroupRule, false) => send!(
            client
                .authorize_security_group_ingress()
                .group_id("sg-00000000"),
            "AuthorizeSecurityGroupIngress"
        ),
        (K::SecurityGroupRule, true) => send!(
            client
                .revoke_security_group_ingress()
                .group_id("sg-00000000"),
            "RevokeSecurityGroupIngress"
        ),
        (K::Route, false) => send!(
            client
                .create_route()
                .route_table_id("rtb-00000000")
                .destination_cidr_block("0.0.0.0/0"),
            "CreateRoute"
        ),
        (K::Route, true) => send!(
            client
                .delete_route()
                .route_table_id("rtb-00000000")
                .destination_cidr_block("0.0.0.0/0"),
            "DeleteRoute"
        ),
        (K::RouteTableAssociation, false) => send!(
            client
                .associate_route_table()
                .route_table_id("rtb-00000000")
                .subnet_id("subnet-00000000"),
            "AssociateRouteTable"
        ),
        (K::RouteTableAssociation, true) => send!(
            client
                .disassociate_route_table()
                .association_id("rtbassoc-00000000"),
            "DisassociateRouteTable"
        ),
        (K::Instance, false) => send!(
            client
                .run_instances()
                .image_id("ami-00000000")
                .min_count(1)
                .max_count(1),
            "RunInstances"
        ),
        (K::Instance, true) => send!(
            client.terminate_instances().instance_ids("i-00000000"),
            "TerminateInstances"
        ),
        (K::FlowLog, false) => send!(
            client
                .create_flow_logs()
                .resource_type(FlowLogsResourceType::Vpc)
                .resource_ids("vpc-00000000")
                .traffic_type(TrafficType::All)
                .log_destination_type(LogDestinationType::S3)
                .log_destination("arn:aws:s3:::moat-dry-run"),
            "CreateFlowLogs"
        ),
        (K::FlowLog, true) => send!(
            client.delete_flow_logs().flow_log_ids("fl-00000000"),
            "DeleteFlowLogs"
        ),
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    use super::*;
    use crate::aws::NetworkApi;

    /// r14: an endpoint that answers 500 with no EC2 error (what an emulator says for a call it
    /// lacks) fails the call at once, in one line, instead of being retried for a minute.
    #[tokio::test]
    async fn an_answer_that_is_not_ec2s_is_not_retried_and_says_what_it_is() {
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
                    let body = "<html><body>Not implemented</body></html>";
                    let answer = format!(
                        "HTTP/1.1 500 Internal Server Error\r\ncontent-type: text/html\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                        body.len()
                    );
                    let _ = socket.write_all(answer.as_bytes()).await;
                });
            }
        });
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
}
