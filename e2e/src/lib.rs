//! Helpers for Moat's browser tests: each test gets its own moto server, its own `moat serve`
//! (the real binary, on port 0, with a fresh data dir) and its own headless Chromium.
//!
//! Every child process runs in its own process group and the whole group is killed on drop,
//! so a failing test leaves no Chromium, chromedriver, moto or server behind.
//!
//! [`faults`] is the fault-injection layer the provisioning tests put between the SDK and moto.

pub mod faults;
pub mod http;

use std::io::{BufRead, BufReader, Write};
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use fantoccini::actions::{
    InputSource, KeyAction, KeyActions, MOUSE_BUTTON_LEFT, MouseActions, PointerAction,
};
use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;

/// A child process killed (with its whole process group) on drop.
pub struct ChildGuard {
    child: Child,
}

impl ChildGuard {
    fn spawn(command: &mut Command) -> anyhow::Result<ChildGuard> {
        let child = command.process_group(0).spawn()?;
        Ok(ChildGuard { child })
    }
}

impl Drop for ChildGuard {
    fn drop(&mut self) {
        let group = format!("-{}", self.child.id());
        let _ = Command::new("kill")
            .args(["-KILL", "--", &group])
            .stderr(Stdio::null())
            .status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

fn wait_for_port(port: u16, what: &str) -> anyhow::Result<()> {
    let started = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        if started.elapsed() > Duration::from_secs(30) {
            bail!("{what} did not listen on port {port} within 30 s");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Ok(())
}

/// The build's target profile dir (`…/target/debug`), found from this test executable.
fn target_profile_dir() -> anyhow::Result<PathBuf> {
    let executable = std::env::current_exe()?;
    // Tests run from …/target/debug/deps/, binaries from …/target/debug/.
    let directory = executable.parent().context("executable has no directory")?;
    let profile_dir = if directory.ends_with("deps") {
        directory.parent().context("no target dir")?
    } else {
        directory
    };
    Ok(profile_dir.to_path_buf())
}

fn setting(
    variable: &str,
    default: impl FnOnce() -> anyhow::Result<PathBuf>,
) -> anyhow::Result<PathBuf> {
    let path = match std::env::var_os(variable).filter(|v| !v.is_empty()) {
        Some(value) => PathBuf::from(value),
        None => default()?,
    };
    if !path.exists() {
        bail!(
            "{variable}: {} does not exist; run the tests through `cargo xtask test`, which installs and builds it",
            path.display()
        );
    }
    Ok(path)
}

/// moto's standalone server on a free loopback port.
pub struct Moto {
    _process: ChildGuard,
    pub url: String,
}

impl Moto {
    pub fn start() -> anyhow::Result<Moto> {
        let binary = setting("MOAT_E2E_MOTO", || {
            let home = std::env::var_os("HOME").context("HOME is not set")?;
            Ok(PathBuf::from(home).join(".cache/moat/venv/bin/moto_server"))
        })?;
        let port = free_port()?;
        let process = ChildGuard::spawn(
            Command::new(binary)
                .args(["-H", "127.0.0.1", "-p", &port.to_string()])
                .stdout(Stdio::null())
                .stderr(Stdio::null()),
        )?;
        wait_for_port(port, "moto_server")?;
        Ok(Moto {
            _process: process,
            url: format!("http://127.0.0.1:{port}"),
        })
    }

    /// An EC2 client for checking what moto holds, independent of Moat's own code.
    pub fn ec2(&self) -> aws_sdk_ec2::Client {
        let credentials =
            aws_sdk_ec2::config::Credentials::new("testing", "testing", None, None, "e2e");
        let config = aws_sdk_ec2::Config::builder()
            .behavior_version(aws_sdk_ec2::config::BehaviorVersion::latest())
            .region(aws_sdk_ec2::config::Region::new("us-east-1"))
            .endpoint_url(&self.url)
            .credentials_provider(credentials)
            .build();
        aws_sdk_ec2::Client::from_conf(config)
    }
}

/// A user to create before the server starts.
pub struct TestUser {
    pub name: &'static str,
    pub role: &'static str,
    pub password: &'static str,
}

/// The real `moat serve`, on port 0, with a fresh data dir, deploying into moto.
pub struct MoatServer {
    _process: ChildGuard,
    _data_dir: DataDirectory,
    pub url: String,
}

/// A server's data directory: its own (removed with it), or another server's it shares.
enum DataDirectory {
    Own(tempfile::TempDir),
    Shared(PathBuf),
}

/// A program of the venv that holds moto (the AWS CLI, cfn-lint, python with python-hcl2).
pub fn venv_program(name: &str) -> anyhow::Result<PathBuf> {
    let moto = setting("MOAT_E2E_MOTO", || {
        let home = std::env::var_os("HOME").context("HOME is not set")?;
        Ok(PathBuf::from(home).join(".cache/moat/venv/bin/moto_server"))
    })?;
    let program = moto.with_file_name(name);
    if !program.is_file() {
        bail!(
            "{} does not exist; run the tests through `cargo xtask test`, which installs it",
            program.display()
        );
    }
    Ok(program)
}

/// checkov, the Terraform judge, in its own venv (`MOAT_E2E_CHECKOV`, set by `cargo xtask test`).
pub fn checkov_program() -> anyhow::Result<PathBuf> {
    let program = setting("MOAT_E2E_CHECKOV", || {
        let home = std::env::var_os("HOME").context("HOME is not set")?;
        Ok(PathBuf::from(home).join(".cache/moat/checkov-venv/bin/checkov"))
    })?;
    if !program.is_file() {
        bail!(
            "{} does not exist; run the tests through `cargo xtask test`, which installs it",
            program.display()
        );
    }
    Ok(program)
}

/// The `moat` binary of this build (or `MOAT_E2E_BINARY`).
pub fn moat_binary() -> anyhow::Result<PathBuf> {
    setting("MOAT_E2E_BINARY", || Ok(target_profile_dir()?.join("moat")))
}

impl MoatServer {
    /// Where the server keeps its SQLite database.
    pub fn data_dir(&self) -> &std::path::Path {
        match &self._data_dir {
            DataDirectory::Own(directory) => directory.path(),
            DataDirectory::Shared(path) => path,
        }
    }

    /// Another server on this server's database (as several servers behind a load balancer
    /// share one), with these `MOAT_*` settings. It must not outlive this one's directory.
    pub fn start_beside(
        &self,
        aws_endpoint: &str,
        settings: &[(&str, &str)],
    ) -> anyhow::Result<MoatServer> {
        Self::launch(
            DataDirectory::Shared(self.data_dir().to_path_buf()),
            aws_endpoint,
            &[],
            settings,
        )
    }

    /// Sends SIGTERM (what a service manager sends) and waits up to `bound` for the process
    /// to exit; its exit status, or an error when it did not exit in time.
    pub fn terminate(&mut self, bound: Duration) -> anyhow::Result<std::process::ExitStatus> {
        let status = Command::new("kill")
            .args(["-TERM", &self.pid().to_string()])
            .status()?;
        anyhow::ensure!(status.success(), "kill -TERM failed: {status}");
        let started = Instant::now();
        loop {
            if let Some(status) = self._process.child.try_wait()? {
                return Ok(status);
            }
            anyhow::ensure!(
                started.elapsed() < bound,
                "moat serve did not exit within {bound:?} of SIGTERM"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Kills the process at once (SIGKILL: no handler, no cleanup, as a crash or an OOM kill).
    pub fn kill_now(&mut self) -> anyhow::Result<()> {
        self._process.child.kill()?;
        self._process.child.wait()?;
        Ok(())
    }

    /// The server process's id (to read its memory from `/proc`).
    pub fn pid(&self) -> u32 {
        self._process.child.id()
    }

    /// The server with its AWS endpoint at `aws_endpoint`: moto, or the fault layer in front
    /// of it (which also serves what moto lacks).
    pub fn start(aws_endpoint: &str, users: &[TestUser]) -> anyhow::Result<MoatServer> {
        Self::start_with(aws_endpoint, users, &[])
    }

    /// Like [`MoatServer::start`], with extra server settings (`MOAT_*` variables).
    pub fn start_with(
        aws_endpoint: &str,
        users: &[TestUser],
        settings: &[(&str, &str)],
    ) -> anyhow::Result<MoatServer> {
        Self::start_in(tempfile::tempdir()?, aws_endpoint, users, settings)
    }

    /// Like [`MoatServer::start_with`], on a data directory that may already hold a database
    /// (a restored backup).
    pub fn start_in(
        data_dir: tempfile::TempDir,
        aws_endpoint: &str,
        users: &[TestUser],
        settings: &[(&str, &str)],
    ) -> anyhow::Result<MoatServer> {
        Self::launch(DataDirectory::Own(data_dir), aws_endpoint, users, settings)
    }

    fn launch(
        data_dir: DataDirectory,
        aws_endpoint: &str,
        users: &[TestUser],
        settings: &[(&str, &str)],
    ) -> anyhow::Result<MoatServer> {
        let binary = moat_binary()?;
        let data_path = match &data_dir {
            DataDirectory::Own(directory) => directory.path().to_path_buf(),
            DataDirectory::Shared(path) => path.clone(),
        };
        let dist = setting("MOAT_E2E_DIST", || {
            Ok(target_profile_dir()?
                .parent()
                .context("no target dir")?
                .join("dist"))
        })?;
        for user in users {
            let mut adding = Command::new(&binary)
                .args(["user", "add", user.name, "--role", user.role, "--data-dir"])
                .arg(&data_path)
                .envs(settings.iter().copied())
                .stdin(Stdio::piped())
                .stdout(Stdio::null())
                .spawn()?;
            adding
                .stdin
                .take()
                .context("no stdin")?
                .write_all(user.password.as_bytes())?;
            let status = adding.wait()?;
            if !status.success() {
                bail!("moat user add {} failed: {status}", user.name);
            }
        }
        let mut child = Command::new(&binary);
        child
            .args(["serve", "--bind", "127.0.0.1:0", "--data-dir"])
            .arg(&data_path)
            .arg("--static-dir")
            .arg(&dist)
            .env("AWS_ENDPOINT_URL", aws_endpoint)
            .env("AWS_ACCESS_KEY_ID", "testing")
            .env("AWS_SECRET_ACCESS_KEY", "testing")
            .env("AWS_REGION", "us-east-1")
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env("MOAT_LOG", "warn")
            .envs(settings.iter().copied())
            .stdout(Stdio::piped());
        let mut process = ChildGuard::spawn(&mut child)?;
        let stdout = process.child.stdout.take().context("no stdout")?;
        let mut first_line = String::new();
        BufReader::new(stdout).read_line(&mut first_line)?;
        let url = first_line
            .trim()
            .strip_prefix("Moat is listening on ")
            .with_context(|| format!("moat serve printed {first_line:?} instead of its URL"))?
            .to_string();
        Ok(MoatServer {
            _process: process,
            _data_dir: data_dir,
            url,
        })
    }
}

/// Headless Chromium driven through chromedriver.
pub struct Browser {
    pub client: Client,
    _driver: ChildGuard,
    _profile: tempfile::TempDir,
}

impl Browser {
    pub async fn start() -> anyhow::Result<Browser> {
        let chromedriver = setting("MOAT_E2E_CHROMEDRIVER", || {
            Ok(PathBuf::from("/usr/bin/chromedriver"))
        })?;
        let port = free_port()?;
        let driver = ChildGuard::spawn(
            Command::new(chromedriver)
                .arg(format!("--port={port}"))
                .stdout(Stdio::null())
                .stderr(Stdio::null()),
        )?;
        wait_for_port(port, "chromedriver")?;
        let profile = tempfile::tempdir()?;
        let mut capabilities = serde_json::Map::new();
        capabilities.insert(
            "goog:chromeOptions".to_string(),
            json!({
                "binary": "/usr/bin/chromium",
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--window-size=1400,900",
                    format!("--user-data-dir={}", profile.path().display()),
                ],
            }),
        );
        let client = ClientBuilder::rustls()?
            .capabilities(capabilities)
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
            .context("connecting to chromedriver")?;
        Ok(Browser {
            client,
            _driver: driver,
            _profile: profile,
        })
    }

    /// Runs axe-core (Deque's accessibility rules, `MOAT_E2E_AXE`, installed by `cargo xtask
    /// test`) on the page as it is now and returns its serious and critical violations, one line
    /// each: the rule, its impact, its help text and the elements it names.
    pub async fn serious_accessibility_violations(&self) -> anyhow::Result<Vec<String>> {
        let script = setting("MOAT_E2E_AXE", || {
            let home = std::env::var_os("HOME").context("HOME is not set")?;
            Ok(PathBuf::from(home).join(".cache/moat/tools/axe/node_modules/axe-core/axe.min.js"))
        })?;
        let present = self
            .client
            .execute("return typeof window.axe === 'object';", vec![])
            .await?;
        if present != json!(true) {
            let source = std::fs::read_to_string(&script)
                .with_context(|| format!("reading {}", script.display()))?;
            self.client.execute(&source, vec![]).await?;
        }
        let found = self
            .client
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 axe.run(document, { resultTypes: ['violations'] })
                   .then(r => done(r.violations
                     .filter(v => v.impact === 'serious' || v.impact === 'critical')
                     .map(v => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map(n => `${n.target.join(' ')} (${n.any.concat(n.all).map(c => c.message).join('; ')})`).join(', ')}`)))
                   .catch(e => done([`axe failed: ${e}`]));",
                vec![],
            )
            .await?;
        Ok(found
            .as_array()
            .map(|lines| {
                lines
                    .iter()
                    .filter_map(|line| line.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default())
    }

    /// Runs `script` and reads the array of strings it returns (findings, ids, lines).
    pub async fn strings(
        &self,
        script: &str,
        arguments: Vec<serde_json::Value>,
    ) -> anyhow::Result<Vec<String>> {
        let found = self.client.execute(script, arguments).await?;
        Ok(found
            .as_array()
            .map(|items| {
                items
                    .iter()
                    .filter_map(|item| item.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default())
    }

    /// Signs `user` in through the header's form, as a person types it, and waits for the
    /// header to name them.
    pub async fn sign_in(&self, user: &TestUser) -> anyhow::Result<()> {
        self.replace_input_text("input[aria-label='Name']", user.name)
            .await?;
        self.find("input[aria-label='Password']")
            .await?
            .send_keys(&format!("{}\n", user.password))
            .await?;
        self.wait_until(
            &format!(
                "document.querySelector('#signed-in-as')?.textContent === '{} ({})'",
                user.name, user.role
            ),
            10,
        )
        .await
    }

    /// Stores the draft on the server with the header's "Save as new design", as a person
    /// clicks it, and waits until the page names the new design.
    pub async fn save_as_new_design(&self) -> anyhow::Result<()> {
        self.client
            .execute(
                "[...document.querySelectorAll('header button')].find(b => b.textContent === 'Save as new design').click();",
                vec![],
            )
            .await?;
        self.wait_until(
            "document.querySelector('#document-state')?.dataset.saved === 'true'",
            10,
        )
        .await
    }

    /// Shows a tab of the side panel or of the drawer below the canvas (`inspect`,
    /// `analysis`, `deploy`, `files`, `history`, `admin`; `problems`, `matrix`), as a person
    /// clicks it.
    pub async fn show_tab(&self, name: &str) -> anyhow::Result<()> {
        self.click(&format!("button[role=tab][data-tab='{name}']"))
            .await?;
        self.wait_until(
            &format!(
                "document.querySelector(\"button[role=tab][data-tab='{name}']\")?.getAttribute('aria-selected') === 'true'"
            ),
            5,
        )
        .await
    }

    /// Waits up to 20 s for an element.
    pub async fn find(&self, css: &str) -> anyhow::Result<Element> {
        self.client
            .wait()
            .at_most(Duration::from_secs(20))
            .for_element(Locator::Css(css))
            .await
            .with_context(|| format!("no element matches {css}"))
    }

    /// Polls `condition` (a JS expression) until it is true, up to `seconds`.
    pub async fn wait_until(&self, expression: &str, seconds: u64) -> anyhow::Result<()> {
        let started = Instant::now();
        loop {
            let value = self
                .client
                .execute(&format!("return Boolean({expression});"), vec![])
                .await?;
            if value == json!(true) {
                return Ok(());
            }
            if started.elapsed() > Duration::from_secs(seconds) {
                bail!("timed out after {seconds} s waiting for: {expression}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// The top-left corner of an element in viewport coordinates.
    pub async fn element_origin(&self, css: &str) -> anyhow::Result<(f64, f64)> {
        // Right after a page load the app may not be mounted yet: wait for the element.
        self.find(css).await?;
        let value = self
            .client
            .execute(
                "const r = document.querySelector(arguments[0]).getBoundingClientRect(); return [r.left, r.top];",
                vec![json!(css)],
            )
            .await?;
        let x = value[0].as_f64().context("no x")?;
        let y = value[1].as_f64().context("no y")?;
        Ok((x, y))
    }

    /// Drags `source` with the mouse and releases it at a viewport point.
    pub async fn drag_to(&self, source: &Element, x: f64, y: f64) -> anyhow::Result<()> {
        let actions = MouseActions::new("mouse".to_string())
            .then(PointerAction::MoveToElement {
                element: source.clone(),
                duration: None,
                x: 0.0,
                y: 0.0,
            })
            .then(PointerAction::Down {
                button: MOUSE_BUTTON_LEFT,
            })
            .then(PointerAction::MoveTo {
                duration: Some(Duration::from_millis(150)),
                x: x / 2.0,
                y: y / 2.0,
            })
            .then(PointerAction::MoveTo {
                duration: Some(Duration::from_millis(150)),
                x,
                y,
            })
            .then(PointerAction::Up {
                button: MOUSE_BUTTON_LEFT,
            });
        self.client.perform_actions(actions).await?;
        Ok(())
    }

    /// Presses the mouse at one viewport point, moves to another and releases it, optionally
    /// with Shift held throughout (a rubber band, an additive band, a drag of an object).
    pub async fn drag_between(
        &self,
        from: (f64, f64),
        to: (f64, f64),
        shift: bool,
    ) -> anyhow::Result<()> {
        let pause = Duration::from_millis(0);
        let mouse = MouseActions::new("mouse".to_string())
            .then(PointerAction::Pause { duration: pause })
            .then(PointerAction::MoveTo {
                duration: None,
                x: from.0,
                y: from.1,
            })
            .then(PointerAction::Down {
                button: MOUSE_BUTTON_LEFT,
            })
            .then(PointerAction::MoveTo {
                duration: Some(Duration::from_millis(120)),
                x: (from.0 + to.0) / 2.0,
                y: (from.1 + to.1) / 2.0,
            })
            .then(PointerAction::MoveTo {
                duration: Some(Duration::from_millis(120)),
                x: to.0,
                y: to.1,
            })
            .then(PointerAction::Up {
                button: MOUSE_BUTTON_LEFT,
            })
            .then(PointerAction::Pause { duration: pause });
        let mut keys = KeyActions::new("keyboard".to_string());
        let shift_key = char::from(fantoccini::key::Key::Shift);
        keys = keys.then(if shift {
            KeyAction::Down { value: shift_key }
        } else {
            KeyAction::Pause { duration: pause }
        });
        for _ in 0..5 {
            keys = keys.then(KeyAction::Pause { duration: pause });
        }
        keys = keys.then(if shift {
            KeyAction::Up { value: shift_key }
        } else {
            KeyAction::Pause { duration: pause }
        });
        self.client
            .perform_actions(fantoccini::actions::Actions::from(keys).and(mouse))
            .await?;
        Ok(())
    }

    /// Clicks a viewport point with Shift held (shift-select).
    pub async fn shift_click_at(&self, x: f64, y: f64) -> anyhow::Result<()> {
        self.drag_between((x, y), (x, y), true).await
    }

    /// Presses keys as a chord (`[Key::Control, 'z']`): all down in order, then all up.
    pub async fn press(&self, keys: &[char]) -> anyhow::Result<()> {
        let mut actions = KeyActions::new("keyboard".to_string());
        for key in keys {
            actions = actions.then(KeyAction::Down { value: *key });
        }
        for key in keys.iter().rev() {
            actions = actions.then(KeyAction::Up { value: *key });
        }
        self.client.perform_actions(actions).await?;
        Ok(())
    }

    /// Replaces the text of the input matching `css` (Ctrl+A, then `text` typed and Enter),
    /// then moves the focus away so the change is committed.
    pub async fn replace_input_text(&self, css: &str, text: &str) -> anyhow::Result<()> {
        self.find(css)
            .await?
            .send_keys(&format!("\u{E009}a\u{E000}{text}\n"))
            .await?;
        self.click("h1").await
    }

    /// Clicks the element matching `css`.
    pub async fn click(&self, css: &str) -> anyhow::Result<()> {
        self.find(css).await?.click().await?;
        Ok(())
    }

    /// Clicks `css`, which makes a download (an export, made by the on-demand export module
    /// or by the page), and waits until the page's download link names the new file.
    pub async fn click_and_wait_for_download(&self, css: &str) -> anyhow::Result<()> {
        self.client
            .execute(
                "document.querySelector('#download-link')?.removeAttribute('data-file-name');",
                vec![],
            )
            .await?;
        self.click(css).await?;
        self.wait_until(
            "!!document.querySelector('#download-link')?.getAttribute('data-file-name')",
            30,
        )
        .await
    }

    /// Saves a screenshot (for diagnosing a failure) and returns its path.
    pub async fn screenshot(&self, name: &str) -> anyhow::Result<PathBuf> {
        let png = self.client.screenshot().await?;
        let path = std::env::temp_dir().join(format!("moat-e2e-{name}.png"));
        std::fs::write(&path, png)?;
        Ok(path)
    }
}
