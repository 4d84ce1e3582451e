//! Files: import a JSON spec (errors shown with their exact path), export the design as JSON
//! and the canvas as SVG. Downloads go through one anchor, `#download-link`, whose blob URL
//! stays readable (the browser tests fetch it to compare with the model).

use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;

use crate::state::AppState;

fn download(file_name: &str, mime_type: &str, text: &str) -> Result<(), String> {
    let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(text));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime_type);
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options)
        .map_err(|_| "cannot make a file".to_string())?;
    let url = web_sys::Url::create_object_url_with_blob(&blob)
        .map_err(|_| "cannot make a download".to_string())?;
    let anchor = ensure_download_anchor()?;
    if let Some(previous) = anchor
        .get_attribute("href")
        .filter(|href| href.starts_with("blob:"))
    {
        // Keep at most one blob alive.
        let _ = web_sys::Url::revoke_object_url(&previous);
    }
    anchor.set_href(&url);
    anchor.set_download(file_name);
    anchor.set_attribute("data-file-name", file_name).ok();
    anchor.click();
    Ok(())
}

/// What an SVG or PNG export shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportArea {
    /// What the canvas shows now, at the current zoom and pan.
    CurrentView,
    /// Every object of the design at 100 %, whatever the camera shows.
    WholeDesign,
}

/// Space around the design in a whole-design export.
const EXPORT_MARGIN: f64 = 24.0;

/// The canvas as a standalone SVG document with its own styles, and its size in pixels.
fn canvas_svg(state: &AppState, area: ExportArea) -> Option<(String, f64, f64)> {
    let canvas = document().get_element_by_id("canvas")?;
    let copy: web_sys::Element = canvas.clone_node_with_deep(true).ok()?.dyn_into().ok()?;
    // Editing aids are not part of the picture.
    if let Ok(aids) =
        copy.query_selector_all(".rubber-band, .resize-handle, .resize-preview, .connecting")
    {
        for index in 0..aids.length() {
            if let Some(node) = aids.item(index)
                && let Some(parent) = node.parent_node()
            {
                let _ = parent.remove_child(&node);
            }
        }
    }
    if let Ok(selected) = copy.query_selector_all(".selected") {
        for index in 0..selected.length() {
            if let Some(element) = selected
                .item(index)
                .and_then(|node| node.dyn_into::<web_sys::Element>().ok())
            {
                let _ = element.class_list().remove_1("selected");
            }
        }
    }
    let (x, y, width, height) = match area {
        ExportArea::CurrentView => {
            let rect = canvas.get_bounding_client_rect();
            (0.0, 0.0, rect.width(), rect.height())
        }
        ExportArea::WholeDesign => {
            if let Ok(Some(camera)) = copy.query_selector("g.camera") {
                let _ = camera.set_attribute("transform", "");
            }
            let bounds = state.editor.with_untracked(|editor| {
                let layout = &editor.design().layout;
                let left = layout.values().map(|b| b.x).fold(f64::INFINITY, f64::min);
                let top = layout.values().map(|b| b.y).fold(f64::INFINITY, f64::min);
                let right = layout
                    .values()
                    .map(|b| b.x + b.width)
                    .fold(f64::NEG_INFINITY, f64::max);
                let bottom = layout
                    .values()
                    .map(|b| b.y + b.height)
                    .fold(f64::NEG_INFINITY, f64::max);
                (left, top, right, bottom)
            });
            let (left, top, right, bottom) = if bounds.0.is_finite() {
                bounds
            } else {
                (0.0, 0.0, 400.0, 300.0)
            };
            (
                left - EXPORT_MARGIN,
                top - EXPORT_MARGIN,
                right - left + 2.0 * EXPORT_MARGIN,
                bottom - top + 2.0 * EXPORT_MARGIN,
            )
        }
    };
    let _ = copy.set_attribute("viewBox", &format!("{x} {y} {width} {height}"));
    let _ = copy.set_attribute("width", &width.to_string());
    let _ = copy.set_attribute("height", &height.to_string());
    let _ = copy.set_attribute("xmlns", "http://www.w3.org/2000/svg");
    let mut markup = copy.outer_html();
    // The page's stylesheet travels with the picture, so it looks the same anywhere.
    if let Some(end_of_tag) = markup.find('>') {
        markup.insert_str(
            end_of_tag + 1,
            &format!("<style>{}</style><rect x=\"{x}\" y=\"{y}\" width=\"{width}\" height=\"{height}\" fill=\"#ffffff\" />", STYLESHEET),
        );
    }
    Some((
        format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n{markup}"),
        width,
        height,
    ))
}

