//! The real `moat serve` under heavy and hostile requests (#14): `/api/v1/health` answers all
//! through 8 concurrent exports of a 2,000-subnet design, each hostile design is refused with a
//! clear 4xx, and the server's memory stays bounded (its peak RSS, read from `/proc`).

use std::time::{Duration, Instant};

use e2e::http::{HttpClient, Session};
use e2e::{MoatServer, TestUser};
use serde_json::{Value, json};

const USER: TestUser = TestUser {
    name: "heavy",
    role: "designer",
    password: "correct horse battery",
};

async fn call(
    client: &HttpClient,
    method: &str,
    url: &str,
    session: Option<&Session>,
    body: Option<&Value>,
) -> (u16, Value, Option<String>) {
    e2e::http::call(client, method, url, session, body)
        .await
        .expect("the server answers")
}

/// A figure of `/proc/PID/status` in KiB (`VmRSS`, `VmHWM`).
fn memory_kib(pid: u32, field: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find_map(|line| line.strip_prefix(&format!("{field}:")))
        .and_then(|rest| rest.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_answers_through_eight_heavy_exports_and_hostile_designs_get_a_clear_4xx() {
    // No AWS call is made: the endpoint is a closed port on loopback.
    let server = MoatServer::start("http://127.0.0.1:9", &[USER]).expect("moat serve");
    let base = server.url.trim_end_matches('/').to_string();
    let client = e2e::http::client();
    let session = e2e::http::sign_in(&client, &base, USER.name, USER.password)
        .await
        .unwrap();

    // Hostile designs, each refused with the limit named.
    let mut base_document = serde_json::to_value(shared::generate::generated_design(4)).unwrap();
    base_document["name"] = json!("hostile");
    let hostile: Vec<(&str, Value)> = vec![
        ("limit.instance-count", {
            let mut d = base_document.clone();
            d["workloads"][0]["count"] = json!(4294967295u64);
            d
        }),
        ("limit.layout", {
            let mut d = base_document.clone();
            d["layout"] = json!({"huge": {"x": 0.0, "y": 0.0, "width": 1.0e9, "height": 1.0e9}});
            d
        }),
        ("limit.text", {
            let mut d = base_document.clone();
            d["name"] = json!("n".repeat(65_536));
            d
        }),
        ("limit.objects", {
            let mut d = base_document.clone();
            d["placement_groups"] = Value::Array(
                (0..10_001)
                    .map(|n| json!({"id": format!("pg-{n}"), "strategy": "spread"}))
                    .collect(),
            );
            d
        }),
    ];
    for (code, document) in &hostile {
        let started = Instant::now();
        let (status, answer, _) = call(
            &client,
            "POST",
            &format!("{base}/api/v1/designs"),
            Some(&session),
            Some(&json!({"document": document})),
        )
        .await;
        let elapsed = started.elapsed();
        assert_eq!(status, 422, "{code}: {answer}");
        assert_eq!(answer["code"], "over_limits", "{code}");
        assert!(
            answer["details"]["diagnostics"]
                .as_array()
                .unwrap()
                .iter()
                .any(|d| d["code"] == *code),
            "{code}: {answer}"
        );
        eprintln!(
            "{code}: 422 in {elapsed:?}, server RSS {} KiB",
            memory_kib(server.pid(), "VmRSS")
        );
    }

    // A big, legal design, exported by 8 clients at once while health is polled.
    let mut big = serde_json::to_value(shared::generate::generated_design(2_000)).unwrap();
    big["name"] = json!("big");
    let (status, created, _) = call(
        &client,
        "POST",
        &format!("{base}/api/v1/designs"),
        Some(&session),
        Some(&json!({"document": big})),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_str().unwrap().to_string();
    let before = memory_kib(server.pid(), "VmRSS");
    let exports: Vec<_> = (0..8)
        .map(|n| {
            let (client, base, id, session) =
                (client.clone(), base.clone(), id.clone(), session.clone());
            tokio::spawn(async move {
                let format = ["terraform", "svg", "cloudformation-yaml", "drawio"][n % 4];
                let started = Instant::now();
                let (status, _, _) = call(
                    &client,
                    "GET",
                    &format!("{base}/api/v1/designs/{id}/export?format={format}"),
                    Some(&session),
                    None,
                )
                .await;
                (status, format, started.elapsed())
            })
        })
        .collect();
    let mut health_latencies = Vec::new();
    while exports.iter().any(|e| !e.is_finished()) {
        let started = Instant::now();
        let (status, _, _) =
            call(&client, "GET", &format!("{base}/api/v1/health"), None, None).await;
        assert_eq!(status, 200, "health during the exports");
        health_latencies.push(started.elapsed());
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let mut finished = Vec::new();
    for export in exports {
        finished.push(export.await.unwrap());
    }
    // Each export either answered or was told the server is busy: nothing else.
    for (status, format, _) in &finished {
        assert!(matches!(status, 200 | 503), "{format}: {status}");
    }
    assert!(finished.iter().any(|(status, _, _)| *status == 200));
    assert!(!health_latencies.is_empty());
    let peak = memory_kib(server.pid(), "VmHWM");
    // The memory bound: well under a GiB for 8 exports of the largest legal design here.
    assert!(peak < 1024 * 1024, "peak RSS {peak} KiB");
    health_latencies.sort();
    eprintln!(
        "8 concurrent exports of a 2,000-subnet design: {:?}; health polled {} times, slowest {:?}, median {:?}; server RSS {before} KiB before, peak {peak} KiB",
        finished
            .iter()
            .map(|(status, format, took)| format!("{format} {status} in {took:.1?}"))
            .collect::<Vec<_>>(),
        health_latencies.len(),
        health_latencies.last().unwrap(),
        health_latencies[health_latencies.len() / 2],
    );
}
