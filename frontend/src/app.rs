//! The page and its state. The document is one `RwSignal<Editor>`; everything else (selection,
//! drags, session, notices) is session state that is never saved or undone.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::editor::{Command, Editor, PaletteItem};
use shared::model::Design;
use shared::selection::{Selection, selection_roots};
use shared::{Diagnostic, validate};

use crate::canvas::Canvas;
use crate::panels::{DiagnosticsPanel, Inspector};
use crate::server::{self, Deployment, SavedDesign, Session};

const DRAFT_KEY: &str = "moat.draft";
/// How long the design must stay unchanged before an autosave.
const AUTOSAVE_QUIET_MILLISECONDS: u32 = 1_500;

/// Everything the components share, provided as context.
#[derive(Clone, Copy)]
pub struct AppState {
    pub editor: RwSignal<Editor>,
    pub diagnostics: Memo<Vec<Diagnostic>>,
    /// The selected objects; the last picked is the one the inspector shows.
    pub selection: RwSignal<Selection>,
    /// A palette item being dragged.
    pub palette_drag: RwSignal<Option<PaletteItem>>,
    /// Connect mode: a drag from one object to another connects them.
    pub connect_mode: RwSignal<bool>,
    /// A refused command's reason, shown until the next edit.
    pub notice: RwSignal<Option<String>>,
    pub session: RwSignal<Option<Session>>,
    pub saved: RwSignal<Option<SavedDesign>>,
    pub status: RwSignal<String>,
    pub deployment: RwSignal<Option<Deployment>>,
    /// Whether the template gallery is open.
    pub gallery_open: RwSignal<bool>,
    /// Zoom and pan of the canvas (session state: never saved, never undone).
    pub camera: RwSignal<crate::canvas::Camera>,
    /// The objects copied with Ctrl+C.
    pub clipboard: RwSignal<Vec<String>>,
    /// The last save was refused because the server has a newer revision.
    pub conflict: RwSignal<bool>,
    /// The Path tool's question and answer.
    pub path: crate::analysis::PathQuestion,
    /// The document text of the revision this browser last saved or loaded: an autosave of the
    /// very same text is skipped.
    pub last_saved_text: StoredValue<String>,
    /// Bumped when the server's revisions of the design change (the history panel refetches).
    pub history_generation: RwSignal<u64>,
    /// The plan under review and the live progress of a deployment.
    pub deploy: crate::deploy::DeployView,
}

impl AppState {
    /// Applies a command; a refusal becomes the notice and changes nothing.
    pub fn apply(&self, command: Command) -> Option<String> {
        let mut outcome = None;
        self.editor.update(|editor| match editor.apply(command) {
            Ok(created) => {
                self.notice.set(None);
                outcome = created;
            }
            Err(refused) => self.notice.set(Some(refused.to_string())),
        });
        outcome
    }

    /// Applies a command and selects everything it created (a drop, a duplicate, a paste).
    pub fn apply_and_select_created(&self, command: Command) {
        let mut created = Vec::new();
        self.editor
            .update(|editor| match editor.apply_collecting(command) {
                Ok(ids) => {
                    self.notice.set(None);
                    created = ids;
                }
                Err(refused) => self.notice.set(Some(refused.to_string())),
            });
        if !created.is_empty() {
            self.selection.set(Selection::of(created));
        }
    }

    /// Selects exactly one object.
    pub fn select_only(&self, object_id: impl Into<String>) {
        self.selection.set(Selection::only(object_id));
    }

    /// The selected objects that are not inside another selected one: what group edits act on.
    pub fn selected_roots(&self) -> Vec<String> {
        let selected = self.selection.with_untracked(|s| s.object_ids().to_vec());
        self.editor
            .with_untracked(|editor| selection_roots(editor.design(), &selected))
    }

    pub fn design_json(&self) -> serde_json::Value {
        self.editor
            .with_untracked(|editor| serde_json::to_value(editor.design()).unwrap_or_default())
    }
}

