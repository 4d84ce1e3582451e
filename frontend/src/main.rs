//! Moat's designer, a Leptos CSR app. The document (the design, with undo/redo) lives in
//! `shared::editor::Editor`; this crate only renders it and turns user input into commands.
//!
//! - [`app`]: the page: header (sign-in, save, deploy), palette, canvas, side panels.
//! - [`canvas`]: the SVG canvas and pointer handling (drop from palette, move, select).
//! - [`panels`]: inspector and diagnostics.
//! - [`analysis`]: the Path tool, the reachability matrix and the cost panel.
//! - [`files`]: import and export (JSON spec, SVG).
//! - [`documents`]: which server design the page holds (its URL), drafts, New and the Open
//!   dialog; [`dialog`]: what every modal dialog shares (focus, Tab, Escape).
//! - [`deploy`]: the deploy review (plan, cost change, IAM policy, approval), live progress
//!   over server-sent events, drift, import from AWS.
//! - [`accounts`]: the design's history (revisions, diff summaries, restore) and the admin panel.
//! - [`lazy`]: what a first edit does not need (the rarer panels and dialogs), fetched the
//!   first time it is shown, as wasm files of their own.
//! - [`server`]: the HTTP client for the backend's `/api/v1`.
//! - [`workspace`]: the side panel's tabs and the drawer (Problems, the matrix) below the canvas.

mod accounts;
mod actions;
mod analysis;
mod app;
mod canvas;
mod deploy;
mod dialog;
mod documents;
mod files;
mod lazy;
mod offload;
mod panels;
mod server;
mod state;
mod workspace;

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(app::App);
    // Time to interactive, read by `cargo xtask bench`.
    if let Some(performance) = leptos::prelude::window().performance() {
        let _ = performance.mark("moat-interactive");
    }
}

/// Benchmark hook: replaces the design with a generated one of about `object_count` objects,
/// laid out, and returns (as a promise: the generator is in the bench's part, `crate::lazy`)
/// the id of a subnet to drag.
#[wasm_bindgen::prelude::wasm_bindgen]
pub async fn moat_bench_load(object_count: u32) -> String {
    lazy::bench_load(object_count).await
}

/// The bench's load hook's work, run in the bench's part.
fn load_generated_design(object_count: u32) -> String {
    // The generator makes about 2.4 objects per subnet (subnet, workload, and their share of
    // route tables and security groups).
    let subnets = ((f64::from(object_count) / 2.4).round() as usize).max(1);
    let mut design = shared::generate::generated_design(subnets);
    design.layout.clear();
    shared::layout::fill_missing_layout(&mut design);
    let dragged = design
        .subnets
        .get(1)
        .or(design.subnets.first())
        .map(|s| s.id.clone())
        .unwrap_or_default();
    app::with_bench_state(|state| {
        state.apply(shared::editor::Command::ReplaceDesign {
            design: Box::new(design),
        });
    });
    dragged
}

/// Benchmark hook for `cargo xtask bench` (headless Chromium): validates a generated design of
/// `subnet_count` subnets `iterations` times and returns the mean milliseconds per validation
/// (a promise: the checks are a part fetched on demand, `crate::lazy`).
#[wasm_bindgen::prelude::wasm_bindgen]
pub async fn moat_bench_validate(subnet_count: u32, iterations: u32) -> f64 {
    lazy::bench_validate(subnet_count, iterations).await
}

/// Benchmark hook: the full reachability matrix of a generated design of `subnet_count` subnets,
/// `iterations` times; returns (as a promise) the mean milliseconds per matrix.
#[wasm_bindgen::prelude::wasm_bindgen]
pub async fn moat_bench_matrix(subnet_count: u32, iterations: u32) -> f64 {
    lazy::bench_matrix(subnet_count, iterations).await
}

/// The mean milliseconds `work` takes over `iterations` runs (at least one), by the page's
/// clock; NaN without one.
fn mean_milliseconds(iterations: u32, mut work: impl FnMut()) -> f64 {
    let Some(performance) = leptos::prelude::window().performance() else {
        return f64::NAN;
    };
    let iterations = iterations.max(1);
    let started = performance.now();
    for _ in 0..iterations {
        work();
    }
    (performance.now() - started) / f64::from(iterations)
}
