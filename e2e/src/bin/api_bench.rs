//! `cargo xtask bench`: design saves and loads of a 100-subnet design against the running
//! server on loopback, from 64 concurrent clients, each with its own session and design (so
//! saves never conflict). Prints throughput and p50/p99 latency of each.

use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use e2e::http::{HttpClient, Session, call};
use e2e::{MoatServer, Moto, TestUser};
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use serde_json::{Value, json};

const CLIENTS: usize = 64;
const SUBNETS: usize = 100;
const RUN: Duration = Duration::from_secs(10);
const USER: TestUser = TestUser {
    name: "bench",
    role: "designer",
    password: "correct horse battery",
};

/// One request with a body already serialised; the answer's body is parsed only when asked
/// (a debug-built client must not be what the bench measures).
async fn call_raw(
    client: &HttpClient,
    method: &str,
    url: &str,
    session: &Session,
    body: Option<String>,
    parse: bool,
) -> anyhow::Result<(u16, Value)> {
    let mut request = hyper::Request::builder()
        .method(method)
        .uri(url)
        .header("cookie", &session.0)
        .header("x-csrf-token", &session.1);
    let bytes = match body {
        Some(body) => {
            request = request.header("content-type", "application/json");
            Bytes::from(body)
        }
        None => Bytes::new(),
    };
    let response = client.request(request.body(Full::new(bytes))?).await?;
    let status = response.status().as_u16();
    let body = response.into_body().collect().await?.to_bytes();
    let value = if parse {
        serde_json::from_slice(&body).unwrap_or(Value::Null)
    } else {
        Value::Null
    };
    Ok((status, value))
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let moto = Moto::start()?;
    let server = MoatServer::start(&moto.url, &[USER])?;
    let base = server.url.trim_end_matches('/').to_string();
    let mut connector = HttpConnector::new();
    connector.set_nodelay(true);
    let client: HttpClient = Client::builder(TokioExecutor::new())
        .pool_max_idle_per_host(CLIENTS)
        .build(connector);
    let mut document = serde_json::to_value(shared::generate::generated_design(SUBNETS))?;
    document["name"] = json!("bench");
    // Each client's session, signed in one after the other: sign-ins from one address at once
    // count as concurrent guesses (the throttle's own rule), and signing in is not what the
    // bench measures.
    let mut sessions = Vec::new();
    for worker in 0..CLIENTS {
        let (status, login, cookie) = call(
            &client,
            "POST",
            &format!("{base}/api/v1/auth/login"),
            None,
            Some(&json!({"name": USER.name, "password": USER.password})),
        )
        .await?;
        if status != 200 {
            bail!("client {worker}: sign-in answered {status}");
        }
        let session: Session = (
            cookie.context("no session cookie")?,
            login["csrf_token"].as_str().unwrap_or_default().to_string(),
        );
        sessions.push(session);
    }
    let mut workers = Vec::new();
    for (worker, session) in sessions.into_iter().enumerate() {
        let client = client.clone();
        let base = base.clone();
        let document = document.clone();
        workers.push(tokio::spawn(async move {
            let (status, created, _) = call(
                &client,
                "POST",
                &format!("{base}/api/v1/designs"),
                Some(&session),
                Some(&json!({"document": document})),
            )
            .await?;
            if status != 201 {
                bail!("client {worker}: create answered {status}: {created}");
            }
            let id = created["id"].as_str().unwrap_or_default().to_string();
            let document_text = document.to_string();
            let mut revision = 1;
            let (mut saves, mut loads) = (Vec::new(), Vec::new());
            // First saves only, then loads only: each throughput is its own.
            let started = Instant::now();
            while started.elapsed() < RUN / 2 {
                let save_started = Instant::now();
                let body = format!("{{\"base_revision\":{revision},\"document\":{document_text}}}");
                let (status, saved) = call_raw(
                    &client,
                    "PUT",
                    &format!("{base}/api/v1/designs/{id}"),
                    &session,
                    Some(body),
                    true,
                )
                .await?;
                if status != 200 {
                    bail!("client {worker}: save answered {status}: {saved}");
                }
                saves.push(save_started.elapsed().as_secs_f64() * 1000.0);
                revision = saved["revision"].as_i64().unwrap_or(revision + 1);
            }
            let started = Instant::now();
            while started.elapsed() < RUN / 2 {
                let load_started = Instant::now();
                let (status, _) = call_raw(
                    &client,
                    "GET",
                    &format!("{base}/api/v1/designs/{id}"),
                    &session,
                    None,
                    false,
                )
                .await?;
                if status != 200 {
                    bail!("client {worker}: load answered {status}");
                }
                loads.push(load_started.elapsed().as_secs_f64() * 1000.0);
            }
            Ok::<_, anyhow::Error>((saves, loads))
        }));
    }
    let (mut saves, mut loads) = (Vec::new(), Vec::new());
    for worker in workers {
        let (worker_saves, worker_loads) = worker.await??;
        saves.extend(worker_saves);
        loads.extend(worker_loads);
    }
    saves.sort_by(f64::total_cmp);
    loads.sort_by(f64::total_cmp);
    let seconds = RUN.as_secs_f64() / 2.0;
    println!(
        "API, {CLIENTS} concurrent clients, {SUBNETS}-subnet design ({} KiB), {seconds:.0} s of saves then {seconds:.0} s of loads:",
        document.to_string().len() / 1024
    );
    println!(
        "  saves: {} ({:.0}/s), p50 {:.1} ms, p99 {:.1} ms",
        saves.len(),
        saves.len() as f64 / seconds,
        percentile(&saves, 0.5),
        percentile(&saves, 0.99)
    );
    println!(
        "  loads: {} ({:.0}/s), p50 {:.1} ms, p99 {:.1} ms",
        loads.len(),
        loads.len() as f64 / seconds,
        percentile(&loads, 0.5),
        percentile(&loads, 0.99)
    );
    drop(server);
    drop(moto);
    Ok(())
}
