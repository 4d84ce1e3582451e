//! Hard limits: the most work one design may ask of Moat. Each is an error diagnostic with
//! the limit named (`limit.*`), and every expensive operation — exports, diagrams, PNGs,
//! plans, deployments — refuses a design over any of them ([`check`]) before it starts, so
//! one saved design cannot exhaust the memory or the CPU of the server, the CLI or the
//! browser tab. Where AWS has a ceiling of its own (rules per group, entries per ACL, routes
//! per table, CIDR blocks per VPC) the limit is AWS's highest adjustable value: a design over
//! it could never deploy anyway. Document size is bounded before parsing, by the server's
//! body limit and [`MAX_DOCUMENT_BYTES`].
//!
//! Every pass here is linear in the size of the document.

use std::fmt;

use crate::diagnostic::{Diagnostic, Severity};
use crate::model::Design;

/// The largest design document (JSON text) the server and the CLI read.
pub const MAX_DOCUMENT_BYTES: usize = 4 * 1024 * 1024;
/// Objects of all kinds in one design.
pub const MAX_OBJECTS: usize = 10_000;
/// Instances one workload may ask for (one resource each in the plan and every export).
pub const MAX_INSTANCE_COUNT: u32 = 1_000;
/// Instances of all workloads together.
pub const MAX_TOTAL_INSTANCES: u64 = 5_000;
/// Rules per security group in one direction (AWS's highest quota: 1,000).
pub const MAX_RULES_PER_GROUP_DIRECTION: usize = 1_000;
/// Entries per network ACL in one direction (AWS's highest quota: 40).
pub const MAX_ACL_ENTRIES_PER_DIRECTION: usize = 40;
/// Routes per route table (AWS's highest quota: 1,000).
pub const MAX_ROUTES_PER_TABLE: usize = 1_000;
/// CIDR blocks per VPC (AWS's highest quota: 50).
pub const MAX_CIDR_BLOCKS_PER_VPC: usize = 50;
/// Entries in one list of references (subnets of a table, groups of a workload, …).
pub const MAX_REFERENCES_PER_LIST: usize = 1_000;
/// Expected flows.
pub const MAX_FLOWS: usize = 10_000;
/// Canvas coordinates lie within ± this, and boxes are at most this wide and high.
pub const MAX_LAYOUT_EXTENT: f64 = 100_000.0;
/// Characters in any one string of the design.
pub const MAX_TEXT_CHARACTERS: usize = 1_024;

/// Codes of the limit diagnostics.
pub mod codes {
    pub const OBJECTS: &str = "limit.objects";
    pub const INSTANCE_COUNT: &str = "limit.instance-count";
    pub const RULES: &str = "limit.rules";
    pub const ACL_ENTRIES: &str = "limit.acl-entries";
    pub const ROUTES: &str = "limit.routes";
    pub const CIDR_BLOCKS: &str = "limit.cidr-blocks";
    pub const REFERENCES: &str = "limit.references";
    pub const FLOWS: &str = "limit.flows";
    pub const LAYOUT: &str = "limit.layout";
    pub const TEXT: &str = "limit.text";

    pub const ALL: &[&str] = &[
        OBJECTS,
        INSTANCE_COUNT,
        RULES,
        ACL_ENTRIES,
        ROUTES,
        CIDR_BLOCKS,
        REFERENCES,
        FLOWS,
        LAYOUT,
        TEXT,
    ];
}

/// A design over one or more hard limits: what a refused export or plan says.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct OverLimits {
    pub diagnostics: Vec<Diagnostic>,
}

impl fmt::Display for OverLimits {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.diagnostics.first() {
            Some(first) => {
                write!(
                    formatter,
                    "the design is over Moat's limits: {}",
                    first.message
                )?;
                if self.diagnostics.len() > 1 {
                    write!(formatter, " (and {} more)", self.diagnostics.len() - 1)?;
                }
                write!(formatter, "; {}", first.hint)
            }
            None => write!(formatter, "the design is over Moat's limits"),
        }
    }
}

