//! Designs as documents: which server design the editor holds, the page's URL that names it
//! (`?design=ID`: deep links, reload, back and forward), the drafts kept in this browser, and
//! the Open dialog.
//!
//! This browser keeps three things (localStorage):
//! - `moat.draft`: the editor's document as it is now, written on every change;
//! - `moat.draft.link`: `{id, revision}` of the server design that draft belongs to, absent for
//!   a draft that lives only here (detached);
//! - `moat.draft.stash`: a detached draft put aside while a server design is open, brought back
//!   by New or by going back to the page without a design.
//!
//! Invariant: a draft is never written to the server as a new design except by the Save
//! button that says so ("Save as new design") or by "Save as copy"; every switch of document
//! first saves the open design's unsaved edits to that design, and starts a fresh undo history
//! (an undo never carries one design's content into another).

use leptos::prelude::*;
use leptos::task::spawn_local;
use serde::{Deserialize, Serialize};
use shared::api::{DeploymentOperation, DeploymentState, DeploymentStatus};
use shared::editor::{Command, Editor};
use shared::model::Design;
use shared::selection::Selection;

use crate::server;
use crate::state::{AppState, SavedDesign};

const DRAFT_KEY: &str = "moat.draft";
const LINK_KEY: &str = "moat.draft.link";
const STASH_KEY: &str = "moat.draft.stash";

/// The server design a stored draft belongs to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct DraftLink {
    id: String,
    revision: i64,
}

fn storage() -> Option<web_sys::Storage> {
    window().local_storage().ok().flatten()
}

fn read(key: &str) -> Option<String> {
    storage().and_then(|storage| storage.get_item(key).ok().flatten())
}

fn write(key: &str, value: Option<&str>) {
    if let Some(storage) = storage() {
        let _ = match value {
            Some(value) => storage.set_item(key, value),
            None => storage.remove_item(key),
        };
    }
}

fn stored_link() -> Option<DraftLink> {
    read(LINK_KEY).and_then(|text| serde_json::from_str(&text).ok())
}

/// The page's text of a design: compact, as the server stores it
/// (`shared::spec::stored_design_text`): what drafts hold, what the page compares to know
/// whether it has unsaved edits, and what it sends. Writing it compiles the one serialiser of
/// the design the first load carries; a file gets it laid out (`shared::spec::pretty_json`).
pub fn design_text(design: &Design) -> String {
    shared::spec::stored_design_text(design, 0)
}

/// The design a new draft starts from (which has nothing to check: `shared`'s validation tests
/// hold it to that, and the page fetches its checks only once a design differs from it).
pub fn empty_design() -> Design {
    Design::new("Untitled design", "us-east-1")
}

fn loaded(text: Option<String>) -> Option<Design> {
    text.and_then(|text| shared::spec::load_design(&text).ok())
}

/// A design id as the server makes them (`d-` and letters, digits or dashes): anything else in
/// the URL is ignored rather than sent.
fn plausible_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .chars()
            .all(|character| character.is_ascii_alphanumeric() || character == '-')
}

/// The design the page's URL names (`?design=ID`).
pub fn design_id_in_url() -> Option<String> {
    let search = window().location().search().ok()?;
    let parameters = web_sys::UrlSearchParams::new_with_str(&search).ok()?;
    parameters.get("design").filter(|id| plausible_id(id))
}

/// Puts the design (or no design: a draft) in the page's URL: a new history entry, or in
/// place of the current one.
fn show_in_url(design_id: Option<&str>, new_entry: bool) {
    if design_id_in_url().as_deref() == design_id {
        return;
    }
    let Ok(path) = window().location().pathname() else {
        return;
    };
    let url = match design_id {
        Some(id) => format!("{path}?design={id}"),
        None => path,
    };
    let Ok(history) = window().history() else {
        return;
    };
    let _ = if new_entry {
        history.push_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url))
    } else {
        history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url))
    };
}

