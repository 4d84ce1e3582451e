//! Moat's second wasm module: the code exports and the IAM policy, run in a Web Worker that
//! the page starts the first time one is asked for (`frontend/src/offload.rs`), so neither the
//! exporters nor the planner weigh on the first load, and a long export never blocks the
//! page. It reads each request as JSON text, answers it with `shared::offload::answer`, and
//! posts the answer back as JSON text; it says "ready" once it listens.

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::Closure;
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

fn main() {
    console_error_panic_hook::set_once();
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let replies = scope.clone();
    let on_message = Closure::<dyn Fn(MessageEvent)>::new(move |event: MessageEvent| {
        let text = event.data().as_string().unwrap_or_default();
        let answer = match serde_json::from_str::<shared::offload::OffloadRequest>(&text) {
            Ok(request) => shared::offload::answer(&request),
            Err(error) => shared::offload::unreadable(&error.to_string()),
        };
        let reply = serde_json::to_string(&answer).unwrap_or_default();
        let _ = replies.post_message(&wasm_bindgen::JsValue::from_str(&reply));
    });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    // Messages sent before the module listened are lost: the page waits for this.
    let _ = scope.post_message(&wasm_bindgen::JsValue::from_str(READY));
}

/// What the worker posts once it listens (`frontend/src/offload.rs` reads the same word).
const READY: &str = "ready";
