//! Identities and text (Moat's own codes): what names, ids and regions may be, so that every
//! comparison Moat makes (the two-person rule's protected targets, ownership tags, exported
//! names) compares one spelling, and no invisible character hides in a design.
//!
//! - `id.invalid`: an object id is a lowercase letter, then lowercase letters, digits and `-`,
//!   at most [`MAX_ID_CHARACTERS`] (what the ids Moat generates and the AWS ids `moat import`
//!   keeps look like; every export target can spell it).
//! - `text.invalid`: a string holds a control character or an invisible one (bidirectional
//!   controls, zero-width characters, the byte-order mark), anywhere in the design.
//! - `region.unknown`: the region is not one of AWS's ([`REGIONS`]), in its lowercase spelling.
//! - `sg.name-invalid`: a security group's name or description uses characters AWS refuses
//!   (Amazon EC2 API Reference, CreateSecurityGroup: `a-zA-Z0-9 ._-:/()#,@[]+=&;{}!$*`, at
//!   most 255 characters, and a name may not start with `sg-`).

use super::codes;
use super::{Diagnostic, Severity};
use crate::escape::is_unsafe;
use crate::model::Design;

/// The longest object id.
pub const MAX_ID_CHARACTERS: usize = 64;

/// AWS's regions (commercial, GovCloud and China partitions), as of 2026-12.
pub const REGIONS: &[&str] = &[
    "af-south-1",
    "ap-east-1",
    "ap-east-2",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ap-south-1",
    "ap-south-2",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-southeast-3",
    "ap-southeast-4",
    "ap-southeast-5",
    "ap-southeast-6",
    "ap-southeast-7",
    "ca-central-1",
    "ca-west-1",
    "cn-north-1",
    "cn-northwest-1",
    "eu-central-1",
    "eu-central-2",
    "eu-north-1",
    "eu-south-1",
    "eu-south-2",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "il-central-1",
    "me-central-1",
    "me-south-1",
    "mx-central-1",
    "sa-east-1",
    "us-east-1",
    "us-east-2",
    "us-gov-east-1",
    "us-gov-west-1",
    "us-west-1",
    "us-west-2",
];

/// Whether `region` is an AWS region, spelled as AWS spells it.
pub fn is_known_region(region: &str) -> bool {
    REGIONS.contains(&region)
}

/// Whether `id` is a valid object id (see the module doc).
pub fn is_valid_id(id: &str) -> bool {
    let bytes = id.as_bytes();
    !bytes.is_empty()
        && bytes.len() <= MAX_ID_CHARACTERS
        && bytes[0].is_ascii_lowercase()
        && bytes
            .iter()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-')
}

/// The longest security group name or description AWS takes.
pub const MAX_GROUP_TEXT_CHARACTERS: usize = 255;

fn is_group_text_character(character: char) -> bool {
    character.is_ascii_alphanumeric() || " ._-:/()#,@[]+=&;{}!$*".contains(character)
}

/// The text cut for a message.
fn shown(text: &str) -> String {
    let cut: String = text
        .chars()
        .take(60)
        .map(|c| if is_unsafe(c) { '?' } else { c })
        .collect();
    if text.chars().count() > 60 {
        format!("{cut}…")
    } else {
        cut
    }
}

/// Unsafe characters of `text` by their code points (`U+202E`), the first few.
fn unsafe_characters(text: &str) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    for character in text.chars().filter(|c| is_unsafe(*c)) {
        let name = format!("U+{:04X}", character as u32);
        if !found.contains(&name) {
            found.push(name);
        }
        if found.len() == 4 {
            break;
        }
    }
    found
}

/// `document` is the design serialised (walked for every string).
pub(super) fn check(design: &Design, document: &serde_json::Value, out: &mut Vec<Diagnostic>) {
    if !is_known_region(&design.region) {
        let lower = design.region.trim().to_ascii_lowercase();
        let hint = if is_known_region(&lower) {
            format!("spell it as AWS does: {lower}")
        } else {
            "use an AWS region such as us-east-1 or eu-west-1".to_string()
        };
        out.push(Diagnostic::new(
            codes::REGION_UNKNOWN,
            Severity::Error,
            Vec::<String>::new(),
            format!(
                "the design's region \"{}\" is not an AWS region",
                shown(&design.region)
            ),
            hint,
        ));
    }
    let mut invalid_ids = 0;
    for (id, kind) in design.object_ids() {
        if !is_valid_id(id) {
            invalid_ids += 1;
            if invalid_ids > 50 {
                continue;
            }
            out.push(Diagnostic::new(
                codes::ID_INVALID,
                Severity::Error,
                [shown(id)],
                format!(
                    "the {} id \"{}\" is not a valid id: ids are a lowercase letter, then lowercase letters, digits and '-', at most {MAX_ID_CHARACTERS} characters",
                    kind.label().to_lowercase(),
                    shown(id)
                ),
                format!("rename it, e.g. {}-1", kind.id_prefix()),
            ));
        }
    }
    for group in &design.security_groups {
        let rule_descriptions = [("ingress", &group.ingress), ("egress", &group.egress)]
            .into_iter()
            .flat_map(|(direction, rules)| {
                rules.iter().enumerate().filter_map(move |(index, rule)| {
                    let text = rule.description.as_ref()?;
                    Some((format!("{direction} rule {} description", index + 1), text))
                })
            });
        let texts = [
            ("name".to_string(), &group.name),
            ("description".to_string(), &group.description),
        ]
        .into_iter()
        .chain(rule_descriptions);
        for (field, text) in texts {
            let bad: String = text
                .chars()
                .filter(|c| !is_group_text_character(*c))
                .take(8)
                .collect();
            let too_long = text.chars().count() > MAX_GROUP_TEXT_CHARACTERS;
            let reserved = field == "name" && text.to_ascii_lowercase().starts_with("sg-");
            let empty = field == "name" && text.is_empty();
            if bad.is_empty() && !too_long && !reserved && !empty {
                continue;
            }
            let problem = if empty {
                "is empty".to_string()
            } else if reserved {
                "starts with \"sg-\", which AWS keeps for group ids".to_string()
            } else if too_long {
                format!("is longer than {MAX_GROUP_TEXT_CHARACTERS} characters")
            } else {
                format!("has characters AWS refuses ({})", shown(&bad))
            };
            out.push(Diagnostic::new(
                codes::SG_NAME_INVALID,
                Severity::Error,
                [group.id.as_str()],
                format!("security group {}'s {field} {problem}", group.id),
                "use letters, digits, spaces and ._-:/()#,@[]+=&;{}!$* only, at most 255 characters",
            ));
        }
    }
    let mut invalid_texts = 0;
    crate::limits::walk_strings(
        document,
        &crate::limits::StringPath::Root,
        "",
        &mut |path, owner, text| {
            let found = unsafe_characters(text);
            if found.is_empty() {
                return;
            }
            invalid_texts += 1;
            if invalid_texts > 50 {
                return;
            }
            let objects: Vec<String> = if owner.is_empty() {
                Vec::new()
            } else {
                vec![shown(owner)]
            };
            out.push(Diagnostic::new(
            codes::TEXT_INVALID,
            Severity::Error,
            objects,
            format!(
                "{path} holds invisible or control characters ({}): they can make a value read other than it is",
                found.join(", ")
            ),
            "retype the value without them",
        ));
        },
    );
}
