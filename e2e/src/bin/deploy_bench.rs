//! The deploy bench (`cargo xtask bench`): deploys the distributed-training and multi-modal
//! templates to moto through the fault layer with an injected per-call latency and a pending
//! phase for NAT gateways and endpoints, and compares the applier's wall time with
//! (a) the critical-path bound of the plan's DAG, computed from the step durations measured in
//! the same run, and (b) the seed's sequential order: the same calls one after another
//! (the applier with parallelism 1).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use backend::aws::{BoxFuture, Ec2Network, NetworkApi};
use backend::provision::{self, ApplyOptions, Journal, JournalError, Owner, Phase, ProgressEvent};
use e2e::Moto;
use e2e::faults::FaultLayer;
use shared::plan::{critical_path_seconds, desired_resources};

/// When each step started and finished.
#[derive(Default)]
struct Timings {
    started: Mutex<HashMap<usize, Instant>>,
    seconds: Mutex<HashMap<usize, f64>>,
}

impl Journal for Timings {
    fn record<'a>(&'a self, event: &'a ProgressEvent) -> BoxFuture<'a, Result<(), JournalError>> {
        Box::pin(async move {
            match event.phase {
                Phase::Started => {
                    if let Ok(mut started) = self.started.lock() {
                        started.insert(event.step, Instant::now());
                    }
                }
                Phase::Done { .. } => {
                    let began = self
                        .started
                        .lock()
                        .ok()
                        .and_then(|s| s.get(&event.step).copied());
                    if let (Some(began), Ok(mut seconds)) = (began, self.seconds.lock()) {
                        seconds.insert(event.step, began.elapsed().as_secs_f64());
                    }
                }
                _ => {}
            }
            Ok(())
        })
    }
}

async fn deploy(
    network: Arc<dyn NetworkApi>,
    design: &shared::Design,
    design_id: &str,
    parallelism: usize,
) -> anyhow::Result<(f64, Arc<Timings>, shared::plan::Plan)> {
    let options = ApplyOptions {
        parallelism,
        ..ApplyOptions::default()
    };
    let (plan, observed) = provision::plan_against_account(
        network.as_ref(),
        "us-east-1",
        design_id,
        &desired_resources(design),
        &options,
    )
    .await?;
    let timings = Arc::new(Timings::default());
    let began = Instant::now();
    let report = provision::apply(
        network,
        timings.clone(),
        "us-east-1",
        Owner {
            design_id: design_id.to_string(),
            deployment_id: "bench".into(),
        },
        &plan,
        &observed,
        options,
    )
    .await;
    let wall = began.elapsed().as_secs_f64();
    anyhow::ensure!(report.succeeded(), "{}", report.summary());
    Ok((wall, timings, plan))
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let latency = Duration::from_millis(100);
    let pending = Duration::from_secs(10);
    let moto = Moto::start()?;
    let layer = FaultLayer::start(&moto.url, 1).await?;
    layer.configure(|settings| {
        settings.latency = latency;
        settings.pending = pending;
    });
    let network: Arc<dyn NetworkApi> = Arc::new(
        Ec2Network::for_endpoint(&layer.url)
            .await
            .with_poll_interval(Duration::from_millis(500)),
    );
    println!(
        "per-call latency {} ms, NAT gateways and interface endpoints pending {} s, poll every 0.5 s",
        latency.as_millis(),
        pending.as_secs()
    );
    for name in ["llm-training-efa", "multimodal-endpoints"] {
        let design = shared::templates::template(name)
            .ok_or_else(|| anyhow::anyhow!("no template {name}"))?
            .design()?;
        let calls_before = layer.counts().calls;
        let (wall, timings, plan) =
            deploy(network.clone(), &design, &format!("bench-{name}"), 8).await?;
        let calls = layer.counts().calls - calls_before;
        let seconds = timings
            .seconds
            .lock()
            .map(|s| s.clone())
            .unwrap_or_default();
        let steps: Vec<usize> = (0..plan.steps.len()).collect();
        let bound = critical_path_seconds(&plan, |step| {
            let index = plan
                .steps
                .iter()
                .position(|s| std::ptr::eq(s, step))
                .unwrap_or(0);
            seconds.get(&steps[index]).copied().unwrap_or(0.0)
        });
        let (sequential, _, _) = deploy(
            network.clone(),
            &design,
            &format!("bench-{name}-sequential"),
            1,
        )
        .await?;
        println!(
            "{name:<22} {} steps, {calls} calls: parallel {wall:.2} s, critical-path bound {bound:.2} s ({:.2}× the bound), sequential {sequential:.2} s ({:.1}× faster)",
            plan.steps.len(),
            wall / bound.max(0.001),
            sequential / wall.max(0.001)
        );
    }
    Ok(())
}