/// Refuses a design over any hard limit.
pub fn check(design: &Design) -> Result<(), OverLimits> {
    let diagnostics = diagnostics(design);
    if diagnostics.is_empty() {
        Ok(())
    } else {
        Err(OverLimits { diagnostics })
    }
}

/// At most this many limit diagnostics of one code (a design with 10,000 long strings gets
/// a bounded answer too).
const MAX_DIAGNOSTICS_PER_CODE: usize = 20;

#[derive(Default)]
struct Findings {
    out: Vec<Diagnostic>,
    per_code: rustc_hash::FxHashMap<&'static str, usize>,
}

impl Findings {
    fn push(&mut self, code: &'static str, object: &str, message: String, hint: &str) {
        let count = self.per_code.entry(code).or_default();
        *count += 1;
        if *count <= MAX_DIAGNOSTICS_PER_CODE {
            let objects: Vec<String> = if object.is_empty() {
                Vec::new()
            } else {
                vec![shorten(object)]
            };
            self.out.push(Diagnostic::new(
                code,
                Severity::Error,
                objects,
                message,
                hint,
            ));
        }
    }
}

/// Long text cut for a message (a 64 KiB id is named by its first characters).
fn shorten(text: &str) -> String {
    if text.chars().count() <= 80 {
        text.to_string()
    } else {
        let mut cut: String = text.chars().take(80).collect();
        cut.push('…');
        cut
    }
}

/// Every hard limit the design is over, as error diagnostics.
pub fn diagnostics(design: &Design) -> Vec<Diagnostic> {
    diagnostics_with_text(design, &serde_json::to_string(design).unwrap_or_default())
}

/// [`check`], given the design's JSON text already written (a server's save has its
/// canonical text in hand).
pub fn check_with_text(design: &Design, text: &str) -> Result<(), OverLimits> {
    let diagnostics = diagnostics_with_text(design, text);
    if diagnostics.is_empty() {
        Ok(())
    } else {
        Err(OverLimits { diagnostics })
    }
}

/// [`diagnostics`] with the design's JSON text. The text limit is read off the text first:
/// when no string in it is longer than the limit as written (and a string's value is never
/// longer than its written form), no string is over it, and the design is not walked string
/// by string; only when one may be is it, for the path-precise message.
fn diagnostics_with_text(design: &Design, text: &str) -> Vec<Diagnostic> {
    let mut findings = Findings::default();
    check_structure(design, &mut findings);
    if !every_string_within(text, MAX_TEXT_CHARACTERS) {
        check_text(
            &serde_json::to_value(design).unwrap_or_default(),
            &mut findings,
        );
    }
    findings.out
}

/// Whether every string of the JSON `text`, keys included, is written in at most `limit`
/// characters (an escape counts each character it is written with). A string's characters
/// are counted only when it is written in more than `limit` bytes (a character is at least
/// one byte), so the scan of a design's many short strings is two `memchr` calls each.
fn every_string_within(text: &str, limit: usize) -> bool {
    let bytes = text.as_bytes();
    if every_block_has_a_quote(bytes, limit) {
        return true;
    }
    let mut at = 0;
    // Outside strings: jump to the next opening quote.
    while let Some(quote) = memchr::memchr(b'"', &bytes[at..]) {
        at += quote + 1;
        let opened = at;
        // Inside: jump from escape to escape until the closing quote.
        loop {
            let Some(stop) = memchr::memchr2(b'"', b'\\', &bytes[at..]) else {
                return false;
            };
            at += stop;
            if bytes[at] == b'"' {
                break;
            }
            // A backslash and the character it escapes (both ASCII), counted as written.
            at += 2;
            if at > bytes.len() {
                return false;
            }
        }
        let written = &bytes[opened..at];
        at += 1;
        if written.len() > limit
            && written.iter().filter(|byte| *byte & 0xC0 != 0x80).count() > limit
        {
            return false;
        }
    }
    true
}

