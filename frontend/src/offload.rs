//! The page's side of the second wasm module (`frontend/src/bin/moat_exports.rs`): the
//! worker is started the first time a job is asked for, its wasm fetched then (it is not part
//! of the first load), and each job is a request with a number, answered by number. Jobs
//! asked for while the worker loads wait for its "ready". A worker that fails to load fails
//! every waiting job in words, and the next job starts a new one.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;

use shared::offload::{OffloadAnswer, OffloadJob, OffloadOutcome, OffloadRequest};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::Closure;

/// Where Trunk puts the worker's loader (`data-loader-shim` on the worker's link in
/// `frontend/index.html`; a worker's files are named after its binary, not hashed).
const WORKER_SCRIPT: &str = "/moat_exports_loader.js";
/// What the worker posts once it listens.
const READY: &str = "ready";

struct Offload {
    worker: web_sys::Worker,
    ready: Cell<bool>,
    /// Requests (as JSON text) waiting for the worker's "ready".
    queued: RefCell<Vec<String>>,
    /// Each waiting job's `resolve`, by request number.
    waiting: RefCell<HashMap<u64, js_sys::Function>>,
    next_id: Cell<u64>,
}

thread_local! {
    static OFFLOAD: RefCell<Option<Rc<Offload>>> = const { RefCell::new(None) };
}

/// Runs `job` on `document` (a design's JSON text) in the worker.
pub async fn run(job: OffloadJob, document: String) -> Result<OffloadOutcome, String> {
    let offload = worker()?;
    let id = offload.next_id.get() + 1;
    offload.next_id.set(id);
    let request = serde_json::to_string(&OffloadRequest { id, job, document })
        .map_err(|error| format!("the request could not be written: {error}"))?;
    let waiting = offload.clone();
    let promise = js_sys::Promise::new(&mut |resolve, _reject| {
        waiting.waiting.borrow_mut().insert(id, resolve);
    });
    if offload.ready.get() {
        let _ = offload
            .worker
            .post_message(&wasm_bindgen::JsValue::from_str(&request));
    } else {
        offload.queued.borrow_mut().push(request);
    }
    let answered = wasm_bindgen_futures::JsFuture::from(promise)
        .await
        .map_err(|_| "the export module gave no answer".to_string())?;
    let text = answered.as_string().unwrap_or_default();
    let answer: OffloadAnswer = serde_json::from_str(&text)
        .map_err(|_| "the export module answered something unreadable".to_string())?;
    answer.outcome
}

/// The running worker, started if there is none.
fn worker() -> Result<Rc<Offload>, String> {
    if let Some(running) = OFFLOAD.with(|slot| slot.borrow().clone()) {
        return Ok(running);
    }
    let worker = web_sys::Worker::new(WORKER_SCRIPT)
        .map_err(|_| "the export module could not be started".to_string())?;
    let offload = Rc::new(Offload {
        worker: worker.clone(),
        ready: Cell::new(false),
        queued: RefCell::new(Vec::new()),
        waiting: RefCell::new(HashMap::new()),
        next_id: Cell::new(0),
    });
    let listening = offload.clone();
    let on_message =
        Closure::<dyn Fn(web_sys::MessageEvent)>::new(move |event: web_sys::MessageEvent| {
            let text = event.data().as_string().unwrap_or_default();
            if text == READY {
                listening.ready.set(true);
                for request in listening.queued.borrow_mut().drain(..) {
                    let _ = listening
                        .worker
                        .post_message(&wasm_bindgen::JsValue::from_str(&request));
                }
                return;
            }
            let id = serde_json::from_str::<OffloadAnswer>(&text)
                .map(|answer| answer.id)
                .unwrap_or(0);
            if let Some(resolve) = listening.waiting.borrow_mut().remove(&id) {
                let _ = resolve.call1(
                    &wasm_bindgen::JsValue::NULL,
                    &wasm_bindgen::JsValue::from_str(&text),
                );
            }
        });
    worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    let failing = offload.clone();
    let on_error = Closure::<dyn Fn(web_sys::Event)>::new(move |_event: web_sys::Event| {
        // Every waiting job fails in words; the next one starts a new worker.
        let failure = serde_json::to_string(&OffloadAnswer {
            id: 0,
            outcome: Err(
                "the export module could not be loaded: reload the page and try again".to_string(),
            ),
        })
        .unwrap_or_default();
        for (_, resolve) in failing.waiting.borrow_mut().drain() {
            let _ = resolve.call1(
                &wasm_bindgen::JsValue::NULL,
                &wasm_bindgen::JsValue::from_str(&failure),
            );
        }
        failing.worker.terminate();
        OFFLOAD.with(|slot| slot.borrow_mut().take());
    });
    worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    on_error.forget();
    OFFLOAD.with(|slot| *slot.borrow_mut() = Some(offload.clone()));
    Ok(offload)
}