/// The design the editor starts with: the URL's design as this browser last held it (the
/// server's copy replaces it once read), else the detached draft, else an empty design.
pub fn initial_design() -> Design {
    match design_id_in_url() {
        Some(id) => {
            if stored_link().is_some_and(|link| link.id == id) {
                loaded(read(DRAFT_KEY)).unwrap_or_else(empty_design)
            } else {
                empty_design()
            }
        }
        None if stored_link().is_some() => loaded(read(STASH_KEY)).unwrap_or_else(empty_design),
        None => loaded(read(DRAFT_KEY)).unwrap_or_else(empty_design),
    }
}

/// Keeps this browser's draft: the document as it is, and which server design it belongs to.
/// While the URL names a design that is not read yet, nothing is written (the draft of that
/// design, or the detached one, stays as it was).
pub fn remember_draft(state: &AppState, text: &str) {
    let saved = state.saved.get_untracked();
    match saved {
        Some(saved) => {
            let link = DraftLink {
                id: saved.id,
                revision: saved.revision,
            };
            write(LINK_KEY, serde_json::to_string(&link).ok().as_deref());
            write(DRAFT_KEY, Some(text));
        }
        None if design_id_in_url().is_none() => {
            write(LINK_KEY, None);
            write(STASH_KEY, None);
            write(DRAFT_KEY, Some(text));
        }
        None => {}
    }
}

/// A deployment's record as the state a design's page shows.
pub fn deployment_state(record: &server::DeploymentRecord) -> DeploymentState {
    DeploymentState {
        id: record.id.clone(),
        status: record.status,
        operation: record.operation,
        design_revision: record.design_revision,
        updated_at: record.updated_at,
    }
}

/// What a deployment state says in a few words: "deployed revision 3", "deploying …".
pub fn deployment_words(deployment: Option<&DeploymentState>) -> String {
    let Some(deployment) = deployment else {
        return "not deployed".to_string();
    };
    let revision = deployment.design_revision;
    match (deployment.operation, deployment.status) {
        (DeploymentOperation::Apply, DeploymentStatus::Succeeded) => {
            format!("deployed revision {revision}")
        }
        (DeploymentOperation::Apply, DeploymentStatus::Running) => {
            format!("deploying revision {revision}")
        }
        (DeploymentOperation::Apply, DeploymentStatus::Failed) => {
            format!("deploy of revision {revision} failed")
        }
        (DeploymentOperation::Apply, DeploymentStatus::AwaitingApproval) => {
            format!("revision {revision} awaits a second deployer's approval")
        }
        (DeploymentOperation::Apply, DeploymentStatus::Invalidated) => {
            format!("deploy request for revision {revision} invalidated")
        }
        (DeploymentOperation::Destroy, DeploymentStatus::Succeeded) => "destroyed".to_string(),
        (DeploymentOperation::Destroy, DeploymentStatus::Running) => "destroying".to_string(),
        (DeploymentOperation::Destroy, DeploymentStatus::Failed) => "destroy failed".to_string(),
        (DeploymentOperation::Destroy, DeploymentStatus::AwaitingApproval) => {
            "destroy awaits a second deployer's approval".to_string()
        }
        (DeploymentOperation::Destroy, DeploymentStatus::Invalidated) => {
            "destroy request invalidated".to_string()
        }
    }
}

/// Puts `design` in the editor as a new document: a fresh undo history, nothing selected, no
/// plan or deployment of another document on show.
fn hold(state: &AppState, design: Design) {
    state.editor.set(Editor::new(design));
    state.selection.set(Selection::none());
    state.deploy.plan.set(None);
    state.deploy.review_open.set(false);
    state.deploy.progress.set(std::collections::BTreeMap::new());
    state.deployment.set(None);
    state.conflict.set(false);
    state.path.from.set(String::new());
    state.path.to.set(String::new());
    state
        .history_generation
        .update(|generation| *generation += 1);
}

/// Leaves the open server design: its unsaved edits are saved to it first (captured now, so
/// nothing that replaces the editor afterwards can reach that design).
fn leave_server_design(state: &AppState) {
    if state.saved.with_untracked(Option::is_some) && !state.conflict.get_untracked() {
        spawn_local(crate::actions::save_if_changed(*state));
    }
}

