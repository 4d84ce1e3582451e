//! `moat plan`, `moat apply`, `moat destroy` and `moat iam-policy`: provisioning from the
//! command line, with the operator's own AWS configuration (the standard chain:
//! `AWS_PROFILE`, `AWS_REGION`, `AWS_ENDPOINT_URL`, …). Exit codes: 0 done (or nothing to do),
//! 1 the plan could not be carried out (errors in the design, missing permissions, a failed
//! step), 2 the file could not be read or AWS could not be reached.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};

use backend::aws::{BoxFuture, Ec2Network, NetworkApi};
use backend::provision::{ApplyOptions, Journal, JournalError, Owner, Phase, ProgressEvent};
use backend::workflow::{self, Go, Operation, Outcome, Supervisor, WorkflowError};
use shared::model::Design;
use shared::plan::{Action, Plan, desired_resources};

fn load(file: &Path) -> Result<Design, String> {
    let shown = file.display();
    let text =
        std::fs::read_to_string(file).map_err(|error| format!("{shown}: cannot read: {error}"))?;
    shared::spec::load_design(&text).map_err(|error| format!("{shown}: {error}"))
}

/// The design id an export's ownership tags default to when none is given: the same
/// placeholder the app uses for an unsaved draft (every code export takes the real one at run
/// time: `MOAT_DESIGN_ID`, `var.design_id`, the `DesignId` parameter). Provisioning commands
/// never default: they take `--design-id`, so resources are owned by a stable id, never a name.
const EXPORT_DEFAULT_DESIGN_ID: &str = "moat-draft";

/// Asks before the account changes: `--yes` skips the question; without a terminal and without
/// `--yes` nothing changes (exit 2). Anything but `yes` cancels (exit 1).
fn confirmed(command: &str, yes: bool) -> Result<(), ExitCode> {
    use std::io::{BufRead, IsTerminal, Write};
    if yes {
        return Ok(());
    }
    if !std::io::stdin().is_terminal() {
        eprintln!(
            "moat {command}: standard input is not a terminal, so nothing was changed: pass --yes to {command} without asking"
        );
        return Err(ExitCode::from(2));
    }
    eprint!("Do you want to {command} these changes? Only 'yes' is accepted: ");
    let _ = std::io::stderr().flush();
    let mut answer = String::new();
    let _ = std::io::stdin().lock().read_line(&mut answer);
    if answer.trim() == "yes" {
        Ok(())
    } else {
        eprintln!("moat {command}: cancelled; nothing was changed");
        Err(ExitCode::from(1))
    }
}

fn runtime() -> Result<tokio::runtime::Runtime, ExitCode> {
    tokio::runtime::Runtime::new().map_err(|error| {
        eprintln!("moat: cannot start the async runtime: {error}");
        ExitCode::from(2)
    })
}

/// A plan for people: one line per step, marked like Terraform's.
pub fn plan_text(plan: &Plan) -> String {
    let mut text = String::new();
    let replaced: std::collections::HashSet<_> = plan
        .steps
        .iter()
        .filter(|s| matches!(s.action, Action::Replace { .. }))
        .map(|s| &s.key)
        .collect();
    for step in &plan.steps {
        let line = match &step.action {
            Action::Create => format!("  + create   {}", step.key),
            Action::Update { changed } => {
                format!("  ~ update   {} ({})", step.key, changed.join(", "))
            }
            Action::Replace { changed } => format!(
                "-/+ replace  {} ({}) [REPLACES the resource]",
                step.key,
                changed.join(", ")
            ),
            Action::Delete if replaced.contains(&step.key) => continue,
            Action::Delete => format!("  - delete   {}", step.key),
        };
        text.push_str(&line);
        text.push('\n');
    }
    let (create, update, replace, delete) = plan.counts();
    text.push_str(&format!(
        "Plan: {create} to create, {update} to update, {replace} to replace, {delete} to delete; {} unchanged.\n",
        plan.unchanged
    ));
    text
}

async fn plan_for(
    network: &dyn NetworkApi,
    design: &Design,
    design_id: &str,
    destroy: bool,
) -> Result<(Plan, Vec<shared::plan::ObservedResource>), String> {
    let operation = if destroy {
        Operation::Destroy
    } else {
        Operation::Apply
    };
    workflow::plan(
        network,
        design,
        design_id,
        operation,
        &ApplyOptions::default(),
    )
    .await
    .map(|planned| (planned.plan, planned.observed))
    .map_err(|error| error.to_string())
}

