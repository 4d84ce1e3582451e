//! What the app does with the server, in one place: saving (first save and revisions),
//! reloading after a conflict, saving a copy, following a deployment, and the CSRF token every
//! state-changing request carries.

use leptos::prelude::*;
use shared::editor::Command;

use crate::server;
use crate::state::AppState;
use crate::state::SavedDesign;

/// The session's CSRF token, if signed in.
pub fn csrf(state: &AppState) -> Option<String> {
    state
        .session
        .with_untracked(|session| session.as_ref().and_then(|s| s.csrf_token.clone()))
}

/// Saves the design now: creates it on the first save, then a new revision based on the last.
pub async fn save_now(state: AppState, verb: &'static str) {
    let Some(token) = csrf(&state) else {
        return;
    };
    let document = state.design_json();
    let text = state
        .editor
        .with_untracked(|editor| shared::spec::save_design(editor.design()));
    let existing = state.saved.get_untracked();
    match server::save_design(&token, existing.as_ref(), &document).await {
        Ok(saved) => {
            state.last_saved_text.set_value(text);
            state
                .history_generation
                .update(|generation| *generation += 1);
            let capitalised = if verb == "saved" {
                "Saved"
            } else {
                "Autosaved"
            };
            state
                .status
                .set(format!("{capitalised} revision {}", saved.revision));
            state.saved.set(Some(saved));
        }
        Err(error) => {
            if error.status == 409 {
                state.conflict.set(true);
            }
            state.status.set(format!(
                "Not {verb}: {error} (your changes are kept in this browser's draft)"
            ));
        }
    }
}

/// After a conflict: take the server's current revision (this browser's edits are dropped,
/// one undo brings them back).
pub async fn reload_from_server(state: AppState) {
    let Some(saved) = state.saved.get_untracked() else {
        return;
    };
    match server::design(&saved.id).await {
        Ok(stored) => match shared::spec::load_design(stored.document.get()) {
            Ok(mut design) => {
                shared::layout::fill_missing_layout(&mut design);
                state
                    .last_saved_text
                    .set_value(shared::spec::save_design(&design));
                state.apply(Command::ReplaceDesign {
                    design: Box::new(design),
                });
                state
                    .history_generation
                    .update(|generation| *generation += 1);
                state.saved.set(Some(SavedDesign {
                    id: stored.id,
                    name: stored.name,
                    revision: stored.revision,
                    updated_at: stored.updated_at,
                }));
                state.conflict.set(false);
                state
                    .status
                    .set(format!("Reloaded revision {}", stored.revision));
            }
            Err(error) => state.status.set(format!("Reload failed: {error}")),
        },
        Err(error) => state.status.set(format!("Reload failed: {error}")),
    }
}

/// After a conflict: keep this browser's version as a new design.
pub async fn save_as_copy(state: AppState) {
    state.saved.set(None);
    state.conflict.set(false);
    save_now(state, "saved").await;
}

pub async fn poll_deployment(state: AppState, deployment_id: String) {
    loop {
        gloo_timers::future::TimeoutFuture::new(400).await;
        match server::deployment(&deployment_id).await {
            Ok(deployment) => {
                // A protected target's request waits for a second deployer: keep watching.
                let running = deployment.status.is_open();
                state.deployment.set(Some(deployment.into()));
                if !running {
                    return;
                }
            }
            Err(error) => {
                state
                    .status
                    .set(format!("Lost track of deployment {deployment_id}: {error}"));
                return;
            }
        }
    }
}