/// The quick proof that no string of the JSON `bytes` is written in more than `limit` bytes
/// (so in more than `limit` characters): the text holds no backslash (so every quote opens or
/// closes a string), and each whole block of `limit / 2 + 1` bytes, counted from the start,
/// holds a quote. A string written in more than `limit` bytes would be a run of at least
/// `limit + 1` bytes without a quote, and such a run covers a whole block. One `memchr` a
/// block, where the walk of [`every_string_within`] makes two a string: a 100-subnet design
/// measured 3 µs against 72. False says only that the proof does not hold.
fn every_block_has_a_quote(bytes: &[u8], limit: usize) -> bool {
    let block = limit / 2 + 1;
    memchr::memchr(b'\\', bytes).is_none()
        && bytes
            .chunks_exact(block)
            .all(|chunk| memchr::memchr(b'"', chunk).is_some())
}

/// [`diagnostics`], given the design already serialised (validation walks that one value for
/// every text check, rather than serialising the design once per check).
pub(crate) fn diagnostics_with_document(
    design: &Design,
    document: &serde_json::Value,
) -> Vec<Diagnostic> {
    let mut findings = Findings::default();
    check_structure(design, &mut findings);
    check_text(document, &mut findings);
    findings.out
}

/// Every limit but the text limit.
fn check_structure(design: &Design, findings: &mut Findings) {
    // Every kind counts, from the one kind list.
    let objects = design.object_count();
    if objects > MAX_OBJECTS {
        findings.push(
            codes::OBJECTS,
            "",
            format!("the design has {objects} objects; Moat's limit is {MAX_OBJECTS}"),
            "split it into several designs",
        );
    }
    let mut total_instances: u64 = 0;
    for workload in &design.workloads {
        total_instances += u64::from(workload.count);
        if workload.count > MAX_INSTANCE_COUNT {
            findings.push(
                codes::INSTANCE_COUNT,
                &workload.id,
                format!(
                    "workload {} asks for {} instances; the limit is {MAX_INSTANCE_COUNT} per workload",
                    shorten(&workload.id),
                    workload.count
                ),
                "lower its count, or split it into several workloads",
            );
        }
        check_list(
            findings,
            &workload.id,
            "security groups",
            workload.security_groups.len(),
        );
    }
    if total_instances > MAX_TOTAL_INSTANCES {
        findings.push(
            codes::INSTANCE_COUNT,
            "",
            format!(
                "the workloads ask for {total_instances} instances in all; the limit is {MAX_TOTAL_INSTANCES}"
            ),
            "lower the workloads' counts",
        );
    }
    for group in &design.security_groups {
        for (direction, rules) in [("inbound", &group.ingress), ("outbound", &group.egress)] {
            if rules.len() > MAX_RULES_PER_GROUP_DIRECTION {
                findings.push(
                    codes::RULES,
                    &group.id,
                    format!(
                        "security group {} has {} {direction} rules; AWS allows at most {MAX_RULES_PER_GROUP_DIRECTION}",
                        shorten(&group.id),
                        rules.len()
                    ),
                    "merge rules into wider port ranges or CIDRs, or split the group",
                );
            }
        }
    }
    for acl in &design.network_acls {
        for egress in [false, true] {
            let entries = acl.entries.iter().filter(|e| e.egress == egress).count();
            if entries > MAX_ACL_ENTRIES_PER_DIRECTION {
                findings.push(
                    codes::ACL_ENTRIES,
                    &acl.id,
                    format!(
                        "network ACL {} has {entries} {} entries; AWS allows at most {MAX_ACL_ENTRIES_PER_DIRECTION}",
                        shorten(&acl.id),
                        if egress { "outbound" } else { "inbound" }
                    ),
                    "summarise entries into wider ranges",
                );
            }
        }
        check_list(findings, &acl.id, "subnets", acl.subnets.len());
    }
    for table in &design.route_tables {
        if table.routes.len() > MAX_ROUTES_PER_TABLE {
            findings.push(
                codes::ROUTES,
                &table.id,
                format!(
                    "route table {} has {} routes; AWS allows at most {MAX_ROUTES_PER_TABLE}",
                    shorten(&table.id),
                    table.routes.len()
                ),
                "summarise routes, or use a prefix list",
            );
        }
        check_list(findings, &table.id, "subnets", table.subnets.len());
    }
    for vpc in &design.vpcs {
        if vpc.cidr_blocks.len() > MAX_CIDR_BLOCKS_PER_VPC {
            findings.push(
                codes::CIDR_BLOCKS,
                &vpc.id,
                format!(
                    "VPC {} has {} CIDR blocks; AWS allows at most {MAX_CIDR_BLOCKS_PER_VPC}",
                    shorten(&vpc.id),
                    vpc.cidr_blocks.len()
                ),
                "use fewer, larger blocks",
            );
        }
    }
    for endpoint in &design.endpoints {
        check_list(
            findings,
            &endpoint.id,
            "route tables",
            endpoint.route_tables.len(),
        );
        check_list(findings, &endpoint.id, "subnets", endpoint.subnets.len());
        check_list(
            findings,
            &endpoint.id,
            "security groups",
            endpoint.security_groups.len(),
        );
    }
    for gateway in &design.customer_gateways {
        check_list(
            findings,
            &gateway.id,
            "on-premises CIDRs",
            gateway.on_premises_cidrs.len(),
        );
    }
    for options in &design.dhcp_options {
        check_list(findings, &options.id, "VPCs", options.vpcs.len());
    }
    if design.flows.len() > MAX_FLOWS {
        findings.push(
            codes::FLOWS,
            "",
            format!(
                "the design has {} flows; the limit is {MAX_FLOWS}",
                design.flows.len()
            ),
            "merge flows with the same source and destination",
        );
    }
    if design.layout.len() > MAX_OBJECTS {
        findings.push(
            codes::LAYOUT,
            "",
            format!(
                "the layout has {} boxes; the limit is {MAX_OBJECTS}",
                design.layout.len()
            ),
            "remove the boxes of objects that are not in the design",
        );
    }
    for (id, layout_box) in &design.layout {
        let coordinates_fit = [layout_box.x, layout_box.y]
            .iter()
            .all(|v| v.is_finite() && v.abs() <= MAX_LAYOUT_EXTENT);
        let size_fits = [layout_box.width, layout_box.height]
            .iter()
            .all(|v| v.is_finite() && (0.0..=MAX_LAYOUT_EXTENT).contains(v));
        if !(coordinates_fit && size_fits) {
            findings.push(
                codes::LAYOUT,
                id,
                format!(
                    "the canvas box of {} ({} × {} at {}, {}) is outside the canvas: coordinates lie within ±{MAX_LAYOUT_EXTENT} and sizes within 0 to {MAX_LAYOUT_EXTENT}",
                    shorten(id),
                    layout_box.width,
                    layout_box.height,
                    layout_box.x,
                    layout_box.y
                ),
                "move it back onto the canvas, or remove its layout entry to have it laid out again",
            );
        }
    }
}

