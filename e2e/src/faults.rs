//! The fault-injection layer: a local HTTP proxy between the AWS SDK and moto. The SDK is
//! pointed at it through its endpoint setting, exactly as at moto; the applier's code is the
//! one that talks to AWS.
//!
//! At random call positions (a seeded generator, so a failing run can be replayed) it answers
//! instead of moto or after moto: throttling (`RequestLimitExceeded`), HTTP 500/503, a dropped
//! connection before the call reaches moto, a dropped connection **after** moto carried the
//! call out (the answer is lost: the test of idempotency), an answer too slow for the client's
//! timeout (also after moto), `NotFound` for an id created a moment ago (eventual consistency)
//! and `DependencyViolation` on deletes.
//!
//! It also serves what moto 5.2 cannot, and says so here: **placement groups** (moto answers
//! HTTP 500) and **VPN connection static routes** (moto has no `CreateVpnConnectionRoute`;
//! the layer adds them to moto's `DescribeVpnConnections` answers) are served by this layer in
//! EC2's own wire format; **dry runs** are answered
//! here (`DryRunOperation`, or `UnauthorizedOperation` for actions the test denies), because
//! moto carries out some `DryRun` calls for real. It can add a per-call latency and keep NAT
//! gateways and endpoints `pending` for a while after creation (the deploy bench).
//! **`ModifyVpcEndpoint` with `ResetPolicy`** (moto ignores it) is passed on as the same call
//! with AWS's default full-access policy, which is what the reset gives an endpoint on EC2.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::{Request, Response, StatusCode};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioIo};

/// The kinds of fault the layer injects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Fault {
    Throttle,
    ServerError,
    Unavailable,
    DropBeforeCall,
    DropAfterCall,
    SlowAnswer,
    NotFoundAfterCreate,
    DependencyViolation,
}

/// What the layer does; changeable while it runs.
#[derive(Debug, Clone)]
pub struct FaultSettings {
    /// The chance of a fault per call (0 turns faults off).
    pub rate: f64,
    /// How long a slow answer is held (longer than the client's attempt timeout).
    pub slow_answer: Duration,
    /// Added before every call.
    pub latency: Duration,
    /// How long NAT gateways and endpoints stay `pending` after creation.
    pub pending: Duration,
    /// Actions (`CreateVpc`) a dry run reports as unauthorized.
    pub denied_actions: HashSet<String>,
    /// Faults never to inject.
    pub excluded: HashSet<Fault>,
}

impl Default for FaultSettings {
    fn default() -> Self {
        FaultSettings {
            rate: 0.0,
            slow_answer: Duration::from_millis(1_500),
            latency: Duration::ZERO,
            pending: Duration::ZERO,
            denied_actions: HashSet::new(),
            excluded: HashSet::new(),
        }
    }
}

/// What went through the layer.
#[derive(Debug, Clone, Default)]
pub struct FaultCounts {
    pub calls: usize,
    pub injected: BTreeMap<String, usize>,
    /// Calls per action (`CreateVpc` → 3).
    pub actions: BTreeMap<String, usize>,
    /// The parameters of every `RunInstances` call (moto drops some, like the placement).
    pub run_instances: Vec<BTreeMap<String, String>>,
    /// Every call in the order it arrived: its action and the application its user agent
    /// names (`app/<name>`: a Moat server's id), empty when none.
    pub callers: Vec<(String, String)>,
}

impl FaultCounts {
    pub fn total_injected(&self) -> usize {
        self.injected.values().sum()
    }
}

#[derive(Debug, Clone)]
struct PlacementGroupRecord {
    id: String,
    strategy: String,
    tags: Vec<(String, String)>,
}

struct LayerState {
    settings: FaultSettings,
    counts: FaultCounts,
    random: u64,
    /// Ids seen in create answers, with when.
    created: HashMap<String, Instant>,
    placement_groups: BTreeMap<String, PlacementGroupRecord>,
    /// Static routes of VPN connections (moto 5.2 has no CreateVpnConnectionRoute).
    vpn_routes: BTreeMap<String, std::collections::BTreeSet<String>>,
}

