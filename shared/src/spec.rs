//! The versioned JSON spec: loading with precise errors, the migration step table, saving.
//!
//! Loading goes raw JSON → check `schema_version` → apply migration steps one version at a time
//! → typed [`Design`]. A structural error names the exact path and value
//! (`subnets[3].tier: unknown variant "dmz", expected "public" or "private"`), never a bare serde
//! message. Legacy fields are never sniffed: only `schema_version` decides which steps run.

use serde_json::Value;

use crate::model::{CURRENT_SCHEMA_VERSION, Design};

/// Why a document could not be loaded. Every variant says what, where, and how to fix it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SpecError {
    #[error("not valid JSON at line {line}, column {column}: {message}")]
    Syntax {
        line: usize,
        column: usize,
        message: String,
    },
    #[error(
        "the document is not a JSON object; a Moat design is an object with schema_version, name, region, …"
    )]
    NotAnObject,
    #[error(
        "schema_version is missing: add \"schema_version\": {CURRENT_SCHEMA_VERSION} at the top of the document"
    )]
    MissingVersion,
    #[error("schema_version is {found}, which is not a whole number: use {CURRENT_SCHEMA_VERSION}")]
    BadVersion { found: String },
    #[error(
        "schema_version {found} is newer than this Moat understands (up to {CURRENT_SCHEMA_VERSION}): upgrade Moat to open it"
    )]
    FutureVersion { found: u64 },
    #[error("schema_version {found} is not a Moat version (versions start at 1)")]
    UnknownVersion { found: u64 },
    #[error("{path}: {message}")]
    Structure { path: String, message: String },
}

/// One migration step: turns a document of version `from` into version `from + 1`.
pub struct MigrationStep {
    pub from: u32,
    pub describe: &'static str,
    pub migrate: fn(Value) -> Value,
}

/// The step table: each new version adds one step and a test that exercises it (see
/// `every_step_is_tested`).
pub const MIGRATIONS: &[MigrationStep] = &[MigrationStep {
    from: 1,
    describe: "2 adds vpcs[].flow_logs (optional): a version-1 VPC records no flow logs, so nothing else changes",
    migrate: version_1_to_2,
}];

/// Version 2 adds the optional `flow_logs` of a VPC. A version-1 document could not hold one
/// (unknown fields were refused), so its objects carry over as they are.
fn version_1_to_2(document: Value) -> Value {
    document
}

/// Parses and loads a design from JSON text.
pub fn load_design(text: &str) -> Result<Design, SpecError> {
    // On a server or the CLI, a document already at the current version reads straight into
    // the design (a server's every save is one); older ones, and any the straight read
    // refuses, go through the migration steps and the value's readers
    // ([`load_design_value`]). Both give the same design for a document both accept (a test
    // holds them to it). The browser takes the value's readers only: each reader is a copy of
    // every type's deserialising code, and the page's first load carries what it compiles.
    #[cfg(not(target_arch = "wasm32"))]
    if let Ok(design) = serde_json::from_str::<Design>(text)
        && design.schema_version == CURRENT_SCHEMA_VERSION
    {
        return Ok(design);
    }
    let value: Value = serde_json::from_str(text).map_err(|error| SpecError::Syntax {
        line: error.line(),
        column: error.column(),
        message: strip_position(&error.to_string()),
    })?;
    load_design_value(value)
}

/// Loads a design from a JSON value (migrating it when older). A document the plain reader
/// refuses is read again by the reader that names the path of what is wrong
/// ([`load_design_value_naming_paths`]); in the browser that reader is a part fetched on demand,
/// and until the page installs it ([`install_path_naming_reader`]) the error names no path.
pub fn load_design_value(value: Value) -> Result<Design, SpecError> {
    load_design_value_with(value, path_naming_reader())
}

/// A reader of a migrated document that names the path of what is wrong.
pub type PathNamingReader = fn(Value) -> Result<Design, SpecError>;

/// Where an error found without the path-naming reader is said to be.
pub const UNLOCATED_PATH: &str = "(somewhere in the document)";