/// Opens the server design `design_id`: reads it, puts it in the editor with a fresh history and
/// names it in the URL (a new history entry when `new_entry`). Edits this browser made to the
/// same revision and had not saved yet (a reload in the autosave's quiet spell) are kept and
/// saved.
pub async fn open_design(state: AppState, design_id: String, new_entry: bool) {
    if state
        .saved
        .with_untracked(|saved| saved.as_ref().is_some_and(|saved| saved.id == design_id))
    {
        show_in_url(Some(&design_id), new_entry);
        return;
    }
    // A detached draft with something in it is put aside, not lost.
    if state.saved.with_untracked(Option::is_none) && design_id_in_url().is_none() {
        let (text, empty) = state.editor.with_untracked(|editor| {
            (
                crate::documents::design_text(editor.design()),
                editor.design().objects().next().is_none(),
            )
        });
        if !empty {
            write(STASH_KEY, Some(&text));
        }
    }
    leave_server_design(&state);
    show_in_url(Some(&design_id), new_entry);
    state.status.set(format!("Opening {design_id}…"));
    let stored = match server::design(&design_id).await {
        Ok(stored) => stored,
        Err(error) => {
            let why = match error.status {
                401 => format!("sign in to open design {design_id}"),
                404 => format!(
                    "design {design_id} does not exist (it may have been deleted); this is a new draft"
                ),
                _ => format!("design {design_id} could not be read: {error}"),
            };
            state.status.set(format!("Not opened: {why}"));
            if error.status == 404 {
                show_in_url(None, false);
                back_to_draft(&state);
            }
            return;
        }
    };
    let mut design = match crate::lazy::load_design_naming_paths(stored.document.get()).await {
        Ok(design) => design,
        Err(error) => {
            state.status.set(format!(
                "Not opened: design {design_id} does not load: {error}"
            ));
            return;
        }
    };
    shared::layout::fill_missing_layout(&mut design);
    let server_text = crate::documents::design_text(&design);
    // This browser's unsaved edits of exactly this revision come back.
    let local = stored_link()
        .filter(|link| link.id == stored.id && link.revision == stored.revision)
        .and_then(|_| loaded(read(DRAFT_KEY)))
        .filter(|local| crate::documents::design_text(local) != server_text);
    let kept_local_edits = local.is_some();
    state.last_saved_text.set_value(server_text);
    state.saved.set(Some(SavedDesign {
        id: stored.id.clone(),
        name: stored.name.clone(),
        revision: stored.revision,
        updated_at: stored.updated_at,
    }));
    state.saved_by.set(stored.saved_by.clone());
    state.latest_deployment.set(stored.deployment.clone());
    hold(&state, local.unwrap_or(design));
    if kept_local_edits {
        state.status.set(format!(
            "Opened “{}” revision {} with this browser's unsaved edits; saving them",
            stored.name, stored.revision
        ));
        crate::actions::save_now(state, "saved").await;
    } else {
        state.status.set(format!(
            "Opened “{}” revision {}, saved by {}",
            stored.name, stored.revision, stored.saved_by
        ));
    }
}

/// The page without a design: the detached draft put aside (or an empty design).
fn back_to_draft(state: &AppState) {
    let draft = loaded(read(STASH_KEY)).unwrap_or_else(empty_design);
    state.saved.set(None);
    state.saved_by.set(String::new());
    state.latest_deployment.set(None);
    state.last_saved_text.set_value(String::new());
    hold(state, draft);
    write(LINK_KEY, None);
    write(STASH_KEY, None);
    let text = state
        .editor
        .with_untracked(|editor| crate::documents::design_text(editor.design()));
    write(DRAFT_KEY, Some(&text));
}

/// New: an empty design that lives only in this browser until saved as a new design. The open
/// server design keeps its edits (saved first); a draft that was here comes back with one undo.
pub fn new_design(state: AppState) {
    leave_server_design(&state);
    if state.saved.with_untracked(Option::is_some) {
        show_in_url(None, true);
        back_to_draft(&state);
    }
    let had_content = state
        .editor
        .with_untracked(|editor| editor.design().objects().next().is_some());
    if had_content {
        state.apply(Command::ReplaceDesign {
            design: Box::new(empty_design()),
        });
    }
    state.selection.set(Selection::none());
    state.status.set(if had_content {
        "New design, not saved yet (Undo brings back the draft that was here)".to_string()
    } else {
        "New design, not saved yet".to_string()
    });
}

