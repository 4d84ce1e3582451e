//! The browser suite: the real app in headless Chromium, against the real server and moto.
//! One test binary; tests run one at a time (each owns a Chromium).

mod accessibility;
mod accounts;
mod analysis;
mod designer;
mod documents;
mod legibility;
mod slice;
mod templates;
mod use_cases;
mod workspace;

/// Browser tests share the machine's two cores: run them one at a time.
pub static ONE_BROWSER_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());
