//! Moat's server: stores designs, authenticates users, and deploys designs to AWS.
//!
//! - [`config`]: settings from flags and `MOAT_*` variables.
//! - [`store`]: the database (sqlx, SQLite in the data dir), behind plain functions.
//! - [`auth`]: password hashing, sessions, roles, CSRF.
//! - [`api`]: the JSON API under `/api/v1` and its error type.
//! - [`deploy`]: deployment requests, the two-person rule, the journal, resuming at start-up.
//! - [`provision`]: the applier: runs a plan as a DAG with retries, journaled step by step.
//! - [`aws`]: the only module that knows aws-sdk-ec2.
//! - [`render`]: PNG from the SVG diagram (resvg).
//!
//! Error policy: library modules return `thiserror` types; the API maps them to a status and a
//! `{code, message}` body and logs the details server-side, never echoing internals; `anyhow` is
//! used only in the `moat` binary.

pub mod api;
pub mod auth;
pub mod aws;
pub mod config;
pub mod deploy;
pub mod digest;
pub mod heavy;
pub mod metrics;
pub mod provision;
pub mod render;
pub mod store;
pub mod workflow;

use std::future::Future;
use std::sync::Arc;

use axum::Router;
use tokio::net::TcpListener;

/// Everything a request handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub store: store::Store,
    pub settings: Arc<config::Settings>,
    pub network: Arc<dyn aws::NetworkApi>,
    /// This server's identity and the leases of the deployments it runs.
    pub leases: Arc<deploy::Leases>,
}

impl AppState {
    /// The deployment service over this state's database, network and settings.
    pub fn deployer(&self) -> deploy::Deployer {
        deploy::Deployer {
            store: self.store.clone(),
            network: self.network.clone(),
            settings: self.settings.clone(),
            leases: self.leases.clone(),
        }
    }
}

/// The whole HTTP application: API plus the built frontend.
pub fn app(state: AppState) -> Router {
    api::router(state)
}

/// Serves `app(state)` on `listener` until `shutdown` completes.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    // The peer address reaches handlers (sign-in rate limiting per client address).
    axum::serve(
        listener,
        app(state).into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}
