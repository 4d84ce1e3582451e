//! The EC2 port and its aws-sdk-ec2 implementation. This is the only module that knows
//! aws-sdk-ec2 types; the rest of Moat speaks in design ids, CIDRs and AWS id strings.
//!
//! Credentials, region defaults and endpoint overrides come from the server's own environment
//! through the SDK's standard chain (`AWS_REGION`, `AWS_ACCESS_KEY_ID`, `AWS_ENDPOINT_URL`, …),
//! never from a request.

pub mod recording;

use std::future::Future;
use std::pin::Pin;

use aws_sdk_ec2::config::Region;
use aws_sdk_ec2::error::{DisplayErrorContext, ProvideErrorMetadata};
use aws_sdk_ec2::types::{AttributeBooleanValue, ResourceType, Tag, TagSpecification};

/// A boxed future, so the port can be used as a trait object.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Tag keys Moat sets on everything it creates, at creation.
pub const TAG_DESIGN_ID: &str = "moat:design-id";
pub const TAG_LOGICAL_ID: &str = "moat:logical-id";
pub const TAG_DEPLOYMENT_ID: &str = "moat:deployment-id";

/// Who owns a resource: written as tags at creation.
#[derive(Debug, Clone)]
pub struct OwnershipTags {
    pub design_id: String,
    pub logical_id: String,
    pub deployment_id: String,
    pub name: String,
}

/// A failed EC2 call, with AWS's error code where there is one.
#[derive(Debug, Clone, thiserror::Error)]
pub enum AwsError {
    #[error("AWS refused {operation}: {code}: {message}")]
    Service {
        operation: &'static str,
        code: String,
        message: String,
    },
    #[error("{operation} failed: {detail}")]
    Transport {
        operation: &'static str,
        detail: String,
    },
    #[error("{operation} answered without {missing}")]
    IncompleteAnswer {
        operation: &'static str,
        missing: &'static str,
    },
}

/// What a VPC is created with.
#[derive(Debug, Clone)]
pub struct VpcRequest {
    pub cidr_block: String,
    pub enable_dns_support: bool,
    pub enable_dns_hostnames: bool,
}

/// What a subnet is created with.
#[derive(Debug, Clone)]
pub struct SubnetRequest {
    pub vpc_aws_id: String,
    pub cidr_block: String,
    pub availability_zone: String,
    pub map_public_ip_on_launch: bool,
}

/// The calls deployment needs from EC2.
pub trait NetworkApi: Send + Sync {
    fn create_vpc<'a>(
        &'a self,
        region: &'a str,
        request: &'a VpcRequest,
        tags: &'a OwnershipTags,
    ) -> BoxFuture<'a, Result<String, AwsError>>;
    fn create_subnet<'a>(
        &'a self,
        region: &'a str,
        request: &'a SubnetRequest,
        tags: &'a OwnershipTags,
    ) -> BoxFuture<'a, Result<String, AwsError>>;
}

/// EC2 through aws-sdk-ec2, configured from the server's environment.
pub struct Ec2Network {
    sdk_config: aws_config::SdkConfig,
}

impl Ec2Network {
    /// Loads the standard AWS configuration chain once, at start-up.
    pub async fn from_environment() -> Self {
        let sdk_config = aws_config::defaults(aws_config::BehaviorVersion::latest())
            .load()
            .await;
        Ec2Network { sdk_config }
    }

    fn client(&self, region: &str) -> aws_sdk_ec2::Client {
        let config = aws_sdk_ec2::config::Builder::from(&self.sdk_config)
            .region(Region::new(region.to_string()))
            .build();
        aws_sdk_ec2::Client::from_conf(config)
    }
}

fn tag_specification(resource_type: ResourceType, tags: &OwnershipTags) -> TagSpecification {
    let pairs = [
        ("Name", tags.name.as_str()),
        (TAG_DESIGN_ID, tags.design_id.as_str()),
        (TAG_LOGICAL_ID, tags.logical_id.as_str()),
        (TAG_DEPLOYMENT_ID, tags.deployment_id.as_str()),
    ];
    TagSpecification::builder()
        .resource_type(resource_type)
        .set_tags(Some(
            pairs
                .iter()
                .map(|(key, value)| Tag::builder().key(*key).value(*value).build())
                .collect(),
        ))
        .build()
}

fn service_error<E>(operation: &'static str, error: aws_sdk_ec2::error::SdkError<E>) -> AwsError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    match error.code() {
        Some(code) => AwsError::Service {
            operation,
            code: code.to_string(),
            message: error.message().unwrap_or_default().to_string(),
        },
        None => AwsError::Transport {
            operation,
            detail: DisplayErrorContext(&error).to_string(),
        },
    }
}

fn flag(value: bool) -> AttributeBooleanValue {
    AttributeBooleanValue::builder().value(value).build()
}

impl NetworkApi for Ec2Network {
    fn create_vpc<'a>(
        &'a self,
        region: &'a str,
        request: &'a VpcRequest,
        tags: &'a OwnershipTags,
    ) -> BoxFuture<'a, Result<String, AwsError>> {
        Box::pin(async move {
            let client = self.client(region);
            let created = client
                .create_vpc()
                .cidr_block(&request.cidr_block)
                .tag_specifications(tag_specification(ResourceType::Vpc, tags))
                .send()
                .await
                .map_err(|error| service_error("CreateVpc", error))?;
            let vpc_id = created
                .vpc()
                .and_then(|vpc| vpc.vpc_id())
                .ok_or(AwsError::IncompleteAnswer {
                    operation: "CreateVpc",
                    missing: "a VPC id",
                })?
                .to_string();
            // EC2 takes one attribute per ModifyVpcAttribute call.
            client
                .modify_vpc_attribute()
                .vpc_id(&vpc_id)
                .enable_dns_support(flag(request.enable_dns_support))
                .send()
                .await
                .map_err(|error| service_error("ModifyVpcAttribute", error))?;
            client
                .modify_vpc_attribute()
                .vpc_id(&vpc_id)
                .enable_dns_hostnames(flag(request.enable_dns_hostnames))
                .send()
                .await
                .map_err(|error| service_error("ModifyVpcAttribute", error))?;
            Ok(vpc_id)
        })
    }

    fn create_subnet<'a>(
        &'a self,
        region: &'a str,
        request: &'a SubnetRequest,
        tags: &'a OwnershipTags,
    ) -> BoxFuture<'a, Result<String, AwsError>> {
        Box::pin(async move {
            let client = self.client(region);
            let created = client
                .create_subnet()
                .vpc_id(&request.vpc_aws_id)
                .cidr_block(&request.cidr_block)
                .availability_zone(&request.availability_zone)
                .tag_specifications(tag_specification(ResourceType::Subnet, tags))
                .send()
                .await
                .map_err(|error| service_error("CreateSubnet", error))?;
            let subnet_id = created
                .subnet()
                .and_then(|subnet| subnet.subnet_id())
                .ok_or(AwsError::IncompleteAnswer {
                    operation: "CreateSubnet",
                    missing: "a subnet id",
                })?
                .to_string();
            if request.map_public_ip_on_launch {
                client
                    .modify_subnet_attribute()
                    .subnet_id(&subnet_id)
                    .map_public_ip_on_launch(flag(true))
                    .send()
                    .await
                    .map_err(|error| service_error("ModifySubnetAttribute", error))?;
            }
            Ok(subnet_id)
        })
    }
}
