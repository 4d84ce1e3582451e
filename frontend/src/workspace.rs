//! The workspace around the canvas: the side panel as tabs (Inspect, Analysis, Deploy, Files,
//! History, Admin: one at a time, each tab's panels kept mounted so nothing typed is lost on a
//! switch) and the drawer below the canvas for what is wide or always wanted (Problems, the
//! reachability matrix), resizable and collapsible. A composition of the panels, like
//! `crate::app`: the panels themselves know nothing of it.
//!
//! Invariant: nothing scrolls the page sideways; a table wider than its place scrolls inside
//! its own box.

use leptos::prelude::*;
use shared::Severity;
use shared::selection::Selection;

use crate::lazy::{LazyPart, lazy_view_once_shown};
use crate::panels::{DiagnosticsPanel, Inspector};
use crate::state::AppState;

/// The side panel's tabs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SideTab {
    Inspect,
    Analysis,
    Deploy,
    Files,
    History,
    Admin,
}

impl SideTab {
    fn name(self) -> &'static str {
        match self {
            SideTab::Inspect => "inspect",
            SideTab::Analysis => "analysis",
            SideTab::Deploy => "deploy",
            SideTab::Files => "files",
            SideTab::History => "history",
            SideTab::Admin => "admin",
        }
    }

    fn label(self) -> &'static str {
        match self {
            SideTab::Inspect => "Inspect",
            SideTab::Analysis => "Analysis",
            SideTab::Deploy => "Deploy",
            SideTab::Files => "Files",
            SideTab::History => "History",
            SideTab::Admin => "Admin",
        }
    }
}

/// The drawer's tabs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DrawerTab {
    Problems,
    Matrix,
}

impl DrawerTab {
    fn name(self) -> &'static str {
        match self {
            DrawerTab::Problems => "problems",
            DrawerTab::Matrix => "matrix",
        }
    }
}

/// The workspace's own state (which tab, whether the drawer is open): session state, never
/// saved or undone.
#[derive(Clone, Copy)]
pub struct Workspace {
    pub side_tab: RwSignal<SideTab>,
    pub drawer_tab: RwSignal<DrawerTab>,
    pub drawer_open: RwSignal<bool>,
}

impl Workspace {
    pub fn new() -> Self {
        Workspace {
            side_tab: RwSignal::new(SideTab::Inspect),
            drawer_tab: RwSignal::new(DrawerTab::Problems),
            drawer_open: RwSignal::new(true),
        }
    }
}

impl Default for Workspace {
    fn default() -> Self {
        Self::new()
    }
}

/// A tab button of a tab list (`role=tab`), selected when `current` is `tab`.
fn tab_button<T: Copy + PartialEq + Send + Sync + 'static>(
    signal: RwSignal<T>,
    tab: T,
    name: &'static str,
    label: impl Fn() -> String + Send + Sync + 'static,
) -> impl IntoView {
    let selected = move || signal.get() == tab;
    view! {
        <button role="tab" data-tab=name id=format!("tab-{name}") aria-controls=format!("panel-{name}")
            aria-selected=move || selected().to_string() tabindex=move || if selected() { "0" } else { "-1" }
            class:active=selected on:click=move |_| signal.set(tab)>
            {label}
        </button>
    }
}

/// Arrow keys move between the tabs of a tab list, as the WAI-ARIA tabs pattern asks.
fn tab_keys<T: Copy + PartialEq + Send + Sync + 'static>(
    signal: RwSignal<T>,
    tabs: impl Fn() -> Vec<T> + Copy + Send + Sync + 'static,
    name: fn(T) -> &'static str,
) -> impl Fn(leptos::ev::KeyboardEvent) + Copy + 'static {
    move |event: leptos::ev::KeyboardEvent| {
        let step: isize = match event.key().as_str() {
            "ArrowRight" => 1,
            "ArrowLeft" => -1,
            _ => return,
        };
        // The arrows are the tab list's here, not the canvas selection's.
        event.prevent_default();
        event.stop_propagation();
        let all = tabs();
        let Some(at) = all.iter().position(|tab| *tab == signal.get_untracked()) else {
            return;
        };
        let next = (at as isize + step).rem_euclid(all.len() as isize) as usize;
        signal.set(all[next]);
        crate::dialog::focus(&format!("button[role=tab][data-tab='{}']", name(all[next])));
    }
}

