//! What a first edit does not need, in wasm files of their own that the page fetches the first
//! time they are shown: the history, admin, deploy, export and analysis panels, the reachability
//! matrix, the Open and deploy review dialogs and the template gallery; and the design checks
//! (`shared::validate`), fetched when the design first holds something to check, the Path
//! tool's reasoning (`shared::reachability`), fetched when a question first has both ends, and
//! the selected object's editors (the inspector's fields), fetched when an object is first
//! selected.
//!
//! Each [`LazyPart`] is one split point (`wasm_split`, as Leptos's `#[lazy]` makes them, but
//! fallible): `cargo xtask` splits the linked module there (`xtask/src/split.rs`), moving the
//! part's view with the code only it reaches into its own file.
//!
//! Invariants:
//! - every part has exactly one loader, by an exhaustive `match` in [`load`];
//! - a part that cannot be fetched (offline, a newer build deployed since) shows a message
//!   with a retry, and the page goes on working: the failure is never cached;
//! - nothing outside a part's view names the part's components, or its code would be pulled
//!   back into the first load.

use leptos::prelude::*;
use leptos::wasm_split::{SplitLoaderError, wasm_split};

/// A part that the page could not fetch.
#[derive(Debug)]
pub struct PartNotLoaded;

impl From<SplitLoaderError> for PartNotLoaded {
    fn from(_: SplitLoaderError) -> Self {
        PartNotLoaded
    }
}

/// The parts of the page loaded on demand.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LazyPart {
    /// The design's revisions (the History tab).
    History,
    /// Users, roles and access (the Admin tab).
    Admin,
    /// Deployment progress, drift, import from AWS and the approval queue (the Deploy tab).
    Deploy,
    /// Export as code or diagram (the Files tab).
    Export,
    /// The Path tool's answer and the cost estimate (the Analysis tab).
    Analysis,
    /// The reachability matrix (the drawer's Matrix tab).
    Matrix,
    /// The Open dialog.
    OpenDialog,
    /// The deploy review dialog.
    ReviewDialog,
    /// New from template.
    TemplateGallery,
}

/// A part's view, made by the part's own code once the part is here.
pub type PartView = fn() -> AnyView;

#[wasm_split(history, wasm_split_path = ::leptos::wasm_split, fallible)]
fn history_view() -> Result<PartView, PartNotLoaded> {
    Ok(|| view! { <crate::accounts::HistoryPanel /> }.into_any())
}

#[wasm_split(admin, wasm_split_path = ::leptos::wasm_split, fallible)]
fn admin_view() -> Result<PartView, PartNotLoaded> {
    Ok(|| view! { <crate::accounts::AdminPanel /> }.into_any())
}

#[wasm_split(deploy, wasm_split_path = ::leptos::wasm_split, fallible)]
fn deploy_view() -> Result<PartView, PartNotLoaded> {
    Ok(|| {
        view! {
            <crate::deploy::DeploymentPanel />
            <crate::deploy::DriftPanel />
            <crate::deploy::ImportPanel />
            <crate::accounts::ApprovalQueue />
        }
        .into_any()
    })
}

#[wasm_split(export, wasm_split_path = ::leptos::wasm_split, fallible)]
fn export_view() -> Result<PartView, PartNotLoaded> {
    Ok(|| view! { <crate::files::ExportPanel /> }.into_any())
}

#[wasm_split(analysis, wasm_split_path = ::leptos::wasm_split, fallible)]
fn analysis_view() -> Result<PartView, PartNotLoaded> {
    Ok(|| {
        view! {
            <crate::analysis::PathPanel />
            <crate::analysis::CostPanel />
        }
        .into_any()
    })
}

#[wasm_split(matrix, wasm_split_path = ::leptos::wasm_split, fallible)]
fn matrix_view() -> Result<PartView, PartNotLoaded> {
    Ok(|| view! { <crate::analysis::MatrixPanel /> }.into_any())
}

#[wasm_split(open_dialog, wasm_split_path = ::leptos::wasm_split, fallible)]
fn open_dialog_view() -> Result<PartView, PartNotLoaded> {
    Ok(|| view! { <crate::documents::OpenDialog /> }.into_any())
}

#[wasm_split(review_dialog, wasm_split_path = ::leptos::wasm_split, fallible)]
fn review_dialog_view() -> Result<PartView, PartNotLoaded> {
    Ok(|| view! { <crate::deploy::ReviewDialog /> }.into_any())
}

#[wasm_split(template_gallery, wasm_split_path = ::leptos::wasm_split, fallible)]
fn template_gallery_view() -> Result<PartView, PartNotLoaded> {
    Ok(|| view! { <crate::app::TemplateGallery /> }.into_any())
}