thread_local! {
    /// The page's state, reachable from the exported benchmark hooks only.
    static BENCH_STATE: std::cell::Cell<Option<AppState>> = const { std::cell::Cell::new(None) };
}

/// Runs `action` on the page's state, if the app is mounted (benchmark hooks).
pub fn with_bench_state(action: impl FnOnce(&AppState)) {
    if let Some(state) = BENCH_STATE.with(std::cell::Cell::get) {
        action(&state);
    }
}

fn local_storage() -> Option<web_sys::Storage> {
    window().local_storage().ok().flatten()
}

fn initial_design() -> Design {
    local_storage()
        .and_then(|storage| storage.get_item(DRAFT_KEY).ok().flatten())
        .and_then(|text| shared::spec::load_design(&text).ok())
        .unwrap_or_else(|| Design::new("Untitled design", "us-east-1"))
}

#[component]
pub fn App() -> impl IntoView {
    let editor = RwSignal::new(Editor::new(initial_design()));
    let diagnostics = Memo::new(move |_| editor.with(|editor| validate(editor.design())));
    let state = AppState {
        editor,
        diagnostics,
        selection: RwSignal::new(Selection::none()),
        palette_drag: RwSignal::new(None),
        connect_mode: RwSignal::new(false),
        notice: RwSignal::new(None),
        session: RwSignal::new(None),
        saved: RwSignal::new(None),
        status: RwSignal::new(String::new()),
        deployment: RwSignal::new(None),
        gallery_open: RwSignal::new(false),
        camera: RwSignal::new(crate::canvas::Camera::default()),
        clipboard: RwSignal::new(Vec::new()),
        conflict: RwSignal::new(false),
        path: crate::analysis::PathQuestion::new(editor),
        last_saved_text: StoredValue::new(String::new()),
        history_generation: RwSignal::new(0),
        deploy: crate::deploy::DeployView::new(),
    };
    provide_context(state);
    BENCH_STATE.with(|cell| cell.set(Some(state)));

    // The local draft: written on every change, so a reload loses nothing.
    Effect::new(move |_| {
        let text = editor.with(|editor| shared::spec::save_design(editor.design()));
        if let Some(storage) = local_storage() {
            let _ = storage.set_item(DRAFT_KEY, &text);
        }
    });

    // Autosave: once the design lives on the server, each change is saved after a quiet spell.
    let autosave_generation = StoredValue::new(0u64);
    Effect::new(move |previous: Option<u64>| {
        let revision = editor.with(Editor::revision);
        if previous.is_some_and(|previous| previous != revision)
            && state.saved.with_untracked(Option::is_some)
            && !state.conflict.get_untracked()
        {
            autosave_generation.update_value(|generation| *generation += 1);
            let generation = autosave_generation.get_value();
            spawn_local(async move {
                gloo_timers::future::TimeoutFuture::new(AUTOSAVE_QUIET_MILLISECONDS).await;
                let unchanged = state.editor.with_untracked(|editor| {
                    shared::spec::save_design(editor.design()) == state.last_saved_text.get_value()
                });
                if autosave_generation.get_value() == generation && !unchanged {
                    save_now(state, "autosaved").await;
                }
            });
        }
        revision
    });

    spawn_local(async move {
        match server::session().await {
            Ok(session) => state.session.set(Some(session)),
            Err(_) => state
                .status
                .set("No server: designing only, saving is off".into()),
        }
    });

    let on_keydown = window_event_listener(leptos::ev::keydown, move |event| {
        let target_is_field = event
            .target()
            .and_then(|target| {
                wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlInputElement>(target).ok()
            })
            .is_some();
        if target_is_field {
            return;
        }
        let key = event.key();
        let control = event.ctrl_key() || event.meta_key();
        if control && (key == "z" || key == "Z") {
            event.prevent_default();
            editor.update(|editor| {
                if event.shift_key() {
                    editor.redo();
                } else {
                    editor.undo();
                }
            });
        } else if control && key == "y" {
            event.prevent_default();
            editor.update(|editor| {
                editor.redo();
            });
        } else if control && (key == "d" || key == "v") {
            event.prevent_default();
            let sources = if key == "d" {
                state.selected_roots()
            } else {
                state.clipboard.get_untracked()
            };
            if !sources.is_empty() {
                state.apply_and_select_created(Command::Batch {
                    commands: sources
                        .into_iter()
                        .map(|object_id| Command::Duplicate { object_id })
                        .collect(),
                });
            }
        } else if control && key == "c" {
            state.clipboard.set(state.selected_roots());
        } else if control && key == "a" {
            event.prevent_default();
            let everything = editor.with_untracked(|editor| {
                let design = editor.design();
                design
                    .object_ids()
                    .into_iter()
                    .filter(|(id, _)| design.layout.contains_key(*id))
                    .map(|(id, _)| id.to_string())
                    .collect::<Vec<_>>()
            });
            state.selection.set(Selection::of(everything));
        } else if key == "Escape" {
            state.selection.set(Selection::none());
        } else if let Some((step_x, step_y)) = arrow_step(&key)
            && !state.selection.with_untracked(Selection::is_empty)
        {
            event.prevent_default();
            let factor = if event.shift_key() { 5.0 } else { 1.0 };
            let step = shared::editor::GRID * factor;
            let moves = editor.with_untracked(|editor| {
                state
                    .selected_roots()
                    .into_iter()
                    .filter_map(|object_id| {
                        let origin = editor.design().layout.get(&object_id).copied()?;
                        Some(Command::MoveObject {
                            object_id,
                            x: origin.x + step_x * step,
                            y: origin.y + step_y * step,
                        })
                    })
                    .collect::<Vec<_>>()
            });
            state.apply(Command::Batch { commands: moves });
        } else if (key == "Delete" || key == "Backspace")
            && !state.selection.with_untracked(Selection::is_empty)
        {
            let deletions = state
                .selected_roots()
                .into_iter()
                .map(|object_id| Command::DeleteObject { object_id })
                .collect();
            state.apply(Command::Batch {
                commands: deletions,
            });
            state.selection.set(Selection::none());
        }
    });
    on_cleanup(move || on_keydown.remove());

    view! {
        <Header />
        <Show when=move || state.session.with(|session| session.is_none()) && !state.status.get().is_empty()>
            <div class="banner" role="status">{move || state.status.get()}</div>
        </Show>
        <Show when=move || state.conflict.get()>
            <div class="banner conflict" role="alert" id="conflict">
                "Someone saved this design after you opened it. "
                <button on:click=move |_| spawn_local(reload_from_server(state))>"Reload from server"</button>
                " "
                <button on:click=move |_| spawn_local(save_as_copy(state))>"Save as a copy"</button>
            </div>
        </Show>
        <main>
            <Palette />
            <div class="canvas-wrap">
                <Canvas />
                <Show when=move || state.gallery_open.get()>
                    <TemplateGallery />
                </Show>
                <Show when=move || state.notice.with(Option::is_some)>
                    <div class="notice" role="alert" id="notice">{move || state.notice.get().unwrap_or_default()}</div>
                </Show>
            </div>
            <aside class="side">
                <Show when=move || state.selection.with(|s| s.len() > 1)>
                    <p id="selection-count" role="status">
                        {move || format!("{} objects selected: arrows move them, Delete removes them, Ctrl+D duplicates them", state.selection.with(Selection::len))}
                    </p>
                </Show>
                <Inspector />
                <DiagnosticsPanel />
                <crate::analysis::PathPanel />
                <crate::analysis::CostPanel />
                <crate::analysis::MatrixPanel />
                <crate::deploy::PlanPanel />
                <DeploymentPanel />
                <crate::deploy::DriftPanel />
                <crate::deploy::ImportPanel />
                <crate::files::ExportPanel />
                <crate::accounts::ApprovalQueue />
                <crate::accounts::HistoryPanel />
                <crate::accounts::AdminPanel />
            </aside>
        </main>
    }
}

