//! Installs what the commands need, each only when missing or at the wrong version.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

use crate::{Paths, run_step};

pub const TRUNK_VERSION: &str = "0.21.14";
pub const BINARYEN_VERSION: &str = "132.0.0";
/// Deque's accessibility rules engine, run in the page by the browser suite (npm `axe-core`).
pub const AXE_VERSION: &str = "4.14.1";
pub const MOTO_REQUIREMENT: &str = "moto[server]>=5.2,<5.3";
/// checkov judges the Terraform export. Pinned: a new release adds checks, and the judge's
/// table of checks Moat answers for is written against this one.
pub const CHECKOV_VERSION: &str = "3.3.30";

fn output_of(program: &Path, argument: &str) -> Option<String> {
    let output = Command::new(program).arg(argument).output().ok()?;
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).trim().to_string())
}

/// The `wasm-bindgen` crate's version in Cargo.lock: the CLI must match it exactly.
fn locked_wasm_bindgen_version(paths: &Paths) -> anyhow::Result<String> {
    let lock =
        std::fs::read_to_string(paths.repo.join("Cargo.lock")).context("reading Cargo.lock")?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line == "name = \"wasm-bindgen\""
            && let Some(version) = lines
                .next()
                .and_then(|next| next.strip_prefix("version = \""))
        {
            return Ok(version.trim_end_matches('"').to_string());
        }
    }
    bail!("Cargo.lock has no wasm-bindgen package")
}

/// The wasm32 target, Trunk, wasm-bindgen-cli and wasm-opt.
pub fn build_tools(paths: &Paths) -> anyhow::Result<()> {
    let installed_targets = Command::new("rustup")
        .args(["target", "list", "--installed"])
        .output();
    let has_wasm = installed_targets
        .map(|output| String::from_utf8_lossy(&output.stdout).contains("wasm32-unknown-unknown"))
        .unwrap_or(false);
    if !has_wasm {
        run_step(
            "rustup target add wasm32-unknown-unknown",
            Command::new("rustup").args(["target", "add", "wasm32-unknown-unknown"]),
        )?;
    }
    let bin = paths.tools.join("bin");
    if output_of(&bin.join("trunk"), "--version").is_none_or(|v| !v.contains(TRUNK_VERSION)) {
        run_step(
            &format!("cargo install trunk {TRUNK_VERSION} (once, ≈ 5 min)"),
            Command::new("cargo")
                .args([
                    "install",
                    "trunk",
                    "--locked",
                    "--version",
                    TRUNK_VERSION,
                    "--root",
                ])
                .arg(&paths.tools)
                .env_remove("CARGO_TARGET_DIR"),
        )?;
    }
    let bindgen_version = locked_wasm_bindgen_version(paths)?;
    if output_of(&bin.join("wasm-bindgen"), "--version")
        .is_none_or(|v| !v.ends_with(&bindgen_version))
    {
        // Without --locked: its lockfile pins a webpki-roots the registry mirror lacks.
        run_step(
            &format!("cargo install wasm-bindgen-cli {bindgen_version} (once, ≈ 1.5 min)"),
            Command::new("cargo")
                .args([
                    "install",
                    "wasm-bindgen-cli",
                    "--version",
                    &bindgen_version,
                    "--root",
                ])
                .arg(&paths.tools)
                .env_remove("CARGO_TARGET_DIR"),
        )?;
    }
    let npm_prefix = paths.tools.join("npm");
    let wasm_opt = npm_prefix.join("node_modules/.bin/wasm-opt");
    let major = BINARYEN_VERSION.split('.').next().unwrap_or_default();
    if output_of(&wasm_opt, "--version").is_none_or(|v| !v.contains(&format!("version {major}"))) {
        if which("npm").is_none() {
            apt_install(&["nodejs", "npm"])?;
        }
        std::fs::create_dir_all(&npm_prefix)?;
        run_step(
            &format!("npm install binaryen@{BINARYEN_VERSION} (wasm-opt)"),
            Command::new("npm")
                .args(["install", "--no-audit", "--no-fund", "--prefix"])
                .arg(&npm_prefix)
                .arg(format!("binaryen@{BINARYEN_VERSION}")),
        )?;
    }
    Ok(())
}

/// moto's server, checkov, Chromium and chromedriver.
pub fn test_tools(paths: &Paths) -> anyhow::Result<()> {
    moto(paths)?;
    checkov(paths)?;
    axe(paths)?;
    if which("chromium").is_none() || which("chromedriver").is_none() {
        apt_install(&["chromium", "chromium-driver"])?;
    }
    Ok(())
}

pub fn moto_server_path(paths: &Paths) -> PathBuf {
    paths.cache.join("venv/bin/moto_server")
}

