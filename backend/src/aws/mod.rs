//! The EC2 port and its aws-sdk-ec2 implementation. This is the only module that knows
//! aws-sdk-ec2 types; the rest of Moat speaks in design ids, CIDRs and AWS id strings.
//!
//! Credentials, region defaults and endpoint overrides come from the server's own environment
//! through the SDK's standard chain (`AWS_REGION`, `AWS_ACCESS_KEY_ID`, `AWS_ENDPOINT_URL`, …),
//! never from a request.

pub mod ec2;
pub mod import;
pub mod recording;
mod sdk;

use std::collections::{BTreeMap, HashMap};

use std::future::Future;
use std::pin::Pin;

use shared::plan::{ObservedResource, ResourceKey, ResourceKind, ResourceSpec};

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
    /// The user's own tags, set beside Moat's at creation.
    pub user: shared::model::Tags,
}

/// What an in-place update changes: the compared attributes that differ, and the user tags
/// wanted and found (as `shared::plan::tags_text` writes them).
#[derive(Debug, Clone, Copy)]
pub struct InPlaceChange<'a> {
    pub changed: &'a [String],
    pub tags: &'a shared::model::Tags,
    pub observed_tags: Option<&'a str>,
}

/// A failed EC2 call, with AWS's error code where there is one.
#[derive(Debug, Clone, thiserror::Error)]
pub enum AwsError {
    #[error("{}", service_line(operation, code, message, *status, request_id.as_deref(), endpoint.as_deref()))]
    Service {
        operation: &'static str,
        code: String,
        message: String,
        /// The HTTP status of the answer, when one came (not for errors Moat derives).
        status: Option<u16>,
        /// AWS's request id, to quote to AWS support.
        request_id: Option<String>,
        /// The EC2 endpoint that answered (set by the adapter, [`AwsError::at_endpoint`]).
        endpoint: Option<String>,
    },
    #[error(
        "{operation} failed{}: {detail}; hint: check that the EC2 endpoint is reachable (AWS_ENDPOINT_URL, or the region's own) and the network allows it",
        at(endpoint.as_deref())
    )]
    Transport {
        operation: &'static str,
        detail: String,
        endpoint: Option<String>,
    },
    #[error("{operation} answered without {missing}")]
    IncompleteAnswer {
        operation: &'static str,
        missing: &'static str,
    },
    #[error("{reference} has no AWS id yet (it was not created)")]
    Unresolved { reference: String },
    /// A planned route names something no route can target (the planner never builds one).
    #[error("{reference} is not something a route can target")]
    NotARouteTarget { reference: String },
    /// The endpoint answered, but not as EC2 does (no error code in the body): most often an
    /// emulator that lacks the call. Retrying cannot help (except a gateway's 502/503/504).
    #[error(
        "{operation}: the endpoint{} answered HTTP {status} without an EC2 error: it may not implement {operation}; hint: the endpoint does not implement {operation}: against moto, start the sandbox with `cargo xtask run --moto`, which serves what moto lacks",
        at(endpoint.as_deref())
    )]
    NotAnEc2Answer {
        operation: &'static str,
        status: u16,
        endpoint: Option<String>,
    },
}

/// ` at <endpoint>`, when it is known.
fn at(endpoint: Option<&str>) -> String {
    endpoint
        .map(|endpoint| format!(" at {endpoint}"))
        .unwrap_or_default()
}

impl AwsError {
    /// The error, naming the endpoint that answered (or failed to) if it does not yet.
    pub fn at_endpoint(mut self, at_endpoint: &str) -> Self {
        match &mut self {
            AwsError::Service { endpoint, .. }
            | AwsError::Transport { endpoint, .. }
            | AwsError::NotAnEc2Answer { endpoint, .. } => {
                endpoint.get_or_insert_with(|| at_endpoint.to_string());
            }
            AwsError::IncompleteAnswer { .. }
            | AwsError::Unresolved { .. }
            | AwsError::NotARouteTarget { .. } => {}
        }
        self
    }
}

