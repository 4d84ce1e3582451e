//! The server-side panels: the design's history (every saved revision, what it changed, restore
//! one as a new revision) and, for admins, user management (approve or reject sign-ups, change
//! roles, disable) and the audit log.

use leptos::prelude::*;
use leptos::task::spawn_local;

use shared::api::{Role, UserStatus};

use crate::actions::csrf;
use crate::server;
use crate::state::AppState;

fn when(seconds: i64) -> String {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(seconds as f64 * 1000.0));
    String::from(date.to_iso_string())
        .replace('T', " ")
        .chars()
        .take(19)
        .collect()
}

#[component]
pub fn HistoryPanel() -> impl IntoView {
    let state = expect_context::<AppState>();
    let open = RwSignal::new(false);
    let rows: RwSignal<Vec<(server::RevisionSummary, String)>> = RwSignal::new(Vec::new());
    // Refetch when opened, when the design's revisions change, or another design is opened.
    Effect::new(move |_| {
        let _ = state.history_generation.get();
        let saved = state.saved.get();
        if !open.get() {
            return;
        }
        let Some(saved) = saved else {
            rows.set(Vec::new());
            return;
        };
        spawn_local(async move {
            let Ok(revisions) = server::revisions(&saved.id).await else {
                return;
            };
            let mut listed = Vec::new();
            for revision in revisions.into_iter().take(20) {
                let summary = server::revision_summary(&saved.id, revision.revision)
                    .await
                    .unwrap_or_default();
                listed.push((revision, summary));
            }
            rows.set(listed);
        });
    });
    let restore = move |revision: i64| {
        let (Some(token), Some(saved)) = (csrf(&state), state.saved.get_untracked()) else {
            return;
        };
        spawn_local(async move {
            match server::restore(&token, &saved.id, revision, saved.revision).await {
                Ok(restored) => {
                    state.saved.set(Some(restored.clone()));
                    crate::actions::reload_from_server(state).await;
                    state.status.set(format!(
                        "Restored revision {revision} as revision {}",
                        restored.revision
                    ));
                }
                Err(error) => state.status.set(format!("Restore refused: {error}")),
            }
        });
    };
    view! {
        <Show when=move || state.saved.with(Option::is_some)>
            <section aria-label="History" id="history-panel">
                <details on:toggle=move |event| {
                    let element: web_sys::HtmlDetailsElement = wasm_bindgen::JsCast::unchecked_into(event_target::<web_sys::Element>(&event));
                    open.set(element.open());
                }>
                    <summary>"History"</summary>
                    <ol class="revisions" id="revisions">
                        {move || rows.get().into_iter().map(|(row, summary)| {
                            let current = state.saved.with(|saved| saved.as_ref().is_some_and(|s| s.revision == row.revision));
                            let revision = row.revision;
                            let restored = row.restored_from.map(|from| format!(" (restored {from})")).unwrap_or_default();
                            view! {
                                <li data-revision=revision>
                                    {format!("r{revision} by {} at {}{restored}: {summary}", row.saved_by, when(row.saved_at))}
                                    " "
                                    {(!current).then(|| view! {
                                        <button aria-label=format!("Restore revision {revision}") on:click=move |_| restore(revision)>"Restore"</button>
                                    })}
                                </li>
                            }
                        }).collect_view()}
                    </ol>
                </details>
            </section>
        </Show>
    }
}