/// The page's styles, embedded in exported pictures.
const STYLESHEET: &str = include_str!("../style.css");

/// Renders the canvas SVG to a PNG at `scale` × its on-screen size and downloads it.
async fn export_png(state: AppState, area: ExportArea, scale: f64) -> Result<(), String> {
    let (svg, svg_width, svg_height) = canvas_svg(&state, area).ok_or("no canvas")?;
    let (width, height) = (
        (svg_width * scale).round() as u32,
        (svg_height * scale).round() as u32,
    );
    let image = web_sys::HtmlImageElement::new().map_err(|_| "no image")?;
    let loaded = js_sys::Promise::new(&mut |resolve, reject| {
        image.set_onload(Some(&resolve));
        image.set_onerror(Some(&reject));
    });
    let encoded = js_sys::encode_uri_component(&svg);
    image.set_src(&format!(
        "data:image/svg+xml;charset=utf-8,{}",
        String::from(encoded)
    ));
    wasm_bindgen_futures::JsFuture::from(loaded)
        .await
        .map_err(|_| "the SVG did not render".to_string())?;
    let canvas: web_sys::HtmlCanvasElement = document()
        .create_element("canvas")
        .map_err(|_| "no canvas")?
        .dyn_into()
        .map_err(|_| "no canvas")?;
    canvas.set_width(width);
    canvas.set_height(height);
    let context: web_sys::CanvasRenderingContext2d = canvas
        .get_context("2d")
        .ok()
        .flatten()
        .and_then(|context| context.dyn_into().ok())
        .ok_or("no 2d context")?;
    context.set_fill_style_str("#ffffff");
    context.fill_rect(0.0, 0.0, f64::from(width), f64::from(height));
    context
        .draw_image_with_html_image_element_and_dw_and_dh(
            &image,
            0.0,
            0.0,
            f64::from(width),
            f64::from(height),
        )
        .map_err(|_| "drawing failed")?;
    let url = canvas
        .to_data_url_with_type("image/png")
        .map_err(|_| "encoding failed")?;
    let anchor = ensure_download_anchor()?;
    anchor.set_href(&url);
    anchor.set_download("design.png");
    anchor.set_attribute("data-file-name", "design.png").ok();
    anchor.click();
    Ok(())
}

fn ensure_download_anchor() -> Result<web_sys::HtmlAnchorElement, String> {
    let document = document();
    let anchor = match document.get_element_by_id("download-link") {
        Some(existing) => existing,
        None => {
            let created = document
                .create_element("a")
                .map_err(|_| "cannot make a link".to_string())?;
            created.set_id("download-link");
            created.set_attribute("hidden", "").ok();
            document
                .body()
                .ok_or("no body")?
                .append_child(&created)
                .map_err(|_| "cannot add the link".to_string())?;
            created
        }
    };
    anchor.dyn_into().map_err(|_| "not a link".to_string())
}

#[component]
pub fn FileButtons() -> impl IntoView {
    let state = expect_context::<AppState>();
    let import = move |event: leptos::ev::Event| {
        let Some(input) = event
            .target()
            .and_then(|target| target.dyn_into::<web_sys::HtmlInputElement>().ok())
        else {
            return;
        };
        let Some(file) = input.files().and_then(|files| files.get(0)) else {
            return;
        };
        let name = file.name();
        input.set_value("");
        spawn_local(async move {
            let text = match wasm_bindgen_futures::JsFuture::from(file.text()).await {
                Ok(text) => text.as_string().unwrap_or_default(),
                Err(_) => {
                    state.notice.set(Some(format!(
                        "Import of {name} failed: the file could not be read"
                    )));
                    return;
                }
            };
            match crate::lazy::load_design_naming_paths(&text).await {
                Ok(mut design) => {
                    shared::layout::fill_missing_layout(&mut design);
                    crate::documents::replace_with_draft(state, design);
                    state.status.set(format!("Imported {name} as a new draft"));
                }
                Err(error) => state
                    .notice
                    .set(Some(format!("Import of {name} failed: {error}"))),
            }
        });
    };
    let export_json = move |_| {
        // The file holds the design's pretty text, as the CLI writes it.
        let text = state.editor.with_untracked(|editor| {
            shared::spec::pretty_json(&crate::documents::design_text(editor.design()))
        });
        if let Err(error) = download("design.json", "application/json", &text) {
            state.notice.set(Some(format!("Export failed: {error}")));
        }
    };
    view! {
        <label class="file-button">"Import"
            <input type="file" accept=".json,application/json" aria-label="Import design file" on:change=import />
        </label>
        <button aria-label="Export JSON" on:click=export_json>"Export JSON"</button>
    }
}

