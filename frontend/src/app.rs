//! The page and its state. The document is one `RwSignal<Editor>`; everything else (selection,
//! drags, session, notices) is session state that is never saved or undone.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::editor::{Command, Editor, PaletteItem};
use shared::selection::Selection;

use crate::canvas::Canvas;
use crate::lazy::{LazyPart, lazy_view};
use crate::server;
pub use crate::state::{AppState, with_bench_state};

/// How long the design must stay unchanged before an autosave.
const AUTOSAVE_QUIET_MILLISECONDS: u32 = 1_500;

#[component]
pub fn App() -> impl IntoView {
    let editor = RwSignal::new(Editor::new(crate::documents::initial_design()));
    // The checks are fetched once the design holds something to check (`crate::lazy`); every
    // edit is checked at once from then on.
    let checks = RwSignal::new(crate::lazy::Checks::NotNeeded);
    let diagnostics = Memo::new(move |_| match checks.get() {
        crate::lazy::Checks::Ready(validate) => editor.with(|editor| validate(editor.design())),
        crate::lazy::Checks::NotNeeded
        | crate::lazy::Checks::Loading
        | crate::lazy::Checks::Failed => Vec::new(),
    });
    // Once the checks are asked for, the effect returns before it reads the design, so it
    // follows the editor no more: later edits never compare the design with the fresh draft.
    Effect::new(move |_| {
        if !matches!(checks.get_untracked(), crate::lazy::Checks::NotNeeded) {
            return;
        }
        // Compared as their saved text: the same answer as comparing the designs, without
        // the first load carrying the model's equality code for it.
        let fresh = editor.with(|editor| {
            crate::documents::design_text(editor.design())
                == crate::documents::design_text(&crate::documents::empty_design())
        });
        if !fresh {
            crate::lazy::load_checks(checks);
        }
    });
    let state = AppState {
        editor,
        diagnostics,
        checks,
        selection: RwSignal::new(Selection::none()),
        palette_drag: RwSignal::new(None),
        connect_mode: RwSignal::new(false),
        notice: RwSignal::new(None),
        session: RwSignal::new(None),
        saved: RwSignal::new(None),
        saved_by: RwSignal::new(String::new()),
        latest_deployment: RwSignal::new(None),
        open_dialog: RwSignal::new(false),
        status: RwSignal::new(String::new()),
        deployment: RwSignal::new(None),
        gallery_open: RwSignal::new(false),
        camera: RwSignal::new(shared::camera::Camera::default()),
        clipboard: RwSignal::new(Vec::new()),
        conflict: RwSignal::new(false),
        path: crate::state::PathQuestion::new(editor),
        last_saved_text: StoredValue::new(String::new()),
        history_generation: RwSignal::new(0),
        deploy: crate::state::DeployView::new(),
    };
    provide_context(state);
    provide_context(crate::workspace::Workspace::new());
    crate::state::register_bench_state(state);

    // The local draft: written on every change, so a reload loses nothing.
    Effect::new(move |_| {
        let text = editor.with(|editor| crate::documents::design_text(editor.design()));
        crate::documents::remember_draft(&state, &text);
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
            let design_id = state
                .saved
                .with_untracked(|saved| saved.as_ref().map(|s| s.id.clone()));
            spawn_local(async move {
                gloo_timers::future::TimeoutFuture::new(AUTOSAVE_QUIET_MILLISECONDS).await;
                let unchanged = state.editor.with_untracked(|editor| {
                    crate::documents::design_text(editor.design())
                        == state.last_saved_text.get_value()
                });
                // Only the design this change was made to: after a switch of document the
                // leaving design was saved already, and a draft is never saved unasked.
                let same_design = state
                    .saved
                    .with_untracked(|saved| saved.as_ref().map(|s| s.id.clone()) == design_id);
                if autosave_generation.get_value() == generation && same_design && !unchanged {
                    crate::actions::save_now(state, "autosaved").await;
                }
            });
        }
        revision
    });

    let on_history = crate::documents::follow_history(state);
    on_cleanup(move || on_history.remove());
    spawn_local(async move {
        match server::session().await {
            Ok(session) => {
                state.session.set(Some(session));
                crate::documents::open_from_url(state);
            }
            Err(_) => state
                .status
                .set("No server: designing only, saving is off".into()),
        }
    });

    let on_keydown = window_event_listener(leptos::ev::keydown, move |event| {
        // Keys typed into a text box, a text area or a select are theirs (Ctrl+A selects the
        // text, Ctrl+Z undoes the typing), not the design's.
        if crate::canvas::event_in_field(&event) {
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
        <div class="docbar">
            <crate::documents::DocumentState />
            <span class="status" id="status" role="status">{move || state.status.get()}</span>
        </div>
        <Show when=move || state.session.with(|session| session.is_none()) && !state.status.get().is_empty()>
            <div class="banner" role="status">{move || state.status.get()}</div>
        </Show>
        <Show when=move || state.conflict.get()>
            <div class="banner conflict" role="alert" id="conflict">
                "Someone saved this design after you opened it. "
                <button on:click=move |_| spawn_local(crate::actions::reload_from_server(state))>"Reload from server"</button>
                " "
                <button on:click=move |_| spawn_local(crate::actions::save_as_copy(state))>"Save as a copy"</button>
            </div>
        </Show>
        <main>
            <Palette />
            <div class="center">
            <div class="canvas-wrap">
                <Canvas />
                <Show when=move || state.gallery_open.get()>
                    {lazy_view(LazyPart::TemplateGallery)}
                </Show>
                <Show when=move || state.open_dialog.get()>
                    {lazy_view(LazyPart::OpenDialog)}
                </Show>
                <Show when=move || state.deploy.review_open.get()>
                    {lazy_view(LazyPart::ReviewDialog)}
                </Show>
                <Show when=move || state.notice.with(Option::is_some)>
                    <div class="notice" role="alert" id="notice">{move || state.notice.get().unwrap_or_default()}</div>
                </Show>
            </div>
            <crate::workspace::Drawer />
            </div>
            <crate::workspace::SidePanel />
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
                            title=format!("Drag {} onto the canvas, or press Enter to add one", shared::diagnostic::with_article(item.label()))
                            on:pointerdown=move |event| {
                                event.prevent_default();
                                state.palette_drag.set(Some(item));
                            }
                            on:click=move |_| {
                                let (x, y) = state.default_drop_point(item);
                                state.apply_and_select_created(Command::Drop { item, x, y });
                                // The keyboard path: the new object's first field takes the
                                // focus, so Enter on the palette then typing sets it.
                                focus_first_field_soon();
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
        move || signed_in().is_some_and(|user| user.role >= shared::api::Role::Deployer);
    let csrf = move || crate::actions::csrf(&state);

    let sign_in = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        spawn_local(async move {
            match server::login(&name.get_untracked(), &password.get_untracked()).await {
                Ok(session) => {
                    password.set(String::new());
                    state.session.set(Some(session));
                    state.status.set("Signed in".into());
                    crate::documents::open_from_url(state);
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
            // The open design's unsaved edits go to it before the session ends.
            crate::actions::save_if_changed(state).await;
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
        spawn_local(crate::actions::save_now(state, "saved"));
    };
    let can_save = move || signed_in().is_some_and(|user| user.role >= shared::api::Role::Designer);
    let attached = move || state.saved.with(Option::is_some);

    // Deploy shows the plan first; its Apply button starts the deployment.
    let deploy = move |_| crate::deploy::review_plan(state);

    view! {
        <header>
            <h1>"Moat"</h1>
            <button aria-label="Undo" title="Undo (Ctrl+Z)" disabled=move || !state.editor.with(Editor::can_undo)
                on:click=move |_| state.editor.update(|editor| { editor.undo(); })>"Undo"</button>
            <button aria-label="Redo" title="Redo (Ctrl+Shift+Z)" disabled=move || !state.editor.with(Editor::can_redo)
                on:click=move |_| state.editor.update(|editor| { editor.redo(); })>"Redo"</button>
            <button aria-label="New design" title="An empty design, kept in this browser until you save it" on:click=move |_| crate::documents::new_design(state)>"New"</button>
            <Show when=move || signed_in().is_some()>
                <button aria-label="Open a saved design" on:click=move |_| state.open_dialog.set(true)>"Open"</button>
            </Show>
            <button aria-label="Templates" title="A new design from one of the four use cases" on:click=move |_| state.gallery_open.update(|open| *open = !*open)>"Templates"</button>
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
            {move || match signed_in() {
                Some(user) => view! {
                    <span id="signed-in-as">{format!("{} ({})", user.name, user.role.as_str())}</span>
                    <button aria-label="Sign out" on:click=sign_out>"Sign out"</button>
                    <Show when=can_save>
                        <button on:click=save title=move || if attached() {
                            "Save a new revision of this design (changes also autosave)"
                        } else {
                            "Store this draft on the server as a new design"
                        }>{move || if attached() { "Save" } else { "Save as new design" }}</button>
                        <Show when=attached>
                            <button title="Store this version as a new design; the original keeps its last revision"
                                on:click=move |_| spawn_local(crate::actions::save_as_copy(state))>"Save as copy"</button>
                        </Show>
                    </Show>
                    <Show when=can_deploy>
                        <button class="deploy" on:click=deploy>"Deploy"</button>
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

/// The built-in templates; choosing one replaces the design (one undoable command).
#[component]
pub(crate) fn TemplateGallery() -> impl IntoView {
    let state = expect_context::<AppState>();
    let dialog: NodeRef<leptos::html::Section> = NodeRef::new();
    let close = move || {
        state.gallery_open.set(false);
        crate::dialog::focus("button[aria-label='Templates']");
    };
    let on_keydown = crate::dialog::modal(dialog, None, close);
    view! {
        <section class="gallery" role="dialog" aria-modal="true" aria-label="Templates" node_ref=dialog on:keydown=on_keydown>
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
                            <button aria-label=format!("Use this template: {}", template.title) data-template=name
                                on:click=move |_| {
                                    let Some(mut design) = shared::templates::template(name).and_then(|t| t.design().ok()) else { return };
                                    shared::layout::fill_missing_layout(&mut design);
                                    crate::documents::replace_with_draft(state, design);
                                    state.gallery_open.set(false);
                                }>
                                "Use this template"
                            </button>
                        </div>
                    }
                })
                .collect_view()}
            <button aria-label="Close templates" on:click=move |_| close()>"Close"</button>
        </section>
    }
}

/// Focuses the inspector's first field once it has been drawn for the new selection: the
/// next frame, or, the first time (the editors are a part fetched then, `crate::lazy`), the
/// first frame they are drawn in, within [`FOCUS_WAIT_FRAMES`].
/// A person who moves the focus meanwhile keeps it where they put it.
fn focus_first_field_soon() {
    focus_first_field_within(FOCUS_WAIT_FRAMES, document().active_element());
}

/// How many frames (about four seconds) the focus waits for the inspector's editors.
const FOCUS_WAIT_FRAMES: u32 = 240;

fn focus_first_field_within(frames: u32, focused_before: Option<web_sys::Element>) {
    leptos::prelude::request_animation_frame(move || {
        if document().active_element() != focused_before {
            return;
        }
        let focused = crate::dialog::focus(
            "section[aria-label=Inspector] input:not([type=checkbox]), section[aria-label=Inspector] select",
        );
        if !focused && frames > 0 {
            focus_first_field_within(frames - 1, focused_before);
        }
    });
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
            let kind = design.kind_of(id);
            let class = format!("thumb-{}", kind.map(|kind| kind.id_prefix()).unwrap_or("other"));
            // The same colours as the canvas and the exports.
            let colours = kind
                .map(shared::diagram::kind_style)
                .map(|style| format!("fill:{};stroke:{}", style.fill, style.stroke))
                .unwrap_or_default();
            view! { <rect class=class style=colours x=bounds.x y=bounds.y width=bounds.width height=bounds.height rx="4" /> }
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
