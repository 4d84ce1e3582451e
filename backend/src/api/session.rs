//! The HTTP side of sessions: the session cookie, and the [`CurrentUser`] extractor that
//! checks the session, its idle expiry, the account's status and — on state-changing methods —
//! the CSRF header. The rules it applies are [`crate::auth`]'s.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{Method, header};

use crate::AppState;
use crate::api::ApiError;
use crate::auth::{
    CSRF_HEADER, Role, SESSION_COOKIE, SESSION_IDLE_SECONDS, SESSION_TOUCH_SECONDS, UserStatus,
    constant_time_equal, token_hash,
};
use crate::store::User;

/// The `Set-Cookie` value that installs a session.
pub fn session_cookie(token: &str, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!(
        "{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict; Max-Age={SESSION_IDLE_SECONDS}{secure}"
    )
}

/// The `Set-Cookie` value that removes the session cookie.
pub fn cleared_session_cookie(secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0{secure}")
}

/// The session token from a request's cookies, if any.
pub fn session_token(parts: &Parts) -> Option<String> {
    parts
        .headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == SESSION_COOKIE)
        .map(|(_, value)| value.to_string())
        .filter(|value| !value.is_empty())
}

/// A signed-in, active user. Extracting it checks the session, its idle expiry, the account's
/// status, and — on state-changing methods — the CSRF header.
#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub user: User,
    pub csrf_token: String,
    pub token_hash: String,
}

impl CurrentUser {
    /// Refuses unless the user's role is at least `needed`.
    pub fn require(&self, needed: Role) -> Result<(), ApiError> {
        if self.user.role >= needed {
            Ok(())
        } else {
            Err(ApiError::forbidden(format!(
                "this needs the {} role; you are a {}",
                needed.as_str(),
                self.user.role.as_str()
            )))
        }
    }
}

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let token = session_token(parts).ok_or_else(ApiError::unauthenticated)?;
        let hashed = token_hash(&token);
        let session = state
            .store
            .session(&hashed)
            .await?
            .ok_or_else(ApiError::unauthenticated)?;
        if crate::store::now() - session.last_seen_at > SESSION_IDLE_SECONDS {
            state.store.delete_session(&hashed).await?;
            return Err(ApiError::unauthenticated());
        }
        match session.user.status {
            UserStatus::Active => {}
            UserStatus::Pending => {
                return Err(ApiError::forbidden(
                    "your account waits for an admin's approval",
                ));
            }
            UserStatus::Disabled => return Err(ApiError::forbidden("your account is disabled")),
        }
        let changes_state = !matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
        if changes_state {
            let presented = parts
                .headers
                .get(CSRF_HEADER)
                .and_then(|value| value.to_str().ok())
                .unwrap_or("");
            if !constant_time_equal(presented, &session.csrf_token) {
                return Err(ApiError::csrf());
            }
        }
        if crate::store::now() - session.last_seen_at >= SESSION_TOUCH_SECONDS {
            state.store.touch_session(&hashed).await?;
        }
        Ok(CurrentUser {
            user: session.user,
            csrf_token: session.csrf_token,
            token_hash: hashed,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_carry_the_required_flags() {
        let cookie = session_cookie("abc", false);
        assert!(
            cookie.contains("HttpOnly")
                && cookie.contains("SameSite=Strict")
                && !cookie.contains("Secure")
        );
        assert!(session_cookie("abc", true).ends_with("; Secure"));
    }
}
