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

/// Saves the design now: a new revision of the open server design, or, for a draft of this
/// browser, a new design (the Save button says "Save as new design" then).
pub async fn save_now(state: AppState, verb: &'static str) {
    let Some(token) = csrf(&state) else {
        return;
    };
    let text = state
        .editor
        .with_untracked(|editor| crate::documents::design_text(editor.design()));
    let existing = state.saved.get_untracked();
    match server::save_design(&token, existing.as_ref(), &text).await {
        Ok(saved) => {
            // The document may have been switched while the save was on its way: the answer
            // belongs to the design it was sent for.
            let still_open = state.saved.with_untracked(|open| {
                open.as_ref().map(|open| &open.id) == existing.as_ref().map(|sent| &sent.id)
            });
            if !still_open {
                return;
            }
            state.last_saved_text.set_value(text);
            state
                .history_generation
                .update(|generation| *generation += 1);
            let capitalised = if verb == "saved" {
                "Saved"
            } else {
                "Autosaved"
            };
            if existing.is_none() {
                state.status.set(format!(
                    "Saved revision {} of the new design “{}” ({})",
                    saved.revision, saved.name, saved.id
                ));
                state.saved.set(Some(saved.clone()));
                crate::documents::became_server_design(&state, &saved);
            } else {
                state
                    .status
                    .set(format!("{capitalised} revision {}", saved.revision));
                state.saved.set(Some(saved));
            }
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

/// Saves the open server design's unsaved edits to it, as they are at this call: whatever
/// replaces the editor afterwards (another design, a template) never reaches that design.
pub fn save_if_changed(state: AppState) -> impl std::future::Future<Output = ()> + 'static {
    let saved = state.saved.get_untracked();
    let text = state
        .editor
        .with_untracked(|editor| crate::documents::design_text(editor.design()));
    let changed = text != state.last_saved_text.get_value();
    let token = csrf(&state);
    async move {
        let (Some(saved), Some(token), true) = (saved, token, changed) else {
            return;
        };
        match server::save_design(&token, Some(&saved), &text).await {
            Ok(summary) => state.status.set(format!(
                "Saved revision {} of “{}” before leaving it",
                summary.revision, summary.name
            )),
            Err(error) => state.status.set(format!(
                "“{}” was left with unsaved edits: {error}",
                saved.name
            )),
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
        Ok(stored) => match crate::lazy::load_design_naming_paths(stored.document.get()).await {
            Ok(mut design) => {
                shared::layout::fill_missing_layout(&mut design);
                state
                    .last_saved_text
                    .set_value(crate::documents::design_text(&design));
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

/// Save as copy (the header's button, or after a conflict): this browser's version becomes a
/// new design, which the page then holds; the original keeps its last saved revision.
pub async fn save_as_copy(state: AppState) {
    let Some(token) = csrf(&state) else {
        state.status.set("Sign in to save".into());
        return;
    };
    let original = state.saved.get_untracked();
    let text = state
        .editor
        .with_untracked(|editor| crate::documents::design_text(editor.design()));
    match server::save_design(&token, None, &text).await {
        Ok(copy) => {
            state.last_saved_text.set_value(text);
            state.conflict.set(false);
            state.saved.set(Some(copy.clone()));
            crate::documents::became_server_design(&state, &copy);
            state
                .history_generation
                .update(|generation| *generation += 1);
            state.status.set(match original {
                Some(original) => format!(
                    "Saved revision {} of a copy, “{}” ({}); {} stays at revision {}",
                    copy.revision, copy.name, copy.id, original.id, original.revision
                ),
                None => format!(
                    "Saved revision {} of the new design “{}” ({})",
                    copy.revision, copy.name, copy.id
                ),
            });
        }
        Err(error) => state.status.set(format!(
            "Not saved as a copy: {error} (your changes are kept in this browser's draft)"
        )),
    }
}

pub async fn poll_deployment(state: AppState, deployment_id: String) {
    loop {
        gloo_timers::future::TimeoutFuture::new(400).await;
        match server::deployment(&deployment_id).await {
            Ok(deployment) => {
                // A protected target's request waits for a second deployer: keep watching.
                let running = deployment.status.is_open();
                let of_the_open_design = state.saved.with_untracked(|saved| {
                    saved
                        .as_ref()
                        .is_some_and(|saved| saved.id == deployment.design_id)
                });
                if !of_the_open_design {
                    return;
                }
                state
                    .latest_deployment
                    .set(Some(crate::documents::deployment_state(&deployment)));
                if !running {
                    state.status.set(format!(
                        "Deployment {} {}",
                        deployment.id,
                        deployment.status.as_str()
                    ));
                }
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