/// The design checks: `shared::validate`, fetched as a part of its own.
pub type Validator = fn(&shared::Design) -> Vec<shared::Diagnostic>;

#[wasm_split(checks, wasm_split_path = ::leptos::wasm_split, fallible)]
fn checks_part() -> Result<Validator, PartNotLoaded> {
    Ok(shared::validate)
}

/// Where a function fetched as a part (the design checks, the Path tool's reasoning) stands in
/// this page.
#[derive(Clone, Copy, Debug)]
pub enum Fetched<F> {
    /// Not fetched, as nothing has asked for it yet.
    NotNeeded,
    /// Being fetched.
    Loading,
    /// Here: called at once from now on.
    Ready(F),
    /// The server could not be reached for it; asking again fetches it anew.
    Failed,
}

/// Fetches a part's function into `slot` (unless it is here or on its way), then sets `slot`
/// to `Ready` or `Failed`.
fn fetch_into<F, Part>(slot: RwSignal<Fetched<F>>, fetch: impl FnOnce() -> Part + 'static)
where
    F: Copy + Send + Sync + 'static,
    Part: std::future::Future<Output = Result<F, PartNotLoaded>> + 'static,
{
    match slot.get_untracked() {
        Fetched::Loading | Fetched::Ready(_) => return,
        Fetched::NotNeeded | Fetched::Failed => {}
    }
    slot.set(Fetched::Loading);
    leptos::task::spawn_local(async move {
        slot.set(match fetch().await {
            Ok(function) => Fetched::Ready(function),
            Err(PartNotLoaded) => Fetched::Failed,
        });
    });
}

/// The design checks: not needed while the design is the fresh, empty one, which has nothing
/// to check (`shared`'s validation tests hold it to no diagnostic).
pub type Checks = Fetched<Validator>;

/// Fetches the design checks (unless they are here or on their way).
pub fn load_checks(checks: RwSignal<Checks>) {
    fetch_into(checks, checks_part);
}

/// The Path tool's answer: from and to as typed (`shared::reachability::parse_place`), and
/// the traffic; an error names the end that does not parse.
pub type PathExplainer = fn(
    &shared::Design,
    &str,
    &str,
    shared::reachability::Traffic,
) -> Result<shared::reachability::PathAnswer, String>;

fn explain_path(
    design: &shared::Design,
    from: &str,
    to: &str,
    traffic: shared::reachability::Traffic,
) -> Result<shared::reachability::PathAnswer, String> {
    use shared::reachability::{Reachability, parse_place};
    let source = parse_place(design, from).map_err(|e| format!("From: {e}"))?;
    let destination = parse_place(design, to).map_err(|e| format!("To: {e}"))?;
    Ok(Reachability::new(design).explain(&source, &destination, traffic))
}

#[wasm_split(path_tool, wasm_split_path = ::leptos::wasm_split, fallible)]
fn path_tool_part() -> Result<PathExplainer, PartNotLoaded> {
    Ok(explain_path)
}

/// The Path tool's reasoning: fetched the first time a question has both ends.
pub type PathTool = Fetched<PathExplainer>;

/// Fetches the Path tool's reasoning (unless it is here or on its way).
pub fn load_path_tool(tool: RwSignal<PathTool>) {
    fetch_into(tool, path_tool_part);
}

/// The selected object's editors: the inspector's view with something selected
/// (`crate::panels::object_editors`), given the page's state and the object's id.
pub type ObjectEditorsView = fn(crate::state::AppState, String) -> Option<AnyView>;

#[wasm_split(object_editors, wasm_split_path = ::leptos::wasm_split, fallible)]
fn object_editors_part() -> Result<ObjectEditorsView, PartNotLoaded> {
    Ok(crate::panels::object_editors)
}

/// The reader that names the path of what is wrong in a refused design, in the object
/// editors' part (a field's refused value is explained by it), installed the moment the part is
/// here; until then a refused document's error names no path.
#[wasm_split(object_editors, wasm_split_path = ::leptos::wasm_split, fallible)]
fn path_naming_reader_part() -> Result<shared::spec::PathNamingReader, PartNotLoaded> {
    Ok(shared::spec::load_design_value_naming_paths)
}

/// Fetches the path-naming reader (the object editors' part) and installs it.
async fn install_path_naming_reader() -> Result<(), PartNotLoaded> {
    if !shared::spec::names_paths() {
        shared::spec::install_path_naming_reader(path_naming_reader_part().await?);
    }
    Ok(())
}

/// Loads a design from JSON text, as `shared::spec::load_design` does; a document it refuses
/// is read again once the path-naming reader is here, so the error says where it is wrong
/// (when the reader cannot be fetched, the error stands as it is, without the path).
pub async fn load_design_naming_paths(
    text: &str,
) -> Result<shared::Design, shared::spec::SpecError> {
    match shared::spec::load_design(text) {
        Err(shared::spec::SpecError::Structure { .. })
            if !shared::spec::names_paths() && install_path_naming_reader().await.is_ok() =>
        {
            shared::spec::load_design(text)
        }
        answer => answer,
    }
}

/// The selected object's editors: fetched the first time an object is selected.
pub type ObjectEditors = Fetched<ObjectEditorsView>;

/// Fetches the selected object's editors (unless they are here or on their way).
pub fn load_object_editors(editors: RwSignal<ObjectEditors>) {
    // The reader first: a field's refused value is then always explained with its path.
    fetch_into(editors, || async {
        install_path_naming_reader().await?;
        object_editors_part().await
    });
}

#[wasm_split(bench, wasm_split_path = ::leptos::wasm_split, fallible)]
fn bench_validate_part(subnet_count: u32, iterations: u32) -> Result<f64, PartNotLoaded> {
    let design = shared::generate::generated_design(subnet_count as usize);
    Ok(crate::mean_milliseconds(iterations, || {
        std::hint::black_box(shared::validate(std::hint::black_box(&design)));
    }))
}

#[wasm_split(bench, wasm_split_path = ::leptos::wasm_split, fallible)]
fn bench_matrix_part(subnet_count: u32, iterations: u32) -> Result<f64, PartNotLoaded> {
    let design = shared::generate::generated_design(subnet_count as usize);
    Ok(crate::mean_milliseconds(iterations, || {
        std::hint::black_box(shared::reachability::reachability_matrix(
            std::hint::black_box(&design),
        ));
    }))
}

#[wasm_split(bench, wasm_split_path = ::leptos::wasm_split, fallible)]
fn bench_load_part(object_count: u32) -> Result<String, PartNotLoaded> {
    Ok(crate::load_generated_design(object_count))
}

/// The bench's load hook, in the bench's part: an empty id when the part cannot be fetched.
pub async fn bench_load(object_count: u32) -> String {
    bench_load_part(object_count).await.unwrap_or_default()
}

/// The bench's validation hook, in a part of its own (the page never needs it).
pub async fn bench_validate(subnet_count: u32, iterations: u32) -> f64 {
    bench_validate_part(subnet_count, iterations)
        .await
        .unwrap_or(f64::NAN)
}

/// The bench's matrix hook, in the bench's part.
pub async fn bench_matrix(subnet_count: u32, iterations: u32) -> f64 {
    bench_matrix_part(subnet_count, iterations)
        .await
        .unwrap_or(f64::NAN)
}

/// Fetches `part`'s code if the page has not yet, and hands back what makes its view.
async fn load(part: LazyPart) -> Result<PartView, PartNotLoaded> {
    match part {
        LazyPart::History => history_view().await,
        LazyPart::Admin => admin_view().await,
        LazyPart::Deploy => deploy_view().await,
        LazyPart::Export => export_view().await,
        LazyPart::Analysis => analysis_view().await,
        LazyPart::Matrix => matrix_view().await,
        LazyPart::OpenDialog => open_dialog_view().await,
        LazyPart::ReviewDialog => review_dialog_view().await,
        LazyPart::TemplateGallery => template_gallery_view().await,
    }
}

/// `part`'s view, once its code is here: a loading note until then, and a message with a
/// retry if it cannot be fetched. Plain signals, not a `Suspense`: the first load then
/// carries none of Leptos's async rendering.
pub fn lazy_view(part: LazyPart) -> impl IntoView {
    let fetched = RwSignal::new(Fetched::<PartView>::NotNeeded);
    fetch_into(fetched, move || load(part));
    move || {
        match fetched.get() {
        // Made untracked: what the part's components read as they are made belongs to them,
        // and never makes this closure make the part again.
        Fetched::Ready(make) => untrack(make),
        Fetched::NotNeeded | Fetched::Loading => {
            view! { <p class="part-loading" role="status">"Loading…"</p> }.into_any()
        }
        Fetched::Failed => view! {
            <p class="part-failed" role="alert">
                "This part of Moat could not be fetched from the server. "
                <button on:click=move |_| fetch_into(fetched, move || load(part))>"Try again"</button>
            </p>
        }
        .into_any(),
    }
    }
}

/// `part`'s view, first made when `shown` first turns true (its tab is first opened), and
/// kept from then on, as the panels loaded with the page are.
pub fn lazy_view_once_shown(
    part: LazyPart,
    shown: impl Fn() -> bool + Send + Sync + 'static,
) -> impl IntoView {
    let ever_shown =
        Memo::new(move |before: Option<&bool>| before.copied().unwrap_or(false) || shown());
    view! {
        <Show when=move || ever_shown.get()>
            {lazy_view(part)}
        </Show>
    }
}
