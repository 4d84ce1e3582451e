//! Security headers on every response, and the JSON error document for every error the
//! framework answers by itself (a path or query that does not parse).
//!
//! The Content-Security-Policy lets the app run and nothing else: scripts only from the server
//! and the one inline module script Trunk writes into `index.html` (allowed by its SHA-256,
//! computed from the served file at start-up), wasm compilation (`'wasm-unsafe-eval'`),
//! requests only to the server (and reads of the page's own `data:`/`blob:` URLs, as a PNG
//! download is), no frames around it (`frame-ancestors 'none'`), no plugins.

use std::path::Path;

use axum::body::Body;
use axum::http::header::{self, HeaderValue};
use axum::http::{HeaderName, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use sha2::{Digest, Sha256};

use super::ApiError;

/// The SHA-256 source expressions of the inline scripts in `index_html`.
pub fn inline_script_hashes(index_html: &str) -> Vec<String> {
    let mut hashes = Vec::new();
    let mut rest = index_html;
    while let Some(start) = rest.find("<script") {
        let after = &rest[start..];
        let Some(open_end) = after.find('>') else {
            break;
        };
        let tag = &after[..open_end];
        let body = &after[open_end + 1..];
        let Some(close) = body.find("</script>") else {
            break;
        };
        if !tag.contains("src=") {
            let digest = Sha256::digest(&body.as_bytes()[..close]);
            hashes.push(format!(
                "'sha256-{}'",
                base64::engine::general_purpose::STANDARD.encode(digest)
            ));
        }
        rest = &body[close..];
    }
    hashes
}

/// The policy for the app served from `static_dir` (or for the API alone).
pub fn content_security_policy(static_dir: Option<&Path>) -> String {
    let hashes = static_dir
        .and_then(|dir| std::fs::read_to_string(dir.join("index.html")).ok())
        .map(|html| inline_script_hashes(&html))
        .unwrap_or_default();
    let mut script = vec!["'self'".to_string(), "'wasm-unsafe-eval'".to_string()];
    script.extend(hashes);
    format!(
        "default-src 'self'; script-src {}; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self'; connect-src 'self' data: blob:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
        script.join(" ")
    )
}

/// The fixed headers every response carries.
pub fn security_headers(policy: &str) -> Vec<(HeaderName, HeaderValue)> {
    let mut headers = vec![
        (
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ),
        (header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")),
        (
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ),
    ];
    if let Ok(value) = HeaderValue::from_str(policy) {
        headers.push((header::CONTENT_SECURITY_POLICY, value));
    }
    headers
}

/// Turns a plain-text client error the framework wrote (a path or query that does not parse, a
/// wrong method) into the API's JSON error document.
pub async fn json_errors(response: Response) -> Response {
    let status = response.status();
    let plain = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_none_or(|v| v.starts_with("text/plain"));
    if !(status.is_client_error() && plain) {
        return response;
    }
    let (parts, body) = response.into_parts();
    let text = axum::body::to_bytes(body, 4096)
        .await
        .map(|bytes| String::from_utf8_lossy(&bytes).trim().to_string())
        .unwrap_or_default();
    let (code, message) = match status {
        StatusCode::METHOD_NOT_ALLOWED => (
            "method_not_allowed",
            "this route does not take that method".to_string(),
        ),
        StatusCode::NOT_FOUND => ("not_found", "no such route".to_string()),
        _ if text.is_empty() => ("bad_request", "the request is not valid".to_string()),
        _ => ("bad_request", text),
    };
    let mut answer = ApiError::new(status, code, message).into_response();
    for name in [header::ALLOW] {
        if let Some(value) = parts.headers.get(&name) {
            answer.headers_mut().insert(name, value.clone());
        }
    }
    answer
}

/// Adds the security headers to a response.
pub fn with_headers(
    mut response: Response<Body>,
    headers: &[(HeaderName, HeaderValue)],
) -> Response<Body> {
    for (name, value) in headers {
        response
            .headers_mut()
            .entry(name.clone())
            .or_insert_with(|| value.clone());
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_inline_module_script_is_allowed_by_its_hash_and_nothing_else_inline() {
        let html = "<head><script type=\"module\">import init from '/a.js';</script><script src=\"/b.js\"></script></head>";
        let hashes = inline_script_hashes(html);
        assert_eq!(hashes.len(), 1);
        let expected = base64::engine::general_purpose::STANDARD
            .encode(Sha256::digest(b"import init from '/a.js';"));
        assert_eq!(hashes[0], format!("'sha256-{expected}'"));
        let policy = content_security_policy(None);
        assert!(policy.contains("frame-ancestors 'none'"));
        assert!(
            !policy.contains("'unsafe-inline'; img")
                || policy.contains("style-src 'self' 'unsafe-inline'")
        );
        assert!(!policy.contains("script-src 'self' 'unsafe-inline'"));
    }
}