fn check_list(findings: &mut Findings, object: &str, what: &str, length: usize) {
    if length > MAX_REFERENCES_PER_LIST {
        findings.push(
            codes::REFERENCES,
            object,
            format!(
                "{} lists {length} {what}; the limit is {MAX_REFERENCES_PER_LIST}",
                shorten(object)
            ),
            "list fewer",
        );
    }
}

/// Every string of the design, found by walking its serialised form (so a field added to the
/// model is covered without a line here), with the id of the object it belongs to.
fn check_text(document: &serde_json::Value, findings: &mut Findings) {
    let mut visit = |path: &StringPath<'_>, owner: &str, text: &str| {
        let length = text.chars().count();
        if length > MAX_TEXT_CHARACTERS {
            findings.push(
                codes::TEXT,
                owner,
                format!("{path} is {length} characters long; the limit is {MAX_TEXT_CHARACTERS}"),
                "shorten it",
            );
        }
    };
    walk_strings(document, &StringPath::Root, "", &mut visit);
}

/// Where a string sits in a document (`vpcs[0].tags.team`), written out only when a message
/// names it: a walk over every string of a design builds no text for the strings that pass.
pub(crate) enum StringPath<'a> {
    Root,
    Field(&'a StringPath<'a>, &'a str),
    Item(&'a StringPath<'a>, usize),
    /// An object's key in the layout, which is itself the string checked.
    LayoutKey(&'a str),
}

impl StringPath<'_> {
    fn is_root(&self) -> bool {
        matches!(self, StringPath::Root)
    }

    fn is_layout(&self) -> bool {
        matches!(self, StringPath::Field(StringPath::Root, "layout"))
    }
}

