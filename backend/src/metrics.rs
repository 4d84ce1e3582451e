//! What a running server is doing, in the Prometheus text format at `GET /metrics`: HTTP
//! latency by route, method and status; AWS calls by operation (calls, attempts, answers by
//! HTTP status, throttles among them); deployments by state, counted in the database when
//! scraped (so every server behind a balancer reports the same figures).
//!
//! Invariant: one registry for the process ([`global`]); labels are route templates and
//! operation names, never ids or anything a request names (bounded cardinality).

use std::sync::LazyLock;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct HttpLabels {
    /// The route's template (`/api/v1/designs/{design_id}`), `static` or `unmatched`.
    pub route: String,
    pub method: String,
    pub status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct OperationLabels {
    pub operation: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct AnswerLabels {
    pub operation: String,
    pub status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct StateLabels {
    pub state: String,
}

pub struct Metrics {
    registry: Registry,
    pub http_seconds: Family<HttpLabels, Histogram>,
    pub aws_calls: Family<OperationLabels, Counter>,
    pub aws_attempts: Family<OperationLabels, Counter>,
    pub aws_answers: Family<AnswerLabels, Counter>,
    pub aws_throttles: Family<OperationLabels, Counter>,
    pub deployments: Family<StateLabels, Gauge>,
    /// Deployments this server took over from a server whose lease expired.
    pub lease_takeovers: Counter,
    /// Deployments this server claimed to run after their server released them (or at a
    /// start-up after an older server left them).
    pub lease_claims: Counter,
    /// Leases this server found lost while running (it stopped before its next AWS call).
    pub leases_lost: Counter,
}

/// From half a millisecond to about 16 s.
fn latency_histogram() -> Histogram {
    Histogram::new(exponential_buckets(0.0005, 2.0, 16))
}

/// A metric registered under its name and help, handed back to be kept.
fn registered<M>(registry: &mut Registry, name: &str, help: &str, metric: M) -> M
where
    M: prometheus_client::registry::Metric + Clone,
{
    registry.register(name, help, metric.clone());
    metric
}

impl Metrics {
    fn new() -> Metrics {
        let mut registry = Registry::default();
        let http_seconds = registered(
            &mut registry,
            "moat_http_request_duration_seconds",
            "Time to answer an HTTP request, by route template, method and status",
            Family::<HttpLabels, Histogram>::new_with_constructor(latency_histogram as fn() -> _),
        );
        let aws_calls = registered(
            &mut registry,
            "moat_aws_calls",
            "EC2 calls made, by operation",
            Family::default(),
        );
        let aws_attempts = registered(
            &mut registry,
            "moat_aws_attempts",
            "EC2 request attempts, by operation: attempts beyond calls are the SDK's retries",
            Family::default(),
        );
        let aws_answers = registered(
            &mut registry,
            "moat_aws_answers",
            "EC2 answers, by operation and HTTP status",
            Family::default(),
        );
        let aws_throttles = registered(
            &mut registry,
            "moat_aws_throttles",
            "EC2 answers that throttled the call (HTTP 503 or 429), by operation",
            Family::default(),
        );
        let deployments = registered(
            &mut registry,
            "moat_deployments",
            "Deployments in the database, by state (counted when scraped)",
            Family::default(),
        );
        let lease_takeovers = registered(
            &mut registry,
            "moat_lease_takeovers",
            "Deployments this server took over after another server's lease expired",
            Counter::default(),
        );
        let lease_claims = registered(
            &mut registry,
            "moat_lease_claims",
            "Deployments this server claimed after their server released them or stopped",
            Counter::default(),
        );
        let leases_lost = registered(
            &mut registry,
            "moat_leases_lost",
            "Deployments this server stopped running because its lease was no longer its own",
            Counter::default(),
        );
        Metrics {
            registry,
            lease_takeovers,
            lease_claims,
            leases_lost,
            http_seconds,
            aws_calls,
            aws_attempts,
            aws_answers,
            aws_throttles,
            deployments,
        }
    }

    /// The text exposition, with the deployment counts given (state → count).
    pub fn render(&self, deployments_by_state: &[(String, i64)]) -> String {
        for (state, count) in deployments_by_state {
            self.deployments
                .get_or_create(&StateLabels {
                    state: state.clone(),
                })
                .set(*count);
        }
        let mut text = String::new();
        if prometheus_client::encoding::text::encode(&mut text, &self.registry).is_err() {
            text.clear();
        }
        text
    }
}

/// The process's metrics.
pub fn global() -> &'static Metrics {
    static METRICS: LazyLock<Metrics> = LazyLock::new(Metrics::new);
    &METRICS
}

/// Counts every EC2 call, attempt and answer: an SDK interceptor on every client Moat makes,
/// so no call site can forget.
#[derive(Debug)]
pub struct AwsCallCounter;

fn operation_name(cfg: &aws_sdk_ec2::config::ConfigBag) -> String {
    cfg.load::<aws_smithy_runtime_api::client::orchestrator::Metadata>()
        .map(|metadata| metadata.name().to_string())
        .unwrap_or_else(|| "unknown".to_string())
}

impl aws_sdk_ec2::config::Intercept for AwsCallCounter {
    fn name(&self) -> &'static str {
        "MoatAwsCallCounter"
    }

    fn read_before_attempt(
        &self,
        _context: &aws_sdk_ec2::config::interceptors::BeforeTransmitInterceptorContextRef<'_>,
        _runtime_components: &aws_sdk_ec2::config::RuntimeComponents,
        cfg: &mut aws_sdk_ec2::config::ConfigBag,
    ) -> Result<(), aws_sdk_ec2::error::BoxError> {
        global()
            .aws_attempts
            .get_or_create(&OperationLabels {
                operation: operation_name(cfg),
            })
            .inc();
        Ok(())
    }

    fn read_after_attempt(
        &self,
        context: &aws_sdk_ec2::config::interceptors::FinalizerInterceptorContextRef<'_>,
        _runtime_components: &aws_sdk_ec2::config::RuntimeComponents,
        cfg: &mut aws_sdk_ec2::config::ConfigBag,
    ) -> Result<(), aws_sdk_ec2::error::BoxError> {
        if let Some(response) = context.response() {
            let operation = operation_name(cfg);
            let status = response.status().as_u16();
            if matches!(status, 429 | 503) {
                global()
                    .aws_throttles
                    .get_or_create(&OperationLabels {
                        operation: operation.clone(),
                    })
                    .inc();
            }
            global()
                .aws_answers
                .get_or_create(&AnswerLabels { operation, status })
                .inc();
        }
        Ok(())
    }

    fn read_after_execution(
        &self,
        _context: &aws_sdk_ec2::config::interceptors::FinalizerInterceptorContextRef<'_>,
        _runtime_components: &aws_sdk_ec2::config::RuntimeComponents,
        cfg: &mut aws_sdk_ec2::config::ConfigBag,
    ) -> Result<(), aws_sdk_ec2::error::BoxError> {
        global()
            .aws_calls
            .get_or_create(&OperationLabels {
                operation: operation_name(cfg),
            })
            .inc();
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_exposition_is_prometheus_text_with_every_family() {
        let metrics = Metrics::new();
        metrics
            .http_seconds
            .get_or_create(&HttpLabels {
                route: "/api/v1/health".into(),
                method: "GET".into(),
                status: 200,
            })
            .observe(0.002);
        metrics
            .aws_calls
            .get_or_create(&OperationLabels {
                operation: "DescribeVpcs".into(),
            })
            .inc();
        let text = metrics.render(&[("running".into(), 2), ("succeeded".into(), 5)]);
        for needle in [
            "# TYPE moat_http_request_duration_seconds histogram",
            "moat_http_request_duration_seconds_count{route=\"/api/v1/health\",method=\"GET\",status=\"200\"} 1",
            "moat_aws_calls_total{operation=\"DescribeVpcs\"} 1",
            "moat_deployments{state=\"running\"} 2",
            "moat_deployments{state=\"succeeded\"} 5",
            "# EOF",
        ] {
            assert!(text.contains(needle), "{needle} not in:\n{text}");
        }
    }
}
