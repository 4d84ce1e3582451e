//! `moto_compat UPSTREAM`: the compatibility layer the tests use, in front of a moto server a
//! person started (`cargo xtask run --moto` starts it). It injects no fault; it serves what
//! moto lacks in EC2's own wire format (placement groups, VPN connection static routes, dry
//! runs: see `e2e::faults`), so a deploy into the local sandbox works as it does in the tests.
//! Prints `listening on URL` on its first line, then serves until it is killed.

use anyhow::Context;
use e2e::faults::FaultLayer;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let upstream = std::env::args()
        .nth(1)
        .context("usage: moto_compat UPSTREAM (moto's URL, e.g. http://127.0.0.1:5000)")?;
    let layer = FaultLayer::start(&upstream, 1).await?;
    println!("listening on {}", layer.url);
    tokio::signal::ctrl_c().await?;
    drop(layer);
    Ok(())
}