/// The judges of the exports, in moto's venv (one resolver run keeps botocore compatible):
/// the AWS CLI runs the exported script, python-hcl2 parses the Terraform (cfn-lint comes
/// with moto[server]).
pub const JUDGE_REQUIREMENTS: [&str; 3] =
    ["awscli>=1.40,<2", "python-hcl2>=7,<9", "cfn-lint>=1,<2"];

/// moto's standalone server and the export judges in a venv under the cache dir.
pub fn moto(paths: &Paths) -> anyhow::Result<()> {
    let venv = paths.cache.join("venv");
    if moto_server_path(paths).is_file() {
        let judges_present = venv.join("bin/aws").is_file()
            && venv.join("bin/cfn-lint").is_file()
            && std::fs::read_dir(venv.join("lib"))
                .ok()
                .and_then(|mut dirs| dirs.next())
                .and_then(|dir| dir.ok())
                .is_some_and(|dir| dir.path().join("site-packages/hcl2").is_dir());
        if judges_present {
            return Ok(());
        }
        return run_step(
            "pip install the export judges (awscli, python-hcl2, cfn-lint)",
            Command::new(venv.join("bin/pip"))
                .args(["install", "--quiet", "--disable-pip-version-check"])
                .args(JUDGE_REQUIREMENTS),
        );
    }
    run_step(
        "python3 -m venv (for moto)",
        Command::new("python3").arg("-m").arg("venv").arg(&venv),
    )?;
    run_step(
        "pip install moto[server] and the export judges",
        Command::new(venv.join("bin/pip"))
            .args([
                "install",
                "--quiet",
                "--disable-pip-version-check",
                MOTO_REQUIREMENT,
            ])
            .args(JUDGE_REQUIREMENTS),
    )
}

pub fn checkov_path(paths: &Paths) -> PathBuf {
    paths.cache.join("checkov-venv/bin/checkov")
}

/// The script the browser suite injects to check each screen's accessibility.
pub fn axe_path(paths: &Paths) -> PathBuf {
    paths.tools.join("axe/node_modules/axe-core/axe.min.js")
}

/// axe-core from npm, under a prefix of its own (a plain JavaScript file; nothing runs here).
pub fn axe(paths: &Paths) -> anyhow::Result<()> {
    let prefix = paths.tools.join("axe");
    let installed = std::fs::read_to_string(prefix.join("node_modules/axe-core/package.json"))
        .is_ok_and(|text| text.contains(&format!("\"version\": \"{AXE_VERSION}\"")));
    if installed {
        return Ok(());
    }
    if which("npm").is_none() {
        apt_install(&["nodejs", "npm"])?;
    }
    std::fs::create_dir_all(&prefix)?;
    run_step(
        &format!("npm install axe-core@{AXE_VERSION} (the accessibility rules)"),
        Command::new("npm")
            .args(["install", "--no-audit", "--no-fund", "--prefix"])
            .arg(&prefix)
            .arg(format!("axe-core@{AXE_VERSION}")),
    )
}

/// checkov in a venv of its own: it pins a boto3 that moto's venv cannot share.
pub fn checkov(paths: &Paths) -> anyhow::Result<()> {
    if output_of(&checkov_path(paths), "--version").is_some_and(|v| v.trim() == CHECKOV_VERSION) {
        return Ok(());
    }
    let venv = paths.cache.join("checkov-venv");
    run_step(
        "python3 -m venv (for checkov)",
        Command::new("python3").arg("-m").arg("venv").arg(&venv),
    )?;
    run_step(
        &format!("pip install checkov {CHECKOV_VERSION} (the Terraform judge)"),
        Command::new(venv.join("bin/pip"))
            .args(["install", "--quiet", "--disable-pip-version-check"])
            .arg(format!("checkov=={CHECKOV_VERSION}")),
    )
}

fn which(program: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|path| {
        std::env::split_paths(&path)
            .map(|dir| dir.join(program))
            .find(|candidate| candidate.is_file())
    })
}

fn apt_install(packages: &[&str]) -> anyhow::Result<()> {
    run_step(
        "apt-get update",
        Command::new("apt-get").args(["update", "-qq"]),
    )?;
    run_step(
        &format!("apt-get install {}", packages.join(" ")),
        Command::new("apt-get")
            .args(["install", "-y", "-qq", "--no-install-recommends"])
            .args(packages)
            .env("DEBIAN_FRONTEND", "noninteractive"),
    )
}

/// A moto server on a free loopback port, stopped on drop.
pub struct MotoServer {
    child: Child,
    pub url: String,
}

