//! `cargo xtask bench`: one report of Moat's figures. Later issues add their rows here.

use anyhow::Context;

use crate::{Paths, run_step, setup};

pub fn bench(paths: &Paths) -> anyhow::Result<()> {
    setup::build_tools(paths)?;
    crate::build_frontend(paths)?;
    run_step(
        "cargo bench (validation and analysis, criterion)",
        paths.command("cargo").args([
            "bench",
            "-p",
            "shared",
            "--bench",
            "validation",
            "--bench",
            "analysis",
        ]),
    )?;
    println!();
    println!(
        "== Page transfer size (release build, {}) ==",
        paths.dist().display()
    );
    let (raw_total, gzip_total, brotli_total) = page_size(paths)?;
    println!(
        "{:<40} {:>10} {:>12} {:>12}",
        "first load (html + js + wasm + css)",
        kib(raw_total),
        kib(gzip_total),
        kib(brotli_total)
    );
    println!(
        "first load as a browser taking brotli gets it: {brotli_total} bytes; the bound is {FIRST_LOAD_BOUND_BYTES} bytes ({})",
        if brotli_total <= FIRST_LOAD_BOUND_BYTES {
            "within"
        } else {
            "over"
        }
    );
    println!();
    println!("== Full validation and analysis (criterion mean) ==");
    for name in [
        "validate/200_subnets",
        "validate/2000_subnets",
        "validate/20000_subnets",
        "analysis/matrix_200_subnets",
        "analysis/matrix_2000_subnets",
        "analysis/cost_200_subnets",
        "analysis/cost_2000_subnets",
    ] {
        match criterion_mean_nanoseconds(paths, name) {
            Some(nanoseconds) => println!("{name:<40} {:>10.3} ms", nanoseconds / 1e6),
            None => println!("{name:<40} (no result)"),
        }
    }
    println!();
    println!("== In headless Chromium (release page, loopback) ==");
    setup::test_tools(paths)?;
    run_step(
        "cargo build (browser bench driver)",
        paths.command("cargo").arg("build"),
    )?;
    run_step(
        "browser bench",
        paths
            .command(
                paths
                    .target
                    .join("debug/browser_bench")
                    .to_str()
                    .unwrap_or("browser_bench"),
            )
            .env("MOAT_E2E_DIST", paths.dist())
            .env("MOAT_E2E_MOTO", setup::moto_server_path(paths)),
    )?;
    println!();
    println!("== Deploy wall time on moto (injected latency) ==");
    run_step(
        "deploy bench",
        paths
            .command(
                paths
                    .target
                    .join("debug/deploy_bench")
                    .to_str()
                    .unwrap_or("deploy_bench"),
            )
            .env("MOAT_E2E_MOTO", setup::moto_server_path(paths)),
    )?;
    println!();
    println!("== The API under load (release server, loopback) ==");
    // Server and load generator both optimised: a debug client measures itself, not Moat.
    run_step(
        "cargo build --release (server and load generator)",
        paths
            .command("cargo")
            .args(["build", "--release", "--bin", "moat", "--bin", "api_bench"]),
    )?;
    let api_bench = || {
        let mut command = paths.command(
            paths
                .target
                .join("release/api_bench")
                .to_str()
                .unwrap_or("api_bench"),
        );
        command
            .env("MOAT_E2E_BINARY", paths.target.join("release/moat"))
            .env("MOAT_E2E_MOTO", setup::moto_server_path(paths));
        command
    };
    run_step("API bench", &mut api_bench())?;
    // The same on PostgreSQL (a private cluster from Debian's packages, as the test command
    // starts), for #19's report of both databases.
    let cluster = setup::PostgresCluster::start()?;
    run_step(
        "API bench on PostgreSQL",
        api_bench().env("MOAT_BENCH_DATABASE_URL", &cluster.url),
    )?;
    drop(cluster);
    Ok(())
}

/// The most the page's first load may transfer (html, script, wasm and styles as served), in
/// bytes: the "first five minutes" issue's 300 KB, read as decimal kilobytes, the stricter.
const FIRST_LOAD_BOUND_BYTES: u64 = 300_000;

fn kib(bytes: u64) -> String {
    format!("{:.1} KiB", bytes as f64 / 1024.0)
}

