//! A request id on every request: taken from the caller's `x-request-id` when it is a plain
//! token (letters, digits, `-`, at most 64), else made here; set on the response's
//! `x-request-id`, written into every JSON error document as `request_id`, and carried by the
//! span every log line of the request is written in.
//!
//! Invariant: an id that reaches a log line or a response is plain text (no header or log
//! injection from a caller's value).

use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;
use tracing::Instrument;

/// The header the id travels in, both ways.
pub const REQUEST_ID_HEADER: &str = "x-request-id";

/// The longest error body the id is written into (error documents are small).
const MAX_ERROR_BODY_BYTES: usize = 64 * 1024;

/// The request's id, for handlers that want it.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

/// Whether a caller's id may be kept as it is.
pub fn is_plain_id(text: &str) -> bool {
    !text.is_empty()
        && text.len() <= 64
        && text.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

/// A new id: 16 random bytes as hex.
pub fn new_id() -> String {
    let mut bytes = [0u8; 16];
    if getrandom::fill(&mut bytes).is_err() {
        // No randomness: still unique enough to find the log lines, by time.
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        return format!("{nanos:032x}");
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub async fn with_request_id(mut request: Request, next: Next) -> Response {
    let id = request
        .headers()
        .get(REQUEST_ID_HEADER)
        .and_then(|value| value.to_str().ok())
        .filter(|text| is_plain_id(text))
        .map(str::to_string)
        .unwrap_or_else(new_id);
    request.extensions_mut().insert(RequestId(id.clone()));
    let span = tracing::info_span!(
        "request",
        request_id = %id,
        method = %request.method(),
        path = %request.uri().path()
    );
    let started = std::time::Instant::now();
    let response = next.run(request).instrument(span.clone()).await;
    span.in_scope(|| {
        let status = response.status().as_u16();
        let milliseconds = started.elapsed().as_millis() as u64;
        if response.status().is_server_error() {
            tracing::warn!(status, milliseconds, "answered");
        } else {
            tracing::debug!(status, milliseconds, "answered");
        }
    });
    let mut response = with_id_in_error_body(response, &id).await;
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(REQUEST_ID_HEADER, value);
    }
    response
}

/// Writes `request_id` into a JSON error document (4xx and 5xx).
async fn with_id_in_error_body(response: Response, id: &str) -> Response {
    let status = response.status();
    let json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !(json && (status.is_client_error() || status.is_server_error())) {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_ERROR_BODY_BYTES).await else {
        return Response::from_parts(parts, Body::empty());
    };
    let rewritten = match serde_json::from_slice::<serde_json::Value>(&bytes) {
        Ok(serde_json::Value::Object(mut document)) => {
            document.insert("request_id".to_string(), serde_json::Value::from(id));
            serde_json::to_vec(&document).unwrap_or_else(|_| bytes.to_vec())
        }
        _ => bytes.to_vec(),
    };
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(rewritten))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_ids_are_kept() {
        assert!(is_plain_id("7a62c49f-347e-4fc4"));
        assert!(!is_plain_id(""));
        assert!(!is_plain_id("a\r\nSet-Cookie: x=1"));
        assert!(!is_plain_id("id with spaces"));
        assert!(!is_plain_id(&"a".repeat(65)));
        let made = new_id();
        assert_eq!(made.len(), 32);
        assert!(is_plain_id(&made));
        assert_ne!(made, new_id());
    }
}
