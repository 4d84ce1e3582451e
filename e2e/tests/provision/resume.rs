//! A server killed mid-apply: the first server's runtime (every task and call in flight) is
//! dropped while it deploys through a slow layer. A second server on the same database does
//! not touch the deployment while the first holds its lease, takes it over once the lease
//! expired, and the deployment converges with no duplicate and no orphan; the journal shows
//! every entry before the takeover written by the first server and every one after by the
//! second.

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

/// The lease of the test's servers: short, so a takeover comes quickly.
const LEASE: Duration = Duration::from_millis(1_500);

async fn server_state(database: &std::path::Path, endpoint: &str) -> AppState {
    let store = Store::open_sqlite(database).await.expect("database");
    let network = Ec2Network::for_endpoint(endpoint)
        .await
        .with_poll_interval(Duration::from_millis(20));
    AppState {
        store,
        settings: Arc::new(settings(database.parent().unwrap())),
        network: Arc::new(network),
        leases: Arc::new(backend::deploy::Leases::new(LEASE)),
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
        .configure(|s| s.latency = Duration::from_millis(400));
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
            .create_design("d-resume", &design.name, &document, &user)
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
        for _ in 0..1_600 {
            let events = watcher.events_since(&deployment_id, 0).await.unwrap();
            let done = events
                .iter()
                .filter(|(_, e)| e.contains("\"phase\":\"done\""))
                .count();
            if done >= 4 {
                return;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        panic!("the deployment made no progress");
    });
    // A second server started now leaves it alone: the first holds the lease (slower calls,
    // so the first is still at work while the second looks, longer than a lease).
    harness
        .layer
        .configure(|s| s.latency = Duration::from_millis(600));
    let second = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let second_state = second.block_on(server_state(&database, &harness.layer.url));
    let (holder, _) = main.block_on(watcher.lease_of(&deployment_id)).unwrap();
    let first_id = holder.expect("the first server holds the lease");
    assert_ne!(first_id, second_state.leases.server_id());
    for _ in 0..3 {
        assert_eq!(
            second
                .block_on(second_state.deployer().claim_and_resume())
                .unwrap(),
            0,
            "a live server's deployment is not claimed"
        );
        std::thread::sleep(LEASE / 3);
    }
    // The kill: every task of the first server, and every call it had in flight, is gone.
    first.shutdown_background();
    let killed_at = std::time::Instant::now();
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

    // The second server takes it over once the dead server's lease has expired.
    let finished = second.block_on(async {
        let state = second_state.clone();
        let mut taken = 0;
        for _ in 0..100 {
            taken = state.deployer().claim_and_resume().await.unwrap();
            if taken > 0 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert_eq!(taken, 1, "taken over");
        assert!(killed_at.elapsed() >= LEASE, "not before the lease expired");
        let (holder, takeovers) = state.store.lease_of(&deployment_id).await.unwrap();
        assert_eq!(holder.as_deref(), Some(state.leases.server_id()));
        assert_eq!(takeovers, 1);
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
    // Each journal entry names its server: the first's, then only the second's.
    let servers = main
        .block_on(watcher.journal_servers(&deployment_id))
        .unwrap();
    let second_id = second_state.leases.server_id().to_string();
    let first_of_second = servers
        .iter()
        .position(|server| *server == second_id)
        .expect("the second server journaled");
    assert!(first_of_second > 0);
    assert!(
        servers[..first_of_second]
            .iter()
            .all(|server| *server == first_id),
        "before the takeover, only the first server"
    );
    assert!(
        servers[first_of_second..]
            .iter()
            .all(|server| *server == second_id),
        "after the takeover, only the second server: {servers:?}"
    );
    drop(second);
    drop(harness);
}
