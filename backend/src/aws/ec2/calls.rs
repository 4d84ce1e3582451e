//! What every EC2 call of the adapter shares, apart from any one kind: ownership tags and
//! client tokens, retries for reads, the "already there" and "already gone" answers, and the
//! filters that find a design's resources.

use std::collections::BTreeMap;
use std::time::Duration;

use aws_sdk_ec2::types::{AttributeBooleanValue, Filter, ResourceType, Tag, TagSpecification};
use shared::plan::ResourceKind;

use crate::aws::{AwsError, OwnershipTags, TAG_DEPLOYMENT_ID, TAG_DESIGN_ID, TAG_LOGICAL_ID};

pub(super) fn resource_type(kind: ResourceKind) -> ResourceType {
    ResourceType::from(kind.facts().ec2_resource_type)
}

pub(super) fn tag_pairs(tags: &OwnershipTags) -> Vec<Tag> {
    [
        ("Name", tags.name.as_str()),
        (TAG_DESIGN_ID, tags.design_id.as_str()),
        (TAG_LOGICAL_ID, tags.logical_id.as_str()),
        (TAG_DEPLOYMENT_ID, tags.deployment_id.as_str()),
    ]
    .into_iter()
    .chain(
        tags.user
            .iter()
            .map(|(key, value)| (key.as_str(), value.as_str())),
    )
    .map(|(key, value)| Tag::builder().key(key).value(value).build())
    .collect()
}

pub(super) fn tag_specification(kind: ResourceKind, tags: &OwnershipTags) -> TagSpecification {
    TagSpecification::builder()
        .resource_type(resource_type(kind))
        .set_tags(Some(tag_pairs(tags)))
        .build()
}

/// A client token derived from the owner: the same create asked twice is one create on AWS.
pub(super) fn client_token(tags: &OwnershipTags) -> String {
    let digest = crate::digest::document_hash(&format!(
        "{}/{}/{}",
        tags.design_id, tags.deployment_id, tags.logical_id
    ));
    digest.chars().take(64).collect()
}

pub(super) fn flag(value: bool) -> AttributeBooleanValue {
    AttributeBooleanValue::builder().value(value).build()
}

pub(super) fn missing(operation: &'static str, what: &'static str) -> AwsError {
    AwsError::IncompleteAnswer {
        operation,
        missing: what,
    }
}

/// Whether an error says the thing asked for already exists (a retried create that had
/// worked).
pub(super) fn already_exists(error: &AwsError) -> bool {
    matches!(
        error.code(),
        Some(
            "RouteAlreadyExists"
                | "InvalidPermission.Duplicate"
                | "NetworkAclEntryAlreadyExists"
                | "Resource.AlreadyAssociated"
                | "InvalidGroup.Duplicate"
        )
    )
}

/// Whether an error says the thing to delete is already gone.
pub(super) fn already_gone(error: &AwsError) -> bool {
    error.is_not_found()
        || matches!(
            error.code(),
            Some("InvalidPermission.NotFound" | "InvalidAssociationID.NotFound")
        )
}

/// Retries a read call on throttling, server errors and lost answers (reads are safe to
/// repeat), with jittered exponential backoff: the inventory makes many of them and one
/// throttled call must not fail the whole read.
pub(super) async fn with_retries<T, F, Fut>(mut call: F) -> Result<T, AwsError>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, AwsError>>,
{
    let mut attempt: u32 = 0;
    loop {
        attempt += 1;
        match call().await {
            Err(error) if error.is_transient() && attempt < 10 => {
                let ceiling = Duration::from_millis(20)
                    .saturating_mul(2u32.saturating_pow(attempt))
                    .min(Duration::from_secs(2));
                tokio::time::sleep(ceiling.mul_f64(crate::aws::jitter())).await;
            }
            other => return other,
        }
    }
}

pub(super) fn tag_value<'a>(tags: &'a [Tag], key: &str) -> Option<&'a str> {
    tags.iter()
        .find(|t| t.key() == Some(key))
        .and_then(|t| t.value())
}

pub(super) fn owned_by<'a>(tags: &'a [Tag], design_id: &str) -> Option<&'a str> {
    (tag_value(tags, TAG_DESIGN_ID) == Some(design_id))
        .then(|| tag_value(tags, TAG_LOGICAL_ID))
        .flatten()
}

pub(super) fn design_filter(design_id: &str) -> Filter {
    Filter::builder()
        .name(format!("tag:{TAG_DESIGN_ID}"))
        .values(design_id)
        .build()
}

pub(super) fn pairs<const N: usize>(items: [(&str, String); N]) -> BTreeMap<String, String> {
    items
        .into_iter()
        .map(|(name, value)| (name.to_string(), value))
        .collect()
}