/// One AWS refusal in one line: the operation, the HTTP status, AWS's code and message, the
/// request id, and what to do about it.
fn service_line(
    operation: &str,
    code: &str,
    message: &str,
    status: Option<u16>,
    request_id: Option<&str>,
    endpoint: Option<&str>,
) -> String {
    let mut line = format!("AWS refused {operation}");
    if let Some(status) = status {
        line.push_str(&format!(" (HTTP {status})"));
    }
    line.push_str(&format!(": {code}: {}", message.replace(['\r', '\n'], " ")));
    if let Some(request_id) = request_id {
        line.push_str(&format!(" [request id {request_id}]"));
    }
    line.push_str(&at(endpoint));
    if let Some(hint) = hint_for(code) {
        line.push_str("; hint: ");
        line.push_str(hint);
    }
    line
}

/// What a person does about an AWS error code, for the codes that have one answer.
pub fn hint_for(code: &str) -> Option<&'static str> {
    let hint = match code {
        "UnauthorizedOperation" | "AccessDenied" | "AccessDeniedException" => {
            "the server's credentials may not make this call: `moat iam-policy DESIGN.json` prints the policy Moat needs"
        }
        "AuthFailure"
        | "InvalidClientTokenId"
        | "SignatureDoesNotMatch"
        | "ExpiredToken"
        | "RequestExpired" => {
            "check the server's AWS credentials (AWS_PROFILE or AWS_ACCESS_KEY_ID) and its clock"
        }
        "OptInRequired" => "the account has not opted in to this region: opt in, or choose another",
        "DependencyViolation" => {
            "something else still uses it (often made outside Moat): `moat drift` lists what changed"
        }
        "RequestLimitExceeded" | "Throttling" | "ThrottlingException" => {
            "EC2 throttled the calls: Moat retried with backoff; run it again in a minute"
        }
        "InvalidSubnet.Range" | "InvalidSubnet.Conflict" | "InvalidVpc.Range" => {
            "`moat validate` names the addressing conflict in the design"
        }
        code if code.ends_with("LimitExceeded") => {
            "an account quota is reached: raise it in Service Quotas, or remove what is unused"
        }
        _ => return None,
    };
    Some(hint)
}

impl AwsError {
    /// The error code AWS answered with, if it answered.
    pub fn code(&self) -> Option<&str> {
        match self {
            AwsError::Service { code, .. } => Some(code),
            _ => None,
        }
    }

    /// Throttling, a server-side failure or a lost connection: the same call may succeed later.
    pub fn is_transient(&self) -> bool {
        match self {
            AwsError::Service { code, .. } => matches!(
                code.as_str(),
                "RequestLimitExceeded"
                    | "Throttling"
                    | "ThrottlingException"
                    | "RequestThrottled"
                    | "InternalError"
                    | "InternalFailure"
                    | "ServiceUnavailable"
                    | "Unavailable"
                    | "RequestTimeout"
                    | "RequestExpired"
            ),
            AwsError::Transport { .. } => true,
            AwsError::IncompleteAnswer { .. } => true,
            AwsError::Unresolved { .. } | AwsError::NotARouteTarget { .. } => false,
            AwsError::NotAnEc2Answer { status, .. } => matches!(status, 502..=504),
        }
    }

    /// A call whose effect is unknown: it may have been carried out (the answer was lost).
    pub fn is_ambiguous(&self) -> bool {
        matches!(
            self,
            AwsError::Transport { .. } | AwsError::IncompleteAnswer { .. }
        ) || matches!(self.code(), Some("InternalError" | "InternalFailure"))
    }

    /// `InvalidVpcID.NotFound` and its kind: right after a create this is eventual consistency.
    pub fn is_not_found(&self) -> bool {
        self.code()
            .is_some_and(|code| code.ends_with(".NotFound") || code.ends_with("NotFound"))
    }

    pub fn is_dependency_violation(&self) -> bool {
        self.code() == Some("DependencyViolation")
    }
}

