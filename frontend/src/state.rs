//! The app's state, apart from any panel: the document (the editor and its diagnostics), the
//! session, and the UI's own state, provided as one `Copy` context; the Path tool's question
//! and the deploy view live here because the canvas and the panels both read them. Panels
//! depend on this module, `crate::actions` and `crate::server`, never on each other or on
//! `crate::app`.

use std::collections::BTreeMap;

use leptos::prelude::*;
use shared::Diagnostic;
use shared::camera::Camera;
use shared::editor::{Command, Editor, PaletteItem};
use shared::model::Protocol;
use shared::reachability::{PathAnswer, Traffic, Verdict};

use crate::lazy::{PathTool, load_path_tool};
use shared::selection::{Selection, selection_roots};

use crate::server::{DeploymentRecord, DeploymentStarted, DesignSummary, PlanReview, Session};

/// The stored design the editor saves to: the server's summary of its latest save.
pub type SavedDesign = DesignSummary;

/// The deployment the app follows: what its start answered, then what each poll read.
#[derive(Debug, Clone, PartialEq)]
pub struct Deployment {
    pub id: String,
    pub status: shared::api::DeploymentStatus,
    /// How it ended, in words (empty while it runs).
    pub message: String,
    pub resources: Vec<shared::api::DeployedResource>,
}

impl From<DeploymentStarted> for Deployment {
    fn from(started: DeploymentStarted) -> Self {
        Deployment {
            id: started.id,
            status: started.status,
            message: String::new(),
            resources: Vec::new(),
        }
    }
}

impl From<DeploymentRecord> for Deployment {
    fn from(record: DeploymentRecord) -> Self {
        Deployment {
            id: record.id,
            status: record.status,
            message: record.message,
            resources: record.resources,
        }
    }
}

/// Everything the components share, provided as context.
#[derive(Clone, Copy)]
pub struct AppState {
    pub editor: RwSignal<Editor>,
    pub diagnostics: Memo<Vec<Diagnostic>>,
    /// Whether the design checks behind `diagnostics` are here (`crate::lazy`).
    pub checks: RwSignal<crate::lazy::Checks>,
    /// The selected objects; the last picked is the one the inspector shows.
    pub selection: RwSignal<Selection>,
    /// A palette item being dragged.
    pub palette_drag: RwSignal<Option<PaletteItem>>,
    /// Connect mode: a drag from one object to another connects them.
    pub connect_mode: RwSignal<bool>,
    /// A refused command's reason, shown until the next edit.
    pub notice: RwSignal<Option<String>>,
    pub session: RwSignal<Option<Session>>,
    /// The server design the editor holds (its id is in the page's URL), or `None` for a
    /// draft that lives only in this browser.
    pub saved: RwSignal<Option<SavedDesign>>,
    /// Who saved the open design's latest revision (empty for a draft).
    pub saved_by: RwSignal<String>,
    /// Where the open design's latest deployment stands (`None`: never deployed).
    pub latest_deployment: RwSignal<Option<shared::api::DeploymentState>>,
    /// Whether the Open dialog is open.
    pub open_dialog: RwSignal<bool>,
    pub status: RwSignal<String>,
    pub deployment: RwSignal<Option<Deployment>>,
    /// Whether the template gallery is open.
    pub gallery_open: RwSignal<bool>,
    /// Zoom and pan of the canvas (session state: never saved, never undone).
    pub camera: RwSignal<Camera>,
    /// The objects copied with Ctrl+C.
    pub clipboard: RwSignal<Vec<String>>,
    /// The last save was refused because the server has a newer revision.
    pub conflict: RwSignal<bool>,
    /// The Path tool's question and answer.
    pub path: PathQuestion,
    /// The document text of the revision this browser last saved or loaded: an autosave of the
    /// very same text is skipped.
    pub last_saved_text: StoredValue<String>,
    /// Bumped when the server's revisions of the design change (the history panel refetches).
    pub history_generation: RwSignal<u64>,
    /// The plan under review and the live progress of a deployment.
    pub deploy: DeployView,
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

