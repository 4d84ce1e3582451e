//! The built app, served light: the brotli or gzip copy `cargo xtask` writes beside each asset
//! is sent to a browser that accepts it (`Content-Encoding`, `Vary: Accept-Encoding`), every
//! file carries a strong `ETag` (its content digest and encoding) answered with 304 when the
//! browser already has it, Trunk's hashed assets are cached for a year as immutable (a new
//! build has new names), and the page itself is revalidated on every load (`no-cache`), so a
//! new build is picked up at once and an unchanged one costs a 304.
//!
//! The digests are taken once, when the server starts, from the files as they are then (a
//! bounded walk of the static directory: a build does not change under a running server).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::extract::Request;
use axum::http::header::{self, HeaderValue};
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use tower_http::services::{ServeDir, ServeFile};

/// At most this many files are digested; a larger static directory is not Moat's build.
const MAX_FILES: usize = 10_000;

/// A year: what an immutable, content-named asset may be cached for.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// The page and anything not content-named: ask every time (an unchanged one is a 304).
const REVALIDATE: &str = "no-cache";

/// The content digests of the files served, by URL path (`/index.html`, `/frontend-….wasm`).
#[derive(Debug, Default)]
pub struct Digests {
    by_path: HashMap<String, String>,
    index: Option<String>,
}

impl Digests {
    /// Digests every file below `directory` (the `.br` and `.gz` copies are the same content,
    /// so they share their original's digest and are not listed themselves).
    pub fn of_directory(directory: &Path) -> Digests {
        let mut by_path = HashMap::new();
        let mut pending: Vec<PathBuf> = vec![directory.to_path_buf()];
        while let Some(folder) = pending.pop() {
            let Ok(entries) = std::fs::read_dir(&folder) else {
                continue;
            };
            for entry in entries.flatten() {
                if by_path.len() >= MAX_FILES {
                    break;
                }
                let path = entry.path();
                let Ok(kind) = entry.file_type() else {
                    continue;
                };
                if kind.is_dir() {
                    pending.push(path);
                    continue;
                }
                let precompressed = path
                    .extension()
                    .is_some_and(|extension| extension == "br" || extension == "gz");
                if !kind.is_file() || precompressed {
                    continue;
                }
                let (Ok(relative), Ok(bytes)) =
                    (path.strip_prefix(directory), std::fs::read(&path))
                else {
                    continue;
                };
                let url_path = format!(
                    "/{}",
                    relative
                        .components()
                        .map(|part| part.as_os_str().to_string_lossy())
                        .collect::<Vec<_>>()
                        .join("/")
                );
                let digest = Sha256::digest(&bytes);
                by_path.insert(url_path, hex(&digest[..12]));
            }
        }
        let index = by_path.get("/index.html").cloned();
        Digests { by_path, index }
    }

    /// The digest of what `path` is answered with: its file, or the page for `/` and for any
    /// path the app routes itself (the fallback).
    fn digest_for(&self, path: &str) -> Option<&String> {
        self.by_path.get(path).or(self.index.as_ref())
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// Whether a file is named by its content, as Trunk names its outputs
/// (`frontend-1a2b3c4d5e6f7a8b_bg.wasm`, `style-1a2b3c4d5e6f7a8b.css`): a dash, then 16 hex
/// digits.
pub fn content_named(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    name.match_indices('-').any(|(at, _)| {
        let hash = &name[at + 1..];
        hash.len() >= 16
            && hash[..16]
                .chars()
                .all(|character| character.is_ascii_hexdigit())
    })
}

/// The service that answers with the built app: precompressed copies where they exist, and the
/// page for any path that is not a file (the app routes it).
pub fn service(static_dir: &Path) -> ServeDir<ServeFile> {
    let index = static_dir.join("index.html");
    ServeDir::new(static_dir)
        .precompressed_br()
        .precompressed_gzip()
        .fallback(
            ServeFile::new(index)
                .precompressed_br()
                .precompressed_gzip(),
        )
}

/// Adds the caching headers and answers a revalidation the browser needs no body for.
pub async fn with_caching(digests: Arc<Digests>, request: Request, next: Next) -> Response {
    let method_reads = matches!(*request.method(), Method::GET | Method::HEAD);
    let path = request.uri().path().to_string();
    let asked = request.headers().get(header::IF_NONE_MATCH).cloned();
    let mut response = next.run(request).await;
    if !method_reads || response.status() != StatusCode::OK {
        return response;
    }
    let Some(digest) = digests.digest_for(&path) else {
        return response;
    };
    let encoding = response
        .headers()
        .get(header::CONTENT_ENCODING)
        .and_then(|value| value.to_str().ok())
        .unwrap_or("identity")
        .to_string();
    // Strong: the same bytes of the same encoding, nothing else, carry this tag.
    let tag = format!("\"{digest}-{encoding}\"");
    let caching = if content_named(&path) {
        IMMUTABLE
    } else {
        REVALIDATE
    };
    let matched = asked
        .as_ref()
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| {
            value
                .split(',')
                .any(|candidate| candidate.trim() == tag || candidate.trim() == "*")
        });
    let Ok(tag_value) = HeaderValue::from_str(&tag) else {
        return response;
    };
    if matched {
        let mut unchanged = StatusCode::NOT_MODIFIED.into_response();
        let headers = unchanged.headers_mut();
        headers.insert(header::ETAG, tag_value);
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(caching));
        if let Some(vary) = response.headers().get(header::VARY) {
            headers.insert(header::VARY, vary.clone());
        }
        return unchanged;
    }
    let headers = response.headers_mut();
    headers.insert(header::ETAG, tag_value);
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(caching));
    headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trunk_outputs_are_content_named_and_the_page_is_not() {
        assert!(content_named("/frontend-1a2b3c4d5e6f7a8b_bg.wasm"));
        assert!(content_named("/frontend-1a2b3c4d5e6f7a8b.js"));
        assert!(content_named("/style-0123456789abcdef.css"));
        assert!(!content_named("/index.html"));
        assert!(!content_named("/"));
        assert!(!content_named("/my-file.js"));
        assert!(!content_named("/style-0123456789abcdeg.css"));
    }
}