/// `moat plan FILE`: what an apply would do, without changing anything.
/// `moat plan FILE`. With `detailed_exit_code` (`--detailed-exitcode`, as Terraform's): 0 no
/// change, 2 changes, 1 an error; without it: 0 planned, 2 an error.
pub fn plan(file: &Path, design_id: &str, json: bool, detailed_exit_code: bool) -> ExitCode {
    let failed = || ExitCode::from(if detailed_exit_code { 1 } else { 2 });
    let design = match load(file) {
        Ok(design) => design,
        Err(message) => {
            eprintln!("{message}");
            return failed();
        }
    };
    let design_id = design_id.to_string();
    let Ok(runtime) = runtime() else {
        return failed();
    };
    runtime.block_on(async {
        let network = Ec2Network::from_environment().await;
        match plan_for(&network, &design, &design_id, false).await {
            Ok((plan, _)) => {
                if json {
                    say!(
                        "{}",
                        serde_json::json!({"design_id": design_id, "plan": plan, "counts": plan.counts()})
                    );
                } else {
                    say_raw!("{}", plan_text(&plan));
                }
                if detailed_exit_code && !plan.is_empty() {
                    ExitCode::from(2)
                } else {
                    ExitCode::SUCCESS
                }
            }
            Err(message) => {
                eprintln!("moat plan: {message}");
                failed()
            }
        }
    })
}

/// Prints a progress bar line per finished step.
struct ProgressBar {
    total: std::sync::atomic::AtomicUsize,
    finished: Mutex<usize>,
}

impl Journal for ProgressBar {
    fn record<'a>(&'a self, event: &'a ProgressEvent) -> BoxFuture<'a, Result<(), JournalError>> {
        Box::pin(async move {
            let done = match &event.phase {
                Phase::Done { .. } | Phase::Failed { .. } | Phase::Skipped => {
                    let mut finished = self
                        .finished
                        .lock()
                        .map_err(|e| JournalError(e.to_string()))?;
                    *finished += 1;
                    *finished
                }
                Phase::Retrying { attempt, error } => {
                    eprintln!(
                        "      retrying {} {} (attempt {attempt}): {error}",
                        event.kind.name(),
                        event.logical_id
                    );
                    return Ok(());
                }
                Phase::Started => return Ok(()),
            };
            let total = self.total.load(std::sync::atomic::Ordering::Relaxed);
            let width = 30;
            let filled = (done * width)
                .checked_div(total)
                .unwrap_or(width)
                .min(width);
            let outcome = match &event.phase {
                Phase::Done { aws_id: Some(id) } => format!("done {id}"),
                Phase::Done { aws_id: None } => "done".to_string(),
                Phase::Failed { error } => format!("FAILED: {error}"),
                Phase::Skipped | Phase::Started | Phase::Retrying { .. } => "not run".to_string(),
            };
            let mut out = std::io::stdout().lock();
            let _ = writeln!(
                out,
                "[{}{}] {done:>3}/{total} {} {} {}: {outcome}",
                "#".repeat(filled),
                ".".repeat(width - filled),
                event.action,
                event.kind.name(),
                event.logical_id
            );
            Ok(())
        })
    }
}

/// The operator at the workflow's checkpoints: sees the plan, and is asked before the account
/// changes. Remembers the exit code a stop means.
struct Operator {
    command: &'static str,
    yes: bool,
    progress: Arc<ProgressBar>,
    stopped_with: Mutex<Option<ExitCode>>,
}

impl Supervisor for Operator {
    fn planned(&self, plan: &Plan) -> Go {
        say_raw!("{}", plan_text(plan));
        self.progress
            .total
            .store(plan.steps.len(), std::sync::atomic::Ordering::Relaxed);
        if plan.is_empty() {
            say!("Nothing to do: the account already matches.");
            if let Ok(mut code) = self.stopped_with.lock() {
                *code = Some(ExitCode::SUCCESS);
            }
            return Go::Stop;
        }
        Go::On
    }

    fn cleared(&self, _plan: &Plan) -> Go {
        match confirmed(self.command, self.yes) {
            Ok(()) => Go::On,
            Err(code) => {
                if let Ok(mut stopped) = self.stopped_with.lock() {
                    *stopped = Some(code);
                }
                Go::Stop
            }
        }
    }
}