/// [`load_design_value`] with the path-naming reader given: the plain reader first (one copy
/// of every type's deserialising code, the copy the browser's first load carries), and
/// `path_naming`, when given, to say where a refused document is wrong.
pub fn load_design_value_with(
    value: Value,
    path_naming: Option<PathNamingReader>,
) -> Result<Design, SpecError> {
    let migrated = migrate_to_current(value)?;
    match <Design as serde::Deserialize>::deserialize(&migrated) {
        Ok(design) => Ok(design),
        Err(error) => match path_naming {
            Some(read) => read(migrated),
            None => Err(SpecError::Structure {
                path: UNLOCATED_PATH.to_string(),
                message: humanize_serde_message(&error.to_string()),
            }),
        },
    }
}

/// Reads a document already at the current version, naming the path of what is wrong
/// (`subnets[3].tier: unknown variant …`). Each reader is a copy of every type's deserialising
/// code: the browser fetches this one as a part (`frontend/src/lazy.rs`) and installs it.
pub fn load_design_value_naming_paths(migrated: Value) -> Result<Design, SpecError> {
    let mut track = serde_path_to_error::Track::new();
    let deserializer = serde_path_to_error::Deserializer::new(&migrated, &mut track);
    serde::Deserialize::deserialize(deserializer).map_err(|error: serde_json::Error| {
        let path = track.path().to_string();
        SpecError::Structure {
            path: if path == "." || path.is_empty() {
                "(document)".to_string()
            } else {
                path
            },
            message: humanize_serde_message(&error.to_string()),
        }
    })
}

/// The browser's path-naming reader, once the page has fetched it.
#[cfg(target_arch = "wasm32")]
static PATH_NAMING_READER: std::sync::OnceLock<PathNamingReader> = std::sync::OnceLock::new();

/// Installs the path-naming reader the browser fetched as a part: from then on every refused
/// document names the path of what is wrong. Installing it again changes nothing.
#[cfg(target_arch = "wasm32")]
pub fn install_path_naming_reader(reader: PathNamingReader) {
    let _ = PATH_NAMING_READER.set(reader);
}

/// Whether a refused document's error can name its path here.
pub fn names_paths() -> bool {
    path_naming_reader().is_some()
}

/// The path-naming reader: always here on a server or the CLI; in the browser, once installed.
fn path_naming_reader() -> Option<PathNamingReader> {
    #[cfg(target_arch = "wasm32")]
    {
        PATH_NAMING_READER.get().copied()
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        Some(load_design_value_naming_paths)
    }
}

/// Checks the version and runs the step table up to [`CURRENT_SCHEMA_VERSION`].
pub fn migrate_to_current(value: Value) -> Result<Value, SpecError> {
    let Value::Object(ref object) = value else {
        return Err(SpecError::NotAnObject);
    };
    let version = match object.get("schema_version") {
        None => return Err(SpecError::MissingVersion),
        Some(Value::Number(number)) => number.as_u64().ok_or_else(|| SpecError::BadVersion {
            found: number.to_string(),
        })?,
        Some(other) => {
            return Err(SpecError::BadVersion {
                found: other.to_string(),
            });
        }
    };
    if version == 0 {
        return Err(SpecError::UnknownVersion { found: version });
    }
    if version > u64::from(CURRENT_SCHEMA_VERSION) {
        return Err(SpecError::FutureVersion { found: version });
    }
    let mut current = value;
    let mut at = version as u32;
    while at < CURRENT_SCHEMA_VERSION {
        let Some(step) = MIGRATIONS.iter().find(|step| step.from == at) else {
            return Err(SpecError::UnknownVersion {
                found: u64::from(at),
            });
        };
        current = (step.migrate)(current);
        at += 1;
        if let Value::Object(ref mut object) = current {
            object.insert("schema_version".to_string(), Value::from(at));
        }
    }
    Ok(current)
}

/// The JSON Schema of the design document, generated from the types (`moat schema`).
/// Committed as `shared/schema/design.schema.json`; a test fails when it drifts.
pub fn json_schema() -> String {
    let schema = schemars::schema_for!(Design);
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    text
}

/// The canonical JSON text of a design (pretty, stable field order): what files hold.
pub fn save_design(design: &Design) -> String {
    serde_json::to_string_pretty(design).unwrap_or_else(|_| String::from("{}"))
}