#[component]
fn Palette() -> impl IntoView {
    let state = expect_context::<AppState>();
    view! {
        <nav class="palette" aria-label="Palette">
            {PaletteItem::ALL
                .into_iter()
                .map(|item| {
                    view! {
                        <button
                            class="palette-item"
                            aria-label=item.label()
                            title=format!("Drag a {} onto the canvas, or press Enter to add one", item.label())
                            on:pointerdown=move |event| {
                                event.prevent_default();
                                state.palette_drag.set(Some(item));
                            }
                            on:click=move |_| {
                                let (x, y) = crate::canvas::default_drop_point(&state, item);
                                state.apply_and_select_created(Command::Drop { item, x, y });
                            }
                        >
                            {item.label()}
                        </button>
                    }
                })
                .collect_view()}
        </nav>
    }
}

#[component]
fn Header() -> impl IntoView {
    let state = expect_context::<AppState>();
    let name = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let signed_in = move || {
        state
            .session
            .with(|session| session.as_ref().and_then(|s| s.user.clone()))
    };
    let can_deploy =
        move || signed_in().is_some_and(|user| user.role == "deployer" || user.role == "admin");
    let csrf = move || {
        state
            .session
            .with_untracked(|session| session.as_ref().and_then(|s| s.csrf_token.clone()))
    };

    let sign_in = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        spawn_local(async move {
            match server::login(&name.get_untracked(), &password.get_untracked()).await {
                Ok(session) => {
                    password.set(String::new());
                    state.session.set(Some(session));
                    state.status.set("Signed in".into());
                }
                Err(error) => state.status.set(format!("Sign-in failed: {error}")),
            }
        });
    };

    let sign_up = move |_| {
        spawn_local(async move {
            match server::sign_up(&name.get_untracked(), &password.get_untracked()).await {
                Ok(_) => {
                    password.set(String::new());
                    state
                        .status
                        .set("Account requested: it waits for an admin's approval".into());
                }
                Err(error) => state.status.set(format!("Sign-up failed: {error}")),
            }
        });
    };

    let sign_out = move |_| {
        let Some(token) = csrf() else { return };
        spawn_local(async move {
            let _ = server::logout(&token).await;
            state.session.set(Some(server::Session {
                user: None,
                csrf_token: None,
            }));
            state.saved.set(None);
            state.status.set("Signed out".into());
        });
    };

    let save = move |_| {
        if csrf().is_none() {
            state.status.set("Sign in to save".into());
            return;
        }
        spawn_local(save_now(state, "saved"));
    };

    // Deploy shows the plan first; its Apply button starts the deployment.
    let deploy = move |_| crate::deploy::review_plan(state);

    view! {
        <header>
            <h1>"Moat"</h1>
            <button aria-label="Undo" title="Undo (Ctrl+Z)" disabled=move || !state.editor.with(Editor::can_undo)
                on:click=move |_| state.editor.update(|editor| { editor.undo(); })>"Undo"</button>
            <button aria-label="Redo" title="Redo (Ctrl+Shift+Z)" disabled=move || !state.editor.with(Editor::can_redo)
                on:click=move |_| state.editor.update(|editor| { editor.redo(); })>"Redo"</button>
            <button aria-label="New from template" on:click=move |_| state.gallery_open.update(|open| *open = !*open)>"Templates"</button>
            <button aria-label="Connect mode" aria-pressed=move || state.connect_mode.get().to_string()
                class:active=move || state.connect_mode.get()
                on:click=move |_| {
                    state.path.picking.set(false);
                    state.connect_mode.update(|on| *on = !*on);
                }>"Connect"</button>
            <button aria-label="Path tool" aria-pressed=move || state.path.picking.get().to_string()
                title="Click a source, then a destination: the path is explained hop by hop"
                class:active=move || state.path.picking.get()
                on:click=move |_| {
                    state.connect_mode.set(false);
                    state.path.picking.update(|on| *on = !*on);
                }>"Path"</button>
            <crate::files::FileButtons />
            <span class="spacer"></span>
            <span class="status" id="status" role="status">{move || state.status.get()}</span>
            {move || match signed_in() {
                Some(user) => view! {
                    <span id="signed-in-as">{format!("{} ({})", user.name, user.role)}</span>
                    <button aria-label="Sign out" on:click=sign_out>"Sign out"</button>
                    <button on:click=save>"Save"</button>
                    <Show when=can_deploy>
                        <button on:click=deploy>"Deploy"</button>
                    </Show>
                }.into_any(),
                None => view! {
                    <form on:submit=sign_in aria-label="Sign in">
                        <input aria-label="Name" placeholder="name" autocomplete="username"
                            prop:value=move || name.get() on:input=move |event| name.set(event_target_value(&event)) />
                        " "
                        <input aria-label="Password" type="password" placeholder="password" autocomplete="current-password"
                            prop:value=move || password.get() on:input=move |event| password.set(event_target_value(&event)) />
                        " "
                        <button type="submit">"Sign in"</button>
                        " "
                        <button type="button" aria-label="Sign up" title="Ask for an account with this name and password; an admin approves it"
                            on:click=sign_up>"Sign up"</button>
                    </form>
                }.into_any(),
            }}
        </header>
    }
}

