//! Moat's designer, a Leptos CSR app. The document (the design, with undo/redo) lives in
//! `shared::editor::Editor`; this crate only renders it and turns user input into commands.
//!
//! - [`app`]: the page: header (sign-in, save, deploy), palette, canvas, side panels.
//! - [`canvas`]: the SVG canvas and pointer handling (drop from palette, move, select).
//! - [`panels`]: inspector and diagnostics.
//! - [`server`]: the HTTP client for the backend's `/api/v1`.

mod app;
mod canvas;
mod panels;
mod server;

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(app::App);
}
