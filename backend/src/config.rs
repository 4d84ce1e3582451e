//! Server settings. They come only from the server's own command line and environment
//! (`MOAT_*`, and the standard AWS variables read by the SDK): never from a request.

use std::path::PathBuf;

/// Settings of a running server.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Where the SQLite database lives.
    pub data_dir: PathBuf,
    /// The built frontend (Trunk's dist folder), if served.
    pub static_dir: Option<PathBuf>,
    /// Mark cookies `Secure` (set when Moat is served over TLS, directly or behind a proxy).
    pub secure_cookies: bool,
    /// Largest accepted request body, in bytes.
    pub body_limit_bytes: usize,
    /// Deployment targets (regions) under the two-person rule: a deployment there waits until a
    /// different deployer approves the exact plan.
    pub protected_targets: Vec<String>,
    /// How deployments run (parallelism, retries).
    pub apply: crate::provision::ApplyOptions,
    /// Proxies (load balancers) whose `Forwarded` / `X-Forwarded-For` headers are believed:
    /// behind them, the client is the address they recorded, not the proxy.
    pub trusted_proxies: Vec<ipnet::IpNet>,
}

impl Settings {
    pub fn database_path(&self) -> PathBuf {
        self.data_dir.join("moat.sqlite")
    }
}

/// The default data directory: `$XDG_DATA_HOME/moat`, else `~/.local/share/moat`.
pub fn default_data_dir() -> PathBuf {
    if let Some(data_home) = std::env::var_os("XDG_DATA_HOME").filter(|value| !value.is_empty()) {
        return PathBuf::from(data_home).join("moat");
    }
    let home = std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("."));
    home.join(".local/share/moat")
}