/// `moat apply FILE` (and `moat destroy FILE`): the server's one workflow (validate, plan,
/// preflight, apply and verify), with the plan shown, a question before any change, progress,
/// and the AWS id of everything created.
pub fn apply(file: &Path, design_id: &str, destroy: bool, yes: bool) -> ExitCode {
    let command = if destroy { "destroy" } else { "apply" };
    let operation = if destroy {
        Operation::Destroy
    } else {
        Operation::Apply
    };
    let design = match load(file) {
        Ok(design) => design,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    let Ok(runtime) = runtime() else {
        return ExitCode::from(2);
    };
    runtime.block_on(async {
        let network: Arc<dyn NetworkApi> = Arc::new(Ec2Network::from_environment().await);
        let progress = Arc::new(ProgressBar {
            total: std::sync::atomic::AtomicUsize::new(0),
            finished: Mutex::new(0),
        });
        let operator = Operator {
            command,
            yes,
            progress: progress.clone(),
            stopped_with: Mutex::new(None),
        };
        let owner = Owner {
            design_id: design_id.to_string(),
            deployment_id: format!(
                "cli-{}",
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map(|d| d.as_secs())
                    .unwrap_or_default()
            ),
        };
        let outcome = workflow::deploy_once(
            network,
            progress,
            &design,
            owner,
            operation,
            ApplyOptions::default(),
            &operator,
        )
        .await;
        match outcome {
            Ok(Outcome::Applied(report)) => {
                say!("{}", report.summary());
                for (key, aws_id) in &report.created {
                    say!("  {key} = {aws_id}");
                }
                if report.succeeded() {
                    ExitCode::SUCCESS
                } else {
                    eprintln!(
                        "moat {command}: run it again to finish: it picks up from what exists."
                    );
                    ExitCode::from(1)
                }
            }
            Ok(Outcome::Stopped(_)) => operator
                .stopped_with
                .lock()
                .ok()
                .and_then(|mut code| code.take())
                .unwrap_or(ExitCode::from(1)),
            Err(WorkflowError::DesignHasErrors(errors)) => {
                if let Some(first) = errors.first() {
                    eprintln!(
                        "moat {command}: the design has {} error(s); fix them first (`moat validate`). First: [{}] {}",
                        errors.len(),
                        first.code,
                        first.message
                    );
                }
                ExitCode::from(1)
            }
            Err(WorkflowError::MissingPermissions(missing)) => {
                eprintln!(
                    "moat {command}: the credentials lack permissions (nothing was changed):"
                );
                for permission in &missing {
                    eprintln!(
                        "  {} {}: {} ({})",
                        if permission.deleting {
                            "delete"
                        } else {
                            "create"
                        },
                        permission.kind,
                        permission.actions.join(", "),
                        permission.message
                    );
                }
                eprintln!(
                    "  `moat iam-policy {}` prints the policy the plan needs.",
                    file.display()
                );
                ExitCode::from(1)
            }
            Err(error @ WorkflowError::OverLimits(_)) => {
                eprintln!("moat {command}: {error}");
                ExitCode::from(1)
            }
            Err(
                error @ (WorkflowError::AccountUnreadable(_) | WorkflowError::PreflightFailed(_)),
            ) => {
                eprintln!("moat {command}: {error}");
                ExitCode::from(2)
            }
        }
    })
}

/// `moat iam-policy FILE`: the least-privilege policy applying and destroying the design needs.
pub fn iam_policy(file: &Path) -> ExitCode {
    match load(file) {
        Ok(design) => {
            let policy = shared::plan::iam::policy(&desired_resources(&design));
            say!(
                "{}",
                serde_json::to_string_pretty(&policy).unwrap_or_default()
            );
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("{message}");
            ExitCode::from(2)
        }
    }
}

/// `moat drift FILE`: what changed in the account outside Moat since the design was applied.
/// Exit 0 none, 1 some, 2 unreadable or unreachable.
pub fn drift(file: &Path, design_id: &str, json: bool) -> ExitCode {
    let design = match load(file) {
        Ok(design) => design,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    let design_id = design_id.to_string();
    let Ok(runtime) = runtime() else {
        return ExitCode::from(2);
    };
    runtime.block_on(async {
        let network = Ec2Network::from_environment().await;
        match plan_for(&network, &design, &design_id, false).await {
            Ok((_, observed)) => {
                let report = shared::plan::drift_if_deployed(&desired_resources(&design), &observed);
                let deployed = report.is_some();
                let drifts = report.unwrap_or_default();
                if json {
                    say!(
                        "{}",
                        serde_json::json!({"design_id": design_id, "deployed": deployed, "drift": drifts})
                    );
                } else if !deployed {
                    say!(
                        "Not deployed yet: the account holds nothing tagged with design id {design_id}, so nothing drifted."
                    );
                } else if drifts.is_empty() {
                    say!("No drift: the account matches the design.");
                } else {
                    for drift in &drifts {
                        say!("{}", drift.describe());
                    }
                    say!("{} difference(s) made outside Moat.", drifts.len());
                }
                if drifts.is_empty() {
                    ExitCode::SUCCESS
                } else {
                    ExitCode::from(1)
                }
            }
            Err(message) => {
                eprintln!("moat drift: {message}");
                ExitCode::from(2)
            }
        }
    })
}

/// `moat import --vpc-id ID`: an existing VPC as a design document (standard output); what
/// Moat does not model is listed on standard error.
pub fn import(vpc_id: &str, region: Option<String>) -> ExitCode {
    let Ok(runtime) = runtime() else {
        return ExitCode::from(2);
    };
    runtime.block_on(async {
        let network = Ec2Network::from_environment().await;
        let region = region
            .or_else(|| std::env::var("AWS_REGION").ok())
            .unwrap_or_else(|| "us-east-1".to_string());
        match network.import_vpc(&region, vpc_id).await {
            Ok((design, left_out)) => {
                for line in &left_out {
                    eprintln!("left out: {line}");
                }
                say!("{}", shared::spec::save_design(&design));
                ExitCode::SUCCESS
            }
            Err(error) => {
                eprintln!("moat import: {error}");
                ExitCode::from(2)
            }
        }
    })
}

/// `moat export FILE --format F [--output DIR]`: writes the export's files into DIR (default:
/// the current directory), or prints a single-file export to standard output with `--output -`.
pub fn export(
    file: &Path,
    format: &str,
    output: Option<&Path>,
    design_id: Option<String>,
    scale: f32,
) -> ExitCode {
    let design = match load(file) {
        Ok(design) => design,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    let design_id = design_id.unwrap_or_else(|| EXPORT_DEFAULT_DESIGN_ID.to_string());
    if let Err(refused) = shared::limits::check(&design) {
        eprintln!("moat export: {refused}");
        return ExitCode::from(2);
    }
    let files = if format == "png" {
        match backend::render::png(
            &shared::export::svg::diagram(&design, &Default::default()),
            scale,
        ) {
            Ok(bytes) => {
                let name = format!("{}.png", shared::export::slug(&design.name));
                return write_files(&[(name, bytes)], output);
            }
            Err(message) => {
                eprintln!("moat export: {message}");
                return ExitCode::from(2);
            }
        }
    } else {
        let Some(format) = shared::export::Format::parse(format) else {
            let names: Vec<&str> = shared::export::Format::ALL
                .iter()
                .map(|f| f.name())
                .collect();
            eprintln!(
                "moat export: no format \"{format}\"; the formats are: {}, png",
                names.join(", ")
            );
            return ExitCode::from(2);
        };
        match shared::export::export(&design, format, &design_id) {
            Ok(files) => files,
            Err(refused) => {
                eprintln!("moat export: {refused}");
                return ExitCode::from(2);
            }
        }
    };
    let files: Vec<(String, Vec<u8>)> = files
        .into_iter()
        .map(|f| (f.name, f.contents.into_bytes()))
        .collect();
    write_files(&files, output)
}

fn write_files(files: &[(String, Vec<u8>)], output: Option<&Path>) -> ExitCode {
    if output == Some(Path::new("-")) {
        if files.len() != 1 {
            eprintln!(
                "moat export: this format writes {} files: name a directory with --output",
                files.len()
            );
            return ExitCode::from(2);
        }
        let _ = std::io::stdout().write_all(&files[0].1);
        return ExitCode::SUCCESS;
    }
    let directory = output.unwrap_or(Path::new("."));
    if let Err(error) = std::fs::create_dir_all(directory) {
        eprintln!(
            "moat export: cannot create {}: {error}",
            directory.display()
        );
        return ExitCode::from(2);
    }
    for (name, contents) in files {
        let path = directory.join(name);
        if let Err(error) = std::fs::write(&path, contents) {
            eprintln!("moat export: cannot write {}: {error}", path.display());
            return ExitCode::from(2);
        }
        if name.ends_with(".sh") {
            use std::os::unix::fs::PermissionsExt;
            let _ = std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755));
        }
        say!("{}", path.display());
    }
    ExitCode::SUCCESS
}