/// Replaces the document with a design made here (a template, an imported file or VPC): it
/// becomes a draft of this browser (one undo brings back what was here), never a revision of
/// the server design that was open.
pub fn replace_with_draft(state: AppState, design: Design) {
    leave_server_design(&state);
    if state.saved.with_untracked(Option::is_some) {
        show_in_url(None, true);
        back_to_draft(&state);
    }
    state.apply(Command::ReplaceDesign {
        design: Box::new(design),
    });
    state.selection.set(Selection::none());
}

/// After the first save of a draft: the page now names the new design.
pub fn became_server_design(state: &AppState, saved: &SavedDesign) {
    state.saved_by.set(
        state
            .session
            .with_untracked(|session| {
                session
                    .as_ref()
                    .and_then(|session| session.user.as_ref())
                    .map(|user| user.name.clone())
            })
            .unwrap_or_default(),
    );
    state.latest_deployment.set(None);
    write(STASH_KEY, None);
    show_in_url(Some(&saved.id), true);
}

/// At start-up, once the session is known, and after signing in: opens the design the URL
/// names.
pub fn open_from_url(state: AppState) {
    let Some(design_id) = design_id_in_url() else {
        return;
    };
    let signed_in = state.session.with_untracked(|session| {
        session
            .as_ref()
            .is_some_and(|session| session.user.is_some())
    });
    if !signed_in {
        state
            .status
            .set(format!("Sign in to open design {design_id}"));
        return;
    }
    spawn_local(open_design(state, design_id, false));
}

/// Back and forward: the page shows the design its URL names, or the draft.
pub fn follow_history(state: AppState) -> WindowListenerHandle {
    window_event_listener(leptos::ev::popstate, move |_| match design_id_in_url() {
        Some(design_id) => spawn_local(open_design(state, design_id, false)),
        None => {
            if state.saved.with_untracked(Option::is_some) {
                leave_server_design(&state);
                back_to_draft(&state);
                state
                    .status
                    .set("Your draft (not saved on the server)".to_string());
            }
        }
    })
}

/// A time as this browser's locale writes it.
fn local_time(seconds: i64) -> String {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(seconds as f64 * 1000.0));
    String::from(date.to_locale_string("default", &wasm_bindgen::JsValue::UNDEFINED))
}

/// Which designs the Open dialog lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Whose {
    Everyone,
    Mine,
    Others,
}