/// Prints each asset of the first load (the page, its script, wasm and styles) raw, and as
/// the server sends it to a browser that accepts gzip or brotli (the copies `cargo xtask`
/// writes beside it); returns the totals (raw, gzip, brotli).
fn page_size(paths: &Paths) -> anyhow::Result<(u64, u64, u64)> {
    let (mut raw_total, mut gzip_total, mut brotli_total) = (0, 0, 0);
    let mut on_demand = Vec::new();
    println!(
        "{:<40} {:>10} {:>12} {:>12}",
        "first load: file", "raw", "gzip -9", "brotli 11"
    );
    let mut entries: Vec<_> = std::fs::read_dir(paths.dist())
        .context("reading dist")?
        .flatten()
        .collect();
    entries.sort_by_key(|entry| entry.file_name());
    for entry in entries {
        let name = entry.file_name().to_string_lossy().to_string();
        if !([".wasm", ".js", ".css", ".html"]
            .iter()
            .any(|extension| name.ends_with(extension)))
        {
            continue;
        }
        // The export worker and the main module's split parts load when first asked for, not
        // with the page.
        if on_demand_file(&name) {
            on_demand.push(entry);
            continue;
        }
        let (raw, gzip, brotli) = served_sizes(paths, &name, &std::fs::read(entry.path())?)?;
        raw_total += raw;
        gzip_total += gzip;
        brotli_total += brotli;
    }
    let (mut raw_later, mut gzip_later, mut brotli_later) = (0, 0, 0);
    for entry in on_demand {
        let name = format!("on demand: {}", entry.file_name().to_string_lossy());
        let bytes = std::fs::read(entry.path())?;
        let (raw, gzip, brotli) =
            served_sizes(paths, &entry.file_name().to_string_lossy(), &bytes)?;
        println!(
            "{:<40} {:>10} {:>12} {:>12}",
            name,
            kib(raw),
            kib(gzip),
            kib(brotli)
        );
        raw_later += raw;
        gzip_later += gzip;
        brotli_later += brotli;
    }
    println!(
        "{:<40} {:>10} {:>12} {:>12}",
        "on demand: total (worker, split parts)",
        kib(raw_later),
        kib(gzip_later),
        kib(brotli_later)
    );
    Ok((raw_total, gzip_total, brotli_total))
}

/// The file names of the second wasm module, loaded on demand (`frontend/src/offload.rs`).
const ON_DEMAND_MODULE: &str = "moat_exports";

/// Whether the page fetches `name` only on demand: the export worker's files, and the main
/// module's split parts (`crate::split`; their loader script is part of the first load).
fn on_demand_file(name: &str) -> bool {
    name.starts_with(ON_DEMAND_MODULE)
        || (name.starts_with(crate::split::LAZY_PREFIX) && name.ends_with(".wasm"))
}

/// One asset's size raw, and as the server sends it with gzip and with brotli (the copies
/// `cargo xtask` writes beside it); printed as a row of the first load.
fn served_sizes(paths: &Paths, name: &str, bytes: &[u8]) -> anyhow::Result<(u64, u64, u64)> {
    let served = |suffix: &str, compress: &dyn Fn(&[u8]) -> anyhow::Result<Vec<u8>>| {
        match std::fs::metadata(paths.dist().join(format!("{name}.{suffix}"))) {
            Ok(metadata) => Ok(metadata.len()),
            Err(_) => compress(bytes).map(|compressed| compressed.len() as u64),
        }
    };
    let gzip = served("gz", &|bytes| crate::precompress::gzip(bytes, 9))?;
    let brotli = served("br", &|bytes| crate::precompress::brotli(bytes, 11))?;
    if !on_demand_file(name) {
        println!(
            "{:<40} {:>10} {:>12} {:>12}",
            name,
            kib(bytes.len() as u64),
            kib(gzip),
            kib(brotli)
        );
    }
    Ok((bytes.len() as u64, gzip, brotli))
}

/// Criterion's mean estimate for a benchmark, from its JSON report.
fn criterion_mean_nanoseconds(paths: &Paths, name: &str) -> Option<f64> {
    let path = paths
        .target
        .join("criterion")
        .join(name)
        .join("new/estimates.json");
    let text = std::fs::read_to_string(path).ok()?;
    let key = "\"mean\":{\"confidence_interval\":";
    let after_mean = &text[text.find(key)?..];
    let point = after_mean.find("\"point_estimate\":")? + "\"point_estimate\":".len();
    let rest = &after_mean[point..];
    let end = rest.find([',', '}'])?;
    rest[..end].parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_split_parts_and_the_worker_are_on_demand_and_the_loader_is_first_load() {
        for name in [
            "moat_exports.js",
            "moat_exports_bg.wasm",
            "lazy-split_history-0123456789abcdef.wasm",
            "lazy-chunk_3-0123456789abcdef.wasm",
        ] {
            assert!(on_demand_file(name), "{name} loads on demand");
        }
        for name in [
            "index.html",
            "frontend-0123456789abcdef.js",
            "frontend-0123456789abcdef_bg.wasm",
            "lazy-loader-0123456789abcdef.js",
            "style-0123456789abcdef.css",
        ] {
            assert!(!on_demand_file(name), "{name} is part of the first load");
        }
    }
}