    /// Where an item added without a pointer lands: in the selected object's container.
    pub fn default_drop_point(&self, item: PaletteItem) -> (f64, f64) {
        let selected = self
            .selection
            .with_untracked(|s| s.primary().map(str::to_string));
        self.editor.with_untracked(|editor| {
            shared::editor::palette::default_drop_point(editor.design(), selected.as_deref(), item)
        })
    }
}

thread_local! {
    /// The page's state, reachable from the exported benchmark hooks only.
    static BENCH_STATE: std::cell::Cell<Option<AppState>> = const { std::cell::Cell::new(None) };
}

/// Makes the page's state reachable from the benchmark hooks (the app does it once, mounted).
pub fn register_bench_state(state: AppState) {
    BENCH_STATE.with(|cell| cell.set(Some(state)));
}

/// Runs `action` on the page's state, if the app is mounted (benchmark hooks).
pub fn with_bench_state(action: impl FnOnce(&AppState)) {
    if let Some(state) = BENCH_STATE.with(std::cell::Cell::get) {
        action(&state);
    }
}

/// The Path tool's question, as typed or picked.
#[derive(Clone, Copy)]
pub struct PathQuestion {
    /// Picking on the canvas: the next click sets the source (then the destination).
    pub picking: RwSignal<bool>,
    pub from: RwSignal<String>,
    pub to: RwSignal<String>,
    pub protocol: RwSignal<String>,
    pub port: RwSignal<String>,
    /// The answer for the current design and question (None until both ends are set).
    pub answer: Memo<Option<Result<PathAnswer, String>>>,
    /// The objects on the answer's path, and the one that blocks it.
    pub on_path: Memo<Vec<String>>,
    pub blocking: Memo<Option<String>>,
}

impl PathQuestion {
    pub fn new(state_editor: RwSignal<shared::editor::Editor>) -> Self {
        let picking = RwSignal::new(false);
        let from = RwSignal::new(String::new());
        let to = RwSignal::new(String::new());
        let protocol = RwSignal::new("tcp".to_string());
        let port = RwSignal::new("443".to_string());
        let tool = RwSignal::new(PathTool::NotNeeded);
        let answer = Memo::new(move |_| {
            let (from_text, to_text) = (from.get(), to.get());
            if from_text.trim().is_empty() || to_text.trim().is_empty() {
                return None;
            }
            let protocol = Protocol::from_ec2(&protocol.get()).unwrap_or(Protocol::Tcp);
            let port = match port.get().trim().parse::<u16>() {
                Ok(port) => Some(port),
                Err(_) if matches!(protocol, Protocol::Tcp | Protocol::Udp) => {
                    return Some(Err("Port: a whole number from 0 to 65535".to_string()));
                }
                Err(_) => None,
            };
            let traffic = Traffic {
                protocol,
                port: port.filter(|_| matches!(protocol, Protocol::Tcp | Protocol::Udp)),
            };
            match tool.get() {
                PathTool::Ready(explain) => Some(
                    state_editor
                        .with(|editor| explain(editor.design(), &from_text, &to_text, traffic)),
                ),
                PathTool::Failed => Some(Err(
                    "The Path tool could not be fetched from the server: ask again to retry"
                        .to_string(),
                )),
                PathTool::NotNeeded | PathTool::Loading => None,
            }
        });
        // The reasoning is fetched the first time a question has both ends.
        Effect::new(move |_| {
            let asked = !from.get().trim().is_empty() && !to.get().trim().is_empty();
            if asked && !matches!(tool.get_untracked(), PathTool::Ready(_) | PathTool::Loading) {
                load_path_tool(tool);
            }
        });
        let on_path = Memo::new(move |_| {
            answer.with(|answer| match answer {
                Some(Ok(answer)) => answer.object_ids(),
                _ => Vec::new(),
            })
        });
        let blocking = Memo::new(move |_| {
            answer.with(|answer| match answer {
                Some(Ok(answer)) => answer
                    .hops
                    .iter()
                    .find(|hop| hop.verdict == Verdict::Block)
                    .and_then(|hop| hop.object_id.clone()),
                _ => None,
            })
        });
        PathQuestion {
            picking,
            from,
            to,
            protocol,
            port,
            answer,
            on_path,
            blocking,
        }
    }
}

