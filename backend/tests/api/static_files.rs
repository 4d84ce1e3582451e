//! The built app as a browser receives it: precompressed copies by `Accept-Encoding`, strong
//! ETags answered with 304, immutable caching for Trunk's content-named assets and
//! revalidation for the page.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};

use crate::support::{Answer, TestApp};

const WASM: &str = "/frontend-0123456789abcdef_bg.wasm";

fn built_app() -> tempfile::TempDir {
    let directory = tempfile::tempdir().expect("temp dir");
    let write = |name: &str, text: &str| {
        std::fs::write(directory.path().join(name.trim_start_matches('/')), text).expect("write")
    };
    write("/index.html", "<!doctype html><title>Moat</title>");
    write("/index.html.br", "BROTLI PAGE");
    write("/index.html.gz", "GZIP PAGE");
    write(WASM, "RAW WASM");
    write(&format!("{WASM}.br"), "BROTLI WASM");
    write(&format!("{WASM}.gz"), "GZIP WASM");
    directory
}

async fn get(app: &TestApp, path: &str, encodings: &str, tag: Option<&str>) -> Answer {
    let mut request = Request::builder().method(Method::GET).uri(path);
    if !encodings.is_empty() {
        request = request.header(header::ACCEPT_ENCODING, encodings);
    }
    if let Some(tag) = tag {
        request = request.header(header::IF_NONE_MATCH, tag);
    }
    app.send(request.body(Body::empty()).expect("request"))
        .await
}

fn header_of(answer: &Answer, name: header::HeaderName) -> String {
    answer
        .headers
        .get(name)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_string()
}

#[tokio::test]
async fn assets_go_out_precompressed_with_strong_etags_and_immutable_caching() {
    let built = built_app();
    let app = TestApp::new().await.with_static_dir(built.path());

    let brotli = get(&app, WASM, "gzip, deflate, br", None).await;
    assert_eq!(brotli.status, StatusCode::OK);
    assert_eq!(brotli.text, "BROTLI WASM");
    assert_eq!(header_of(&brotli, header::CONTENT_ENCODING), "br");
    assert!(
        header_of(&brotli, header::VARY)
            .to_lowercase()
            .contains("accept-encoding")
    );
    assert_eq!(
        header_of(&brotli, header::CACHE_CONTROL),
        "public, max-age=31536000, immutable"
    );
    let brotli_tag = header_of(&brotli, header::ETAG);
    assert!(
        brotli_tag.starts_with('"') && brotli_tag.ends_with("-br\""),
        "a strong tag naming its encoding: {brotli_tag}"
    );

    let gzip = get(&app, WASM, "gzip", None).await;
    assert_eq!(gzip.text, "GZIP WASM");
    assert_eq!(header_of(&gzip, header::CONTENT_ENCODING), "gzip");
    let gzip_tag = header_of(&gzip, header::ETAG);
    assert_ne!(gzip_tag, brotli_tag, "each encoding has its own tag");

    let plain = get(&app, WASM, "", None).await;
    assert_eq!(plain.text, "RAW WASM");
    assert_eq!(header_of(&plain, header::CONTENT_ENCODING), "");

    // A browser that has it gets a 304 without a body; a stale tag gets the file.
    let unchanged = get(&app, WASM, "br", Some(&brotli_tag)).await;
    assert_eq!(unchanged.status, StatusCode::NOT_MODIFIED);
    assert!(unchanged.text.is_empty());
    assert_eq!(header_of(&unchanged, header::ETAG), brotli_tag);
    let stale = get(&app, WASM, "br", Some("\"0000-br\"")).await;
    assert_eq!(stale.status, StatusCode::OK);
    assert_eq!(stale.text, "BROTLI WASM");
}

#[tokio::test]
async fn the_page_is_revalidated_on_every_load_and_app_routes_get_the_page() {
    let built = built_app();
    let app = TestApp::new().await.with_static_dir(built.path());
    let page = get(&app, "/", "br", None).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.text, "BROTLI PAGE");
    assert_eq!(header_of(&page, header::CACHE_CONTROL), "no-cache");
    let tag = header_of(&page, header::ETAG);
    assert!(tag.ends_with("-br\""), "{tag}");
    let linked = get(&app, "/?design=d-0123", "br", None).await;
    assert_eq!(linked.text, "BROTLI PAGE");
    assert_eq!(header_of(&linked, header::ETAG), tag);
    let routed = get(&app, "/designs/d-0123", "br", None).await;
    assert_eq!(routed.status, StatusCode::OK);
    assert_eq!(header_of(&routed, header::ETAG), tag);
    let again = get(&app, "/", "br", Some(&tag)).await;
    assert_eq!(again.status, StatusCode::NOT_MODIFIED);
    // The API is not the app: its answers carry no page caching.
    let api = get(&app, "/api/v1/health", "br", None).await;
    assert_eq!(api.status, StatusCode::OK);
    assert_eq!(header_of(&api, header::ETAG), "");
}
