//! Plain data on the wire between the server and its clients (the app, scripts), shared so
//! neither side re-declares it: no HTTP here, only the values and their spelling.

use serde::{Deserialize, Serialize};

crate::enumerate::enum_with_all! {
    /// Where a deployment is. Stored and sent as its snake_case name.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
    #[serde(rename_all = "snake_case")]
    pub enum DeploymentStatus {
        /// A protected target's request, waiting for a second deployer.
        AwaitingApproval,
        Running,
        Succeeded,
        Failed,
        /// The design changed before the approval: the request no longer matches.
        Invalidated,
    }
}

impl DeploymentStatus {
    /// The stored and sent spelling (`awaiting_approval`).
    pub fn as_str(self) -> &'static str {
        match self {
            DeploymentStatus::AwaitingApproval => "awaiting_approval",
            DeploymentStatus::Running => "running",
            DeploymentStatus::Succeeded => "succeeded",
            DeploymentStatus::Failed => "failed",
            DeploymentStatus::Invalidated => "invalidated",
        }
    }

    /// The status a stored or sent name spells, if any.
    pub fn parse(name: &str) -> Option<DeploymentStatus> {
        DeploymentStatus::ALL
            .into_iter()
            .find(|status| status.as_str() == name)
    }

    /// Whether the deployment may still change the account (or start to): watch it.
    pub fn is_open(self) -> bool {
        match self {
            DeploymentStatus::AwaitingApproval | DeploymentStatus::Running => true,
            DeploymentStatus::Succeeded
            | DeploymentStatus::Failed
            | DeploymentStatus::Invalidated => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_status_is_spelled_as_serde_spells_it_and_parses_back() {
        for status in DeploymentStatus::ALL {
            assert_eq!(
                serde_json::to_value(status).unwrap(),
                serde_json::Value::from(status.as_str())
            );
            assert_eq!(DeploymentStatus::parse(status.as_str()), Some(status));
        }
        assert_eq!(DeploymentStatus::parse("Running"), None);
    }
}