/// A design's compact text ([`stored_design_text`]) read back as a JSON document: what the
/// browser edits a document as, with the one serialiser of the design it carries.
pub fn saved_document(design: &Design) -> Result<Value, serde_json::Error> {
    serde_json::from_str(&stored_design_text(design, 0))
}

/// The text a server stores for a design: the canonical text without the whitespace that
/// lays it out for people (the same fields in the same order, and 40% shorter for a
/// 100-subnet design, so every save hashes, writes and sends back that much less). Every
/// reader reads it as it reads [`save_design`]'s text. `expected_bytes`, the size of the text
/// the design was read from, is reserved at once: growing the buffer step by step copies
/// all written so far at each step.
pub fn stored_design_text(design: &Design, expected_bytes: usize) -> String {
    let mut bytes = Vec::with_capacity(expected_bytes.max(128));
    match serde_json::to_writer(&mut bytes, design) {
        // serde_json writes only UTF-8 (its own tokens and the strings it was given).
        Ok(()) => String::from_utf8(bytes).unwrap_or_else(|_| String::from("{}")),
        Err(_) => String::from("{}"),
    }
}

/// Compact JSON text ([`stored_design_text`]'s) laid out for people exactly as
/// [`save_design`] lays it out (serde_json's pretty printer: two spaces a level, `": "` after
/// a key, `{}` and `[]` when empty), keeping the fields' order: for a browser that carries the
/// compact serialiser of the design only and writes the pretty text for a file.
pub fn pretty_json(compact: &str) -> String {
    let bytes = compact.as_bytes();
    let mut pretty = Vec::with_capacity(compact.len() * 2);
    let mut depth = 0_usize;
    let (mut in_string, mut escaped) = (false, false);
    let line_break = |pretty: &mut Vec<u8>, depth: usize| {
        pretty.push(b'\n');
        pretty.extend(std::iter::repeat_n(b' ', depth * 2));
    };
    let mut index = 0;
    while let Some(&byte) = bytes.get(index) {
        index += 1;
        if in_string {
            pretty.push(byte);
            if escaped {
                escaped = false;
            } else if byte == b'\\' {
                escaped = true;
            } else if byte == b'"' {
                in_string = false;
            }
            continue;
        }
        match byte {
            b'"' => {
                in_string = true;
                pretty.push(byte);
            }
            b'{' | b'[' => {
                pretty.push(byte);
                if matches!(bytes.get(index), Some(b'}' | b']')) {
                    pretty.push(bytes[index]);
                    index += 1;
                } else {
                    depth += 1;
                    line_break(&mut pretty, depth);
                }
            }
            b'}' | b']' => {
                depth = depth.saturating_sub(1);
                line_break(&mut pretty, depth);
                pretty.push(byte);
            }
            b',' => {
                pretty.push(byte);
                line_break(&mut pretty, depth);
            }
            b':' => pretty.extend_from_slice(b": "),
            _ => pretty.push(byte),
        }
    }
    // Only ASCII bytes were added, and every byte of the text was kept in order.
    String::from_utf8(pretty).unwrap_or_else(|_| compact.to_string())
}

fn strip_position(message: &str) -> String {
    match message.find(" at line ") {
        Some(index) => message[..index].to_string(),
        None => message.to_string(),
    }
}

/// Turns serde's wording into Moat's: `expected a whole number, found "four"`.
/// A type's name in words, with its article: `SecurityGroupRule` → "a security group rule".
/// Type names are ASCII: the ASCII case rules spare the browser's first load Unicode's case
/// tables.
fn type_in_words(name: &str) -> String {
    let mut words = String::new();
    for character in name.chars() {
        if character.is_ascii_uppercase() && !words.is_empty() {
            words.push(' ');
        }
        words.push(character.to_ascii_lowercase());
    }
    let article = if words.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    };
    format!("{article} {words}")
}

