//! The `moat` binary: `serve`, `user add`, `validate`, `template`, `schema`, and the analysis
//! commands `explain`, `matrix` and `cost`.

/// mimalloc for the whole process (see the reason in Cargo.toml).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// `println!` that never panics: a closed pipe (`moat cost f.json | head`) ends the output
/// quietly instead of aborting the program.
macro_rules! say {
    ($($argument:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($argument)*);
    }};
}

/// `print!` that never panics, for whole documents.
macro_rules! say_raw {
    ($($argument:tt)*) => {{
        use std::io::Write as _;
        let _ = write!(std::io::stdout(), $($argument)*);
    }};
}

mod analysis_commands;
mod provision_commands;

use std::io::{IsTerminal, Read, Write};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, bail};
use backend::auth::{self, Role, UserStatus};
use backend::config::{self, Settings};
use backend::store::Store;
use clap::{Parser, Subcommand, ValueEnum};

#[derive(Parser)]
#[command(
    name = "moat",
    version,
    about = "Design, check and deploy AWS VPC networks for ML workloads"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the server: the app and its API.
    Serve {
        /// Address to listen on (port 0 picks a free port; the URL is printed).
        #[arg(long, env = "MOAT_BIND", default_value = "127.0.0.1:8080")]
        bind: SocketAddr,
        /// Where the SQLite database lives.
        #[arg(long, env = "MOAT_DATA_DIR")]
        data_dir: Option<PathBuf>,
        /// A PostgreSQL URL (`postgres://…`) instead of the SQLite file: several servers can
        /// then share it behind a load balancer.
        #[arg(long, env = "MOAT_DATABASE_URL")]
        database_url: Option<String>,
        /// The built frontend to serve (Trunk's dist folder).
        #[arg(long, env = "MOAT_STATIC_DIR")]
        static_dir: Option<PathBuf>,
        /// Deployment targets (regions, comma-separated) under the two-person rule: a
        /// deployment there waits until a different deployer approves it.
        #[arg(long, env = "MOAT_PROTECTED_TARGETS", value_delimiter = ',')]
        protected_targets: Vec<String>,
        /// Mark cookies Secure (when served over TLS, directly or behind a proxy).
        #[arg(long, env = "MOAT_SECURE_COOKIES", default_value_t = false)]
        secure_cookies: bool,
        /// Proxies (comma-separated CIDR blocks or addresses) whose X-Forwarded-For or
        /// Forwarded header names the client; from any other peer the headers are ignored.
        #[arg(long, env = "MOAT_TRUSTED_PROXIES", value_delimiter = ',', value_parser = backend::api::client_address::parse_trusted_proxy)]
        trusted_proxies: Vec<ipnet::IpNet>,
    },
    /// Copy the SQLite database to FILE, consistently, while the server runs (PostgreSQL:
    /// use pg_dump).
    Backup {
        /// A new file (an existing one is never overwritten).
        file: PathBuf,
        #[arg(long, env = "MOAT_DATA_DIR")]
        data_dir: Option<PathBuf>,
        #[arg(long, env = "MOAT_DATABASE_URL")]
        database_url: Option<String>,
    },
    /// Put a backup taken with `moat backup` in place of the SQLite database (stop the server
    /// first). The database it replaces is kept beside it as moat.sqlite.before-restore-TIME.
    Restore {
        file: PathBuf,
        #[arg(long, env = "MOAT_DATA_DIR")]
        data_dir: Option<PathBuf>,
        #[arg(long, env = "MOAT_DATABASE_URL")]
        database_url: Option<String>,
    },
    /// Manage users.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Print the JSON Schema of the design document.
    Schema,
    /// Print the OpenAPI document of the HTTP API (as served at /api/v1/openapi.json).
    Openapi,
    /// The built-in templates.
    Template {
        #[command(subcommand)]
        command: TemplateCommand,
    },
    /// Validate design files and print their diagnostics.
    Validate {
        files: Vec<PathBuf>,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Can traffic get from one place to another? Prints the path hop by hop, or why not.
    /// Exit 0 reachable, 1 blocked, 2 bad input.
    Explain {
        file: PathBuf,
        /// A subnet or workload id; `internet`; a customer gateway id or an on-premises address.
        #[arg(long)]
        from: String,
        /// A subnet or workload id, `internet`, a service (`s3`, `sagemaker.api`, …), a
        /// customer gateway id or an on-premises address.
        #[arg(long)]
        to: String,
        /// tcp, udp, icmp, all, or an IP protocol number (50 for ESP).
        #[arg(long, default_value = "tcp", value_parser = analysis_commands::parse_protocol)]
        protocol: shared::model::Protocol,
        #[arg(long, default_value_t = 443)]
        port: u16,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// For every subnet: the internet (both ways), S3, DynamoDB, each interface endpoint
    /// service, each on-premises network.
    Matrix {
        file: PathBuf,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// The monthly cost of the design and its flows, with suggestions.
    Cost {
        file: PathBuf,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// What an apply would change in the account (AWS from the standard environment).
    Plan {
        file: PathBuf,
        /// The stable id the design's resources are tagged and found with (the server's design
        /// id, or any id of your own: the same one every time, never shared by two designs).
        #[arg(long)]
        design_id: String,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// Exit 0 when nothing would change, 2 when something would, 1 on an error (for CI).
        #[arg(long)]
        detailed_exitcode: bool,
    },
    /// Make the account match the design: preflight, plan, apply with progress.
    Apply {
        file: PathBuf,
        /// The stable id the design's resources are tagged and found with.
        #[arg(long)]
        design_id: String,
        /// Apply without asking (needed when standard input is not a terminal).
        #[arg(long)]
        yes: bool,
    },
    /// Remove everything tagged with the design.
    Destroy {
        file: PathBuf,
        /// The stable id the design's resources are tagged and found with.
        #[arg(long)]
        design_id: String,
        /// Destroy without asking (needed when standard input is not a terminal).
        #[arg(long)]
        yes: bool,
    },
    /// Print the least-privilege IAM policy applying and destroying the design needs.
    IamPolicy { file: PathBuf },
    /// Export the design: json, cloudformation-yaml, cloudformation-json, terraform, cli,
    /// drawio, svg or png.
    Export {
        file: PathBuf,
        #[arg(long)]
        format: String,
        /// A directory for the files (default: here); `-` prints a one-file export.
        #[arg(long)]
        output: Option<PathBuf>,
        /// The design id written into the ownership tags (default: `moat-draft`; the scripts,
        /// Terraform and CloudFormation also take it at run time).
        #[arg(long)]
        design_id: Option<String>,
        /// `png` only: pixels per SVG unit, 0.1 to 8.
        #[arg(long, default_value_t = 2.0)]
        scale: f32,
    },
    /// Read an existing VPC and everything in it into a design (printed as JSON).
    Import {
        #[arg(long)]
        vpc_id: String,
        /// The VPC's region (default: AWS_REGION, else us-east-1).
        #[arg(long)]
        region: Option<String>,
    },
    /// What changed in the account outside Moat since the design was applied (exit 1 if any).
    Drift {
        file: PathBuf,
        /// The stable id the design's resources are tagged and found with.
        #[arg(long)]
        design_id: String,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
}

#[derive(Subcommand)]
enum TemplateCommand {
    /// List the templates: name, then title.
    List,
    /// Print a template's design document (JSON).
    Show { name: String },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Add an active user; the password is read from standard input.
    Add {
        name: String,
        #[arg(long, value_enum)]
        role: RoleArgument,
        #[arg(long, env = "MOAT_DATA_DIR")]
        data_dir: Option<PathBuf>,
        #[arg(long, env = "MOAT_DATABASE_URL")]
        database_url: Option<String>,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum RoleArgument {
    Viewer,
    Designer,
    Deployer,
    Admin,
}

impl From<RoleArgument> for Role {
    fn from(argument: RoleArgument) -> Role {
        match argument {
            RoleArgument::Viewer => Role::Viewer,
            RoleArgument::Designer => Role::Designer,
            RoleArgument::Deployer => Role::Deployer,
            RoleArgument::Admin => Role::Admin,
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    Text,
    Json,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Validate { files, format } => validate_files(&files, format),
        Command::Explain {
            file,
            from,
            to,
            protocol,
            port,
            format,
        } => analysis_commands::explain(&file, &from, &to, protocol, port, format == Format::Json),
        Command::Matrix { file, format } => {
            analysis_commands::matrix(&file, format == Format::Json)
        }
        Command::Cost { file, format } => analysis_commands::cost(&file, format == Format::Json),
        Command::Openapi => {
            say_raw!("{}", backend::api::openapi::document_json());
            ExitCode::SUCCESS
        }
        Command::Schema => {
            say_raw!("{}", shared::spec::json_schema());
            ExitCode::SUCCESS
        }
        Command::Template {
            command: TemplateCommand::List,
        } => {
            for template in shared::templates::TEMPLATES {
                say!("{:<22} {}", template.name, template.title);
            }
            ExitCode::SUCCESS
        }
        Command::Template {
            command: TemplateCommand::Show { name },
        } => match shared::templates::template(&name) {
            Some(template) => {
                say_raw!("{}", template.document);
                ExitCode::SUCCESS
            }
            None => {
                let names: Vec<&str> = shared::templates::TEMPLATES
                    .iter()
                    .map(|t| t.name)
                    .collect();
                eprintln!(
                    "moat template show: no template named \"{name}\"; the templates are: {}",
                    names.join(", ")
                );
                ExitCode::from(2)
            }
        },
        Command::Plan {
            file,
            design_id,
            format,
            detailed_exitcode,
        } => provision_commands::plan(&file, &design_id, format == Format::Json, detailed_exitcode),
        Command::Apply {
            file,
            design_id,
            yes,
        } => provision_commands::apply(&file, &design_id, false, yes),
        Command::Destroy {
            file,
            design_id,
            yes,
        } => provision_commands::apply(&file, &design_id, true, yes),
        Command::IamPolicy { file } => provision_commands::iam_policy(&file),
        Command::Import { vpc_id, region } => provision_commands::import(&vpc_id, region),
        Command::Export {
            file,
            format,
            output,
            design_id,
            scale,
        } => provision_commands::export(&file, &format, output.as_deref(), design_id, scale),
        Command::Drift {
            file,
            design_id,
            format,
        } => provision_commands::drift(&file, &design_id, format == Format::Json),
        command => {
            let runtime = match tokio::runtime::Runtime::new() {
                Ok(runtime) => runtime,
                Err(error) => {
                    eprintln!("moat: cannot start the async runtime: {error}");
                    return ExitCode::FAILURE;
                }
            };
            match runtime.block_on(run(command)) {
                Ok(()) => ExitCode::SUCCESS,
                Err(error) => {
                    eprintln!("moat: {error:#}");
                    ExitCode::FAILURE
                }
            }
        }
    }
}

async fn open_store(
    data_dir: Option<PathBuf>,
    database_url: Option<String>,
) -> anyhow::Result<(Store, PathBuf)> {
    let data_dir = data_dir.unwrap_or_else(config::default_data_dir);
    std::fs::create_dir_all(&data_dir)
        .with_context(|| format!("creating the data dir {}", data_dir.display()))?;
    if let Some(url) = database_url.filter(|url| !url.is_empty()) {
        let store = Store::open(&url)
            .await
            .context("opening the database at MOAT_DATABASE_URL (the password is not shown)")?;
        return Ok((store, data_dir));
    }
    let path = data_dir.join("moat.sqlite");
    let store = Store::open_sqlite(&path)
        .await
        .with_context(|| format!("opening the database {}", path.display()))?;
    Ok((store, data_dir))
}

/// `moat restore`: checks the backup (a Moat database, intact), migrates a copy of it beside
/// the live file, moves the live file and its WAL aside, and puts the copy in its place. The
/// backup itself is never changed.
async fn restore(
    file: &Path,
    data_dir: Option<PathBuf>,
    database_url: Option<String>,
) -> anyhow::Result<()> {
    if database_url.is_some_and(|url| !url.is_empty()) {
        bail!("a PostgreSQL database is restored with pg_restore or psql, not moat restore");
    }
    if !file.is_file() {
        bail!("{} does not exist or is not a file", file.display());
    }
    Store::check_backup(file).await?;
    let data_dir = data_dir.unwrap_or_else(config::default_data_dir);
    std::fs::create_dir_all(&data_dir)
        .with_context(|| format!("creating the data dir {}", data_dir.display()))?;
    let live = data_dir.join("moat.sqlite");
    let incoming = data_dir.join("moat.sqlite.restoring");
    let _ = std::fs::remove_file(&incoming);
    std::fs::copy(file, &incoming)
        .with_context(|| format!("copying {} into {}", file.display(), data_dir.display()))?;
    // A backup from an older build is brought up to this build's schema (in the copy).
    let store = Store::open_sqlite(&incoming)
        .await
        .with_context(|| format!("opening the copy of {}", file.display()))?;
    store.execute_raw("PRAGMA wal_checkpoint(TRUNCATE)").await?;
    store.close().await;
    let kept = if live.exists() {
        let aside = data_dir.join(format!(
            "moat.sqlite.before-restore-{}",
            backend::store::now()
        ));
        std::fs::rename(&live, &aside)
            .with_context(|| format!("moving {} aside", live.display()))?;
        for suffix in ["-wal", "-shm"] {
            let companion = data_dir.join(format!("moat.sqlite{suffix}"));
            if companion.exists() {
                let aside_companion = PathBuf::from(format!("{}{suffix}", aside.display()));
                std::fs::rename(&companion, &aside_companion)
                    .with_context(|| format!("moving {} aside", companion.display()))?;
            }
        }
        Some(aside)
    } else {
        None
    };
    for suffix in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(data_dir.join(format!("moat.sqlite.restoring{suffix}")));
    }
    std::fs::rename(&incoming, &live)
        .with_context(|| format!("putting the restored database at {}", live.display()))?;
    say!("restored {} to {}", file.display(), live.display());
    if let Some(aside) = kept {
        say!("the database it replaced is kept at {}", aside.display());
    }
    Ok(())
}

/// How long a stopping server waits for open connections (an event stream lasts as long as
/// its deployment).
const SHUTDOWN_BOUND: std::time::Duration = std::time::Duration::from_secs(10);

/// SIGTERM or Ctrl-C (SIGINT), whichever comes first. The handlers are installed when this
/// is called (before the server says it listens), not when the future is first polled, so a
/// signal sent right after start-up is never missed.
fn shutdown_signal() -> impl std::future::Future<Output = ()> + Send + 'static {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let terminate = signal(SignalKind::terminate());
        let interrupt = signal(SignalKind::interrupt());
        async move {
            match (terminate, interrupt) {
                (Ok(mut terminate), Ok(mut interrupt)) => {
                    tokio::select! {
                        _ = terminate.recv() => {}
                        _ = interrupt.recv() => {}
                    }
                }
                (Err(error), _) | (_, Err(error)) => {
                    tracing::warn!(%error, "cannot listen for SIGTERM or SIGINT; falling back to Ctrl-C");
                    let _ = tokio::signal::ctrl_c().await;
                }
            }
        }
    }
    #[cfg(not(unix))]
    {
        async {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}

async fn run(command: Command) -> anyhow::Result<()> {
    match command {
        Command::Serve {
            bind,
            data_dir,
            database_url,
            static_dir,
            protected_targets,
            secure_cookies,
            trusted_proxies,
        } => {
            let filter = tracing_subscriber::EnvFilter::try_from_env("MOAT_LOG")
                .unwrap_or_else(|_| "info".into());
            // MOAT_LOG_FORMAT=json: one JSON object per line, with the request's span (its id).
            match std::env::var("MOAT_LOG_FORMAT").as_deref() {
                Ok("json") => tracing_subscriber::fmt()
                    .json()
                    .with_current_span(true)
                    .with_env_filter(filter)
                    .with_writer(std::io::stderr)
                    .init(),
                Ok("text") | Err(_) => tracing_subscriber::fmt()
                    .with_env_filter(filter)
                    .with_writer(std::io::stderr)
                    .init(),
                Ok(other) => bail!("MOAT_LOG_FORMAT is \"{other}\": use json or text"),
            }
            let (store, data_dir) = open_store(data_dir, database_url).await?;
            if let Some(dir) = &static_dir
                && !dir.join("index.html").is_file()
            {
                bail!(
                    "the static dir {} has no index.html: build the frontend first (cargo xtask run does)",
                    dir.display()
                );
            }
            let settings = Settings {
                data_dir,
                static_dir,
                secure_cookies,
                body_limit_bytes: 4 * 1024 * 1024,
                protected_targets: protected_targets
                    .into_iter()
                    .map(|target| target.trim().to_string())
                    .filter(|target| !target.is_empty())
                    .collect(),
                apply: backend::provision::ApplyOptions::default(),
                trusted_proxies,
            };
            // MOAT_LEASE_SECONDS: how long a deployment's lease lasts (default 30): another
            // server takes over a deployment whose server stopped renewing it after that long.
            let lease = match std::env::var("MOAT_LEASE_SECONDS") {
                Ok(text) => match text.trim().parse::<f64>() {
                    Ok(seconds) if seconds.is_finite() && (0.5..=3600.0).contains(&seconds) => {
                        std::time::Duration::from_secs_f64(seconds)
                    }
                    _ => bail!(
                        "MOAT_LEASE_SECONDS is \"{text}\": use a number of seconds from 0.5 to 3600"
                    ),
                },
                Err(_) => backend::deploy::DEFAULT_LEASE,
            };
            let leases = Arc::new(backend::deploy::Leases::new(lease));
            let network =
                backend::aws::Ec2Network::from_environment_as(Some(leases.server_id())).await;
            let state = backend::AppState {
                store,
                settings: Arc::new(settings),
                network: Arc::new(network),
                leases,
            };
            let listener = tokio::net::TcpListener::bind(bind)
                .await
                .with_context(|| format!("binding {bind}"))?;
            let address = listener.local_addr()?;
            let deployer = state.deployer();
            let resumed = deployer
                .claim_and_resume()
                .await
                .context("claiming the deployments no server holds")?;
            if resumed > 0 {
                tracing::info!(resumed, "resumed deployments no server held");
            }
            deployer.spawn_claims();
            tracing::info!(server = %deployer.leases.server_id(), lease_seconds = deployer.leases.duration().as_secs_f64(), "this server's id");
            let stop_requested = shutdown_signal();
            say!("Moat is listening on http://{address}");
            std::io::stdout().flush()?;
            // SIGTERM (what a service manager or a container runtime sends) or Ctrl-C: stop
            // accepting and claiming, let answers in flight finish and the running
            // deployments reach their next step within the bounds, release their leases (another
            // server resumes them at once), and exit 0.
            let (stopping_sender, mut stopping) = tokio::sync::watch::channel(false);
            let leases = deployer.leases.clone();
            let serving = backend::serve(listener, state, async move {
                stop_requested.await;
                tracing::info!("shutting down: no new connections, no new deployments");
                leases.stop();
                let _ = stopping_sender.send(true);
            });
            tokio::select! {
                answered = serving => answered?,
                () = async {
                    let _ = stopping.wait_for(|stopping| *stopping).await;
                    tokio::time::sleep(SHUTDOWN_BOUND).await;
                } => {
                    tracing::warn!(seconds = SHUTDOWN_BOUND.as_secs(), "connections still open at the shutdown bound (event streams): closing them");
                }
            }
            deployer
                .stop(SHUTDOWN_BOUND)
                .await
                .context("releasing this server's deployments")?;
            tracing::info!("stopped");
            Ok(())
        }
        Command::User {
            command:
                UserCommand::Add {
                    name,
                    role,
                    data_dir,
                    database_url,
                },
        } => {
            let mut password = String::new();
            if std::io::stdin().is_terminal() {
                eprint!("password for {name}: ");
            }
            std::io::stdin()
                .read_to_string(&mut password)
                .context("reading the password from standard input")?;
            let password = password.trim_end_matches(['\r', '\n']);
            let hash = auth::hash_password(password)?;
            let (store, _) = open_store(data_dir, database_url).await?;
            let user = store
                .create_user(&name, &hash, role.into(), UserStatus::Active)
                .await?;
            say!("added user {} with role {}", user.name, user.role.as_str());
            Ok(())
        }
        Command::Backup {
            file,
            data_dir,
            database_url,
        } => {
            let (store, _) = open_store(data_dir, database_url).await?;
            store.backup_to(&file).await?;
            store.close().await;
            say!("backed up the database to {}", file.display());
            Ok(())
        }
        Command::Restore {
            file,
            data_dir,
            database_url,
        } => restore(&file, data_dir, database_url).await,
        Command::Validate { .. }
        | Command::Schema
        | Command::Openapi
        | Command::Template { .. }
        | Command::Explain { .. }
        | Command::Matrix { .. }
        | Command::Cost { .. }
        | Command::Plan { .. }
        | Command::Apply { .. }
        | Command::Destroy { .. }
        | Command::IamPolicy { .. }
        | Command::Drift { .. }
        | Command::Import { .. }
        | Command::Export { .. } => {
            unreachable!("handled without a runtime")
        }
    }
}

/// Exit 0 when no file has errors, 1 when one does, 2 when a file cannot be read or parsed.
fn validate_files(files: &[PathBuf], format: Format) -> ExitCode {
    if files.is_empty() {
        eprintln!("moat validate: name at least one design file");
        return ExitCode::from(2);
    }
    let mut worst = 0u8;
    let mut all = Vec::new();
    for file in files {
        let shown = file.display().to_string();
        let text = match std::fs::read_to_string(file) {
            Ok(text) => text,
            Err(error) => {
                eprintln!("{shown}: cannot read: {error}");
                worst = 2;
                continue;
            }
        };
        let design = match shared::spec::load_design(&text) {
            Ok(design) => design,
            Err(error) => {
                eprintln!("{shown}: {error}");
                worst = 2;
                continue;
            }
        };
        let diagnostics = shared::validate(&design);
        if diagnostics.iter().any(|d| d.is_error()) && worst < 1 {
            worst = 1;
        }
        if format == Format::Text {
            for diagnostic in &diagnostics {
                say!(
                    "{shown}: {}[{}]: {}",
                    diagnostic.severity.as_str(),
                    diagnostic.code,
                    diagnostic.message
                );
                say!("  hint: {}", diagnostic.hint);
            }
        }
        all.extend(diagnostics);
    }
    if format == Format::Json {
        say!("{}", serde_json::json!({"diagnostics": all}));
    }
    ExitCode::from(worst)
}
