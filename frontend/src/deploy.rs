//! Deploying from the app: the plan is shown before anything changes (a list, and the objects
//! it touches marked on the canvas); Apply starts the deployment and follows its journal live
//! over server-sent events, each object on the canvas marked pending, creating, done or
//! failed; the finished deployment lists every AWS id (the Deployment panel). Also "Import
//! from AWS": a VPC read by the server becomes the design.

use std::collections::BTreeMap;

use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;

use crate::server;
use crate::state::{AppState, object_of, rank};
use shared::api::StepPhase;
use shared::editor::Command;

/// Asks the server for the plan of the saved design and shows it.
pub fn review_plan(state: AppState) {
    let Some(saved) = state.saved.get_untracked() else {
        state.status.set("Save the design before deploying".into());
        return;
    };
    state.deploy.progress.set(BTreeMap::new());
    spawn_local(async move {
        match server::plan(&saved.id).await {
            Ok(plan) => {
                let (create, update, replace, delete) = plan.counts;
                state.status.set(format!(
                    "Plan: {create} to create, {update} to update, {replace} to replace, {delete} to delete"
                ));
                state.deploy.plan.set(Some(plan));
            }
            Err(error) => state.status.set(format!("Plan refused: {error}")),
        }
    });
}

/// Starts the deployment of the reviewed plan and follows it.
fn apply_plan(state: AppState, csrf: String) {
    let Some(saved) = state.saved.get_untracked() else {
        return;
    };
    let Some(plan) = state.deploy.plan.get_untracked() else {
        return;
    };
    // Every object the plan touches starts pending.
    let pending: BTreeMap<String, String> = plan
        .plan
        .steps
        .iter()
        .map(|step| {
            (
                object_of(&step.key.logical_id).to_string(),
                "pending".to_string(),
            )
        })
        .collect();
    state.deploy.progress.set(pending);
    spawn_local(async move {
        match server::start_deployment(&csrf, &saved.id).await {
            Ok(started) => {
                state
                    .status
                    .set(format!("Deployment {} started", started.id));
                state.deployment.set(Some(started.clone().into()));
                follow_events(state, &started.id);
                crate::actions::poll_deployment(state, started.id).await;
                state.deploy.plan.set(None);
            }
            Err(error) => {
                state.deploy.progress.set(BTreeMap::new());
                state.status.set(format!("Deploy refused: {error}"));
            }
        }
    });
}

/// Follows a deployment's journal over server-sent events: each step event updates its
/// object's mark; the `end` event closes the stream.
fn follow_events(state: AppState, deployment_id: &str) {
    let url = format!("/api/v1/deployments/{deployment_id}/events");
    let Ok(source) = web_sys::EventSource::new(&url) else {
        return;
    };
    let on_step =
        Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |event: web_sys::MessageEvent| {
            let Some(text) = event.data().as_string() else {
                return;
            };
            let Ok(step) = serde_json::from_str::<shared::api::StepEvent>(&text) else {
                return;
            };
            let phase = match step.phase {
                StepPhase::Started | StepPhase::Retrying { .. } => "creating",
                StepPhase::Done { .. } => "done",
                StepPhase::Failed { .. } | StepPhase::Skipped => "failed",
            };
            let object = object_of(&step.logical_id).to_string();
            state.deploy.progress.update(|progress| {
                // An object whose other steps are still running is not done yet.
                let current = progress.get(&object).map(String::as_str).unwrap_or("");
                let next = if phase == "done" && current == "creating" {
                    "done"
                } else if rank(phase) >= rank(current) || current == "pending" {
                    phase
                } else {
                    current
                };
                progress.insert(object, next.to_string());
            });
        });
    let closing = source.clone();
    let on_end =
        Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |_event: web_sys::MessageEvent| {
            closing.close();
        });
    let _ = source.add_event_listener_with_callback("step", on_step.as_ref().unchecked_ref());
    let _ = source.add_event_listener_with_callback("end", on_end.as_ref().unchecked_ref());
    // The listeners live as long as the page: one pair per deployment.
    on_step.forget();
    on_end.forget();
}

