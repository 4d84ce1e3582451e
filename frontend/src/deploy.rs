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

/// Deploy: opens the review at once; the review (a part fetched on demand) then asks for the
/// plan ([`fetch_plan`]).
pub fn review_plan(state: AppState) {
    if state.saved.with_untracked(Option::is_none) {
        state.status.set(
            "Save the design before deploying (Save as new design stores it on the server)".into(),
        );
        return;
    }
    state.deploy.progress.set(BTreeMap::new());
    state.deploy.plan.set(None);
    state.deployment.set(None);
    state.deploy.review_open.set(true);
}

/// Saves the open design's unsaved edits first (so what is reviewed is what is stored), then
/// asks the server for the plan; the review calls it as it opens.
fn fetch_plan(state: AppState) {
    spawn_local(async move {
        let unsaved = state.editor.with_untracked(|editor| {
            crate::documents::design_text(editor.design()) != state.last_saved_text.get_value()
        });
        if unsaved {
            crate::actions::save_now(state, "saved").await;
        }
        let Some(saved) = state.saved.get_untracked() else {
            return;
        };
        match server::plan(&saved.id).await {
            Ok(plan) => {
                let (create, update, replace, delete) = plan.counts;
                state.status.set(format!(
                    "Plan: {create} to create, {update} to update, {replace} to replace, {delete} to delete"
                ));
                state.deploy.plan.set(Some(plan));
            }
            Err(error) => {
                state.deploy.review_open.set(false);
                state.status.set(format!("Plan refused: {error}"));
            }
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

/// Dollars a month, with a sign when it is a change.
fn dollars(amount: f64, signed: bool) -> String {
    let sign = if !signed {
        ""
    } else if amount >= 0.005 {
        "+"
    } else if amount <= -0.005 {
        "−"
    } else {
        "±"
    };
    format!("{sign}${:.2}", amount.abs())
}

/// What the deployed revision costs a month (network, compute) and what it is, in words.
type DeployedCost = Result<(f64, f64, String), String>;

/// A design's monthly estimate: the network and the workloads.
fn monthly_cost(design: &shared::Design) -> (f64, f64) {
    let estimate = shared::cost::estimate(design);
    (estimate.total_monthly, estimate.compute.monthly)
}

/// The review's cost line: what the design costs a month, and the change against the
/// revision deployed now (read from the server; nothing deployed costs nothing).
fn cost_review(state: AppState) -> impl IntoView {
    let deployed_cost: RwSignal<Option<DeployedCost>> = RwSignal::new(None);
    let deployed = state
        .latest_deployment
        .get_untracked()
        .filter(|deployment| {
            deployment.operation == shared::api::DeploymentOperation::Apply
                && deployment.status == shared::api::DeploymentStatus::Succeeded
        });
    match (deployed, state.saved.get_untracked()) {
        (Some(deployment), Some(saved)) => {
            spawn_local(async move {
                let answer = server::revision_document(&saved.id, deployment.design_revision)
                    .await
                    .map_err(|error| error.to_string())
                    .and_then(|text| {
                        shared::spec::load_design(&text).map_err(|error| error.to_string())
                    })
                    .map(|design| {
                        let (network, compute) = monthly_cost(&design);
                        (
                            network,
                            compute,
                            format!("revision {} deployed now", deployment.design_revision),
                        )
                    });
                deployed_cost.set(Some(answer));
            });
        }
        _ => deployed_cost.set(Some(Ok((0.0, 0.0, "nothing deployed yet".to_string())))),
    }
    move || {
        let (network, compute) = state.editor.with(|editor| monthly_cost(editor.design()));
        let total = network + compute;
        let change = match deployed_cost.get() {
            None => "comparing with what is deployed…".to_string(),
            Some(Err(error)) => format!("the deployed revision could not be priced: {error}"),
            Some(Ok((deployed_network, deployed_compute, against))) => format!(
                "{} a month against {against}",
                dollars(total - deployed_network - deployed_compute, true)
            ),
        };
        view! {
            <p id="review-cost">
                {format!(
                    "Estimate: {} a month ({} network, {} compute); change: {change}",
                    dollars(total, false),
                    dollars(network, false),
                    dollars(compute, false)
                )}
            </p>
        }
    }
}

/// How far a run is: objects done out of all, and any failed.
fn progress_words(progress: &BTreeMap<String, String>) -> (usize, usize, usize) {
    let done = progress.values().filter(|phase| *phase == "done").count();
    let failed = progress.values().filter(|phase| *phase == "failed").count();
    (done, failed, progress.len())
}

/// The deploy review: the plan, what it costs and what it changes in cost, the IAM policy the
/// server's credentials need, who must approve, and Apply in view at the top; once applied it
/// shows the progress in place and then the outcome, which stays until it is closed.
#[component]
pub fn ReviewDialog() -> impl IntoView {
    let state = expect_context::<AppState>();
    // Mounted each time the review opens (Deploy): the plan is asked for now.
    fetch_plan(state);
    let csrf = move || crate::actions::csrf(&state);
    let dialog: NodeRef<leptos::html::Section> = NodeRef::new();
    let close = move || {
        state.deploy.review_open.set(false);
        state.deploy.plan.set(None);
        crate::dialog::focus("header button.deploy");
    };
    let on_keydown = crate::dialog::modal(dialog, Some("button.apply"), close);
    // Apply appears once the plan is read: focus moves to it then.
    let apply_button: NodeRef<leptos::html::Button> = NodeRef::new();
    Effect::new(move |_| {
        if let Some(button) = apply_button.get() {
            let _ = button.focus();
        }
    });
    let title = move || {
        let (name, region) = state
            .editor
            .with(|editor| (editor.design().name.clone(), editor.design().region.clone()));
        let revision = state
            .saved
            .with(|saved| saved.as_ref().map(|saved| saved.revision).unwrap_or(0));
        format!("Deploy “{name}” revision {revision} to {region}")
    };
    // Worked out by the export module, which holds the planner (see `offload`).
    let policy = RwSignal::new(String::new());
    let document = state
        .editor
        .with_untracked(|editor| crate::documents::design_text(editor.design()));
    leptos::task::spawn_local(async move {
        let text = match crate::offload::run(shared::offload::OffloadJob::IamPolicy, document).await
        {
            Ok(shared::offload::OffloadOutcome::Text(text)) => text,
            Ok(shared::offload::OffloadOutcome::Files(_)) => {
                "The policy could not be worked out: the export module answered with files"
                    .to_string()
            }
            Err(message) => format!("The policy could not be worked out: {message}"),
        };
        policy.try_set(text);
    });
    let started = move || state.deployment.with(Option::is_some);
    let outcome = move || {
        state.deployment.get().map(|deployment| {
            let (done, failed, total) = state.deploy.progress.with(progress_words);
            let status = deployment.status;
            let words = match status {
                shared::api::DeploymentStatus::Running => {
                    format!(
                        "Applying: {done} of {total} objects done{}",
                        if failed > 0 {
                            format!(", {failed} failed")
                        } else {
                            String::new()
                        }
                    )
                }
                shared::api::DeploymentStatus::Succeeded => format!(
                    "Finished: {} — {} resources in the account",
                    deployment.id,
                    deployment.resources.len()
                ),
                shared::api::DeploymentStatus::Failed => {
                    format!("Failed: {} — {}", deployment.id, deployment.message)
                }
                shared::api::DeploymentStatus::AwaitingApproval => format!(
                    "Waiting: {} starts when a different deployer approves it",
                    deployment.id
                ),
                shared::api::DeploymentStatus::Invalidated => format!(
                    "Invalidated: {} — the design changed before the approval",
                    deployment.id
                ),
            };
            view! {
                <p id="review-progress" role="status" data-status=status.as_str()
                    class:failed=status == shared::api::DeploymentStatus::Failed>
                    {words}
                </p>
                <progress max=total.max(1) value=done aria-label="Objects done"></progress>
            }
        })
    };
    let body = move || {
        match state.deploy.plan.get() {
        None => view! { <p id="review-loading" role="status">"Reading the account to plan the deployment…"</p> }.into_any(),
        Some(plan) => {
            let (create, update, replace, delete) = plan.counts;
            let empty = plan.plan.steps.is_empty();
            let approval = plan.approval.clone().unwrap_or_else(|| {
                "No second approval: Apply starts it at once.".to_string()
            });
            view! {
                <div class="review-actions">
                    <button class="apply" aria-label="Apply the plan" node_ref=apply_button disabled=move || empty || started()
                        on:click=move |_| {
                            if let Some(token) = csrf() {
                                apply_plan(state, token);
                            }
                        }>{if empty { "Nothing to apply" } else { "Apply" }}</button>
                    <button class="close-review" on:click=move |_| close()>
                        {move || if started() { "Close" } else { "Cancel" }}
                    </button>
                </div>
                {outcome}
                <p id="review-approval">{approval}</p>
                <p id="plan-summary">{format!(
                    "{create} to create, {update} to update, {replace} to replace, {delete} to delete; {} unchanged",
                    plan.plan.unchanged
                )}</p>
                {cost_review(state)}
                <ol class="plan-steps" tabindex="0" aria-label="Plan steps">
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
                <details>
                    <summary>"The IAM policy the server's credentials need"</summary>
                    <pre id="review-iam" class="facts" aria-busy=move || policy.with(String::is_empty).then_some("true")>{move || policy.get()}</pre>
                </details>
            }
            .into_any()
        }
    }
    };
    view! {
        <section class="gallery review" role="dialog" aria-modal="true" aria-labelledby="review-title"
            id="plan-panel" node_ref=dialog on:keydown=on_keydown>
            <h2 id="review-title">{title}</h2>
            {body}
        </section>
    }
}

/// The deployment the app follows: its status, and every AWS id once it has them.
#[component]
pub fn DeploymentPanel() -> impl IntoView {
    let state = expect_context::<AppState>();
    move || {
        state.deployment.get().map(|deployment| {
            view! {
                <section aria-label="Deployment">
                    <h2>"Deployment"</h2>
                    <p id="deployment-status" data-status=deployment.status.as_str()>
                        {format!("{}: {}", deployment.id, deployment.status.as_str())}
                        {(!deployment.message.is_empty()).then(|| format!(" — {}", deployment.message))}
                        {(deployment.status == shared::api::DeploymentStatus::AwaitingApproval).then(|| " — a protected target: it starts when a different deployer approves it (their Waiting for approval panel)".to_string())}
                    </p>
                    <ul>
                        {deployment
                            .resources
                            .iter()
                            .map(|resource| view! { <li>{format!("{} {} → {}", resource.kind, resource.logical_id, resource.aws_id)}</li> })
                            .collect_view()}
                    </ul>
                </section>
            }
        })
    }
}

/// Drift: what changed in the account outside Moat since the saved design was applied.
#[component]
pub fn DriftPanel() -> impl IntoView {
    let state = expect_context::<AppState>();
    let report: RwSignal<Option<server::DriftAnswer>> = RwSignal::new(None);
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
                Ok(answer) => report.set(Some(answer)),
                Err(error) => state.status.set(format!("Drift check failed: {error}")),
            }
        });
    };
    view! {
        <Show when=can_check>
            <section aria-label="Drift">
                <button aria-label="Check drift" on:click=check>"Check drift"</button>
                {move || report.get().map(|report| if !report.deployed {
                    view! { <p id="drift-result" data-drift="not-deployed">"Not deployed yet: the account holds nothing of this design, so nothing drifted."</p> }.into_any()
                } else if report.lines.is_empty() {
                    view! { <p id="drift-result" data-drift="0">"No drift: the account matches the design."</p> }.into_any()
                } else {
                    let count = report.lines.len();
                    view! {
                        <div id="drift-result" data-drift=count.to_string()>
                            <p>{format!("{count} change(s) made outside Moat (Deploy puts the design back):")}</p>
                            <ul>{report.lines.into_iter().map(|line| view! { <li>{line}</li> }).collect_view()}</ul>
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
                Ok(imported) => {
                    match crate::lazy::load_design_naming_paths(&imported.document.to_string())
                        .await
                    {
                        Ok(design) => {
                            crate::documents::replace_with_draft(state, design);
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
                    }
                }
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