fn humanize_serde_message(message: &str) -> String {
    let message = strip_position(message);
    if let Some(rest) = message.strip_prefix("invalid type: ")
        && let Some((found, expected)) = rest.split_once(", expected ")
    {
        let found = found.strip_prefix("string ").unwrap_or(found);
        let expected = match expected {
            "u32" | "u64" | "u16" | "u8" => "a whole number",
            "i32" | "i64" => "an integer",
            "f64" | "f32" => "a number",
            "a boolean" => "true or false",
            other => other,
        };
        // `struct SecurityGroupRule` → "a security group rule (an object)".
        let expected = match expected.strip_prefix("struct ") {
            Some(name) => format!("{} (an object)", type_in_words(name)),
            None => expected.to_string(),
        };
        return format!("expected {expected}, found {found}");
    }
    if let Some(rest) = message.strip_prefix("invalid value: ")
        && let Some((found, expected)) = rest.split_once(", expected ")
    {
        let expected = match expected {
            "u32" | "u64" => "a whole number (0 or more)",
            other => other,
        };
        return format!("expected {expected}, found {found}");
    }
    message
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_compact_text_laid_out_is_the_saved_text() {
        let mut designs = crate::templates::sample_designs(50);
        designs.push(Design::new("empty", "us-east-1"));
        let mut hostile = Design::new(
            "a \"quoted\"  {name}\twith\\ back\\\\slashes, [\n] newlines: and  spaces",
            "us-east-1",
        );
        hostile.description = "ünïcödé  ✓ \u{2028} \\\" }{ ][ , : {} [] ".to_string();
        designs.push(hostile);
        for design in &designs {
            let compact = stored_design_text(design, 0);
            assert_eq!(
                pretty_json(&compact),
                save_design(design),
                "{}",
                design.name
            );
            assert_eq!(load_design(&compact).unwrap(), *design);
        }
    }

    #[test]
    fn laying_out_keeps_empty_lists_and_objects_on_one_line() {
        assert_eq!(
            pretty_json(r#"{"a":[],"b":{},"c":[1,{"d":"x, y: {z}"}]}"#),
            "{\n  \"a\": [],\n  \"b\": {},\n  \"c\": [\n    1,\n    {\n      \"d\": \"x, y: {z}\"\n    }\n  ]\n}"
        );
    }

    #[test]
    fn without_the_path_naming_reader_an_error_names_no_path_but_says_what() {
        let document = json!({
            "schema_version": 2, "name": "x", "region": "us-east-1",
            "subnets": [{"id": "s", "vpc": "v", "availability_zone": "us-east-1a", "cidr": "10.0.0.0/24", "tier": "dmz"}]
        });
        let error = load_design_value_with(document.clone(), None).unwrap_err();
        let SpecError::Structure { path, message } = &error else {
            panic!("{error:?}");
        };
        assert_eq!(path, UNLOCATED_PATH);
        assert!(message.contains("unknown variant `dmz`"), "{message}");
        let located = load_design_value_with(document, Some(load_design_value_naming_paths))
            .unwrap_err()
            .to_string();
        assert!(located.starts_with("subnets[0].tier: "), "{located}");
        // A document the plain reader takes never needs the other reader.
        let fine = json!({"schema_version": 2, "name": "x", "region": "us-east-1"});
        assert!(load_design_value_with(fine, None).is_ok());
        assert!(names_paths(), "a server and the CLI always name the path");
    }

    #[test]
    fn structural_errors_name_the_path_and_value() {
        let document = json!({
            "schema_version": 1, "name": "x", "region": "us-east-1",
            "vpcs": [{"id": "v", "cidr_blocks": ["10.0.0.0/16"]}],
            "subnets": [{"id": "s", "vpc": "v", "availability_zone": "us-east-1a", "cidr": "10.0.0.0/24", "tier": "private"}],
            "workloads": [
                {"id": "w0", "kind": "ec2", "subnet": "s"},
                {"id": "w1", "kind": "ec2", "subnet": "s"},
                {"id": "w2", "kind": "ec2", "subnet": "s"},
                {"id": "w3", "kind": "ec2", "subnet": "s", "count": "four"}
            ]
        });
        let error = load_design_value(document).unwrap_err();
        assert_eq!(
            error.to_string(),
            "workloads[3].count: expected a whole number, found \"four\""
        );
    }

    #[test]
    fn unknown_variants_and_fields_are_named() {
        let document = json!({"schema_version": 1, "name": "x", "region": "us-east-1",
            "subnets": [{"id": "s", "vpc": "v", "availability_zone": "a", "cidr": "c", "tier": "dmz"}]});
        let error = load_design_value(document).unwrap_err().to_string();
        assert!(
            error.starts_with("subnets[0].tier: unknown variant `dmz`"),
            "{error}"
        );
        let document = json!({"schema_version": 1, "name": "x", "region": "us-east-1", "vpc": []});
        let error = load_design_value(document).unwrap_err().to_string();
        assert!(error.contains("unknown field `vpc`"), "{error}");
    }

    #[test]
    fn an_invalid_cidr_loads_and_is_left_to_validation() {
        let document = json!({"schema_version": 1, "name": "x", "region": "us-east-1",
            "vpcs": [{"id": "v", "cidr_blocks": ["10.0.0/16"]}]});
        assert!(load_design_value(document).is_ok());
    }

    #[test]
    fn versions_are_checked_before_anything_else() {
        assert_eq!(load_design("[1]").unwrap_err(), SpecError::NotAnObject);
        assert_eq!(
            load_design(r#"{"name": "x"}"#).unwrap_err(),
            SpecError::MissingVersion
        );
        assert_eq!(
            load_design(r#"{"schema_version": 99}"#).unwrap_err(),
            SpecError::FutureVersion { found: 99 }
        );
        assert_eq!(
            load_design(r#"{"schema_version": 0}"#).unwrap_err(),
            SpecError::UnknownVersion { found: 0 }
        );
        assert!(matches!(
            load_design(r#"{"schema_version": "1"}"#).unwrap_err(),
            SpecError::BadVersion { .. }
        ));
        let syntax = load_design("{\"schema_version\": 1,\n  oops}").unwrap_err();
        assert!(
            matches!(syntax, SpecError::Syntax { line: 2, .. }),
            "{syntax:?}"
        );
    }

    #[test]
    fn save_then_load_is_the_identity() {
        let mut design = Design::new("round trip", "us-west-2");
        design.vpcs.push(crate::model::Vpc {
            tenancy: Default::default(),
            tags: Default::default(),
            id: "vpc-1".into(),
            name: "main".into(),
            cidr_blocks: vec!["10.0.0.0/16".into()],
            enable_dns_support: true,
            enable_dns_hostnames: false,
            flow_logs: Some(crate::model::FlowLogs {
                destination: "arn:aws:s3:::audit-logs/vpc".into(),
                traffic_type: crate::model::FlowLogTraffic::Reject,
                delivery_role_arn: None,
                max_aggregation_interval: 60,
            }),
        });
        let loaded = load_design(&save_design(&design)).unwrap();
        assert_eq!(loaded, design);
    }

    #[test]
    fn the_committed_json_schema_matches_the_types() {
        let path =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("schema/design.schema.json");
        if std::env::var_os("MOAT_UPDATE_SNAPSHOTS").is_some() {
            std::fs::write(&path, json_schema()).unwrap();
        }
        let committed = std::fs::read_to_string(&path).unwrap();
        assert!(
            committed == json_schema(),
            "shared/schema/design.schema.json is stale: regenerate it with `moat schema > shared/schema/design.schema.json`"
        );
    }

    #[test]
    fn the_json_schema_names_the_public_fields() {
        let schema: serde_json::Value = serde_json::from_str(&json_schema()).unwrap();
        let properties = &schema["properties"];
        for field in [
            "schema_version",
            "name",
            "region",
            "vpcs",
            "subnets",
            "route_tables",
            "endpoints",
            "workloads",
            "layout",
            "flows",
        ] {
            assert!(
                properties.get(field).is_some(),
                "{field} missing from the schema"
            );
        }
        assert_eq!(schema["additionalProperties"], false);
    }

    #[test]
    fn migration_1_to_2_keeps_every_object_and_records_no_flow_logs() {
        let version_1 = json!({
            "schema_version": 1, "name": "old", "region": "us-east-1",
            "vpcs": [{"id": "vpc-a", "cidr_blocks": ["10.0.0.0/16"], "enable_dns_hostnames": false}],
            "subnets": [{"id": "s1", "vpc": "vpc-a", "availability_zone": "us-east-1a", "cidr": "10.0.1.0/24", "tier": "private"}]
        });
        let migrated = migrate_to_current(version_1.clone()).unwrap();
        assert_eq!(migrated["schema_version"], 2);
        assert_eq!(migrated["vpcs"], version_1["vpcs"]);
        assert_eq!(migrated["subnets"], version_1["subnets"]);
        let design = load_design_value(version_1).unwrap();
        assert_eq!(design.schema_version, CURRENT_SCHEMA_VERSION);
        assert_eq!(design.vpcs[0].flow_logs, None);
        assert!(!design.vpcs[0].enable_dns_hostnames);
        let saved: Value = serde_json::from_str(&save_design(&design)).unwrap();
        assert_eq!(saved["schema_version"], 2);
        assert!(saved["vpcs"][0].get("flow_logs").is_none());
    }

    #[test]
    fn flow_log_destinations_are_read_from_their_arns() {
        use crate::model::{FlowLogDestinationKind as Kind, FlowLogs};
        let kind = |destination: &str| {
            FlowLogs {
                destination: destination.into(),
                traffic_type: Default::default(),
                delivery_role_arn: None,
                max_aggregation_interval: 600,
            }
            .destination_kind()
        };
        assert_eq!(kind("arn:aws:s3:::audit-logs"), Some(Kind::S3));
        assert_eq!(kind("arn:aws:s3:::audit-logs/vpc/flow"), Some(Kind::S3));
        assert_eq!(kind("arn:aws-us-gov:s3:::audit.logs-1"), Some(Kind::S3));
        assert_eq!(
            kind("arn:aws:logs:us-east-1:123456789012:log-group:/vpc/flow"),
            Some(Kind::CloudWatchLogs)
        );
        assert_eq!(
            kind("arn:aws:logs:us-east-1:123456789012:log-group:flow:*"),
            Some(Kind::CloudWatchLogs)
        );
        for wrong in [
            "",
            "audit-logs",
            "s3://audit-logs",
            "arn:aws:s3:::Audit_Logs",
            "arn:aws:s3:::ab",
            "arn:aws:s3:us-east-1::audit-logs",
            "arn:aws:logs:us-east-1:1234:log-group:flow",
            "arn:aws:logs:us-east-1:123456789012:flow",
            "arn:aws:ec2:us-east-1:123456789012:vpc/vpc-1",
        ] {
            assert_eq!(kind(wrong), None, "{wrong}");
        }
    }

    #[test]
    fn the_straight_read_and_the_migrating_read_give_the_same_design() {
        let mut documents: Vec<String> = crate::templates::TEMPLATES
            .iter()
            .map(|template| template.document.to_string())
            .collect();
        documents.push(save_design(&crate::generate::generated_design(100)));
        // Compact text, duplicate keys (the tree keeps the last, the straight read refuses),
        // and a document one version old: each must load as the tree-and-migration path does.
        let compact: Value = serde_json::from_str(&documents[0]).unwrap();
        documents.push(compact.to_string());
        let duplicated = documents[0].replacen("{", "{\"name\": \"first\",", 1);
        documents.push(duplicated);
        let mut old = compact.clone();
        old["schema_version"] = json!(1);
        documents.push(old.to_string());
        for text in &documents {
            let value: Value = serde_json::from_str(text).unwrap();
            let through_the_tree = load_design_value(value).unwrap();
            let loaded = load_design(text).unwrap();
            assert_eq!(save_design(&loaded), save_design(&through_the_tree));
            assert_eq!(loaded.schema_version, CURRENT_SCHEMA_VERSION);
        }
        // What the straight read refuses still gets the path-precise message.
        let broken = documents[0].replacen("\"cidr\": \"10.", "\"cidr\": 10, \"x\": \"10.", 1);
        assert!(matches!(
            load_design(&broken),
            Err(SpecError::Structure { .. })
        ));
    }

    #[test]
    fn every_step_is_tested() {
        // Each step `from → from+1` must exist exactly once and form a chain from 1 to current.
        for (position, step) in MIGRATIONS.iter().enumerate() {
            assert_eq!(
                step.from as usize,
                position + 1,
                "step {} out of order",
                step.describe
            );
        }
        assert_eq!(MIGRATIONS.len() as u32, CURRENT_SCHEMA_VERSION - 1);
    }
}
