//! A server killed mid-apply resumes at start-up: the first server's runtime (every task and
//! call in flight) is dropped while it deploys through a slow layer; a second server on the
//! same database resumes the deployment, which converges with no duplicate and no orphan.

use std::sync::Arc;
use std::time::Duration;

use backend::AppState;
use backend::auth::{Role, UserStatus};
use backend::aws::Ec2Network;
use backend::config::Settings;
use backend::deploy::Operation;
use backend::store::Store;
use shared::api::DeploymentStatus;

use crate::account;
use crate::{Harness, template};

fn settings(data_dir: &std::path::Path) -> Settings {
    Settings {
        data_dir: data_dir.to_path_buf(),
        static_dir: None,
        secure_cookies: false,
        body_limit_bytes: 1 << 20,
        protected_targets: Vec::new(),
        apply: Harness::options(),
        trusted_proxies: Vec::new(),
    }
}

async fn server_state(database: &std::path::Path, endpoint: &str) -> AppState {
    let store = Store::open_sqlite(database).await.expect("database");
    let network = Ec2Network::for_endpoint(endpoint)
        .await
        .with_poll_interval(Duration::from_millis(20));
    AppState {
        store,
        settings: Arc::new(settings(database.parent().unwrap())),
        network: Arc::new(network),
    }
}

#[test]
fn a_server_killed_mid_apply_resumes_at_start_up_and_converges() {
    let main = tokio::runtime::Runtime::new().unwrap();
    let harness = main
        .block_on(Harness::start(11))
        .expect("moto and the fault layer");
    // Slow calls, so the kill lands in the middle of the run.
    harness
        .layer
        .configure(|s| s.latency = Duration::from_millis(120));
    let data = tempfile::tempdir().unwrap();
    let database = data.path().join("moat.sqlite");
    let design = template("multimodal-endpoints");
    let document = shared::spec::save_design(&design);

    // The first server: starts the deployment, then dies.
    let first = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let deployment_id = first.block_on(async {
        let state = server_state(&database, &harness.layer.url).await;
        let user = state
            .store
            .create_user("dana", "unused-hash", Role::Deployer, UserStatus::Active)
            .await
            .unwrap();
        state
            .store
            .create_design("d-resume", &design.name, &document, user.id)
            .await
            .unwrap();
        state
            .deployer()
            .start("d-resume", &user, Operation::Apply)
            .await
            .map_err(|_| "the deployment did not start")
            .unwrap()
            .deployment_id
    });
    let watcher = main.block_on(Store::open_sqlite(&database)).unwrap();
    main.block_on(async {
        for _ in 0..400 {
            let events = watcher.events_since(&deployment_id, 0).await.unwrap();
            let done = events
                .iter()
                .filter(|(_, e)| e.contains("\"phase\":\"done\""))
                .count();
            if done >= 6 {
                return;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        panic!("the deployment made no progress");
    });
    // The kill: every task of the first server, and every call it had in flight, is gone.
    first.shutdown_background();
    let left = main.block_on(watcher.deployment(&deployment_id)).unwrap();
    assert_eq!(
        left.status,
        DeploymentStatus::Running,
        "the dead server left it running"
    );
    let partial = main.block_on(account::read(
        &harness.checker(),
        &harness.layer,
        "d-resume",
    ));
    let desired = shared::plan::desired_resources(&design).len();
    assert!(
        partial.tagged.len() < desired,
        "killed before the end: {}",
        partial.tagged.len()
    );
    harness.layer.configure(|s| s.latency = Duration::ZERO);

    // The second server on the same database resumes it at start-up.
    let second = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let finished = second.block_on(async {
        let state = server_state(&database, &harness.layer.url).await;
        assert_eq!(state.deployer().resume_interrupted().await.unwrap(), 1);
        for _ in 0..600 {
            let deployment = state.store.deployment(&deployment_id).await.unwrap();
            if deployment.status != DeploymentStatus::Running {
                return deployment;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("the resumed deployment did not finish");
    });
    assert_eq!(
        finished.status,
        DeploymentStatus::Succeeded,
        "{}",
        finished.message
    );
    let account = main.block_on(account::read(
        &harness.checker(),
        &harness.layer,
        "d-resume",
    ));
    assert!(
        account.duplicates().is_empty(),
        "{:?}",
        account.duplicates()
    );
    assert!(account.orphans(Some(&design)).is_empty());
    assert_eq!(account.lines, account::expected(&design));
    assert!(
        main.block_on(harness.plan("d-resume", Some(&design)))
            .is_empty()
    );
    // The journal lists every resource of the design once, across both servers.
    let tagged_kinds = shared::plan::desired_resources(&design)
        .iter()
        .filter(|r| r.key.kind.is_tagged())
        .count();
    assert!(
        finished.resources.len() >= tagged_kinds,
        "{}",
        finished.resources.len()
    );
    drop(second);
    drop(harness);
}