/// The Open dialog: every stored design (the caller's and the ones shared with them), a search
/// by name or id, when each was last edited and by whom, and where its deployment stands.
#[component]
pub fn OpenDialog() -> impl IntoView {
    let state = expect_context::<AppState>();
    let dialog: NodeRef<leptos::html::Section> = NodeRef::new();
    let search = RwSignal::new(String::new());
    let whose = RwSignal::new(Whose::Everyone);
    let listing: RwSignal<Option<Result<server::DesignList, String>>> = RwSignal::new(None);
    let asked = StoredValue::new(0u64);
    Effect::new(move |_| {
        let text = search.get();
        asked.update_value(|count| *count += 1);
        let this = asked.get_value();
        spawn_local(async move {
            let answer = server::designs(&text)
                .await
                .map_err(|error| error.to_string());
            // A slower answer to an older search never replaces a newer one.
            if asked.get_value() == this {
                listing.set(Some(answer));
            }
        });
    });
    let me = move || {
        state.session.with(|session| {
            session
                .as_ref()
                .and_then(|session| session.user.as_ref())
                .map(|user| user.name.clone())
                .unwrap_or_default()
        })
    };
    let close = move || {
        state.open_dialog.set(false);
        crate::dialog::focus("button[aria-label='Open a saved design']");
    };
    let on_keydown = crate::dialog::modal(dialog, Some("input[type=search]"), close);
    let rows = move || {
        let mine = me();
        let chosen = whose.get();
        listing.get().map(|answer| match answer {
            Err(error) => view! { <p role="alert">{format!("The designs could not be listed: {error}")}</p> }.into_any(),
            Ok(list) => {
                let designs: Vec<_> = list
                    .designs
                    .into_iter()
                    .filter(|design| match chosen {
                        Whose::Everyone => true,
                        Whose::Mine => design.created_by == mine,
                        Whose::Others => design.created_by != mine,
                    })
                    .collect();
                if designs.is_empty() {
                    return view! { <p id="open-empty">"No saved design matches."</p> }.into_any();
                }
                let more = list.truncated.then(|| view! { <p class="muted">"More designs match: refine the search."</p> });
                view! {
                    <table class="designs" id="open-designs">
                        <thead><tr><th scope="col">"Design"</th><th scope="col">"Last edited"</th><th scope="col">"Saved by"</th><th scope="col">"Created by"</th><th scope="col">"Deployment"</th></tr></thead>
                        <tbody>
                            {designs.into_iter().map(|design| {
                                let id = design.id.clone();
                                let label = format!("Open {} ({}, revision {})", design.name, design.id, design.revision);
                                let current = state.saved.with_untracked(|saved| saved.as_ref().is_some_and(|saved| saved.id == design.id));
                                view! {
                                    <tr data-design=design.id.clone() class:current=current>
                                        <td>
                                            <button class="link" aria-label=label on:click=move |_| {
                                                state.open_dialog.set(false);
                                                spawn_local(open_design(state, id.clone(), true));
                                            }>{design.name.clone()}</button>
                                            <small class="muted">{format!(" {} · r{}", design.id, design.revision)}</small>
                                        </td>
                                        <td>{local_time(design.updated_at)}</td>
                                        <td>{design.saved_by.clone()}</td>
                                        <td>{design.created_by.clone()}</td>
                                        <td data-deployment=design.deployment.as_ref().map(|d| d.status.as_str()).unwrap_or("none")>
                                            {deployment_words(design.deployment.as_ref())}
                                        </td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                    {more}
                }.into_any()
            }
        })
    };
    let choice = move |value: Whose, label: &'static str| {
        view! {
            <label>
                <input type="radio" name="whose" prop:checked=move || whose.get() == value
                    on:change=move |_| whose.set(value) />
                {label}
            </label>
        }
    };
    view! {
        <section class="gallery open-dialog" role="dialog" aria-modal="true" aria-label="Open a design" node_ref=dialog on:keydown=on_keydown>
            <h2>"Open a design"</h2>
            <div class="open-filters">
                <input type="search" aria-label="Search designs by name or id" placeholder="Search by name or id"
                    prop:value=move || search.get()
                    on:input=move |event| search.set(event_target_value(&event)) />
                <fieldset>
                    <legend class="visually-hidden">"Whose designs"</legend>
                    {choice(Whose::Everyone, "All")}
                    {choice(Whose::Mine, "Mine")}
                    {choice(Whose::Others, "Shared with me")}
                </fieldset>
            </div>
            {rows}
            <button aria-label="Close the Open dialog" on:click=move |_| close()>"Close"</button>
        </section>
    }
}

/// The header's account of the document: its name, whether it is saved on the server (and
/// which revision) or a draft of this browser, and where its deployment stands.
#[component]
pub fn DocumentState() -> impl IntoView {
    let state = expect_context::<AppState>();
    move || match state.saved.get() {
        None => view! {
            <span id="document-state" class="document-state" data-saved="false"
                title="This design lives only in this browser until you save it as a new design">
                "Draft (not saved)"
            </span>
        }
        .into_any(),
        Some(saved) => {
            let deployment = state.latest_deployment.get();
            let status = deployment
                .as_ref()
                .map(|deployment| deployment.status.as_str())
                .unwrap_or("none");
            view! {
                <span id="document-state" class="document-state" data-saved="true" data-design=saved.id.clone()
                    title=format!("{} · saved by {}", saved.id, state.saved_by.get())>
                    {format!("{} · revision {}", saved.name, saved.revision)}
                    " · "
                    <span id="deployment-state" data-status=status>{deployment_words(deployment.as_ref())}</span>
                </span>
            }
            .into_any()
        }
    }
}
