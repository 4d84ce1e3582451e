//! Tag rules (reference § Tags): what AWS refuses of a resource's tags, and the keys Moat keeps
//! for itself. Source: Amazon EC2 User Guide, "Tag your Amazon EC2 resources" (50 tags per
//! resource, keys up to 128 characters, values up to 256, the `aws:` prefix reserved); Moat
//! sets `Name`, `moat:design-id`, `moat:logical-id` and `moat:deployment-id` on everything it
//! makes, so a design keeps those keys and 46 tags for itself.

use super::codes;
use super::context::ValidationContext;
use super::{Diagnostic, Severity};
use crate::model::is_reserved_tag_key;

/// Tags AWS keeps on one resource.
pub const AWS_TAGS_PER_RESOURCE: usize = 50;
/// The tags Moat sets on everything it makes.
pub const MOAT_TAGS: usize = 4;
/// The user tags one object may have.
pub const MAX_USER_TAGS: usize = AWS_TAGS_PER_RESOURCE - MOAT_TAGS;
pub const MAX_KEY_CHARACTERS: usize = 128;
pub const MAX_VALUE_CHARACTERS: usize = 256;

pub(super) fn check(context: &ValidationContext<'_>, out: &mut Vec<Diagnostic>) {
    for object in context.design.objects() {
        let tags = object.tags();
        if tags.is_empty() {
            continue;
        }
        let id = object.id();
        if tags.len() > MAX_USER_TAGS {
            out.push(Diagnostic::new(
                codes::TAG_LIMIT,
                Severity::Error,
                [id],
                format!(
                    "{id} has {} tags; AWS keeps {AWS_TAGS_PER_RESOURCE} per resource and Moat sets {MOAT_TAGS} of its own, so at most {MAX_USER_TAGS} are yours",
                    tags.len()
                ),
                format!("remove {} of {id}'s tags", tags.len() - MAX_USER_TAGS),
            ));
        }
        for (key, value) in tags {
            if is_reserved_tag_key(key) {
                out.push(Diagnostic::new(
                    codes::TAG_RESERVED_KEY,
                    Severity::Error,
                    [id],
                    format!(
                        "{id} has a tag \"{key}\": Moat sets Name and the moat: tags itself, and AWS keeps the aws: prefix"
                    ),
                    format!(
                        "rename the tag \"{key}\" (the object's Name is its id; rename the object to change it)"
                    ),
                ));
            }
            let key_length = key.chars().count();
            let value_length = value.chars().count();
            if key_length == 0
                || key_length > MAX_KEY_CHARACTERS
                || value_length > MAX_VALUE_CHARACTERS
            {
                out.push(Diagnostic::new(
                    codes::TAG_INVALID,
                    Severity::Error,
                    [id],
                    format!(
                        "{id} has a tag whose key is {key_length} characters and value {value_length}; AWS takes keys of 1 to {MAX_KEY_CHARACTERS} characters and values of up to {MAX_VALUE_CHARACTERS}"
                    ),
                    "shorten the tag's key or value".to_string(),
                ));
            }
        }
    }
}
