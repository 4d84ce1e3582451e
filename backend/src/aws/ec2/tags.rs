//! User tags, for every kind at once: set in place (`CreateTags` for what the design wants,
//! `DeleteTags` for the keys it no longer has) and read back for the whole inventory by AWS
//! id (`DescribeTags`, 200 ids a call), so no kind's own read has to. Moat's own tags (`Name`,
//! `moat:…`) are never touched here: they are set at creation and find the resources.

use aws_sdk_ec2::Client;
use aws_sdk_ec2::types::{Filter, Tag};
use shared::model::{Tags, is_reserved_tag_key};
use shared::plan::{TAGS_ATTRIBUTE, tags_text};

use super::calls::with_retries;
use super::inventory::Inventory;
use crate::aws::AwsError;
use crate::aws::sdk::service_error;

/// Ids a `DescribeTags` filter takes at once.
const IDS_PER_CALL: usize = 200;

/// Makes the resource's user tags `wanted`; `observed` is what the inventory read (the
/// compared text), whose keys the design no longer has are deleted.
pub(super) async fn set_user_tags(
    client: &Client,
    aws_id: &str,
    wanted: &Tags,
    observed: Option<&str>,
) -> Result<(), AwsError> {
    let observed: Tags = observed
        .and_then(|text| serde_json::from_str(text).ok())
        .unwrap_or_default();
    let stale: Vec<Tag> = observed
        .keys()
        .filter(|key| !wanted.contains_key(*key) && !is_reserved_tag_key(key))
        .map(|key| Tag::builder().key(key).build())
        .collect();
    if !stale.is_empty() {
        client
            .delete_tags()
            .resources(aws_id)
            .set_tags(Some(stale))
            .send()
            .await
            .map_err(|e| service_error("DeleteTags", e))?;
    }
    let wanted: Vec<Tag> = wanted
        .iter()
        .filter(|(key, value)| observed.get(*key) != Some(value))
        .map(|(key, value)| Tag::builder().key(key).value(value).build())
        .collect();
    if !wanted.is_empty() {
        client
            .create_tags()
            .resources(aws_id)
            .set_tags(Some(wanted))
            .send()
            .await
            .map_err(|e| service_error("CreateTags", e))?;
    }
    Ok(())
}

/// Gives every tagged resource of the inventory the compared `tags` attribute when it has
/// user tags.
pub(super) async fn read_user_tags(
    inventory: &mut Inventory,
    client: &Client,
) -> Result<(), AwsError> {
    let ids: Vec<String> = inventory
        .observed
        .iter()
        .filter(|resource| resource.key.kind.facts().tagged)
        .map(|resource| resource.aws_id.clone())
        .collect();
    let mut found: std::collections::HashMap<String, Tags> = std::collections::HashMap::new();
    for chunk in ids.chunks(IDS_PER_CALL) {
        let mut next_token: Option<String> = None;
        loop {
            let page = with_retries(|| async {
                client
                    .describe_tags()
                    .filters(
                        Filter::builder()
                            .name("resource-id")
                            .set_values(Some(chunk.to_vec()))
                            .build(),
                    )
                    .set_next_token(next_token.clone())
                    .send()
                    .await
                    .map_err(|e| service_error("DescribeTags", e))
            })
            .await?;
            for tag in page.tags() {
                let (Some(id), Some(key)) = (tag.resource_id(), tag.key()) else {
                    continue;
                };
                if is_reserved_tag_key(key) {
                    continue;
                }
                found
                    .entry(id.to_string())
                    .or_default()
                    .insert(key.to_string(), tag.value().unwrap_or_default().to_string());
            }
            next_token = page
                .next_token()
                .map(str::to_string)
                .filter(|t| !t.is_empty());
            if next_token.is_none() {
                break;
            }
        }
    }
    for resource in &mut inventory.observed {
        if let Some(tags) = found.get(&resource.aws_id) {
            resource
                .attributes
                .insert(TAGS_ATTRIBUTE.to_string(), tags_text(tags));
        }
    }
    Ok(())
}
