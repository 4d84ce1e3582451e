//! Moat's automation, in Rust rather than shell: `cargo xtask run | test | bench | setup`.
//!
//! Everything a fresh Debian machine lacks is installed here, at pinned versions, under the
//! cache dir (`$MOAT_CACHE_DIR`, default `~/.cache/moat`), so Trunk never downloads anything:
//! the wasm32 target, Trunk, wasm-bindgen-cli (the version in Cargo.lock), wasm-opt (npm
//! `binaryen`; Debian's breaks the app), and for tests moto's server with the export judges (a
//! venv), checkov (a venv of its own) and Chromium with chromedriver (apt). Builds use `$CARGO_TARGET_DIR`, default `<cache>/target`, outside the clone.

mod bench;
mod precompress;
mod setup;
mod split;

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, bail};

fn main() -> anyhow::Result<()> {
    let arguments: Vec<String> = std::env::args().skip(1).collect();
    let paths = Paths::discover()?;
    match arguments.first().map(String::as_str) {
        Some("run") => run(&paths, arguments.iter().any(|a| a == "--moto")),
        Some("build") => {
            setup::build_tools(&paths)?;
            build_frontend(&paths)
        }
        Some("test") => test(&paths),
        Some("bench") => bench::bench(&paths),
        Some("setup") => {
            setup::build_tools(&paths)?;
            setup::test_tools(&paths)?;
            Ok(())
        }
        _ => {
            eprintln!(
                "usage: cargo xtask <command>\n\n  run [--moto]  build the app and serve it on http://127.0.0.1:8080\n                (--moto: also start a local moto EC2 to deploy into)\n  build         build the app (the page and its on-demand parts) into the dist folder only\n  test          every check and test: fmt, clippy (native + wasm32), unit, integration, browser\n  bench         benchmarks: page size, validation speed\n  setup         install every tool the other commands need"
            );
            bail!("no command given")
        }
    }
}

/// Where things live.
pub struct Paths {
    pub repo: PathBuf,
    pub cache: PathBuf,
    pub target: PathBuf,
    pub tools: PathBuf,
}