/// Saves the design now: creates it on the first save, then a new revision based on the last.
async fn save_now(state: AppState, verb: &'static str) {
    let Some(token) = state
        .session
        .with_untracked(|session| session.as_ref().and_then(|s| s.csrf_token.clone()))
    else {
        return;
    };
    let document = state.design_json();
    let text = state
        .editor
        .with_untracked(|editor| shared::spec::save_design(editor.design()));
    let existing = state.saved.get_untracked();
    match server::save_design(&token, existing.as_ref(), &document).await {
        Ok(saved) => {
            state.last_saved_text.set_value(text);
            state
                .history_generation
                .update(|generation| *generation += 1);
            let capitalised = if verb == "saved" {
                "Saved"
            } else {
                "Autosaved"
            };
            state
                .status
                .set(format!("{capitalised} revision {}", saved.revision));
            state.saved.set(Some(saved));
        }
        Err(error) => {
            if error.status == 409 {
                state.conflict.set(true);
            }
            state.status.set(format!(
                "Not {verb}: {error} (your changes are kept in this browser's draft)"
            ));
        }
    }
}

/// After a conflict: take the server's current revision (this browser's edits are dropped,
/// one undo brings them back).
pub(crate) async fn reload_from_server(state: AppState) {
    let Some(saved) = state.saved.get_untracked() else {
        return;
    };
    match server::design(&saved.id).await {
        Ok(stored) => match shared::spec::load_design_value(stored.document) {
            Ok(mut design) => {
                shared::layout::fill_missing_layout(&mut design);
                state
                    .last_saved_text
                    .set_value(shared::spec::save_design(&design));
                state.apply(Command::ReplaceDesign {
                    design: Box::new(design),
                });
                state
                    .history_generation
                    .update(|generation| *generation += 1);
                state.saved.set(Some(SavedDesign {
                    id: stored.id,
                    revision: stored.revision,
                }));
                state.conflict.set(false);
                state
                    .status
                    .set(format!("Reloaded revision {}", stored.revision));
            }
            Err(error) => state.status.set(format!("Reload failed: {error}")),
        },
        Err(error) => state.status.set(format!("Reload failed: {error}")),
    }
}

