//! Several servers, one database, real processes: deployments are leased jobs.
//!
//! Two `moat serve` processes share one SQLite database and reach moto through the fault layer,
//! which records which server made each call (the server's id rides in every call's user
//! agent). The second server leaves the first's deployment alone while the first holds its
//! lease. SIGTERM on the first: it exits 0 within the bound and releases the lease, and the
//! second resumes the deployment at once, without waiting for the lease to expire. Then
//! `kill -9` on the server running a destroy: a third server takes it over once the lease has
//! expired. Each deployment converges with no duplicate and no orphan, no AWS call of the
//! first server comes after the second's first, and the journal names one server after the
//! other, never both at once.

use std::time::{Duration, Instant};

use backend::store::{DeploymentRecord, Store};
use e2e::{MoatServer, TestUser};
use serde_json::Value;
use shared::api::DeploymentStatus;

use crate::{Harness, account};

const DEPLOYER: TestUser = TestUser {
    name: "lena",
    role: "deployer",
    password: "correct horse battery",
};

/// The servers' lease: short, so a takeover comes within the test's patience.
const LEASE_SECONDS: &str = "2";
const LEASE: Duration = Duration::from_secs(2);

/// Waits up to `seconds` for `check` to answer something.
async fn eventually<T, F, Fut>(seconds: u64, what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let started = Instant::now();
    loop {
        if let Some(found) = check().await {
            return found;
        }
        assert!(
            started.elapsed() < Duration::from_secs(seconds),
            "{what}: not within {seconds} s"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Waits until a server other than `previous` holds the deployment's lease; its id.
async fn next_holder(store: &Store, deployment: &str, previous: &str, what: &str) -> String {
    eventually(20, what, || async {
        store
            .lease_of(deployment)
            .await
            .unwrap()
            .0
            .filter(|holder| holder != previous)
    })
    .await
}

/// Waits up to a minute for the deployment to end; how it ended.
async fn end_of(store: &Store, deployment: &str, what: &str) -> DeploymentRecord {
    eventually(60, what, || async {
        let record = store.deployment(deployment).await.unwrap();
        (record.status != DeploymentStatus::Running).then_some(record)
    })
    .await
}

/// Starts a deployment (`deployments`) or a destroy (`destroy`) through a server's API.
pub(crate) async fn start(base: &str, user: &TestUser, operation: &str, design_id: &str) -> String {
    let client = e2e::http::client();
    let session = e2e::http::sign_in(&client, base, user.name, user.password)
        .await
        .unwrap();
    let (status, started, _) = e2e::http::call(
        &client,
        "POST",
        &format!("{base}/api/v1/designs/{design_id}/{operation}"),
        Some(&session),
        None,
    )
    .await
    .unwrap();
    assert_eq!(status, 202, "{operation}: {started}");
    started["id"].as_str().unwrap().to_string()
}

/// The MVP template saved through a server's API by the deployer: its id there, and the
/// design.
pub(crate) async fn saved_mvp(base: &str, user: &TestUser) -> (String, shared::Design) {
    let client = e2e::http::client();
    let session = e2e::http::sign_in(&client, base, user.name, user.password)
        .await
        .unwrap();
    let document: Value =
        serde_json::from_str(shared::templates::template("mvp").unwrap().document).unwrap();
    let design = shared::spec::load_design_value(document.clone()).unwrap();
    let (status, created) = e2e::http::create_design(&client, base, &session, &document)
        .await
        .unwrap();
    assert_eq!(status, 201, "{created}");
    (created["id"].as_str().unwrap().to_string(), design)
}

/// The ids of the servers that made the layer's calls, in order, from `from` on.
fn callers_since(harness: &Harness, from: usize) -> Vec<String> {
    harness.layer.counts().callers[from..]
        .iter()
        .map(|(_, server)| server.clone())
        .filter(|server| !server.is_empty())
        .collect()
}

/// `servers` is a run of `first`'s ids followed by a run of `second`'s: never one after the
/// other has begun, never a third. The first must appear; the second only when `second_acts`
/// (a server resuming a run whose last steps were done journals nothing).
fn one_then_the_other(
    servers: &[String],
    first: &str,
    second: &str,
    second_acts: bool,
    what: &str,
) {
    let switch = servers
        .iter()
        .position(|server| server == second)
        .unwrap_or(servers.len());
    assert!(
        !second_acts || switch < servers.len(),
        "{what}: {second} never appears: {servers:?}"
    );
    assert!(
        switch > 0,
        "{what}: {first} never appears before {second}: {servers:?}"
    );
    assert!(
        servers[..switch].iter().all(|server| server == first),
        "{what}: before the handover only {first}: {servers:?}"
    );
    assert!(
        servers[switch..].iter().all(|server| server == second),
        "{what}: after the handover only {second}: {servers:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deployment_moves_to_another_server_on_sigterm_at_once_and_after_a_kill_when_its_lease_expires()
 {
    let harness = Harness::start(31).await.expect("moto and the fault layer");
    // Slow calls, so the handovers land in the middle of the runs.
    harness
        .layer
        .configure(|s| s.latency = Duration::from_millis(500));
    let settings = [("MOAT_LEASE_SECONDS", LEASE_SECONDS)];
    let mut first = MoatServer::start_with(&harness.layer.url, &[DEPLOYER], &settings).unwrap();
    let store = Store::open_sqlite(&first.data_dir().join("moat.sqlite"))
        .await
        .unwrap();
    let first_base = first.url.trim_end_matches('/').to_string();

    // A design, deployed through the first server.
    let (design_id, design) = saved_mvp(&first_base, &DEPLOYER).await;
    let calls_before = harness.layer.counts().callers.len();
    let deployment = start(&first_base, &DEPLOYER, "deployments", &design_id).await;
    let first_id = eventually(10, "the first server's lease", || async {
        store.lease_of(&deployment).await.unwrap().0
    })
    .await;

    // Past the plan, into the steps.
    eventually(30, "the first server's first step", || async {
        (!store.journal_servers(&deployment).await.unwrap().is_empty()).then_some(())
    })
    .await;
    // A second server on the same database, started while the first deploys, leaves it alone
    // for longer than a lease.
    let mut second = first.start_beside(&harness.layer.url, &settings).unwrap();
    let watched = Instant::now();
    while watched.elapsed() < LEASE + LEASE / 4 {
        let (holder, _) = store.lease_of(&deployment).await.unwrap();
        assert_eq!(
            holder.as_deref(),
            Some(first_id.as_str()),
            "the first server keeps its lease"
        );
        assert!(
            store
                .journal_servers(&deployment)
                .await
                .unwrap()
                .iter()
                .all(|server| *server == first_id),
            "only the first server journals"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(
        store.deployment(&deployment).await.unwrap().status,
        DeploymentStatus::Running,
        "still deploying when SIGTERM comes"
    );

    // SIGTERM: the first exits 0 within the bound, having released its lease; the second
    // resumes at once (before the lease could have expired).
    let terminated = Instant::now();
    let exit = first.terminate(Duration::from_secs(25)).unwrap();
    let stopped_in = terminated.elapsed();
    assert!(exit.success(), "moat serve exits 0 on SIGTERM: {exit}");
    let exited = Instant::now();
    let second_id = next_holder(&store, &deployment, &first_id, "the second server's claim").await;
    let handover = exited.elapsed();
    assert!(
        handover < LEASE,
        "resumed {handover:?} after the exit: a released lease is claimed at the next claim (every half lease), not when it would have expired"
    );
    let ended = end_of(&store, &deployment, "the deployment's end").await;
    assert_eq!(
        ended.status,
        DeploymentStatus::Succeeded,
        "{}",
        ended.message
    );
    let (_, takeovers) = store.lease_of(&deployment).await.unwrap();
    assert_eq!(takeovers, 0, "released and claimed, not taken over");
    one_then_the_other(
        &store.journal_servers(&deployment).await.unwrap(),
        &first_id,
        &second_id,
        false,
        "the deploy's journal",
    );
    one_then_the_other(
        &callers_since(&harness, calls_before),
        &first_id,
        &second_id,
        true,
        "the deploy's AWS calls",
    );
    let deployed = account::read(&harness.checker(), &harness.layer, &design_id).await;
    assert!(
        deployed.duplicates().is_empty(),
        "{:?}",
        deployed.duplicates()
    );
    assert!(deployed.orphans(Some(&design)).is_empty());
    assert_eq!(deployed.lines, account::expected(&design));
    eprintln!(
        "SIGTERM: exited 0 in {stopped_in:?}; the other server resumed {handover:?} after the exit"
    );

    // kill -9 on the server running a destroy: a third server takes it over once the lease
    // has expired, not before.
    harness
        .layer
        .configure(|s| s.latency = Duration::from_millis(200));
    let mut third = second.start_beside(&harness.layer.url, &settings).unwrap();
    let second_base = second.url.trim_end_matches('/').to_string();
    let calls_before = harness.layer.counts().callers.len();
    let destroy = start(&second_base, &DEPLOYER, "destroy", &design_id).await;
    eventually(30, "the destroy's first steps", || async {
        (store.journal_servers(&destroy).await.unwrap().len() >= 2).then_some(())
    })
    .await;
    assert_eq!(
        store.lease_of(&destroy).await.unwrap().0.as_deref(),
        Some(second_id.as_str())
    );
    second.kill_now().unwrap();
    let killed = Instant::now();
    let third_id = next_holder(&store, &destroy, &second_id, "the third server's takeover").await;
    let takeover = killed.elapsed();
    assert!(
        takeover >= LEASE - Duration::from_millis(300),
        "taken over {takeover:?} after the kill: not before the lease could expire"
    );
    let ended = end_of(&store, &destroy, "the destroy's end").await;
    assert_eq!(
        ended.status,
        DeploymentStatus::Succeeded,
        "{}",
        ended.message
    );
    assert_eq!(store.lease_of(&destroy).await.unwrap().1, 1, "one takeover");
    one_then_the_other(
        &store.journal_servers(&destroy).await.unwrap(),
        &second_id,
        &third_id,
        false,
        "the destroy's journal",
    );
    one_then_the_other(
        &callers_since(&harness, calls_before),
        &second_id,
        &third_id,
        true,
        "the destroy's AWS calls",
    );
    let destroyed = account::read(&harness.checker(), &harness.layer, &design_id).await;
    assert!(destroyed.tagged.is_empty(), "{:?}", destroyed.lines);
    // The third server's metrics count the takeover.
    let metrics = e2e::http::text(
        &e2e::http::client(),
        &format!("{}/metrics", third.url.trim_end_matches('/')),
    )
    .await
    .unwrap();
    assert!(
        metrics.contains("moat_lease_takeovers_total 1"),
        "{}",
        metrics
            .lines()
            .filter(|line| line.contains("lease"))
            .collect::<Vec<_>>()
            .join("\n")
    );
    eprintln!("kill -9: taken over {takeover:?} after the kill (lease {LEASE:?})");
    let _ = third.terminate(Duration::from_secs(25));
}

/// An empty database on the PostgreSQL server at `admin_url`; its URL.
async fn fresh_postgres_database(admin_url: &str) -> String {
    use sqlx::Connection;
    sqlx::any::install_default_drivers();
    let name = format!("moat_servers_{}", std::process::id());
    let mut connection = sqlx::AnyConnection::connect(admin_url)
        .await
        .expect("connect to the test PostgreSQL server");
    sqlx::query(&format!("DROP DATABASE IF EXISTS {name}"))
        .execute(&mut connection)
        .await
        .expect("drop a left-over database");
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut connection)
        .await
        .expect("create a test database");
    let (server, _) = admin_url
        .rsplit_once('/')
        .expect("a URL ending in /database");
    format!("{server}/{name}")
}

/// The server among `servers` whose id (`moat-<pid>-…`) is `server_id`.
fn index_of(servers: &[MoatServer], server_id: &str) -> Option<usize> {
    servers
        .iter()
        .position(|server| server_id.starts_with(&format!("moat-{}-", server.pid())))
}

/// Three servers on one database (PostgreSQL when `MOAT_TEST_DATABASE_URL` names a server, as
/// in the test command's PostgreSQL step, twenty rounds; else one SQLite file, ten): a deployment
/// (apply, then destroy, in turn) started on a random server, the server holding it killed
/// with SIGKILL after a random number of steps, a new server started in its place. Each round
/// the deployment is taken over once, after the lease, converges, and its journal and its AWS
/// calls name the killed server, then only the one that took it over.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_servers_on_one_database_take_over_from_a_killed_one_round_after_round() {
    let harness = Harness::start(41).await.expect("moto and the fault layer");
    harness
        .layer
        .configure(|s| s.latency = Duration::from_millis(50));
    let database_url = match std::env::var("MOAT_TEST_DATABASE_URL") {
        Ok(url) if !url.is_empty() => Some(fresh_postgres_database(&url).await),
        _ => None,
    };
    let rounds: usize = if database_url.is_some() { 20 } else { 10 };
    let mut settings = vec![("MOAT_LEASE_SECONDS", "1")];
    if let Some(url) = &database_url {
        settings.push(("MOAT_DATABASE_URL", url.as_str()));
    }
    let lease = Duration::from_millis(1_000);
    let mut servers =
        vec![MoatServer::start_with(&harness.layer.url, &[DEPLOYER], &settings).unwrap()];
    let store = match &database_url {
        Some(url) => Store::open(url).await.unwrap(),
        None => Store::open_sqlite(&servers[0].data_dir().join("moat.sqlite"))
            .await
            .unwrap(),
    };
    // The killed keep their data directory (the others' SQLite file) until the end.
    let mut killed: Vec<MoatServer> = Vec::new();
    for _ in 0..2 {
        let next = servers[0]
            .start_beside(&harness.layer.url, &settings)
            .unwrap();
        servers.push(next);
    }
    let (design_id, design) = saved_mvp(servers[0].url.trim_end_matches('/'), &DEPLOYER).await;

    let mut random: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next_random = move || {
        random ^= random << 13;
        random ^= random >> 7;
        random ^= random << 17;
        random
    };
    let mut takeover_times = Vec::new();
    let mut steps_at_kill = Vec::new();
    for round in 0..rounds {
        let operation = if round % 2 == 0 {
            "deployments"
        } else {
            "destroy"
        };
        let starter = (next_random() % servers.len() as u64) as usize;
        let calls_before = harness.layer.counts().callers.len();
        let deployment = start(
            servers[starter].url.trim_end_matches('/'),
            &DEPLOYER,
            operation,
            &design_id,
        )
        .await;
        // Killed after a random number of journal entries (each step writes two).
        let steps = 1 + (next_random() % 4) as usize;
        eventually(30, "the deployment's first steps", || async {
            (store.journal_servers(&deployment).await.unwrap().len() >= steps).then_some(())
        })
        .await;
        let holder = store.lease_of(&deployment).await.unwrap().0.expect("held");
        let victim = index_of(&servers, &holder).expect("the holder is one of the servers");
        let mut dead = servers.remove(victim);
        dead.kill_now().unwrap();
        let killed_at = Instant::now();
        steps_at_kill.push(store.journal_servers(&deployment).await.unwrap().len());
        killed.push(dead);
        let replacement = servers[0]
            .start_beside(&harness.layer.url, &settings)
            .unwrap();
        servers.push(replacement);
        let taker = next_holder(&store, &deployment, &holder, "the takeover").await;
        let took = killed_at.elapsed();
        assert!(
            took >= lease - Duration::from_millis(300),
            "round {round}: taken over {took:?} after the kill, before the lease could expire"
        );
        takeover_times.push(took);
        let ended = end_of(&store, &deployment, "the deployment's end").await;
        assert_eq!(
            ended.status,
            DeploymentStatus::Succeeded,
            "round {round}: {}",
            ended.message
        );
        assert_eq!(
            store.lease_of(&deployment).await.unwrap().1,
            1,
            "round {round}: one takeover"
        );
        one_then_the_other(
            &store.journal_servers(&deployment).await.unwrap(),
            &holder,
            &taker,
            false,
            &format!("round {round}: the journal"),
        );
        one_then_the_other(
            &callers_since(&harness, calls_before),
            &holder,
            &taker,
            true,
            &format!("round {round}: the AWS calls"),
        );
        let account = account::read(&harness.checker(), &harness.layer, &design_id).await;
        assert!(
            account.duplicates().is_empty(),
            "round {round}: {:?}",
            account.duplicates()
        );
        if operation == "deployments" {
            assert!(account.orphans(Some(&design)).is_empty(), "round {round}");
            assert_eq!(account.lines, account::expected(&design), "round {round}");
        } else {
            assert!(
                account.tagged.is_empty(),
                "round {round}: {:?}",
                account.lines
            );
        }
    }
    takeover_times.sort();
    eprintln!(
        "{} on {}: {rounds} rounds, {rounds} kills (at journal entry {steps_at_kill:?}), takeovers after the kill: min {:?}, median {:?}, max {:?} (lease {lease:?}); 0 duplicates, 0 orphans, no call by two servers",
        design.name,
        if database_url.is_some() {
            "PostgreSQL"
        } else {
            "SQLite"
        },
        takeover_times[0],
        takeover_times[rounds / 2],
        takeover_times[rounds - 1]
    );
    drop(servers);
    drop(killed);
}
