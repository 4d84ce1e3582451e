//! The backend's one integration-test binary: the API tested in-process with
//! `tower::ServiceExt::oneshot`, through a `TestApp` builder.

mod accounts;
mod auth;
mod cli;
mod deployments;
mod designs;
mod limits;
mod openapi;
mod static_files;
mod support;
