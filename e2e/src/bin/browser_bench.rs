//! `cargo xtask bench`'s browser figures: time to interactive of the release page on loopback,
//! and full validation of generated designs in wasm, in headless Chromium.

use std::time::Duration;

use anyhow::Context;
use e2e::{Browser, MoatServer, Moto};
use fantoccini::actions::{InputSource, MOUSE_BUTTON_LEFT, MouseActions, PointerAction};
use serde_json::json;

const PAGE_LOADS: usize = 7;
/// Drags per design size (each on a freshly loaded design).
const DRAGS: usize = 3;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> anyhow::Result<()> {
    let moto = Moto::start()?;
    let server = MoatServer::start(&moto.url, &[])?;
    let browser = Browser::start().await?;
    let outcome = measure(&browser, &server).await;
    let _ = browser.client.clone().close().await;
    outcome
}

async fn measure(browser: &Browser, server: &MoatServer) -> anyhow::Result<()> {
    let mut interactive = Vec::new();
    for _ in 0..PAGE_LOADS {
        browser
            .client
            .goto(&format!("{}/?fresh={}", server.url, interactive.len()))
            .await?;
        browser
            .wait_until(
                "performance.getEntriesByName('moat-interactive').length > 0",
                20,
            )
            .await?;
        let value = browser
            .client
            .execute(
                "return performance.getEntriesByName('moat-interactive')[0].startTime;",
                vec![],
            )
            .await?;
        interactive.push(value.as_f64().context("no startTime")?);
    }
    interactive.sort_by(f64::total_cmp);
    println!(
        "time to interactive (navigation start → app mounted), median of {PAGE_LOADS}: {:.0} ms (min {:.0}, max {:.0})",
        interactive[PAGE_LOADS / 2],
        interactive[0],
        interactive[PAGE_LOADS - 1]
    );
    for (subnets, iterations) in [(200u32, 50u32), (2_000, 20), (20_000, 3)] {
        let mean = wasm_mean(browser, "moat_bench_validate", subnets, iterations).await?;
        println!("wasm validate/{subnets}_subnets (mean of {iterations}): {mean:.2} ms");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    for (subnets, iterations) in [(200u32, 20u32), (2_000, 10)] {
        let mean = wasm_mean(browser, "moat_bench_matrix", subnets, iterations).await?;
        println!("wasm reachability matrix/{subnets}_subnets (mean of {iterations}): {mean:.2} ms");
    }
    for subnets in [1_000u32, 2_000] {
        // The generator makes about 2.4 objects per subnet.
        let objects = subnets * 12 / 5;
        // Three drags, each on a freshly loaded design: the frames pooled, each drop apart.
        let (mut frames, mut latencies, mut drops) = (Vec::new(), Vec::new(), Vec::new());
        for _ in 0..DRAGS {
            let (more_frames, more_latencies, drop) = drag_frame_times(browser, objects).await?;
            frames.extend(more_frames);
            latencies.extend(more_latencies);
            drops.push(drop);
        }
        drops.sort_by(f64::total_cmp);
        let summary = |values: &[f64]| {
            let mut sorted = values.to_vec();
            sorted.sort_by(f64::total_cmp);
            let percentile = |p: f64| sorted[((sorted.len() as f64 - 1.0) * p).round() as usize];
            format!(
                "{} samples, p50 {:.1} ms, p95 {:.1} ms, max {:.1} ms",
                sorted.len(),
                percentile(0.5),
                percentile(0.95),
                sorted[sorted.len() - 1]
            )
        };
        println!(
            "drag a subnet among {subnets} subnets ({objects} objects): pointer event → next painted frame: {}",
            summary(&latencies)
        );
        println!(
            "drag a subnet among {subnets} subnets ({objects} objects): frame to frame during the drag: {}",
            summary(&frames)
        );
        println!(
            "drop a subnet among {subnets} subnets ({objects} objects): release → next painted frame, {DRAGS} drops: median {:.0} ms (min {:.0}, max {:.0})",
            drops[DRAGS / 2],
            drops[0],
            drops[DRAGS - 1]
        );
    }
    Ok(())
}

/// Calls one of the page's wasm bench hooks once to warm it, then `iterations` times; returns
/// the mean milliseconds it reports.
async fn wasm_mean(
    browser: &Browser,
    hook: &str,
    subnets: u32,
    iterations: u32,
) -> anyhow::Result<f64> {
    let script = format!("return window.wasmBindings.{hook}(arguments[0], arguments[1]);");
    browser
        .client
        .execute(&script, vec![json!(subnets), json!(1)])
        .await?;
    let mean = browser
        .client
        .execute(&script, vec![json!(subnets), json!(iterations)])
        .await?;
    mean.as_f64().context("no number from the wasm bench")
}

/// Loads a generated design of `objects` objects and drags a subnet for a second with the
/// mouse. Returns what a user feels, in milliseconds: the frame intervals during the drag
/// (requestAnimationFrame), and for every pointer move the time from the event (its timestamp,
/// when the browser received it) to the next frame painted after the app handled it: a
/// capturing listener schedules a frame callback, which runs only once the app's handlers
/// and any work they queued have let the main thread go.
async fn drag_frame_times(
    browser: &Browser,
    objects: u32,
) -> anyhow::Result<(Vec<f64>, Vec<f64>, f64)> {
    let subnet = browser
        .client
        .execute(
            "return window.wasmBindings.moat_bench_load(arguments[0]);",
            vec![json!(objects)],
        )
        .await?;
    let subnet = subnet.as_str().context("no subnet id")?.to_string();
    let element = browser.find(&format!("[data-id='{subnet}'] rect")).await?;
    // A person drags once the loaded design is drawn and checked: wait until the page has
    // settled (half a second of frames none longer than 20 ms; at most 30 s), so the drag's
    // figures are the drag's and not the tail of the load.
    browser
        .client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             const started = performance.now(); let calm = started, last = started;
             const tick = (now) => {
               if (now - last > 20) calm = now;
               last = now;
               if (now - calm >= 500 || now - started > 30000) done(now - started); else requestAnimationFrame(tick);
             };
             requestAnimationFrame(tick);",
            vec![],
        )
        .await?;
    browser
        .client
        .execute(
            "window.moatFrames = []; window.moatLatencies = []; window.moatDrop = null; let last = performance.now();
             const tick = (now) => { window.moatFrames.push(now - last); last = now; if (window.moatFrames.length < 100000 && !window.moatStop) requestAnimationFrame(tick); };
             window.moatStop = false; requestAnimationFrame(tick);
             if (!window.moatLatencyListener) {
               window.moatLatencyListener = (event) => {
                 if (window.moatStop || !(event.buttons & 1)) return;
                 const received = event.timeStamp;
                 requestAnimationFrame(() => setTimeout(() => window.moatLatencies.push(performance.now() - received), 0));
               };
               window.addEventListener('pointermove', window.moatLatencyListener, { capture: true });
               // The drop: from the release to the next painted frame (the commit, its checks
               // and the redraw of what moved).
               window.addEventListener('pointerup', (event) => {
                 const received = event.timeStamp;
                 requestAnimationFrame(() => setTimeout(() => { window.moatDrop = performance.now() - received; }, 0));
               }, { capture: true });
             }",
            vec![],
        )
        .await?;
    let mut actions = MouseActions::new("mouse".to_string())
        .then(PointerAction::MoveToElement {
            element,
            duration: None,
            x: 0.0,
            y: 0.0,
        })
        .then(PointerAction::Down {
            button: MOUSE_BUTTON_LEFT,
        });
    for _ in 0..60 {
        actions = actions.then(PointerAction::MoveBy {
            duration: Some(Duration::from_millis(16)),
            x: 3.0,
            y: 2.0,
        });
    }
    actions = actions.then(PointerAction::Up {
        button: MOUSE_BUTTON_LEFT,
    });
    browser.client.perform_actions(actions).await?;
    tokio::time::sleep(Duration::from_millis(200)).await;
    let measured = browser
        .client
        .execute(
            "window.moatStop = true; return [window.moatFrames.slice(1), window.moatLatencies, window.moatDrop];",
            vec![],
        )
        .await?;
    let numbers = |index: usize| -> Vec<f64> {
        measured[index]
            .as_array()
            .map(|values| {
                values
                    .iter()
                    .filter_map(serde_json::Value::as_f64)
                    .collect()
            })
            .unwrap_or_default()
    };
    let (frames, latencies) = (numbers(0), numbers(1));
    let drop = measured[2].as_f64().context("the drop was not measured")?;
    anyhow::ensure!(!frames.is_empty(), "no frames recorded");
    anyhow::ensure!(!latencies.is_empty(), "no pointer moves recorded");
    Ok((frames, latencies, drop))
}
