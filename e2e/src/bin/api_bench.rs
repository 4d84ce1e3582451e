//! `cargo xtask bench`: design saves and loads of a 100-subnet design against the running
//! server on loopback, from 64 concurrent clients, each with its own session and design (so
//! saves never conflict). Every save changes the document (its description names the save),
//! as a user's saves do. Three phases of [`PHASE`] each, all clients together:
//! - saves as fast as the clients go (each sends its next save when the last is answered):
//!   the most saves per second the server gives, and their latency at that load;
//! - loads the same way;
//! - saves offered at each fixed rate of [`OFFERED_SAVES_PER_SECOND`], the lower first (each
//!   client on its own schedule):
//!   the latency a user sees at that rate, each save timed from when it was due, so an
//!   answer that comes late also delays, and counts against, the saves queued behind it.
//!
//! Prints throughput and p50/p99 latency of each.

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
const PHASE: Duration = Duration::from_secs(5);
/// The save rates offered, one phase each: half the rate #19 asks the server to hold with
/// p99 ≤ 20 ms, then that rate.
const OFFERED_SAVES_PER_SECOND: [f64; 2] = [1000.0, 2000.0];
/// Where in the document each save writes its number.
const SAVE_MARKER: &str = "save-number-here";
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

/// Creates an empty database on the PostgreSQL server at `admin_url`; returns its URL.
async fn fresh_postgres_database(admin_url: &str) -> anyhow::Result<String> {
    use sqlx::Connection;
    sqlx::any::install_default_drivers();
    let name = format!("moat_bench_{}", std::process::id());
    let mut connection = sqlx::AnyConnection::connect(admin_url)
        .await
        .context("connect to MOAT_BENCH_DATABASE_URL")?;
    sqlx::query(&format!("DROP DATABASE IF EXISTS {name}"))
        .execute(&mut connection)
        .await?;
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut connection)
        .await?;
    let (server, _) = admin_url
        .rsplit_once('/')
        .context("MOAT_BENCH_DATABASE_URL ends in /database")?;
    Ok(format!("{server}/{name}"))
}

/// One client's latencies, in milliseconds, per phase.
#[derive(Default)]
struct Timings {
    saves: Vec<f64>,
    loads: Vec<f64>,
    /// Per offered rate.
    offered_saves: [Vec<f64>; 2],
}

fn milliseconds_since(start: Instant) -> f64 {
    start.elapsed().as_secs_f64() * 1000.0
}

fn report(what: &str, latencies: &mut [f64], seconds: f64) {
    latencies.sort_by(f64::total_cmp);
    println!(
        "  {what}: {} ({:.0}/s), p50 {:.1} ms, p99 {:.1} ms",
        latencies.len(),
        latencies.len() as f64 / seconds,
        percentile(latencies, 0.5),
        percentile(latencies, 0.99)
    );
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
    // MOAT_BENCH_DATABASE_URL names a PostgreSQL server: the bench then runs on a fresh
    // database of its own there instead of the SQLite file.
    let database = match std::env::var("MOAT_BENCH_DATABASE_URL") {
        Ok(admin_url) if !admin_url.is_empty() => Some(fresh_postgres_database(&admin_url).await?),
        _ => None,
    };
    let settings: Vec<(&str, &str)> = database
        .iter()
        .map(|url| ("MOAT_DATABASE_URL", url.as_str()))
        .collect();
    let server = MoatServer::start_with(&moto.url, &[USER], &settings)?;
    println!(
        "Database: {}",
        if database.is_some() {
            "PostgreSQL"
        } else {
            "SQLite"
        }
    );
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
    document["description"] = json!(SAVE_MARKER);
    let document_text = document.to_string();
    let (before_number, after_number) = document_text
        .split_once(SAVE_MARKER)
        .context("the marker is in the document")?;
    let (before_number, after_number) = (before_number.to_string(), after_number.to_string());
    let mut workers = Vec::new();
    let phases_start = Instant::now() + Duration::from_secs(2);
    eprintln!(
        "{CLIENTS} clients signed in; saves begin in 2 s, loads 5 s later, then saves at each offered rate for 5 s"
    );
    for (worker, session) in sessions.into_iter().enumerate() {
        let client = client.clone();
        let base = base.clone();
        let document = document.clone();
        let (before_number, after_number) = (before_number.clone(), after_number.clone());
        workers.push(tokio::spawn(async move {
            let (status, created) =
                e2e::http::create_design(&client, &base, &session, &document).await?;
            if status != 201 {
                bail!("client {worker}: create answered {status}: {created}");
            }
            let id = created["id"].as_str().unwrap_or_default().to_string();
            let url = format!("{base}/api/v1/designs/{id}");
            let mut revision = 1;
            let save = async |revision: &mut i64| -> anyhow::Result<()> {
                let body = format!(
                    "{{\"base_revision\":{revision},\"document\":{before_number}save {} of client {worker}{after_number}}}",
                    *revision + 1
                );
                let (status, saved) = call_raw(&client, "PUT", &url, &session, Some(body), true).await?;
                if status != 200 {
                    bail!("client {worker}: save answered {status}: {saved}");
                }
                *revision = saved["revision"].as_i64().unwrap_or(*revision + 1);
                Ok(())
            };
            let mut timings = Timings::default();
            tokio::time::sleep_until(phases_start.into()).await;
            while phases_start.elapsed() < PHASE {
                let started = Instant::now();
                save(&mut revision).await?;
                timings.saves.push(milliseconds_since(started));
            }
            while phases_start.elapsed() < 2 * PHASE {
                let started = Instant::now();
                let (status, _) = call_raw(&client, "GET", &url, &session, None, false).await?;
                if status != 200 {
                    bail!("client {worker}: load answered {status}");
                }
                timings.loads.push(milliseconds_since(started));
            }
            // Open loop: save k of this client is due at its start + k × interval (the
            // clients' schedules staggered across one interval).
            for (phase, rate) in OFFERED_SAVES_PER_SECOND.iter().enumerate() {
                let interval = Duration::from_secs_f64(CLIENTS as f64 / rate);
                let phase_start = phases_start + (2 + phase as u32) * PHASE;
                let mut due = phase_start + interval.mul_f64(worker as f64 / CLIENTS as f64);
                while due < phase_start + PHASE {
                    tokio::time::sleep_until(due.into()).await;
                    save(&mut revision).await?;
                    timings.offered_saves[phase].push(milliseconds_since(due));
                    due += interval;
                }
            }
            Ok::<_, anyhow::Error>(timings)
        }));
    }
    let mut all = Timings::default();
    for worker in workers {
        let timings = worker.await??;
        all.saves.extend(timings.saves);
        all.loads.extend(timings.loads);
        for (all_of_rate, of_rate) in all.offered_saves.iter_mut().zip(timings.offered_saves) {
            all_of_rate.extend(of_rate);
        }
    }
    let seconds = PHASE.as_secs_f64();
    println!(
        "API, {CLIENTS} concurrent clients, {SUBNETS}-subnet design ({} KiB), {seconds:.0} s per phase:",
        document_text.len() / 1024
    );
    report(
        "saves, each client at once after the last answer",
        &mut all.saves,
        seconds,
    );
    report(
        "loads, each client at once after the last answer",
        &mut all.loads,
        seconds,
    );
    for (rate, latencies) in OFFERED_SAVES_PER_SECOND
        .iter()
        .zip(all.offered_saves.iter_mut())
    {
        report(
            &format!("saves offered at {rate:.0}/s (latency from when each was due)"),
            latencies,
            seconds,
        );
    }
    drop(server);
    drop(moto);
    Ok(())
}