/// Export as code or diagram: every format of `shared::export`, generated in the browser by
/// the same code the CLI and the API run (a format of several files downloads each); and the
/// canvas as SVG or as PNG at a chosen scale, of the current view or the whole design.
#[component]
pub fn ExportPanel() -> impl IntoView {
    let state = expect_context::<AppState>();
    let area = RwSignal::new(ExportArea::CurrentView);
    let png_scale = RwSignal::new(2.0f64);
    let export_svg = move |_| match canvas_svg(&state, area.get_untracked()) {
        Some((svg, _, _)) => {
            if let Err(error) = download("design.svg", "image/svg+xml", &svg) {
                state.notice.set(Some(format!("Export failed: {error}")));
            }
        }
        None => state
            .notice
            .set(Some("Export failed: no canvas".to_string())),
    };
    let format = RwSignal::new("cloudformation-yaml".to_string());
    let export = move |_| {
        let Some(chosen) = shared::export::Format::parse(&format.get_untracked()) else {
            return;
        };
        let design_id = state
            .saved
            .get_untracked()
            .map(|saved| saved.id)
            .unwrap_or_else(|| "moat-draft".to_string());
        // Written by the export module, which loads on the first export (see `offload`).
        let document = state
            .editor
            .with_untracked(|editor| crate::documents::design_text(editor.design()));
        let job = shared::offload::OffloadJob::Export {
            format: chosen.name().to_string(),
            design_id,
        };
        state.status.set(format!("Exporting {}…", chosen.name()));
        leptos::task::spawn_local(async move {
            let files = match crate::offload::run(job, document).await {
                Ok(shared::offload::OffloadOutcome::Files(files)) => files,
                Ok(shared::offload::OffloadOutcome::Text(_)) => {
                    state.notice.set(Some(
                        "Export failed: the export module answered with no files".to_string(),
                    ));
                    return;
                }
                Err(message) => {
                    state.notice.set(Some(format!("Export failed: {message}")));
                    return;
                }
            };
            let mime = match chosen {
                shared::export::Format::Json | shared::export::Format::CloudFormationJson => {
                    "application/json"
                }
                shared::export::Format::Svg => "image/svg+xml",
                shared::export::Format::DrawIo => "application/xml",
                _ => "text/plain",
            };
            let names: Vec<String> = files.iter().map(|f| f.name.clone()).collect();
            for file in &files {
                if let Err(error) = download(&file.name, mime, &file.contents) {
                    state.notice.set(Some(format!("Export failed: {error}")));
                    return;
                }
            }
            state.status.set(format!("Exported {}", names.join(", ")));
        });
    };
    view! {
        <details class="export-panel" aria-label="Export">
            <summary>"Export as code or diagram"</summary>
            <select aria-label="Export format" on:change=move |event| format.set(event_target_value(&event))>
                <option value="cloudformation-yaml" selected>"CloudFormation (YAML)"</option>
                <option value="cloudformation-json">"CloudFormation (JSON)"</option>
                <option value="terraform">"Terraform (AWS provider v5)"</option>
                <option value="cli">"AWS CLI script + teardown"</option>
                <option value="drawio">"draw.io diagram"</option>
                <option value="svg">"SVG diagram (legend, icons)"</option>
                <option value="json">"Design JSON"</option>
            </select>
            <button aria-label="Export in the chosen format" on:click=export>"Export"</button>
            <div class="canvas-export">
                <select aria-label="Export area" title="What SVG and PNG exports show"
                    on:change=move |event| {
                        let whole = event_target_value(&event) == "whole";
                        area.set(if whole { ExportArea::WholeDesign } else { ExportArea::CurrentView });
                    }>
                    <option value="view" selected>"Current view"</option>
                    <option value="whole">"Whole design"</option>
                </select>
                <button aria-label="Export SVG" on:click=export_svg>"Export SVG"</button>
                <select aria-label="PNG scale" title="PNG pixels per canvas unit"
                    on:change=move |event| png_scale.set(event_target_value(&event).parse().unwrap_or(2.0))>
                    <option value="1">"1×"</option>
                    <option value="2" selected>"2×"</option>
                    <option value="3">"3×"</option>
                    <option value="4">"4×"</option>
                </select>
                <button aria-label="Export PNG" on:click=move |_| {
                    spawn_local(async move {
                        if let Err(error) = export_png(state, area.get_untracked(), png_scale.get_untracked()).await {
                            state.notice.set(Some(format!("PNG export failed: {error}")));
                        }
                    });
                }>"Export PNG"</button>
            </div>
        </details>
    }
}
