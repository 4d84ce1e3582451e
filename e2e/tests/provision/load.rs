//! Load on loopback, bounded in count and time: 64 clients, each signed in with its own session,
//! save their own 100-subnet designs revision after revision against the real server while a
//! deployment runs through the slow fault layer (its journal and lease renewals write to the
//! same database). No answer is a 5xx, no save is lost (every design's stored revision and
//! content are its client's last acknowledged save), and the deployment still succeeds.

use std::time::{Duration, Instant};

use e2e::http::{Session, call};
use e2e::{MoatServer, TestUser};
use serde_json::{Value, json};

use crate::Harness;

const DEPLOYER: TestUser = TestUser {
    name: "omar",
    role: "deployer",
    password: "correct horse battery",
};

const CLIENTS: usize = 64;
const SAVES_PER_CLIENT: usize = 10;

async fn signed_in(client: &e2e::http::HttpClient, base: &str) -> Session {
    e2e::http::sign_in(client, base, DEPLOYER.name, DEPLOYER.password)
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sixty_four_clients_save_while_a_deployment_runs_with_no_5xx_and_no_lost_save() {
    let harness = Harness::start(51).await.expect("moto and the fault layer");
    harness
        .layer
        .configure(|s| s.latency = Duration::from_millis(100));
    let server = MoatServer::start_with(&harness.layer.url, &[DEPLOYER], &[]).unwrap();
    let base = server.url.trim_end_matches('/').to_string();
    let client = e2e::http::client();
    let session = signed_in(&client, &base).await;

    // A deployment running meanwhile.
    let (deployed_design, _) = crate::leases::saved_mvp(&base, &DEPLOYER).await;
    let deployment = crate::leases::start(&base, &DEPLOYER, "deployments", &deployed_design).await;

    let document = serde_json::to_value(shared::generate::generated_design(100)).unwrap();
    // Each client signs in with its own session, one after the other (sign-ins from one
    // address at once count as concurrent guesses: the throttle's own rule).
    let mut sessions = Vec::new();
    for _ in 0..CLIENTS {
        sessions.push(signed_in(&client, &base).await);
    }
    let began = Instant::now();
    let mut workers = Vec::new();
    for (worker, session) in sessions.into_iter().enumerate() {
        let (client, base, mut document) = (client.clone(), base.clone(), document.clone());
        workers.push(tokio::spawn(async move {
            document["name"] = json!(format!("client {worker}"));
            let (status, created) = e2e::http::create_design(&client, &base, &session, &document)
                .await
                .unwrap();
            assert_eq!(status, 201, "client {worker}: {created}");
            let id = created["id"].as_str().unwrap().to_string();
            let mut revision = created["revision"].as_i64().unwrap_or(1);
            let mut statuses = Vec::new();
            for save in 0..SAVES_PER_CLIENT {
                // Each save changes the design, so each is a revision of its own.
                document["name"] = json!(format!("client {worker} save {save}"));
                let (status, saved, _) = call(
                    &client,
                    "PUT",
                    &format!("{base}/api/v1/designs/{id}"),
                    Some(&session),
                    Some(&json!({"base_revision": revision, "document": document})),
                )
                .await
                .unwrap();
                statuses.push(status);
                if status == 200 {
                    revision = saved["revision"].as_i64().unwrap();
                }
            }
            (id, revision, document["name"].clone(), statuses)
        }));
    }
    let mut acknowledged = Vec::new();
    let mut statuses = Vec::new();
    let all = tokio::time::timeout(Duration::from_secs(180), async {
        for worker in workers {
            acknowledged.push(worker.await.unwrap());
        }
    })
    .await;
    assert!(all.is_ok(), "the clients did not finish within 180 s");
    let took = began.elapsed();
    for (_, _, _, answered) in &acknowledged {
        statuses.extend(answered.iter().copied());
    }
    assert_eq!(statuses.len(), CLIENTS * SAVES_PER_CLIENT);
    let failed: Vec<u16> = statuses.iter().copied().filter(|s| *s != 200).collect();
    assert!(failed.is_empty(), "saves not acknowledged: {failed:?}");

    // Every acknowledged save is there: the latest revision, with its content.
    for (id, revision, name, _) in &acknowledged {
        let (status, stored, _) = call(
            &client,
            "GET",
            &format!("{base}/api/v1/designs/{id}"),
            Some(&session),
            None,
        )
        .await
        .unwrap();
        assert_eq!(status, 200);
        assert_eq!(stored["revision"].as_i64(), Some(*revision), "{id}");
        assert_eq!(
            *revision,
            1 + SAVES_PER_CLIENT as i64,
            "{id}: every save a revision"
        );
        assert_eq!(&stored["document"]["name"], name, "{id}");
    }

    // The deployment ran through it all and succeeded.
    let mut ended = Value::Null;
    for _ in 0..1_200 {
        let (_, deployment, _) = call(
            &client,
            "GET",
            &format!("{base}/api/v1/deployments/{deployment}"),
            Some(&session),
            None,
        )
        .await
        .unwrap();
        if deployment["status"] != "running" {
            ended = deployment;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(ended["status"], "succeeded", "{ended}");
    eprintln!(
        "{} saves by {CLIENTS} clients in {took:?} while a deployment ran: all acknowledged and stored",
        statuses.len()
    );
}
