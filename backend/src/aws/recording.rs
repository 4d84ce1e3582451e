//! A test double of [`NetworkApi`]: records every call and hands out fake ids. It can hold
//! calls until released, to test what happens while a deployment runs. The real EC2 path is
//! tested against moto in the browser suite.

use std::sync::Mutex;

use tokio::sync::Semaphore;

use super::{AwsError, BoxFuture, NetworkApi, OwnershipTags, SubnetRequest, VpcRequest};

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

impl NetworkApi for RecordingNetwork {
    fn create_vpc<'a>(
        &'a self,
        _region: &'a str,
        request: &'a VpcRequest,
        tags: &'a OwnershipTags,
    ) -> BoxFuture<'a, Result<String, AwsError>> {
        Box::pin(async move {
            Ok(self
                .record("CreateVpc", &tags.logical_id, &request.cidr_block)
                .await)
        })
    }

    fn create_subnet<'a>(
        &'a self,
        _region: &'a str,
        request: &'a SubnetRequest,
        tags: &'a OwnershipTags,
    ) -> BoxFuture<'a, Result<String, AwsError>> {
        Box::pin(async move {
            Ok(self
                .record("CreateSubnet", &tags.logical_id, &request.cidr_block)
                .await)
        })
    }
}