#[component]
pub fn AdminPanel() -> impl IntoView {
    let state = expect_context::<AppState>();
    let is_admin = move || {
        state.session.with(|session| {
            session
                .as_ref()
                .and_then(|s| s.user.as_ref())
                .is_some_and(|user| user.role == Role::Admin)
        })
    };
    let users: RwSignal<Vec<server::UserListing>> = RwSignal::new(Vec::new());
    let audit: RwSignal<Vec<server::AuditEntry>> = RwSignal::new(Vec::new());
    let refresh = move || {
        spawn_local(async move {
            match server::users().await {
                Ok(list) => users.set(list),
                Err(error) => state.status.set(format!("Users: {error}")),
            }
            if let Ok(entries) = server::audit().await {
                audit.set(entries);
            }
        });
    };
    Effect::new(move |_| {
        if is_admin() {
            refresh();
        }
    });
    let change = move |user_id: i64, role: Option<String>, status: Option<&'static str>| {
        let Some(token) = csrf(&state) else { return };
        spawn_local(async move {
            match server::set_access(&token, user_id, role.as_deref(), status).await {
                Ok(_) => refresh(),
                Err(error) => state.status.set(format!("Refused: {error}")),
            }
        });
    };
    let reject = move |user_id: i64| {
        let Some(token) = csrf(&state) else { return };
        spawn_local(async move {
            match server::reject(&token, user_id).await {
                Ok(_) => refresh(),
                Err(error) => state.status.set(format!("Refused: {error}")),
            }
        });
    };
    view! {
        <Show when=is_admin>
            <section aria-label="Admin" id="admin-panel">
                <h2>"Users " <button aria-label="Refresh users" on:click=move |_| refresh()>"↻"</button></h2>
                <div class="table-scroll"><table class="users">
                    <thead><tr><th>"name"</th><th>"status"</th><th>"role"</th><th></th></tr></thead>
                    <tbody>
                        {move || users.get().into_iter().map(|user| {
                            let id = user.id;
                            let chosen = RwSignal::new(if user.status == UserStatus::Pending { Role::Designer.as_str() } else { user.role.as_str() }.to_string());
                            let name = user.name.clone();
                            let actions = match user.status {
                                UserStatus::Pending => view! {
                                    <button aria-label=format!("Approve {name}") on:click=move |_| change(id, Some(chosen.get_untracked()), Some("active"))>"Approve"</button>
                                    <button aria-label=format!("Reject {name}") on:click=move |_| reject(id)>"Reject"</button>
                                }.into_any(),
                                UserStatus::Active => view! {
                                    <button aria-label=format!("Set role of {name}") on:click=move |_| change(id, Some(chosen.get_untracked()), None)>"Set role"</button>
                                    <button aria-label=format!("Disable {name}") on:click=move |_| change(id, None, Some("disabled"))>"Disable"</button>
                                }.into_any(),
                                UserStatus::Disabled => view! {
                                    <button aria-label=format!("Enable {name}") on:click=move |_| change(id, None, Some("active"))>"Enable"</button>
                                }.into_any(),
                            };
                            view! {
                                <tr data-user=user.name.clone() data-status=user.status.as_str()>
                                    <td>{user.name.clone()}</td>
                                    <td>{user.status.as_str()}</td>
                                    <td>
                                        <select aria-label=format!("Role of {}", user.name) on:change=move |event| chosen.set(event_target_value(&event))>
                                            {Role::ALL.into_iter().map(Role::as_str).map(|role| view! {
                                                <option value=role selected=move || chosen.get() == role>{role}</option>
                                            }).collect_view()}
                                        </select>
                                    </td>
                                    <td>{actions}</td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table></div>
                <details>
                    <summary>"Audit log"</summary>
                    <ol class="audit" id="audit-log">
                        {move || audit.get().into_iter().map(|entry| view! {
                            <li data-action=entry.action.clone()>{format!("{} {} {} {} {}", when(entry.at), entry.actor, entry.action, entry.target, entry.detail)}</li>
                        }).collect_view()}
                    </ol>
                </details>
            </section>
        </Show>
    }
}

/// The two-person rule's queue: deployments of protected targets waiting for a deployer other
/// than the one who asked (the server refuses the requester's own approval).
#[component]
pub fn ApprovalQueue() -> impl IntoView {
    let state = expect_context::<AppState>();
    let can_approve = move || {
        state.session.with(|session| {
            session
                .as_ref()
                .and_then(|s| s.user.as_ref())
                .is_some_and(|user| user.role >= Role::Deployer)
        })
    };
    let waiting: RwSignal<Vec<server::DeploymentSummary>> = RwSignal::new(Vec::new());
    let refresh = move || {
        spawn_local(async move {
            if let Ok(list) = server::waiting_deployments().await {
                waiting.set(list);
            }
        });
    };
    Effect::new(move |_| {
        let _ = state.deployment.with(|d| d.as_ref().map(|d| d.status));
        if can_approve() {
            refresh();
        }
    });
    let approve = move |deployment_id: String| {
        let Some(token) = csrf(&state) else { return };
        spawn_local(async move {
            match server::approve_deployment(&token, &deployment_id).await {
                Ok(started) => {
                    state
                        .status
                        .set(format!("Deployment {} approved and started", started.id));
                    state.deployment.set(Some(started.clone().into()));
                    crate::actions::poll_deployment(state, started.id).await;
                }
                Err(error) => state.status.set(format!("Approval refused: {error}")),
            }
            refresh();
        });
    };
    view! {
        <Show when=move || can_approve() && !waiting.with(Vec::is_empty)>
            <section aria-label="Waiting for approval" id="approval-queue">
                <h2>"Waiting for approval " <button aria-label="Refresh the approval queue" on:click=move |_| refresh()>"↻"</button></h2>
                <ul>
                    {move || waiting.get().into_iter().map(|deployment| {
                        let id = deployment.id.clone();
                        view! {
                            <li data-deployment=deployment.id.clone()>
                                {format!("{} of {} r{} asked by {} ", deployment.id, deployment.design_id, deployment.design_revision, deployment.requested_by)}
                                <button aria-label=format!("Approve deployment {}", deployment.id) on:click=move |_| approve(id.clone())>"Approve"</button>
                            </li>
                        }
                    }).collect_view()}
                </ul>
            </section>
        </Show>
    }
}
