//! `cargo xtask bench`'s browser figures: time to interactive of the release page on loopback,
//! and full validation of generated designs in wasm, in headless Chromium.

use std::time::Duration;

use anyhow::Context;
use e2e::{Browser, MoatServer, Moto};
use serde_json::json;

const PAGE_LOADS: usize = 7;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> anyhow::Result<()> {
    let moto = Moto::start()?;
    let server = MoatServer::start(&moto, &[])?;
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
        // Warm once, then measure.
        let script = "return window.wasmBindings.moat_bench_validate(arguments[0], arguments[1]);";
        browser
            .client
            .execute(script, vec![json!(subnets), json!(1)])
            .await?;
        let mean = browser
            .client
            .execute(script, vec![json!(subnets), json!(iterations)])
            .await?;
        let mean = mean.as_f64().context("no number from the wasm bench")?;
        println!("wasm validate/{subnets}_subnets (mean of {iterations}): {mean:.2} ms");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Ok(())
}
