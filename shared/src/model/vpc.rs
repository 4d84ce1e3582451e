//! A VPC: its CIDR blocks (the first is the primary), DNS attributes and flow logs.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::*;

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
    /// Whether its instances run on shared or single-tenant hardware (`dedicated` launches
    /// every instance as a Dedicated Instance, whatever it asks for).
    #[serde(default, skip_serializing_if = "VpcTenancy::is_default")]
    pub tenancy: VpcTenancy,
    /// The user's tags (key → value), beside Moat's own (`Name`, `moat:*`), which stay
    /// reserved.
    #[serde(default, skip_serializing_if = "Tags::is_empty")]
    pub tags: Tags,
}

/// A VPC's instance tenancy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum VpcTenancy {
    #[default]
    Default,
    Dedicated,
}

impl VpcTenancy {
    /// EC2's spelling (`InstanceTenancy`).
    pub fn as_str(self) -> &'static str {
        match self {
            VpcTenancy::Default => "default",
            VpcTenancy::Dedicated => "dedicated",
        }
    }

    fn is_default(&self) -> bool {
        *self == VpcTenancy::Default
    }
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

impl DesignObject for Vpc {
    const ROUTE_TARGET: Option<RouteTarget> = None;

    const STYLE: KindStyle = KindStyle {
        fill: "#F2F9F1",
        stroke: "#248814",
        letters: "VPC",
        role: ChipRole::Container,
    };

    const CONNECT_RANK: u8 = 5;

    fn id(&self) -> &str {
        &self.id
    }

    fn tags(&self) -> &Tags {
        &self.tags
    }

    fn container(&self) -> Container<'_> {
        Container::Canvas
    }

    const REFERENCE_FIELDS: &'static [(&'static str, &'static [ObjectKind])] = &[];

    fn references(&self) -> Vec<Reference<'_>> {
        Vec::new()
    }
}
