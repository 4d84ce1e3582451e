//! Provisioning against moto's server (started per test) through the fault-injection layer:
//! each template applied, checked independently through Describe calls, applied again (no
//! change), edited (only the difference), destroyed (nothing tagged remains); the same under
//! injected faults and with the applier killed after every step.

mod account;
mod apply;
mod backup;
mod cli;
mod corpus;
mod exports;
mod faults;
mod gaps;
mod heavy;
mod hostile;
mod leases;
mod load;
mod resume;
mod sandbox;
mod updates;

use std::sync::Arc;
use std::time::Duration;

use backend::aws::{Ec2Network, NetworkApi};
use backend::provision::{self, ApplyOptions, ApplyReport, MemoryJournal, Owner};
use e2e::Moto;
use e2e::faults::FaultLayer;
use shared::Design;
use shared::plan::{Plan, desired_resources};

/// Asserts that a design validates without an error (what a deploy would refuse).
pub fn assert_valid(design: &Design) {
    let errors: Vec<_> = shared::validate::validate(design)
        .into_iter()
        .filter(|d| d.severity == shared::validate::Severity::Error)
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
}

/// The AWS id an apply created for the first resource of `kind`.
pub fn created_id(report: &ApplyReport, kind: shared::plan::ResourceKind) -> String {
    report
        .created
        .iter()
        .find(|(key, _)| key.kind == kind)
        .map(|(_, id)| id.clone())
        .unwrap_or_else(|| panic!("no {kind:?} in {:?}", report.created))
}

/// moto, the fault layer in front of it, and the EC2 port pointed at the layer.
pub struct Harness {
    pub moto: Moto,
    pub layer: FaultLayer,
    pub network: Arc<dyn NetworkApi>,
}

impl Harness {
    pub async fn start(seed: u64) -> anyhow::Result<Harness> {
        let moto = Moto::start()?;
        let layer = FaultLayer::start(&moto.url, seed).await?;
        let network = Ec2Network::for_endpoint(&layer.url)
            .await
            .with_poll_interval(Duration::from_millis(20))
            .with_attempt_timeout(Duration::from_millis(700));
        Ok(Harness {
            moto,
            layer,
            network: Arc::new(network),
        })
    }

    /// A plain EC2 client for checks, through the layer (which serves what moto cannot) with
    /// faults off.
    pub fn checker(&self) -> aws_sdk_ec2::Client {
        self.layer.configure(|settings| settings.rate = 0.0);
        let credentials =
            aws_sdk_ec2::config::Credentials::new("testing", "testing", None, None, "checks");
        let config = aws_sdk_ec2::Config::builder()
            .behavior_version(aws_sdk_ec2::config::BehaviorVersion::latest())
            .region(aws_sdk_ec2::config::Region::new("us-east-1"))
            .endpoint_url(&self.layer.url)
            .credentials_provider(credentials)
            .build();
        aws_sdk_ec2::Client::from_conf(config)
    }

    pub fn options() -> ApplyOptions {
        ApplyOptions {
            parallelism: 8,
            max_attempts: 12,
            base_delay: Duration::from_millis(10),
            max_delay: Duration::from_millis(200),
        }
    }

    pub async fn plan(&self, design_id: &str, design: Option<&Design>) -> Plan {
        let desired = design.map(desired_resources).unwrap_or_default();
        provision::plan_against_account(
            self.network.as_ref(),
            "us-east-1",
            design_id,
            &desired,
            &Self::options(),
        )
        .await
        .expect("the inventory")
        .0
    }

    /// Plans and applies `design` (or destroys, for `None`) as deployment `deployment_id`.
    pub async fn apply(
        &self,
        design_id: &str,
        design: Option<&Design>,
        deployment_id: &str,
    ) -> ApplyReport {
        let desired = design.map(desired_resources).unwrap_or_default();
        let (plan, observed) = provision::plan_against_account(
            self.network.as_ref(),
            "us-east-1",
            design_id,
            &desired,
            &Self::options(),
        )
        .await
        .expect("the inventory");
        provision::apply_and_verify(
            self.network.clone(),
            Arc::new(MemoryJournal::default()),
            "us-east-1",
            Owner {
                design_id: design_id.to_string(),
                deployment_id: deployment_id.to_string(),
            },
            &desired,
            &plan,
            &observed,
            Self::options(),
        )
        .await
    }
}

pub fn template(name: &str) -> Design {
    shared::templates::template(name)
        .expect("template")
        .design()
        .expect("template loads")
}
