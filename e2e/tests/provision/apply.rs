//! Each template: apply, check through Describe, apply again (nothing to do), edit (only the
//! difference), destroy (nothing tagged remains).

use shared::Design;
use shared::model::{Protocol, SecurityGroupRule};

use crate::account::{self, difference};
use crate::{Harness, template};

async fn assert_account_matches(harness: &Harness, design_id: &str, design: &Design) {
    let account = account::read(&harness.checker(), &harness.layer, design_id).await;
    let expected = account::expected(design);
    assert_eq!(
        account.lines,
        expected,
        "{}",
        difference(&expected, &account.lines)
    );
    assert!(
        account.duplicates().is_empty(),
        "{:?}",
        account.duplicates()
    );
    assert!(
        account.orphans(Some(design)).is_empty(),
        "{:?}",
        account.orphans(Some(design))
    );
}

/// The edit each lifecycle applies: the last ingress rule of the last group removed (when it
/// has more than one) and a rule added to the first group.
fn edited(design: &Design) -> Design {
    let mut edited = design.clone();
    if let Some(group) = edited.security_groups.last_mut()
        && group.ingress.len() > 1
    {
        group.ingress.pop();
    }
    if let Some(group) = edited.security_groups.first_mut() {
        group.ingress.push(SecurityGroupRule {
            protocol: Protocol::Tcp,
            from_port: 8443,
            to_port: 8443,
            cidr: Some("10.99.0.0/16".into()),
            security_group: None,
            prefix_list: None,
        });
    }
    edited
}

async fn lifecycle(name: &str) {
    let harness = Harness::start(7).await.expect("moto and the fault layer");
    let design_id = format!("d-{name}");
    let design = template(name);
    let desired = shared::plan::desired_resources(&design);

    let plan = harness.plan(&design_id, Some(&design)).await;
    assert_eq!(
        plan.steps.len(),
        desired.len(),
        "an empty account: everything is created"
    );
    let report = harness.apply(&design_id, Some(&design), "dep-1").await;
    assert!(report.succeeded(), "{name}: {}", report.summary());
    assert_eq!(report.created.len(), desired.len());
    assert_account_matches(&harness, &design_id, &design).await;

    // Applying again changes nothing.
    let again = harness.plan(&design_id, Some(&design)).await;
    assert!(again.is_empty(), "{name}: {:#?}", again.steps);
    assert_eq!(again.unchanged, desired.len());

    // An edit becomes only its difference.
    let changed = edited(&design);
    let plan = harness.plan(&design_id, Some(&changed)).await;
    let removed = usize::from(
        design
            .security_groups
            .last()
            .is_some_and(|g| g.ingress.len() > 1),
    );
    assert_eq!(
        plan.counts(),
        (1, 0, 0, removed),
        "{name}: {:#?}",
        plan.steps
    );
    let report = harness.apply(&design_id, Some(&changed), "dep-2").await;
    assert!(report.succeeded(), "{name}: {}", report.summary());
    assert_account_matches(&harness, &design_id, &changed).await;
    assert!(harness.plan(&design_id, Some(&changed)).await.is_empty());

    // Destroy: nothing tagged with the design remains.
    let report = harness.apply(&design_id, None, "dep-3").await;
    assert!(report.succeeded(), "{name}: {}", report.summary());
    let account = account::read(&harness.checker(), &harness.layer, &design_id).await;
    assert!(
        account.tagged.is_empty(),
        "{name}: left behind {:?}",
        account.tagged
    );
    assert!(harness.plan(&design_id, None).await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mvp_applies_converges_updates_and_destroys() {
    lifecycle("mvp").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tabular_vpn_applies_converges_updates_and_destroys() {
    lifecycle("tabular-vpn").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn multimodal_endpoints_applies_converges_updates_and_destroys() {
    lifecycle("multimodal-endpoints").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn llm_training_efa_applies_converges_updates_and_destroys() {
    lifecycle("llm-training-efa").await;
}
