//! Files: import a JSON spec (errors shown with their exact path), export the design as JSON
//! and the canvas as SVG. Downloads go through one anchor, `#download-link`, whose blob URL
//! stays readable (the browser tests fetch it to compare with the model).

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::editor::Command;
use wasm_bindgen::JsCast;

use crate::app::AppState;

fn download(file_name: &str, mime_type: &str, text: &str) -> Result<(), String> {
    let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(text));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime_type);
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options)
        .map_err(|_| "cannot make a file".to_string())?;
    let url = web_sys::Url::create_object_url_with_blob(&blob)
        .map_err(|_| "cannot make a download".to_string())?;
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
    if let Some(previous) = anchor.get_attribute("href") {
        // Keep at most one blob alive.
        let _ = web_sys::Url::revoke_object_url(&previous);
    }
    let anchor: web_sys::HtmlAnchorElement =
        anchor.dyn_into().map_err(|_| "not a link".to_string())?;
    anchor.set_href(&url);
    anchor.set_download(file_name);
    anchor.set_attribute("data-file-name", file_name).ok();
    anchor.click();
    Ok(())
}

/// The canvas as a standalone SVG document.
fn canvas_svg() -> Option<String> {
    let canvas = document().get_element_by_id("canvas")?;
    let mut markup = canvas.outer_html();
    if !markup.contains("xmlns=") {
        markup = markup.replacen("<svg", "<svg xmlns=\"http://www.w3.org/2000/svg\"", 1);
    }
    Some(format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n{markup}"
    ))
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
            match shared::spec::load_design(&text) {
                Ok(mut design) => {
                    shared::layout::fill_missing_layout(&mut design);
                    state.apply(Command::ReplaceDesign {
                        design: Box::new(design),
                    });
                    state.saved.set(None);
                    state.selection.set(None);
                    state.status.set(format!("Imported {name}"));
                }
                Err(error) => state
                    .notice
                    .set(Some(format!("Import of {name} failed: {error}"))),
            }
        });
    };
    let export_json = move |_| {
        let text = state
            .editor
            .with_untracked(|editor| shared::spec::save_design(editor.design()));
        if let Err(error) = download("design.json", "application/json", &text) {
            state.notice.set(Some(format!("Export failed: {error}")));
        }
    };
    let export_svg = move |_| match canvas_svg() {
        Some(svg) => {
            if let Err(error) = download("design.svg", "image/svg+xml", &svg) {
                state.notice.set(Some(format!("Export failed: {error}")));
            }
        }
        None => state
            .notice
            .set(Some("Export failed: no canvas".to_string())),
    };
    view! {
        <label class="file-button">"Import"
            <input type="file" accept=".json,application/json" aria-label="Import design file" on:change=import />
        </label>
        <button aria-label="Export JSON" on:click=export_json>"Export JSON"</button>
        <button aria-label="Export SVG" on:click=export_svg>"Export SVG"</button>
    }
}
