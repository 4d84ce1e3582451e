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

/// Renders the canvas SVG to a PNG at `scale` × its on-screen size and downloads it.
async fn export_png(scale: f64) -> Result<(), String> {
    let svg = canvas_svg().ok_or("no canvas")?;
    let rect = document()
        .get_element_by_id("canvas")
        .ok_or("no canvas")?
        .get_bounding_client_rect();
    let (width, height) = (
        (rect.width() * scale).round() as u32,
        (rect.height() * scale).round() as u32,
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
        <button aria-label="Export PNG" on:click=move |_| {
            spawn_local(async move {
                if let Err(error) = export_png(2.0).await {
                    state.notice.set(Some(format!("PNG export failed: {error}")));
                }
            });
        }>"Export PNG"</button>
    }
}