impl MotoServer {
    pub fn start(paths: &Paths) -> anyhow::Result<MotoServer> {
        let port = std::net::TcpListener::bind("127.0.0.1:0")?
            .local_addr()?
            .port();
        let child = Command::new(moto_server_path(paths))
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .context("starting moto_server")?;
        let url = format!("http://127.0.0.1:{port}");
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            if started.elapsed() > Duration::from_secs(30) {
                bail!("moto_server did not listen on port {port} within 30 s");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        Ok(MotoServer { child, url })
    }
}

impl Drop for MotoServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The PostgreSQL server binaries Debian installs (`/usr/lib/postgresql/<major>/bin`).
fn postgres_bin_dir() -> Option<PathBuf> {
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|entry| entry.ok().map(|e| e.path().join("bin")))
        .filter(|bin| bin.join("initdb").is_file() && bin.join("pg_ctl").is_file())
        .collect();
    versions.sort();
    versions.pop()
}

/// A private PostgreSQL cluster for the storage suite: a fresh data dir, trust auth on
/// loopback, a free port; stopped and removed on drop. Installs Debian's `postgresql` first
/// when its server binaries are missing. PostgreSQL refuses to run as root, so as root the
/// cluster runs as the `postgres` user the package creates.
pub struct PostgresCluster {
    bin: PathBuf,
    root: PathBuf,
    data: PathBuf,
    as_postgres: bool,
    pub url: String,
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|out| String::from_utf8_lossy(&out.stdout).trim() == "0")
        .unwrap_or(false)
}

impl PostgresCluster {
    pub fn start() -> anyhow::Result<PostgresCluster> {
        if postgres_bin_dir().is_none() {
            apt_install(&["postgresql"])?;
        }
        let bin = postgres_bin_dir().context("PostgreSQL's server binaries are not installed")?;
        let port = std::net::TcpListener::bind("127.0.0.1:0")?
            .local_addr()?
            .port();
        // In the system's temp dir: the `postgres` user cannot enter a 0700 home directory.
        let root = std::env::temp_dir().join(format!("moat-postgres-{port}"));
        let _ = std::fs::remove_dir_all(&root);
        let data = root.join("data");
        std::fs::create_dir_all(&data)?;
        let as_postgres = is_root();
        let cluster = PostgresCluster {
            bin,
            root: root.clone(),
            data: data.clone(),
            as_postgres,
            url: format!("postgres://postgres@127.0.0.1:{port}/postgres"),
        };
        if as_postgres {
            run_step(
                "chown the PostgreSQL data dir to postgres",
                Command::new("chown")
                    .args(["-R", "postgres:postgres"])
                    .arg(&root),
            )?;
        }
        run_step(
            "initdb (PostgreSQL for the storage suite)",
            cluster
                .as_owner("initdb")
                .args([
                    "-A",
                    "trust",
                    "-U",
                    "postgres",
                    "--no-sync",
                    "-E",
                    "UTF8",
                    "-D",
                ])
                .arg(&data),
        )?;
        run_step(
            "pg_ctl start",
            cluster
                .as_owner("pg_ctl")
                .args(["-w", "-t", "60", "-l"])
                .arg(data.join("server.log"))
                .arg("-D")
                .arg(&data)
                .arg("-o")
                .arg(format!(
                    "-p {port} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200",
                    data.display()
                ))
                .arg("start"),
        )?;
        Ok(cluster)
    }

    fn as_owner(&self, program: &str) -> Command {
        let path = self.bin.join(program);
        if self.as_postgres {
            let mut command = Command::new("runuser");
            command.args(["-u", "postgres", "--"]).arg(path);
            command
        } else {
            Command::new(path)
        }
    }
}

impl Drop for PostgresCluster {
    fn drop(&mut self) {
        let _ = self
            .as_owner("pg_ctl")
            .args(["-w", "-m", "fast", "-D"])
            .arg(&self.data)
            .arg("stop")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

/// `moto_compat` (built by `cargo build` with the e2e crate) in front of a moto server: what
/// the tests put between the SDK and moto, without faults.
pub struct CompatLayer {
    child: Child,
    pub url: String,
}

impl CompatLayer {
    pub fn start(paths: &Paths, upstream: &str) -> anyhow::Result<CompatLayer> {
        let binary = paths.moat_binary().with_file_name("moto_compat");
        let mut child = Command::new(&binary)
            .arg(upstream)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .with_context(|| format!("starting {}", binary.display()))?;
        let stdout = child.stdout.take().context("no stdout from moto_compat")?;
        let mut first_line = String::new();
        std::io::BufRead::read_line(&mut std::io::BufReader::new(stdout), &mut first_line)?;
        let url = first_line
            .trim()
            .strip_prefix("listening on ")
            .with_context(|| format!("moto_compat printed {first_line:?} instead of its URL"))?
            .to_string();
        Ok(CompatLayer { child, url })
    }
}

impl Drop for CompatLayer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