/// The side panel: its tabs and their panels.
#[component]
pub fn SidePanel() -> impl IntoView {
    let state = expect_context::<AppState>();
    let workspace = expect_context::<Workspace>();
    let tab = workspace.side_tab;
    let role = move || {
        state.session.with(|session| {
            session
                .as_ref()
                .and_then(|session| session.user.as_ref())
                .map(|user| user.role)
        })
    };
    let visible = move || {
        let mut tabs = vec![SideTab::Inspect, SideTab::Analysis];
        if role().is_some_and(|role| role >= shared::api::Role::Deployer)
            || state.deployment.with(Option::is_some)
        {
            tabs.push(SideTab::Deploy);
        }
        tabs.push(SideTab::Files);
        if state.saved.with(Option::is_some) {
            tabs.push(SideTab::History);
        }
        if role() == Some(shared::api::Role::Admin) {
            tabs.push(SideTab::Admin);
        }
        tabs
    };
    // A selection shows its inspector; the Path tool shows its answer.
    Effect::new(move |_| {
        if !state.selection.with(Selection::is_empty) {
            tab.set(SideTab::Inspect);
        }
    });
    Effect::new(move |_| {
        if state.path.picking.get() {
            tab.set(SideTab::Analysis);
        }
    });
    // A tab that is no longer offered (signed out, a draft) gives way to Inspect.
    Effect::new(move |_| {
        if !visible().contains(&tab.get()) {
            tab.set(SideTab::Inspect);
        }
    });
    let on_keydown = tab_keys(tab, visible, SideTab::name);
    // A tab's code loads the first time the tab is shown (`crate::lazy`).
    let lazy_tab = move |part: LazyPart, which: SideTab| {
        lazy_view_once_shown(part, move || tab.get() == which).into_any()
    };
    let panel = move |which: SideTab, children: AnyView| {
        view! {
            <div role="tabpanel" id=format!("panel-{}", which.name()) aria-labelledby=format!("tab-{}", which.name())
                class="tab-panel" hidden=move || tab.get() != which>
                {children}
            </div>
        }
    };
    view! {
        <aside class="side">
            <div role="tablist" aria-label="Side panel" class="tabs" on:keydown=on_keydown>
                {move || visible().into_iter().map(|which| tab_button(tab, which, which.name(), move || which.label().to_string())).collect_view()}
            </div>
            {panel(SideTab::Inspect, view! {
                <Show when=move || state.selection.with(|s| s.len() > 1)>
                    <p id="selection-count" role="status">
                        {move || format!("{} objects selected: arrows move them, Delete removes them, Ctrl+D duplicates them", state.selection.with(Selection::len))}
                    </p>
                </Show>
                <Inspector />
            }.into_any())}
            {panel(SideTab::Analysis, lazy_tab(LazyPart::Analysis, SideTab::Analysis))}
            // The deploy part also loads when a deployment starts (from the review, or one
            // found running), so its progress is followed from the first event.
            {panel(SideTab::Deploy, lazy_view_once_shown(
                LazyPart::Deploy,
                move || tab.get() == SideTab::Deploy || state.deployment.with(Option::is_some),
            ).into_any())}
            {panel(SideTab::Files, lazy_tab(LazyPart::Export, SideTab::Files))}
            {panel(SideTab::History, lazy_tab(LazyPart::History, SideTab::History))}
            {panel(SideTab::Admin, lazy_tab(LazyPart::Admin, SideTab::Admin))}
        </aside>
    }
}

/// The drawer below the canvas: Problems (with its count) and the reachability matrix, as
/// tabs; collapsible, and resizable by its corner.
#[component]
pub fn Drawer() -> impl IntoView {
    let state = expect_context::<AppState>();
    let workspace = expect_context::<Workspace>();
    let tab = workspace.drawer_tab;
    let open = workspace.drawer_open;
    let problems = move || {
        state.diagnostics.with(|diagnostics| {
            let errors = diagnostics
                .iter()
                .filter(|d| d.severity == Severity::Error)
                .count();
            let warnings = diagnostics
                .iter()
                .filter(|d| d.severity == Severity::Warning)
                .count();
            if matches!(state.checks.get(), crate::lazy::Checks::Failed) {
                return "Problems (not checked)".to_string();
            }
            format!("Problems ({errors} errors, {warnings} warnings)")
        })
    };
    let tabs = move || vec![DrawerTab::Problems, DrawerTab::Matrix];
    let on_keydown = tab_keys(tab, tabs, DrawerTab::name);
    view! {
        <section class="drawer" class:collapsed=move || !open.get() aria-label="Problems and matrix">
            <div class="drawer-bar">
                <div role="tablist" aria-label="Drawer" class="tabs" on:keydown=on_keydown>
                    {tab_button(tab, DrawerTab::Problems, DrawerTab::Problems.name(), problems)}
                    {tab_button(tab, DrawerTab::Matrix, DrawerTab::Matrix.name(), || "Reachability matrix".to_string())}
                </div>
                <button class="drawer-toggle" aria-expanded=move || open.get().to_string()
                    on:click=move |_| open.update(|open| *open = !*open)>
                    {move || if open.get() { "Hide" } else { "Show" }}
                </button>
            </div>
            <div role="tabpanel" id="panel-problems" aria-labelledby="tab-problems" class="drawer-body" tabindex="0"
                hidden=move || !open.get() || tab.get() != DrawerTab::Problems>
                <DiagnosticsPanel />
            </div>
            <div role="tabpanel" id="panel-matrix" aria-labelledby="tab-matrix" class="drawer-body" tabindex="0"
                hidden=move || !open.get() || tab.get() != DrawerTab::Matrix>
                {lazy_view_once_shown(LazyPart::Matrix, move || open.get() && tab.get() == DrawerTab::Matrix)}
            </div>
        </section>
    }
}