impl fmt::Display for StringPath<'_> {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StringPath::Root => Ok(()),
            StringPath::Field(parent, key) if parent.is_root() => write!(formatter, "{key}"),
            StringPath::Field(parent, key) => write!(formatter, "{parent}.{key}"),
            StringPath::Item(parent, index) => write!(formatter, "{parent}[{index}]"),
            StringPath::LayoutKey(key) => write!(formatter, "the layout key {}", shorten(key)),
        }
    }
}

/// Calls `visit(path, owner id, text)` for every string value and object key in `value`.
pub(crate) fn walk_strings(
    value: &serde_json::Value,
    path: &StringPath<'_>,
    owner: &str,
    visit: &mut dyn FnMut(&StringPath<'_>, &str, &str),
) {
    use serde_json::Value;
    match value {
        Value::String(text) => visit(path, owner, text),
        Value::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                let item_owner = item.get("id").and_then(Value::as_str).unwrap_or(owner);
                walk_strings(item, &StringPath::Item(path, index), item_owner, visit);
            }
        }
        Value::Object(map) => {
            let in_layout = path.is_layout();
            for (key, item) in map {
                if in_layout {
                    visit(&StringPath::LayoutKey(key), key, key);
                }
                walk_strings(
                    item,
                    &StringPath::Field(path, key),
                    if in_layout { key } else { owner },
                    visit,
                );
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> Design {
        let mut design = crate::templates::template("llm-training-efa")
            .unwrap()
            .design()
            .unwrap();
        crate::layout::fill_missing_layout(&mut design);
        design
    }

    #[test]
    fn the_templates_are_within_every_limit() {
        for template in crate::templates::TEMPLATES {
            let design = template.design().unwrap();
            assert_eq!(diagnostics(&design), Vec::new(), "{}", template.name);
        }
    }

    #[test]
    fn reading_the_text_limit_off_the_text_finds_what_walking_every_string_finds() {
        type Patch = Box<dyn Fn(&mut Design)>;
        let cases: Vec<(usize, Patch)> = vec![
            (0, Box::new(|_| {})),
            (0, Box::new(|d| d.name = "x".repeat(MAX_TEXT_CHARACTERS))),
            (
                1,
                Box::new(|d| d.name = "x".repeat(MAX_TEXT_CHARACTERS + 1)),
            ),
            // Written longer than the limit (each newline as `\n`), yet within it.
            (0, Box::new(|d| d.description = "line\n".repeat(200))),
            (1, Box::new(|d| d.description = "line\n".repeat(206))),
            // Characters of several bytes count once.
            (
                0,
                Box::new(|d| d.name = "é🙂".repeat(MAX_TEXT_CHARACTERS / 2)),
            ),
            (
                1,
                Box::new(|d| d.name = "é🙂".repeat(MAX_TEXT_CHARACTERS / 2) + "!"),
            ),
            (
                1,
                Box::new(|d| {
                    let layout_box = *d.layout.values().next().unwrap();
                    d.layout.insert("k".repeat(2_000), layout_box);
                }),
            ),
            (
                1,
                Box::new(|d| {
                    d.subnets[0]
                        .tags
                        .insert("team".into(), "\"quoted\"".repeat(150));
                }),
            ),
        ];
        for (index, (expected, patch)) in cases.into_iter().enumerate() {
            let mut design = base();
            patch(&mut design);
            let walked =
                diagnostics_with_document(&design, &serde_json::to_value(&design).unwrap());
            let read_off_the_text = diagnostics(&design);
            assert_eq!(read_off_the_text, walked, "case {index}");
            let pretty = crate::spec::save_design(&design);
            assert_eq!(
                check_with_text(&design, &pretty)
                    .err()
                    .map(|over| over.diagnostics),
                (!walked.is_empty()).then_some(walked.clone()),
                "case {index}"
            );
            let texts = walked.iter().filter(|d| d.code == codes::TEXT).count();
            assert_eq!(texts, expected, "case {index}: {walked:?}");
        }
    }

    /// The block proof never passes a text with a string over the limit, wherever the string
    /// falls across the blocks, and passes the usual design text.
    #[test]
    fn the_block_proof_passes_only_texts_within_the_limit() {
        let limit = 16;
        let block = limit / 2 + 1;
        for length in [limit - 1, limit, limit + 1, limit + 2, 3 * limit] {
            for offset in 0..3 * block {
                let text = format!("[{}\"{}\",\"a\"]", " ".repeat(offset), "x".repeat(length));
                let exact = every_string_within(&text, limit);
                assert_eq!(exact, length <= limit, "{text}");
                if every_block_has_a_quote(text.as_bytes(), limit) {
                    assert!(exact, "the proof passed {text}");
                }
            }
        }
        // A backslash leaves the answer to the walk, which counts escapes as written.
        let escaped = format!("[\"{}\\n\"]", "x".repeat(limit - 2));
        assert!(!every_block_has_a_quote(escaped.as_bytes(), limit));
        assert!(every_string_within(&escaped, limit));
        // A design's texts, as files and as the store keep them, pass the proof, so it is
        // the path every save takes.
        let design = crate::generate::generated_design(100);
        for text in [
            crate::spec::save_design(&design),
            crate::spec::stored_design_text(&design, 0),
        ] {
            assert!(every_block_has_a_quote(
                text.as_bytes(),
                MAX_TEXT_CHARACTERS
            ));
        }
    }

    #[test]
    fn each_limit_names_itself_when_exceeded() {
        type Patch = Box<dyn Fn(&mut Design)>;
        let cases: Vec<(&str, Patch)> = vec![
            (
                codes::INSTANCE_COUNT,
                Box::new(|d| d.workloads[0].count = u32::MAX),
            ),
            (
                codes::RULES,
                Box::new(|d| {
                    let rule = d.security_groups[0].ingress[0].clone();
                    d.security_groups[0].ingress = vec![rule; 1_001];
                }),
            ),
            (
                codes::LAYOUT,
                Box::new(|d| {
                    let first = d.layout.keys().next().unwrap().clone();
                    d.layout.get_mut(&first).unwrap().width = 1e12;
                }),
            ),
            (
                codes::LAYOUT,
                Box::new(|d| {
                    let first = d.layout.keys().next().unwrap().clone();
                    d.layout.get_mut(&first).unwrap().x = f64::NAN;
                }),
            ),
            (codes::TEXT, Box::new(|d| d.name = "x".repeat(65_536))),
            (
                codes::TEXT,
                Box::new(|d| d.subnets[0].availability_zone = "a".repeat(2_000)),
            ),
            (
                codes::CIDR_BLOCKS,
                Box::new(|d| d.vpcs[0].cidr_blocks = vec!["10.0.0.0/16".into(); 51]),
            ),
        ];
        for (code, patch) in cases {
            let mut design = base();
            patch(&mut design);
            let found = check(&design).expect_err(code);
            assert!(
                found.diagnostics.iter().any(|d| d.code == code),
                "{code}: {found}"
            );
            assert!(found.to_string().contains("limit") || found.to_string().contains("allows"));
        }
    }
}