impl Paths {
    fn discover() -> anyhow::Result<Paths> {
        let repo = Path::new(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .context("xtask has no parent dir")?
            .to_path_buf();
        let cache = match std::env::var_os("MOAT_CACHE_DIR").filter(|v| !v.is_empty()) {
            Some(dir) => PathBuf::from(dir),
            None => PathBuf::from(std::env::var_os("HOME").context("HOME is not set")?)
                .join(".cache/moat"),
        };
        let target = match std::env::var_os("CARGO_TARGET_DIR").filter(|v| !v.is_empty()) {
            Some(dir) => PathBuf::from(dir),
            None => cache.join("target"),
        };
        let tools = cache.join("tools");
        std::fs::create_dir_all(&tools)?;
        Ok(Paths {
            repo,
            cache,
            target,
            tools,
        })
    }

    /// Trunk's output: the built frontend.
    pub fn dist(&self) -> PathBuf {
        self.target.join("dist")
    }

    pub fn moat_binary(&self) -> PathBuf {
        self.target.join("debug/moat")
    }

    /// PATH with the pinned tools first.
    pub fn tool_path(&self) -> std::ffi::OsString {
        let mut entries = vec![
            self.tools.join("bin"),
            self.tools.join("npm/node_modules/.bin"),
        ];
        if let Some(existing) = std::env::var_os("PATH") {
            entries.extend(std::env::split_paths(&existing));
        }
        std::env::join_paths(entries).unwrap_or_default()
    }

    /// A command run in the repo with the target dir and tool PATH set.
    pub fn command(&self, program: &str) -> Command {
        let mut command = Command::new(program);
        command
            .current_dir(&self.repo)
            .env("CARGO_TARGET_DIR", &self.target)
            .env("PATH", self.tool_path());
        command
    }
}

/// Runs a command, failing with its description when it fails.
pub fn run_step(description: &str, command: &mut Command) -> anyhow::Result<()> {
    eprintln!("==> {description}");
    let started = std::time::Instant::now();
    let status = command
        .status()
        .with_context(|| format!("{description}: could not start"))?;
    eprintln!(
        "<== {description}: {:.1} s",
        started.elapsed().as_secs_f64()
    );
    if !status.success() {
        bail!("{description} failed ({status})");
    }
    Ok(())
}

fn build_frontend(paths: &Paths) -> anyhow::Result<()> {
    run_step(
        "cargo fetch (Trunk builds offline)",
        paths.command("cargo").arg("fetch"),
    )?;
    run_step(
        "trunk build --release (frontend)",
        paths
            .command("trunk")
            .arg("build")
            .arg("--dist")
            .arg(paths.dist())
            .arg("--release"),
    )?;
    split::split_main_module(paths)?;
    eprintln!("==> brotli and gzip copies of the built app");
    precompress::precompress(&paths.dist())
}

fn run(paths: &Paths, with_moto: bool) -> anyhow::Result<()> {
    setup::build_tools(paths)?;
    if with_moto {
        setup::moto(paths)?;
    }
    build_frontend(paths)?;
    run_step("cargo build (server)", paths.command("cargo").arg("build"))?;
    let mut serve = paths.command(paths.moat_binary().to_str().unwrap_or("moat"));
    serve
        .arg("serve")
        .arg("--bind")
        .arg("127.0.0.1:8080")
        .arg("--static-dir")
        .arg(paths.dist());
    let _moto = if with_moto {
        let moto = setup::MotoServer::start(paths)?;
        // The same compatibility layer the tests put in front of moto (what moto lacks, in
        // EC2's wire format), so a deploy here works as it does in the tests.
        let layer = setup::CompatLayer::start(paths, &moto.url)?;
        serve
            .env("AWS_ENDPOINT_URL", &layer.url)
            .env("AWS_ACCESS_KEY_ID", "testing")
            .env("AWS_SECRET_ACCESS_KEY", "testing")
            .env("AWS_REGION", "us-east-1")
            .env("AWS_EC2_METADATA_DISABLED", "true");
        eprintln!(
            "moto's EC2 is at {}, behind Moat's compatibility layer at {} (deployments go there)",
            moto.url, layer.url
        );
        Some((moto, layer))
    } else {
        None
    };
    eprintln!(
        "Create an account first if you have none:\n  {} user add NAME --role deployer   (password on stdin)",
        paths.moat_binary().display()
    );
    let status = serve.status().context("starting moat serve")?;
    if !status.success() {
        bail!("moat serve exited with {status}");
    }
    Ok(())
}

/// The pinned Rust release: the workspace's `rust-version`; the compiler must be that release.
fn check_toolchain(paths: &Paths) -> anyhow::Result<()> {
    let manifest = std::fs::read_to_string(paths.repo.join("Cargo.toml"))?;
    let pinned = manifest
        .lines()
        .find_map(|line| line.trim().strip_prefix("rust-version = "))
        .map(|value| value.trim_matches('"').to_string())
        .context("Cargo.toml has no workspace rust-version")?;
    let output = paths.command("rustc").arg("--version").output()?;
    let version = String::from_utf8_lossy(&output.stdout).to_string();
    let release = version.split_whitespace().nth(1).unwrap_or_default();
    if release != pinned && !release.starts_with(&format!("{pinned}.")) {
        bail!(
            "this checkout is pinned to Rust {pinned} (Cargo.toml rust-version), but rustc is {release}: \
             install {pinned}, or move the pin on purpose and fix what the new clippy reports"
        );
    }
    Ok(())
}

fn test(paths: &Paths) -> anyhow::Result<()> {
    check_toolchain(paths)?;
    setup::build_tools(paths)?;
    setup::test_tools(paths)?;
    run_step(
        "cargo fmt --check",
        paths.command("cargo").args(["fmt", "--all", "--check"]),
    )?;
    run_step(
        "cargo clippy (native, all targets)",
        paths
            .command("cargo")
            .args(["clippy", "--all-targets", "--", "-D", "warnings"]),
    )?;
    run_step(
        "cargo clippy (wasm32: shared, frontend)",
        paths.command("cargo").args([
            "clippy",
            "-p",
            "shared",
            "-p",
            "frontend",
            "--target",
            "wasm32-unknown-unknown",
            "--",
            "-D",
            "warnings",
        ]),
    )?;
    build_frontend(paths)?;
    run_step(
        "cargo test (unit, integration, browser)",
        paths
            .command("cargo")
            .arg("test")
            .env("MOAT_E2E_DIST", paths.dist())
            .env("MOAT_E2E_MOTO", setup::moto_server_path(paths))
            .env("MOAT_E2E_CHECKOV", setup::checkov_path(paths))
            .env("MOAT_E2E_AXE", setup::axe_path(paths))
            .env("MOAT_E2E_CHROMEDRIVER", "/usr/bin/chromedriver"),
    )?;
    // The storage suite again, on PostgreSQL: a running server named by
    // MOAT_TEST_DATABASE_URL, or a private cluster started here from Debian's packages.
    let given = std::env::var("MOAT_TEST_DATABASE_URL")
        .ok()
        .filter(|url| !url.is_empty());
    let cluster = match given {
        Some(_) => None,
        None => Some(setup::PostgresCluster::start()?),
    };
    let url = cluster
        .as_ref()
        .map(|cluster| cluster.url.clone())
        .or_else(|| std::env::var("MOAT_TEST_DATABASE_URL").ok())
        .unwrap_or_default();
    run_step(
        "cargo test --test api (the storage and API suite on PostgreSQL)",
        paths
            .command("cargo")
            .args(["test", "--test", "api"])
            .env("MOAT_TEST_DATABASE_URL", &url),
    )?;
    // Three real servers on that PostgreSQL, twenty rounds of kill -9 mid-deployment.
    run_step(
        "cargo test --test provision three_servers (several servers on PostgreSQL)",
        paths
            .command("cargo")
            .args([
                "test",
                "-p",
                "e2e",
                "--test",
                "provision",
                "three_servers_on_one_database",
            ])
            .env("MOAT_TEST_DATABASE_URL", &url)
            .env("MOAT_E2E_DIST", paths.dist())
            .env("MOAT_E2E_MOTO", setup::moto_server_path(paths)),
    )
}