/// After a conflict: keep this browser's version as a new design.
async fn save_as_copy(state: AppState) {
    state.saved.set(None);
    state.conflict.set(false);
    save_now(state, "saved").await;
}

pub(crate) async fn poll_deployment(state: AppState, deployment_id: String) {
    loop {
        gloo_timers::future::TimeoutFuture::new(400).await;
        match server::deployment(&deployment_id).await {
            Ok(deployment) => {
                // A protected target's request waits for a second deployer: keep watching.
                let running =
                    deployment.status == "running" || deployment.status == "awaiting_approval";
                state.deployment.set(Some(deployment));
                if !running {
                    return;
                }
            }
            Err(error) => {
                state
                    .status
                    .set(format!("Lost track of deployment {deployment_id}: {error}"));
                return;
            }
        }
    }
}

#[component]
fn DeploymentPanel() -> impl IntoView {
    let state = expect_context::<AppState>();
    move || {
        state.deployment.get().map(|deployment| {
            view! {
                <section aria-label="Deployment">
                    <h2>"Deployment"</h2>
                    <p id="deployment-status" data-status=deployment.status.clone()>
                        {format!("{}: {}", deployment.id, deployment.status)}
                        {(!deployment.message.is_empty()).then(|| format!(" — {}", deployment.message))}
                        {(deployment.status == "awaiting_approval").then(|| " — a protected target: it starts when a different deployer approves it (their Waiting for approval panel)".to_string())}
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

/// The built-in templates; choosing one replaces the design (one undoable command).
#[component]
fn TemplateGallery() -> impl IntoView {
    let state = expect_context::<AppState>();
    view! {
        <section class="gallery" role="dialog" aria-label="Templates">
            <h2>"New from template"</h2>
            {shared::templates::TEMPLATES
                .iter()
                .map(|template| {
                    let name = template.name;
                    view! {
                        <div class="gallery-item">
                            {thumbnail(template)}
                            <h3>{template.title}</h3>
                            <p>{template.description}</p>
                            <button aria-label=format!("Use template {}", template.title) data-template=name
                                on:click=move |_| {
                                    let Some(mut design) = shared::templates::template(name).and_then(|t| t.design().ok()) else { return };
                                    shared::layout::fill_missing_layout(&mut design);
                                    state.apply(Command::ReplaceDesign { design: Box::new(design) });
                                    state.saved.set(None);
                                    state.selection.set(Selection::none());
                                    state.gallery_open.set(false);
                                }>
                                "Use this template"
                            </button>
                        </div>
                    }
                })
                .collect_view()}
            <button on:click=move |_| state.gallery_open.set(false)>"Close"</button>
        </section>
    }
}

/// The direction an arrow key nudges the selection.
fn arrow_step(key: &str) -> Option<(f64, f64)> {
    match key {
        "ArrowLeft" => Some((-1.0, 0.0)),
        "ArrowRight" => Some((1.0, 0.0)),
        "ArrowUp" => Some((0.0, -1.0)),
        "ArrowDown" => Some((0.0, 1.0)),
        _ => None,
    }
}

/// A small picture of a template: its auto-layout boxes, coloured by kind.
fn thumbnail(template: &shared::templates::Template) -> impl IntoView + use<> {
    let Ok(design) = template.design() else {
        return None;
    };
    let boxes = shared::layout::compute_layout(&design);
    let (mut left, mut top, mut right, mut bottom) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
    for bounds in boxes.values() {
        left = left.min(bounds.x);
        top = top.min(bounds.y);
        right = right.max(bounds.x + bounds.width);
        bottom = bottom.max(bounds.y + bounds.height);
    }
    let rects = boxes
        .iter()
        .map(|(id, bounds)| {
            let kind = design.kind_of(id).map(|kind| kind.id_prefix()).unwrap_or("other");
            view! { <rect class=format!("thumb-{kind}") x=bounds.x y=bounds.y width=bounds.width height=bounds.height rx="4" /> }
        })
        .collect_view();
    let view_box = format!(
        "{} {} {} {}",
        left - 10.0,
        top - 10.0,
        right - left + 20.0,
        bottom - top + 20.0
    );
    Some(view! {
        <svg class="thumbnail" viewBox=view_box role="img" aria-label=format!("Preview of {}", template.title)>{rects}</svg>
    })
}
