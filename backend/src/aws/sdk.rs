//! What every EC2 call shares, apart from any one kind: turning an SDK error into one
//! [`AwsError`] line (an emulator's non-EC2 answer included), and reading a route's target.
//! The adapter ([`super::ec2`]) and the importer ([`super::import`]) both use it; it uses
//! neither.

use aws_sdk_ec2::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_sdk_ec2::operation::RequestId;
use shared::model::RouteTarget;

use super::AwsError;

/// One AWS failure as one error: its code and message when EC2 answered, "not an EC2
/// answer" when something else did, else the transport failure.
pub(crate) fn service_error<E>(operation: &'static str, error: SdkError<E>) -> AwsError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    if let Some(code) = error.code() {
        return AwsError::Service {
            endpoint: None,
            operation,
            code: code.to_string(),
            message: error.message().unwrap_or_default().to_string(),
            status: error
                .raw_response()
                .map(|response| response.status().as_u16()),
            // A header (x-amzn-RequestId) where there is one, else EC2's error body.
            request_id: error.request_id().map(str::to_string).or_else(|| {
                error
                    .raw_response()
                    .and_then(|response| response.body().bytes())
                    .and_then(body_request_id)
            }),
        };
    }
    match (&error, error.raw_response()) {
        // The endpoint answered, but with no EC2 error in its body.
        (SdkError::ServiceError(_) | SdkError::ResponseError(_), Some(response)) => {
            tracing::warn!(
                operation,
                detail = %DisplayErrorContext(&error),
                "an answer that is not EC2's"
            );
            AwsError::NotAnEc2Answer {
                endpoint: None,
                operation,
                status: response.status().as_u16(),
            }
        }
        _ => AwsError::Transport {
            endpoint: None,
            operation,
            detail: DisplayErrorContext(&error).to_string(),
        },
    }
}

/// The `<RequestID>` of an EC2 error body (the SDK reads only the code and message from it).
fn body_request_id(body: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(body).ok()?;
    let start = text.find("<RequestID>")? + "<RequestID>".len();
    let length = text[start..].find("</RequestID>")?;
    let id = text[start..start + length].trim();
    let plain = !id.is_empty()
        && id.len() <= 128
        && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    plain.then(|| id.to_string())
}

/// The id a route sends its traffic to, if that is a route target Moat models: the field
/// EC2 names each [`RouteTarget`] by (one exhaustive match).
pub(crate) fn route_target_id(route: &aws_sdk_ec2::types::Route) -> Option<&str> {
    RouteTarget::ALL.into_iter().find_map(|via| {
        let id = match via {
            RouteTarget::InternetGateway | RouteTarget::VpnGateway => route.gateway_id(),
            RouteTarget::NatGateway => route.nat_gateway_id(),
            RouteTarget::NetworkInterface => route.network_interface_id(),
        }?;
        (RouteTarget::of_aws_id(id) == Some(via)).then_some(id)
    })
}