impl LayerState {
    fn next_random(&mut self) -> f64 {
        // xorshift64*
        let mut x = self.random;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.random = x;
        (x.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// The proxy, listening on a free loopback port until dropped.
pub struct FaultLayer {
    pub url: String,
    state: Arc<Mutex<LayerState>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for FaultLayer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn parse_form(body: &[u8]) -> BTreeMap<String, String> {
    form_urlencoded::parse(body).into_owned().collect()
}

/// `ModifyVpcEndpoint` with `ResetPolicy=true` rewritten as the same call giving AWS's default
/// policy (moto ignores `ResetPolicy`); none for every other call.
fn with_policy_reset(action: &str, form: &BTreeMap<String, String>) -> Option<Bytes> {
    if action != "ModifyVpcEndpoint" || form.get("ResetPolicy").map(String::as_str) != Some("true")
    {
        return None;
    }
    let mut body = form_urlencoded::Serializer::new(String::new());
    for (name, value) in form {
        if name != "ResetPolicy" && name != "PolicyDocument" {
            body.append_pair(name, value);
        }
    }
    body.append_pair(
        "PolicyDocument",
        &shared::model::endpoint_policy::full_access().to_string(),
    );
    Some(Bytes::from(body.finish()))
}

/// Moto ignores `CreateDhcpOptions`' tag specification, which EC2 applies at creation: the
/// layer tags the new set itself (a `CreateTags` upstream, with the caller's own headers), so
/// the set is found by its owner's tags as it is on EC2.
async fn tag_new_dhcp_options(
    client: &Client<HttpConnector, Full<Bytes>>,
    upstream: &str,
    headers: &hyper::HeaderMap,
    form: &BTreeMap<String, String>,
    answer: &str,
) {
    let Some(start) = answer.find("<dhcpOptionsId>") else {
        return;
    };
    let rest = &answer[start + "<dhcpOptionsId>".len()..];
    let Some(id) = rest.split('<').next() else {
        return;
    };
    // Built in a block: the serializer is not `Send`, and the request is sent after an await.
    let (body, tags) = {
        let mut body = form_urlencoded::Serializer::new(String::new());
        body.append_pair("Action", "CreateTags")
            .append_pair("Version", "2016-11-15")
            .append_pair("ResourceId.1", id);
        let mut number = 1;
        while let Some(key) = form.get(&format!("TagSpecification.1.Tag.{number}.Key")) {
            let value = form
                .get(&format!("TagSpecification.1.Tag.{number}.Value"))
                .map(String::as_str)
                .unwrap_or_default();
            body.append_pair(&format!("Tag.{number}.Key"), key)
                .append_pair(&format!("Tag.{number}.Value"), value);
            number += 1;
        }
        (body.finish(), number - 1)
    };
    if tags == 0 {
        return;
    }
    let mut request = Request::builder()
        .method("POST")
        .uri(format!("{upstream}/"));
    for (name, value) in headers {
        if name != "host" && name != "content-length" {
            request = request.header(name, value);
        }
    }
    if let Ok(request) = request.body(Full::new(Bytes::from(body))) {
        let _ = client.request(request).await;
    }
}

/// (id prefix, NotFound code) of every tagged kind, from the resource catalogue.
fn id_prefixes() -> Vec<(&'static str, &'static str)> {
    shared::plan::ResourceKind::ALL
        .iter()
        .map(|kind| kind.facts())
        .filter(|facts| facts.tagged)
        .filter_map(|facts| Some((facts.aws_id_prefix?, facts.not_found_code?)))
        .collect()
}

/// The AWS ids in a text (`vpc-0a1b…`).
fn ids_in(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    for (prefix, _) in id_prefixes() {
        let mut offset = 0;
        while let Some(position) = text[offset..].find(prefix) {
            let start = offset + position;
            let after = &text[start + prefix.len()..];
            let length = after.chars().take_while(|c| c.is_ascii_hexdigit()).count();
            // A whole id only: `i-` inside `ami-0123…` or `eni-0123…` is not an instance.
            let whole = text[..start]
                .chars()
                .next_back()
                .is_none_or(|before| !before.is_ascii_alphanumeric());
            if length >= 8 && whole {
                found.push(format!("{prefix}{}", &after[..length]));
            }
            offset = start + prefix.len() + length;
        }
    }
    found
}

fn error_answer(status: StatusCode, code: &str, message: &str) -> Response<Full<Bytes>> {
    let body = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Response><Errors><Error><Code>{code}</Code><Message>{message}</Message></Error></Errors><RequestID>moat-fault-layer</RequestID></Response>"
    );
    Response::builder()
        .status(status)
        .header("content-type", "text/xml")
        .body(Full::new(Bytes::from(body)))
        .unwrap_or_default()
}

fn xml_answer(action: &str, inner: &str) -> Response<Full<Bytes>> {
    let body = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<{action}Response xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\"><requestId>moat-fault-layer</requestId>{inner}</{action}Response>"
    );
    Response::builder()
        .status(StatusCode::OK)
        .header("content-type", "text/xml")
        .body(Full::new(Bytes::from(body)))
        .unwrap_or_default()
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Placement groups in EC2's wire format (moto 5.2 answers these with HTTP 500).
fn placement_groups(
    state: &Mutex<LayerState>,
    action: &str,
    form: &BTreeMap<String, String>,
) -> Option<Response<Full<Bytes>>> {
    let mut state = state.lock().ok()?;
    match action {
        "CreatePlacementGroup" => {
            let name = form.get("GroupName").cloned().unwrap_or_default();
            if state.placement_groups.contains_key(&name) {
                return Some(error_answer(
                    StatusCode::BAD_REQUEST,
                    "InvalidPlacementGroup.Duplicate",
                    &format!("The placement group '{name}' already exists."),
                ));
            }
            let mut tags = Vec::new();
            for index in 1.. {
                let Some(key) = form.get(&format!("TagSpecification.1.Tag.{index}.Key")) else {
                    break;
                };
                let value = form
                    .get(&format!("TagSpecification.1.Tag.{index}.Value"))
                    .cloned()
                    .unwrap_or_default();
                tags.push((key.clone(), value));
            }
            let id = format!("pg-{:017x}", state.placement_groups.len() + 1);
            let record = PlacementGroupRecord {
                id,
                strategy: form.get("Strategy").cloned().unwrap_or_default(),
                tags,
            };
            let inner = placement_group_xml(&name, &record, "placementGroup");
            state.placement_groups.insert(name, record);
            Some(xml_answer(action, &inner))
        }
        "DescribePlacementGroups" => {
            let names: Vec<&String> = form
                .iter()
                .filter(|(key, _)| key.starts_with("GroupName."))
                .map(|(_, value)| value)
                .collect();
            let items: String = state
                .placement_groups
                .iter()
                .filter(|(name, _)| names.is_empty() || names.contains(name))
                .map(|(name, record)| placement_group_xml(name, record, "item"))
                .collect();
            Some(xml_answer(
                action,
                &format!("<placementGroupSet>{items}</placementGroupSet>"),
            ))
        }
        "DeletePlacementGroup" => {
            let name = form.get("GroupName").cloned().unwrap_or_default();
            if state.placement_groups.remove(&name).is_none() {
                return Some(error_answer(
                    StatusCode::BAD_REQUEST,
                    "InvalidPlacementGroup.Unknown",
                    &format!("The Placement Group '{name}' is unknown."),
                ));
            }
            Some(xml_answer(action, "<return>true</return>"))
        }
        "CreateVpnConnectionRoute" | "DeleteVpnConnectionRoute" => {
            let connection = form.get("VpnConnectionId").cloned().unwrap_or_default();
            let destination = form
                .get("DestinationCidrBlock")
                .cloned()
                .unwrap_or_default();
            let routes = state.vpn_routes.entry(connection).or_default();
            if action == "CreateVpnConnectionRoute" {
                routes.insert(destination);
            } else {
                routes.remove(&destination);
            }
            Some(xml_answer(action, "<return>true</return>"))
        }
        _ => None,
    }
}

/// Adds the layer's VPN connection routes to moto's DescribeVpnConnections answer.
fn with_vpn_routes(state: &LayerState, text: String) -> String {
    let mut text = text;
    for (connection, routes) in &state.vpn_routes {
        let marker = format!("<vpnConnectionId>{connection}</vpnConnectionId>");
        if routes.is_empty() || !text.contains(&marker) {
            continue;
        }
        let items: String = routes
            .iter()
            .map(|route| {
                format!(
                    "<item><destinationCidrBlock>{route}</destinationCidrBlock><source>Static</source><state>available</state></item>"
                )
            })
            .collect();
        text = text.replace(&marker, &format!("{marker}<routes>{items}</routes>"));
    }
    text
}

fn placement_group_xml(name: &str, record: &PlacementGroupRecord, element: &str) -> String {
    let tags: String = record
        .tags
        .iter()
        .map(|(key, value)| {
            format!(
                "<item><key>{}</key><value>{}</value></item>",
                escape(key),
                escape(value)
            )
        })
        .collect();
    format!(
        "<{element}><groupName>{}</groupName><groupId>{}</groupId><state>available</state><strategy>{}</strategy><tagSet>{tags}</tagSet></{element}>",
        escape(name),
        record.id,
        escape(&record.strategy)
    )
}

/// What the layer decided for one call.
enum Decision {
    Forward,
    Answer(Response<Full<Bytes>>),
    Drop,
    ForwardThenDrop,
    ForwardThenHold(Duration),
}

impl FaultLayer {
    /// Starts the layer in front of `upstream` (moto's URL).
    pub async fn start(upstream: &str, seed: u64) -> anyhow::Result<FaultLayer> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let url = format!("http://{}", listener.local_addr()?);
        let state = Arc::new(Mutex::new(LayerState {
            settings: FaultSettings::default(),
            counts: FaultCounts::default(),
            random: seed.max(1),
            created: HashMap::new(),
            placement_groups: BTreeMap::new(),
            vpn_routes: BTreeMap::new(),
        }));
        let client: Client<HttpConnector, Full<Bytes>> =
            Client::builder(TokioExecutor::new()).build_http();
        let upstream = upstream.trim_end_matches('/').to_string();
        let served_state = state.clone();
        let task = tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    continue;
                };
                let state = served_state.clone();
                let client = client.clone();
                let upstream = upstream.clone();
                tokio::spawn(async move {
                    let service = hyper::service::service_fn(move |request| {
                        handle(request, state.clone(), client.clone(), upstream.clone())
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        Ok(FaultLayer { url, state, task })
    }

    pub fn configure(&self, change: impl FnOnce(&mut FaultSettings)) {
        if let Ok(mut state) = self.state.lock() {
            change(&mut state.settings);
        }
    }

    pub fn counts(&self) -> FaultCounts {
        self.state
            .lock()
            .map(|state| state.counts.clone())
            .unwrap_or_default()
    }

    /// Placement groups the layer holds (name → tags), for checks.
    pub fn placement_groups(&self) -> BTreeMap<String, Vec<(String, String)>> {
        self.state
            .lock()
            .map(|state| {
                state
                    .placement_groups
                    .iter()
                    .map(|(name, record)| (name.clone(), record.tags.clone()))
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// An error that makes hyper close the connection without an answer.
#[derive(Debug)]
struct DroppedConnection;

impl std::fmt::Display for DroppedConnection {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str("connection dropped by the fault layer")
    }
}

impl std::error::Error for DroppedConnection {}

fn decide(state: &Mutex<LayerState>, action: &str, form: &BTreeMap<String, String>) -> Decision {
    let Ok(mut state) = state.lock() else {
        return Decision::Forward;
    };
    state.counts.calls += 1;
    *state.counts.actions.entry(action.to_string()).or_default() += 1;
    if action == "RunInstances" {
        state.counts.run_instances.push(form.clone());
    }
    if form.get("DryRun").map(String::as_str) == Some("true") {
        return Decision::Answer(if state.settings.denied_actions.contains(action) {
            error_answer(
                StatusCode::FORBIDDEN,
                "UnauthorizedOperation",
                &format!("You are not authorized to perform this operation ({action})."),
            )
        } else {
            error_answer(
                StatusCode::PRECONDITION_FAILED,
                "DryRunOperation",
                "Request would have succeeded, but DryRun flag is set.",
            )
        });
    }
    if state.settings.rate <= 0.0 || state.next_random() >= state.settings.rate {
        return Decision::Forward;
    }
    let recent = Duration::from_secs(2);
    let recent_id = form.values().find_map(|value| {
        state
            .created
            .get(value)
            .filter(|at| at.elapsed() < recent)
            .map(|_| value.clone())
    });
    let mut candidates = vec![
        Fault::Throttle,
        Fault::ServerError,
        Fault::Unavailable,
        Fault::DropBeforeCall,
        Fault::DropAfterCall,
        Fault::SlowAnswer,
    ];
    if recent_id.is_some() && !action.starts_with("Describe") {
        candidates.push(Fault::NotFoundAfterCreate);
        candidates.push(Fault::NotFoundAfterCreate);
    }
    if action.starts_with("Delete") || action.starts_with("Detach") {
        candidates.push(Fault::DependencyViolation);
        candidates.push(Fault::DependencyViolation);
    }
    let excluded = state.settings.excluded.clone();
    candidates.retain(|fault| !excluded.contains(fault));
    if candidates.is_empty() {
        return Decision::Forward;
    }
    let pick = (state.next_random() * candidates.len() as f64) as usize;
    let fault = candidates[pick.min(candidates.len() - 1)];
    *state
        .counts
        .injected
        .entry(format!("{fault:?}"))
        .or_default() += 1;
    match fault {
        Fault::Throttle => Decision::Answer(error_answer(
            StatusCode::SERVICE_UNAVAILABLE,
            "RequestLimitExceeded",
            "Request limit exceeded.",
        )),
        Fault::ServerError => Decision::Answer(error_answer(
            StatusCode::INTERNAL_SERVER_ERROR,
            "InternalError",
            "An internal error has occurred",
        )),
        Fault::Unavailable => Decision::Answer(error_answer(
            StatusCode::SERVICE_UNAVAILABLE,
            "Unavailable",
            "The server is overloaded",
        )),
        Fault::DropBeforeCall => Decision::Drop,
        Fault::DropAfterCall => Decision::ForwardThenDrop,
        Fault::SlowAnswer => Decision::ForwardThenHold(state.settings.slow_answer),
        Fault::NotFoundAfterCreate => {
            let id = recent_id.unwrap_or_default();
            let code = id_prefixes()
                .into_iter()
                .find(|(prefix, _)| id.starts_with(prefix))
                .map(|(_, code)| code)
                .unwrap_or("InvalidID.NotFound");
            Decision::Answer(error_answer(
                StatusCode::BAD_REQUEST,
                code,
                &format!("The ID '{id}' does not exist"),
            ))
        }
        Fault::DependencyViolation => Decision::Answer(error_answer(
            StatusCode::BAD_REQUEST,
            "DependencyViolation",
            "The resource has a dependent object",
        )),
    }
}

async fn handle(
    request: Request<Incoming>,
    state: Arc<Mutex<LayerState>>,
    client: Client<HttpConnector, Full<Bytes>>,
    upstream: String,
) -> Result<Response<Full<Bytes>>, DroppedConnection> {
    let (parts, body) = request.into_parts();
    let body = body
        .collect()
        .await
        .map(|collected| collected.to_bytes())
        .unwrap_or_default();
    let form = parse_form(&body);
    let action = form.get("Action").cloned().unwrap_or_default();
    let application = ["x-amz-user-agent", "user-agent"]
        .iter()
        .filter_map(|name| parts.headers.get(*name))
        .filter_map(|value| value.to_str().ok())
        .flat_map(str::split_whitespace)
        .find_map(|token| token.strip_prefix("app/"))
        .unwrap_or_default()
        .to_string();
    if let Ok(mut state) = state.lock() {
        state.counts.callers.push((action.clone(), application));
    }
    let (latency, pending) = state
        .lock()
        .map(|s| (s.settings.latency, s.settings.pending))
        .unwrap_or_default();
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    let decision = decide(&state, &action, &form);
    let hold_after = match decision {
        Decision::Answer(answer) => return Ok(answer),
        Decision::Drop => return Err(DroppedConnection),
        Decision::Forward => None,
        Decision::ForwardThenDrop => Some(None),
        Decision::ForwardThenHold(hold) => Some(Some(hold)),
    };
    if let Some(answer) = placement_groups(&state, &action, &form) {
        return match hold_after {
            None => Ok(answer),
            Some(None) => Err(DroppedConnection),
            Some(Some(hold)) => {
                tokio::time::sleep(hold).await;
                Ok(answer)
            }
        };
    }
    let mut forwarded = Request::builder().method(parts.method.clone()).uri(format!(
        "{upstream}{}",
        parts
            .uri
            .path_and_query()
            .map(|p| p.as_str())
            .unwrap_or("/")
    ));
    for (name, value) in &parts.headers {
        if name != "host" && name != "content-length" {
            forwarded = forwarded.header(name, value);
        }
    }
    let body = with_policy_reset(&action, &form).unwrap_or(body);
    let Ok(forwarded) = forwarded.body(Full::new(body.clone())) else {
        return Err(DroppedConnection);
    };
    let Ok(answer) = client.request(forwarded).await else {
        return Err(DroppedConnection);
    };
    let (answer_parts, answer_body) = answer.into_parts();
    let answer_body = answer_body
        .collect()
        .await
        .map(|collected| collected.to_bytes())
        .unwrap_or_default();
    let mut text = String::from_utf8_lossy(&answer_body).into_owned();
    if (action.starts_with("Create") || action == "AllocateAddress")
        && let Ok(mut state) = state.lock()
    {
        for id in ids_in(&text) {
            state.created.entry(id).or_insert_with(Instant::now);
        }
    }
    if action == "DescribeVpnConnections"
        && let Ok(state) = state.lock()
    {
        text = with_vpn_routes(&state, text);
    }
    if action == "CreateDhcpOptions" && answer_parts.status.is_success() {
        tag_new_dhcp_options(&client, &upstream, &parts.headers, &form, &text).await;
    }
    // NAT gateways and endpoints stay pending for a while after creation.
    if !pending.is_zero()
        && (action == "DescribeNatGateways" || action == "DescribeVpcEndpoints")
        && let Ok(state) = state.lock()
    {
        let young = form.values().any(|value| {
            state
                .created
                .get(value)
                .is_some_and(|at| at.elapsed() < pending)
        });
        if young {
            text = text
                .replace("<state>available</state>", "<state>pending</state>")
                .replace("<state>Available</state>", "<state>pending</state>");
        }
    }
    let mut response = Response::builder().status(answer_parts.status);
    for (name, value) in &answer_parts.headers {
        if name != "content-length" {
            response = response.header(name, value);
        }
    }
    let response = response
        .body(Full::new(Bytes::from(text)))
        .map_err(|_| DroppedConnection)?;
    match hold_after {
        None => Ok(response),
        Some(None) => Err(DroppedConnection),
        Some(Some(hold)) => {
            tokio::time::sleep(hold).await;
            Ok(response)
        }
    }
}