/// The plan under review: every step, replacements flagged, with Apply and Cancel.
#[component]
pub fn PlanPanel() -> impl IntoView {
    let state = expect_context::<AppState>();
    let csrf = move || crate::actions::csrf(&state);
    move || {
        state.deploy.plan.get().map(|plan| {
            let (create, update, replace, delete) = plan.counts;
            let empty = plan.plan.steps.is_empty();
            view! {
                <section aria-label="Plan" id="plan-panel">
                    <h2>"Plan"</h2>
                    <p id="plan-summary">{format!(
                        "{create} to create, {update} to update, {replace} to replace, {delete} to delete; {} unchanged",
                        plan.plan.unchanged
                    )}</p>
                    <ol class="plan-steps">
                        {plan.plan.steps.iter().map(|step| {
                            let replace = matches!(step.action, shared::plan::Action::Replace { .. });
                            let changed = if step.action.changed().is_empty() {
                                String::new()
                            } else {
                                format!(" ({})", step.action.changed().join(", "))
                            };
                            view! {
                                <li data-action=step.action.name() data-object=object_of(&step.key.logical_id).to_string() class:replace=replace>
                                    {format!("{} {} {}{changed}", step.action.name(), step.key.kind.name().replace('_', " "), step.key.logical_id)}
                                    {replace.then(|| view! { <strong>" replaces the resource"</strong> })}
                                </li>
                            }
                        }).collect_view()}
                    </ol>
                    <button aria-label="Apply the plan" disabled=empty on:click=move |_| {
                        if let Some(token) = csrf() {
                            apply_plan(state, token);
                        }
                    }>{if empty { "Nothing to apply" } else { "Apply" }}</button>
                    <button on:click=move |_| state.deploy.plan.set(None)>"Cancel"</button>
                </section>
            }
        })
    }
}

/// Drift: what changed in the account outside Moat since the saved design was applied.
#[component]
pub fn DriftPanel() -> impl IntoView {
    let state = expect_context::<AppState>();
    let lines: RwSignal<Option<Vec<String>>> = RwSignal::new(None);
    let can_check = move || {
        state.saved.with(Option::is_some)
            && state.session.with(|session| {
                session
                    .as_ref()
                    .and_then(|s| s.user.as_ref())
                    .is_some_and(|user| user.role >= shared::api::Role::Deployer)
            })
    };
    let check = move |_| {
        let Some(saved) = state.saved.get_untracked() else {
            return;
        };
        spawn_local(async move {
            match server::drift(&saved.id).await {
                Ok(answer) => lines.set(Some(answer.lines)),
                Err(error) => state.status.set(format!("Drift check failed: {error}")),
            }
        });
    };
    view! {
        <Show when=can_check>
            <section aria-label="Drift">
                <button aria-label="Check drift" on:click=check>"Check drift"</button>
                {move || lines.get().map(|lines| if lines.is_empty() {
                    view! { <p id="drift-result" data-drift="0">"No drift: the account matches the design."</p> }.into_any()
                } else {
                    let count = lines.len();
                    view! {
                        <div id="drift-result" data-drift=count.to_string()>
                            <p>{format!("{count} change(s) made outside Moat (Deploy puts the design back):")}</p>
                            <ul>{lines.into_iter().map(|line| view! { <li>{line}</li> }).collect_view()}</ul>
                        </div>
                    }.into_any()
                })}
            </section>
        </Show>
    }
}

/// "Import from AWS": a VPC id; the server reads the VPC and it replaces the design.
#[component]
pub fn ImportPanel() -> impl IntoView {
    let state = expect_context::<AppState>();
    let vpc_id = RwSignal::new(String::new());
    let can_import = move || {
        state.session.with(|session| {
            session
                .as_ref()
                .and_then(|s| s.user.as_ref())
                .is_some_and(|user| user.role >= shared::api::Role::Deployer)
        })
    };
    let import = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let Some(token) = crate::actions::csrf(&state) else {
            return;
        };
        let region = state
            .editor
            .with_untracked(|editor| editor.design().region.clone());
        let id = vpc_id.get_untracked();
        spawn_local(async move {
            match server::import_vpc(&token, id.trim(), &region).await {
                Ok(imported) => match shared::spec::load_design(&imported.document.to_string()) {
                    Ok(design) => {
                        state.apply(Command::ReplaceDesign {
                            design: Box::new(design),
                        });
                        state.saved.set(None);
                        state.status.set(format!(
                            "Imported {}{}",
                            id.trim(),
                            if imported.left_out.is_empty() {
                                String::new()
                            } else {
                                format!("; left out: {}", imported.left_out.join("; "))
                            }
                        ));
                    }
                    Err(error) => state.status.set(format!("Import failed: {error}")),
                },
                Err(error) => state.status.set(format!("Import failed: {error}")),
            }
        });
    };
    view! {
        <Show when=can_import>
            <details class="import">
                <summary>"Import from AWS"</summary>
                <form on:submit=import aria-label="Import from AWS">
                    <input aria-label="VPC id to import" placeholder="vpc-0a1b2c3d"
                        prop:value=move || vpc_id.get()
                        on:input=move |event| vpc_id.set(event_target_value(&event)) />
                    <button type="submit">"Import"</button>
                </form>
            </details>
        </Show>
    }
}
