//! A plain HTTP/1 client for tests that talk to the real `moat serve` on loopback.

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use serde_json::Value;

pub type HttpClient = Client<HttpConnector, Full<Bytes>>;

/// A signed-in session: the cookie and the CSRF token.
pub type Session = (String, String);

pub fn client() -> HttpClient {
    Client::builder(TokioExecutor::new()).build(HttpConnector::new())
}

/// `POST /api/v1/designs` of `document` as `session`: the status and the answer's body.
pub async fn create_design(
    client: &HttpClient,
    base: &str,
    session: &Session,
    document: &Value,
) -> anyhow::Result<(u16, Value)> {
    let (status, created, _) = call(
        client,
        "POST",
        &format!("{base}/api/v1/designs"),
        Some(session),
        Some(&serde_json::json!({"document": document})),
    )
    .await?;
    Ok((status, created))
}

/// One request; answers the status, the JSON body (or null) and the session cookie if set.
pub async fn call(
    client: &HttpClient,
    method: &str,
    url: &str,
    session: Option<&Session>,
    body: Option<&Value>,
) -> anyhow::Result<(u16, Value, Option<String>)> {
    let mut request = hyper::Request::builder().method(method).uri(url);
    if let Some((cookie, csrf)) = session {
        request = request
            .header("cookie", cookie)
            .header("x-csrf-token", csrf);
    }
    let bytes = match body {
        Some(body) => {
            request = request.header("content-type", "application/json");
            Bytes::from(body.to_string())
        }
        None => Bytes::new(),
    };
    let response = client.request(request.body(Full::new(bytes))?).await?;
    let status = response.status().as_u16();
    let cookie = response
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(str::to_string);
    let body = response.into_body().collect().await?.to_bytes();
    Ok((
        status,
        serde_json::from_slice(&body).unwrap_or(Value::Null),
        cookie,
    ))
}

/// Signs `name` in; answers the session.
pub async fn sign_in(
    client: &HttpClient,
    base: &str,
    name: &str,
    password: &str,
) -> anyhow::Result<Session> {
    let (status, body, cookie) = call(
        client,
        "POST",
        &format!("{base}/api/v1/auth/login"),
        None,
        Some(&serde_json::json!({"name": name, "password": password})),
    )
    .await?;
    anyhow::ensure!(status == 200, "sign-in of {name} answered {status}: {body}");
    Ok((
        cookie.ok_or_else(|| anyhow::anyhow!("no session cookie"))?,
        body["csrf_token"].as_str().unwrap_or_default().to_string(),
    ))
}

/// A GET answered as text (for answers that are not JSON, like `/metrics`).
pub async fn text(client: &HttpClient, url: &str) -> anyhow::Result<String> {
    let request = hyper::Request::builder()
        .method("GET")
        .uri(url)
        .body(Full::new(Bytes::new()))?;
    let response = client.request(request).await?;
    let body = response.into_body().collect().await?.to_bytes();
    Ok(String::from_utf8_lossy(&body).into_owned())
}