/// A canvas click while picking: the first sets the source, the second the destination.
pub fn pick_for_path(state: &AppState, object_id: &str) {
    let question = state.path;
    let Some(place) = state
        .editor
        .with_untracked(|editor| shared::reachability::path_place_of(editor.design(), object_id))
    else {
        state.notice.set(Some(format!(
            "{object_id} is not a place traffic starts or ends: pick a subnet, a workload, an internet gateway (the internet), an endpoint (its service) or a customer gateway"
        )));
        return;
    };
    state.notice.set(None);
    let from_is_set = !question.from.get_untracked().is_empty();
    let to_is_set = !question.to.get_untracked().is_empty();
    if !from_is_set || to_is_set {
        question.from.set(place);
        question.to.set(String::new());
    } else {
        question.to.set(place);
    }
}

/// The deploy state of the app: the plan under review and each object's progress.
#[derive(Clone, Copy)]
pub struct DeployView {
    /// Whether the deploy review dialog is open (it stays open through the run).
    pub review_open: RwSignal<bool>,
    pub plan: RwSignal<Option<PlanReview>>,
    /// Object id → `pending`, `creating`, `done` or `failed`, while and after a run.
    pub progress: RwSignal<BTreeMap<String, String>>,
}

impl DeployView {
    pub fn new() -> Self {
        DeployView {
            review_open: RwSignal::new(false),
            plan: RwSignal::new(None),
            progress: RwSignal::new(BTreeMap::new()),
        }
    }
}

impl Default for DeployView {
    fn default() -> Self {
        Self::new()
    }
}

/// The design object a plan step belongs to: `rt-private/0.0.0.0/0` → `rt-private`,
/// `nat-a/eip` → `nat-a`, `subnet-a/route-table` → `subnet-a`.
pub fn object_of(logical_id: &str) -> &str {
    logical_id.split('/').next().unwrap_or(logical_id)
}

/// How bad a progress state is: an object with several steps shows its worst.
pub fn rank(phase: &str) -> u8 {
    match phase {
        "failed" => 4,
        "creating" => 3,
        "pending" => 2,
        "done" => 1,
        _ => 0,
    }
}

/// The marks to draw: object id → CSS class (`plan-create`, `deploy-done`, …).
pub fn marks(view: DeployView) -> Vec<(String, String)> {
    let progress = view.progress.get();
    if !progress.is_empty() {
        return progress
            .into_iter()
            .map(|(id, phase)| (id, format!("deploy-{phase}")))
            .collect();
    }
    let Some(plan) = view.plan.get() else {
        return Vec::new();
    };
    let mut marks: BTreeMap<String, String> = BTreeMap::new();
    for step in &plan.plan.steps {
        let object = object_of(&step.key.logical_id).to_string();
        let action = step.action.name().to_string();
        // A replacement outranks a delete, a delete an update, an update a create, on one
        // object.
        let weight = |name: &str| {
            ["create", "update", "delete", "replace"]
                .iter()
                .position(|ranked| *ranked == name)
                .unwrap_or(0)
        };
        let keep = marks
            .get(&object)
            .is_some_and(|existing| weight(existing) >= weight(&action));
        if !keep {
            marks.insert(object, action);
        }
    }
    marks
        .into_iter()
        .map(|(id, action)| (id, format!("plan-{action}")))
        .collect()
}
