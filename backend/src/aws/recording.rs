//! A test double of [`NetworkApi`]: records every call and hands out fake ids. It can hold
//! calls until released, to test what happens while a deployment runs. Its inventory is always
//! empty. The real EC2 path is tested against moto (the provisioning and browser suites).

use shared::plan::resource::*;
use std::sync::Mutex;

use tokio::sync::Semaphore;

use std::collections::BTreeMap;

use shared::plan::{ObservedResource, ResourceKind, ResourceSpec};

use super::{AwsError, BoxFuture, Deleted, DryRunOutcome, NetworkApi, OwnershipTags, ResolvedIds};

/// One recorded call: operation, logical id, and the CIDR asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedCall {
    pub operation: &'static str,
    pub logical_id: String,
    pub cidr_block: String,
}

#[derive(Default)]
pub struct RecordingNetwork {
    calls: Mutex<Vec<RecordedCall>>,
    /// When set, every call waits for a permit.
    gate: Option<Semaphore>,
}

impl RecordingNetwork {
    /// Calls go through at once.
    pub fn open() -> Self {
        RecordingNetwork::default()
    }

    /// Calls wait until [`RecordingNetwork::release`].
    pub fn gated() -> Self {
        RecordingNetwork {
            calls: Mutex::new(Vec::new()),
            gate: Some(Semaphore::new(0)),
        }
    }

    pub fn release(&self, calls: usize) {
        if let Some(gate) = &self.gate {
            gate.add_permits(calls);
        }
    }

    pub fn calls(&self) -> Vec<RecordedCall> {
        self.calls
            .lock()
            .map(|calls| calls.clone())
            .unwrap_or_default()
    }

    async fn record(&self, operation: &'static str, logical_id: &str, cidr_block: &str) -> String {
        if let Some(gate) = &self.gate
            && let Ok(permit) = gate.acquire().await
        {
            permit.forget();
        }
        let mut calls = self
            .calls
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        calls.push(RecordedCall {
            operation,
            logical_id: logical_id.to_string(),
            cidr_block: cidr_block.to_string(),
        });
        format!("{}-{:08x}", operation.to_lowercase(), calls.len())
    }
}

/// The EC2 call a create records: the first of the catalogue's create actions (the egress
/// variant for an egress rule), with the block or destination that tells creates apart.
fn operation_of(spec: &ResourceSpec) -> (&'static str, String) {
    let kind = spec.kind();
    let call = match spec {
        ResourceSpec::SecurityGroupRule(SecurityGroupRuleSpec { egress: true, .. }) => {
            "ec2:AuthorizeSecurityGroupEgress"
        }
        _ => kind.facts().create_actions[0],
    };
    let call = call.trim_start_matches("ec2:");
    let detail = match spec {
        ResourceSpec::Vpc(VpcSpec { cidr_block, .. })
        | ResourceSpec::Subnet(SubnetSpec { cidr_block, .. }) => cidr_block.clone(),
        ResourceSpec::Route(RouteSpec { destination, .. }) => destination.clone(),
        _ => String::new(),
    };
    (call, detail)
}

impl NetworkApi for RecordingNetwork {
    fn inventory<'a>(
        &'a self,
        _region: &'a str,
        _design_id: &'a str,
    ) -> BoxFuture<'a, Result<Vec<ObservedResource>, AwsError>> {
        Box::pin(async move { Ok(Vec::new()) })
    }

    fn create<'a>(
        &'a self,
        _region: &'a str,
        spec: &'a ResourceSpec,
        _ids: &'a ResolvedIds,
        tags: &'a OwnershipTags,
        _retry: bool,
    ) -> BoxFuture<'a, Result<String, AwsError>> {
        Box::pin(async move {
            let (operation, cidr_block) = operation_of(spec);
            Ok(self.record(operation, &tags.logical_id, &cidr_block).await)
        })
    }

    fn update<'a>(
        &'a self,
        _region: &'a str,
        _spec: &'a ResourceSpec,
        _ids: &'a ResolvedIds,
        aws_id: &'a str,
        _change: super::InPlaceChange<'a>,
    ) -> BoxFuture<'a, Result<String, AwsError>> {
        Box::pin(async move { Ok(aws_id.to_string()) })
    }

    fn delete<'a>(
        &'a self,
        _region: &'a str,
        _kind: ResourceKind,
        aws_id: &'a str,
        _observed: &'a BTreeMap<String, String>,
    ) -> BoxFuture<'a, Result<Deleted, AwsError>> {
        Box::pin(async move {
            self.record("Delete", aws_id, "").await;
            Ok(Deleted::Deleted)
        })
    }

    fn import_vpc<'a>(
        &'a self,
        _region: &'a str,
        vpc_id: &'a str,
    ) -> BoxFuture<'a, Result<(shared::Design, Vec<String>), AwsError>> {
        Box::pin(async move {
            Err(AwsError::Service {
                endpoint: None,
                request_id: Default::default(),
                status: Default::default(),
                operation: "DescribeVpcs",
                code: "InvalidVpcID.NotFound".into(),
                message: format!("the recording network holds no VPC {vpc_id}"),
            })
        })
    }

    fn dry_run<'a>(
        &'a self,
        _region: &'a str,
        _kind: ResourceKind,
        _deleting: bool,
    ) -> BoxFuture<'a, Result<DryRunOutcome, AwsError>> {
        Box::pin(async move { Ok(DryRunOutcome::Allowed) })
    }
}