/// A random fraction in [0, 1), for jittered backoff.
pub fn jitter() -> f64 {
    let mut bytes = [0u8; 4];
    if getrandom::fill(&mut bytes).is_err() {
        return 0.5;
    }
    f64::from(u32::from_le_bytes(bytes)) / (f64::from(u32::MAX) + 1.0)
}

/// The AWS ids of the resources a step references, by resource key.
#[derive(Debug, Clone, Default)]
pub struct ResolvedIds {
    ids: HashMap<ResourceKey, String>,
}

impl ResolvedIds {
    pub fn insert(&mut self, key: ResourceKey, aws_id: String) {
        self.ids.insert(key, aws_id);
    }

    pub fn get(&self, kind: ResourceKind, logical_id: &str) -> Result<&str, AwsError> {
        self.ids
            .get(&ResourceKey::new(kind, logical_id))
            .map(String::as_str)
            .ok_or_else(|| AwsError::Unresolved {
                reference: format!("{} {logical_id}", kind.name()),
            })
    }

    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }
}

/// How a delete went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Deleted {
    Deleted,
    /// AWS answered `NotFound`: gone already, or not visible yet.
    AlreadyGone,
}

/// How a dry run of one call went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DryRunOutcome {
    /// `DryRunOperation`: the credentials may make the call.
    Allowed,
    /// `UnauthorizedOperation`: they may not.
    Denied { message: String },
}

/// The calls provisioning needs from EC2, in the planner's terms. Every create tags the
/// resource with its owner at creation; a resource inside another (a route, a rule, an
/// association, an ACL entry) is found through its container.
pub trait NetworkApi: Send + Sync {
    /// Everything in the region tagged with the design, as the planner sees it.
    fn inventory<'a>(
        &'a self,
        region: &'a str,
        design_id: &'a str,
    ) -> BoxFuture<'a, Result<Vec<ObservedResource>, AwsError>>;
    /// Creates one resource (and waits until it can be used) and answers its AWS id. Creating
    /// a route, rule, entry or association that is already there is a success. On a retry
    /// (`retry`), a tagged resource the earlier attempt made (its answer lost, or a later call
    /// of the same create failed) is found by its tags and finished, never made twice.
    fn create<'a>(
        &'a self,
        region: &'a str,
        spec: &'a ResourceSpec,
        ids: &'a ResolvedIds,
        tags: &'a OwnershipTags,
        retry: bool,
    ) -> BoxFuture<'a, Result<String, AwsError>>;
    /// Changes a resource in place to match `spec` and answers its (possibly new) AWS id:
    /// the attributes `change` names, its user tags among them.
    fn update<'a>(
        &'a self,
        region: &'a str,
        spec: &'a ResourceSpec,
        ids: &'a ResolvedIds,
        aws_id: &'a str,
        change: InPlaceChange<'a>,
    ) -> BoxFuture<'a, Result<String, AwsError>>;
    /// Deletes a resource (and waits until it is gone); one already gone is a success, told
    /// apart (`Deleted::AlreadyGone`) because a `NotFound` may only mean "not visible yet".
    fn delete<'a>(
        &'a self,
        region: &'a str,
        kind: ResourceKind,
        aws_id: &'a str,
        observed: &'a BTreeMap<String, String>,
    ) -> BoxFuture<'a, Result<Deleted, AwsError>>;
    /// Reads an existing VPC and everything in it into a design; also answers what was left
    /// out (things Moat does not model).
    fn import_vpc<'a>(
        &'a self,
        region: &'a str,
        vpc_id: &'a str,
    ) -> BoxFuture<'a, Result<(shared::Design, Vec<String>), AwsError>>;
    /// Asks EC2 whether the credentials may make the call that creates or deletes `kind`.
    fn dry_run<'a>(
        &'a self,
        region: &'a str,
        kind: ResourceKind,
        deleting: bool,
    ) -> BoxFuture<'a, Result<DryRunOutcome, AwsError>>;
}

pub use ec2::Ec2Network;
