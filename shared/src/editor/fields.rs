//! How the inspector edits each field of each kind, derived — never listed by hand — from two
//! facts the kinds already declare: the document's JSON Schema (types, enums, defaults, what is
//! required) and each kind's [`DesignObject::REFERENCE_FIELDS`](crate::model::DesignObject)
//! (which strings are ids of other objects). A new kind, or a new field, gets its controls
//! without a line here. Also the words a person reads for a field, and for a field's path in
//! an error.

use std::sync::OnceLock;

use serde_json::Value;

use crate::model::{Design, ObjectKind};

/// How one field is edited.
#[derive(Debug, Clone, PartialEq)]
pub enum FieldControl {
    /// Free text.
    Text,
    /// A whole number (a number input).
    Number,
    /// A checkbox.
    Flag,
    /// One of a fixed set of spellings (a select).
    Choice(Vec<String>),
    /// The id of one object of these kinds (a picker of the design's objects).
    Reference { kinds: &'static [ObjectKind] },
    /// Ids of objects of these kinds (a checklist of the design's objects).
    References { kinds: &'static [ObjectKind] },
    /// A list of free-text items (servers, CIDRs).
    TextList,
    /// A list of records (rules, entries, routes): a table with Add and Remove.
    Table,
    /// Text keys to text values (tags): a Key / Value table with Add and Remove.
    KeyValues,
    /// Anything else: the JSON itself.
    Document,
}

/// One field of a kind and how it is edited.
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    pub name: String,
    pub control: FieldControl,
    /// Whether the document must hold it (else it has a default).
    pub required: bool,
    /// Whether it may be null (left out): an optional value, cleared by emptying its control.
    pub nullable: bool,
}

/// The design's JSON Schema: the committed copy, which a test keeps equal to the types'
/// derive (`spec::json_schema`). Read as text, so the browser does not carry the schema
/// generator (about 110 KB of wasm) for it.
fn design_schema() -> &'static Value {
    static SCHEMA: OnceLock<Value> = OnceLock::new();
    SCHEMA.get_or_init(|| {
        serde_json::from_str(include_str!("../../schema/design.schema.json")).unwrap_or(Value::Null)
    })
}

/// The schema a `$ref` names, or the schema itself.
fn resolved<'a>(schema: &'a Value, root: &'a Value) -> &'a Value {
    match schema["$ref"].as_str() {
        Some(reference) => reference
            .strip_prefix("#/$defs/")
            .and_then(|name| root["$defs"].get(name))
            .unwrap_or(schema),
        None => schema,
    }
}

/// The schema types of a property (`"string"`, or `["string", "null"]`), without `null`.
fn types(schema: &Value) -> Vec<&str> {
    match &schema["type"] {
        Value::String(name) => vec![name.as_str()],
        Value::Array(names) => names
            .iter()
            .filter_map(Value::as_str)
            .filter(|name| *name != "null")
            .collect(),
        Value::Null | Value::Bool(_) | Value::Number(_) | Value::Object(_) => Vec::new(),
    }
}

/// The spellings an enum's schema allows (`enum`, or a `oneOf` of constants).
fn choices(schema: &Value) -> Option<Vec<String>> {
    if let Some(values) = schema["enum"].as_array() {
        return Some(
            values
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect(),
        );
    }
    let variants = schema["oneOf"].as_array()?;
    variants
        .iter()
        .map(|variant| {
            variant["const"]
                .as_str()
                .or_else(|| variant["enum"][0].as_str())
                .map(str::to_string)
        })
        .collect()
}

/// Whether a property's schema admits null.
fn admits_null(property: &Value) -> bool {
    let null_type = match &property["type"] {
        Value::String(name) => name == "null",
        Value::Array(names) => names.iter().any(|name| name == "null"),
        Value::Null | Value::Bool(_) | Value::Number(_) | Value::Object(_) => false,
    };
    null_type
        || property["anyOf"]
            .as_array()
            .is_some_and(|options| options.iter().any(|option| option["type"] == "null"))
}

fn control_of(property: &Value, root: &Value) -> FieldControl {
    // `Option<Enum>` is an `anyOf` of the enum and null.
    let property = property["anyOf"]
        .as_array()
        .and_then(|options| options.iter().find(|option| option["type"] != "null"))
        .unwrap_or(property);
    let schema = resolved(property, root);
    if let Some(choices) = choices(schema) {
        return FieldControl::Choice(choices);
    }
    match types(schema).as_slice() {
        ["boolean"] => FieldControl::Flag,
        ["integer"] | ["number"] => FieldControl::Number,
        ["string"] => FieldControl::Text,
        ["object"] if types(resolved(&schema["additionalProperties"], root)) == ["string"] => {
            FieldControl::KeyValues
        }
        ["array"] => {
            let items = resolved(&schema["items"], root);
            match types(items).as_slice() {
                ["string"] if choices(items).is_none() => FieldControl::TextList,
                ["object"] => FieldControl::Table,
                _ => FieldControl::Document,
            }
        }
        _ => FieldControl::Document,
    }
}

/// Every field of a kind but its id, in the document's (alphabetical) order, with its control.
pub fn fields_of(kind: ObjectKind) -> Vec<Field> {
    let root = design_schema();
    let item = resolved(&root["properties"][kind.collection()]["items"], root);
    let required: Vec<&str> = item["required"]
        .as_array()
        .map(|names| names.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let Some(properties) = item["properties"].as_object() else {
        return Vec::new();
    };
    properties
        .iter()
        .filter(|(name, _)| name.as_str() != "id")
        .map(|(name, property)| {
            let reference = kind
                .reference_fields()
                .iter()
                .find(|(field, _)| field == name)
                .map(|(_, kinds)| *kinds);
            let control = match (reference, control_of(property, root)) {
                (Some(kinds), FieldControl::TextList) => FieldControl::References { kinds },
                (Some(kinds), _) => FieldControl::Reference { kinds },
                (None, control) => control,
            };
            Field {
                name: name.clone(),
                control,
                required: required.contains(&name.as_str()),
                nullable: admits_null(property),
            }
        })
        .collect()
}

/// The ids a reference field may name: the design's objects of those kinds.
pub fn candidates(design: &Design, kinds: &[ObjectKind]) -> Vec<String> {
    design
        .objects()
        .filter(|object| kinds.contains(&object.kind()))
        .map(|object| object.id().to_string())
        .collect()
}

/// Values a text field is often given, offered as completions (not a limit: any text goes).
/// Instance types: every type Moat prices (EC2 and SageMaker AI's `ml.*`) and every EFA type,
/// once each, in order.
pub fn suggestions(field: &str) -> Vec<&'static str> {
    match field {
        "instance_type" => {
            let compute = crate::cost::compute::COMPUTE_PRICES;
            let known: std::collections::BTreeSet<&'static str> =
                crate::validate::EFA_INSTANCE_TYPES
                    .iter()
                    .copied()
                    .chain(compute.ec2.iter().map(|(name, _)| *name))
                    .chain(compute.sagemaker.iter().map(|(name, _)| *name))
                    .collect();
            known.into_iter().collect()
        }
        "service" => crate::validate::PRIVATE_SAGEMAKER_INTERFACE_SERVICES.to_vec(),
        _ => Vec::new(),
    }
}

/// A field's label as a person reads it: `enable_dns_support` → "Enable DNS support".
pub fn field_label(field: &str) -> String {
    let special = match field {
        "cidr" => Some("CIDR block"),
        "cidr_blocks" => Some("CIDR blocks"),
        "availability_zone" => Some("Availability zone"),
        "map_public_ip_on_launch" => Some("Map public IP on launch"),
        "bgp_asn" => Some("BGP ASN"),
        "amazon_side_asn" => Some("Amazon side ASN"),
        "ip_address" => Some("IP address"),
        "on_premises_cidrs" => Some("On-premises CIDRs"),
        "private_dns" => Some("Private DNS"),
        "vpc" => Some("VPC"),
        "vpcs" => Some("VPCs"),
        "ntp_servers" => Some("NTP servers"),
        "domain_name_servers" => Some("DNS servers"),
        "image_id" => Some("Image id (AMI)"),
        "flows" => Some("Traffic"),
        "gb_per_month" => Some("GB per month"),
        _ => None,
    };
    if let Some(label) = special {
        return label.to_string();
    }
    let words: Vec<String> = field
        .split('_')
        .map(|word| match word {
            "dns" => "DNS".to_string(),
            "efa" => "EFA".to_string(),
            "ip" => "IP".to_string(),
            other => other.to_string(),
        })
        .collect();
    let text = words.join(" ");
    // Field names are ASCII: the ASCII case rule spares the browser's first load Unicode's
    // case tables.
    let mut characters = text.chars();
    characters
        .next()
        .map(|first| first.to_ascii_uppercase().to_string() + characters.as_str())
        .unwrap_or_default()
}

/// A path inside an object in words: `ingress[1].from_port` → "Ingress 2, From port".
pub fn path_in_words(path: &str) -> String {
    path.split('.')
        .filter(|segment| !segment.is_empty())
        .map(|segment| match segment.split_once('[') {
            Some((name, index)) => {
                let position = index
                    .trim_end_matches(']')
                    .parse::<usize>()
                    .map(|index| (index + 1).to_string())
                    .unwrap_or_default();
                format!("{} {position}", field_label(name))
            }
            None => field_label(segment),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn control(kind: ObjectKind, name: &str) -> FieldControl {
        fields_of(kind)
            .into_iter()
            .find(|field| field.name == name)
            .unwrap_or_else(|| panic!("{kind:?} has a field {name}"))
            .control
    }

    #[test]
    fn references_are_pickers_of_the_right_kinds_and_enums_are_choices() {
        assert_eq!(
            control(ObjectKind::Subnet, "vpc"),
            FieldControl::Reference {
                kinds: &[ObjectKind::Vpc]
            }
        );
        assert_eq!(
            control(ObjectKind::Workload, "security_groups"),
            FieldControl::References {
                kinds: &[ObjectKind::SecurityGroup]
            }
        );
        assert_eq!(
            control(ObjectKind::Workload, "placement_group"),
            FieldControl::Reference {
                kinds: &[ObjectKind::PlacementGroup]
            }
        );
        assert_eq!(
            control(ObjectKind::Subnet, "tier"),
            FieldControl::Choice(vec!["public".into(), "private".into()])
        );
        assert_eq!(control(ObjectKind::Workload, "count"), FieldControl::Number);
        assert_eq!(control(ObjectKind::Workload, "efa"), FieldControl::Flag);
        assert_eq!(
            control(ObjectKind::SecurityGroup, "ingress"),
            FieldControl::Table
        );
        assert_eq!(
            control(ObjectKind::RouteTable, "routes"),
            FieldControl::Table
        );
        assert_eq!(
            control(ObjectKind::DhcpOptions, "ntp_servers"),
            FieldControl::TextList
        );
        assert!(matches!(
            control(ObjectKind::PlacementGroup, "strategy"),
            FieldControl::Choice(options) if options.contains(&"cluster".to_string())
        ));
        // Every kind's tags are a Key / Value table; an endpoint's policy is a document.
        for &kind in ObjectKind::ALL {
            assert_eq!(control(kind, "tags"), FieldControl::KeyValues, "{kind:?}");
        }
        assert_eq!(
            control(ObjectKind::Endpoint, "policy"),
            FieldControl::Document
        );
    }

    #[test]
    fn every_kind_has_fields_and_every_declared_reference_field_exists() {
        for &kind in ObjectKind::ALL {
            let fields = fields_of(kind);
            assert!(!fields.is_empty(), "{kind:?} has no fields in the schema");
            for (name, _) in kind.reference_fields() {
                assert!(
                    fields.iter().any(|field| {
                        field.name == *name
                            && matches!(
                                field.control,
                                FieldControl::Reference { .. } | FieldControl::References { .. }
                            )
                    }),
                    "{kind:?}.{name} is declared a reference but is no string field"
                );
            }
        }
    }

    #[test]
    fn every_reference_an_object_reports_is_declared_on_its_kind() {
        // The templates, the fixtures with the article's mistakes, and a generated network:
        // every kind's references, populated.
        let designs = crate::templates::sample_designs(40);
        let mut seen = std::collections::BTreeSet::new();
        for design in &designs {
            for object in design.objects() {
                for reference in object.references() {
                    let field = reference.field.as_ref();
                    // A reference inside a record (a rule's peer group) is not a field of its own.
                    if field.contains('.') {
                        continue;
                    }
                    let top = field.split('[').next().unwrap_or(field);
                    let declared = object
                        .kind()
                        .reference_fields()
                        .iter()
                        .find(|(name, _)| *name == top);
                    assert_eq!(
                        declared.map(|(_, kinds)| *kinds),
                        Some(reference.kinds),
                        "{:?}.{top} references {:?} but REFERENCE_FIELDS says {declared:?}",
                        object.kind(),
                        reference.kinds
                    );
                    seen.insert((object.kind(), top.to_string()));
                }
            }
        }
        assert!(
            seen.len() >= 15,
            "the designs exercise the references: {seen:?}"
        );
    }

    #[test]
    fn optional_values_are_nullable_and_defaulted_ones_are_not() {
        let field = |kind: ObjectKind, name: &str| {
            fields_of(kind)
                .into_iter()
                .find(|field| field.name == name)
                .unwrap_or_else(|| panic!("{kind:?}.{name}"))
        };
        let placement = field(ObjectKind::Workload, "placement_group");
        assert!(placement.nullable && !placement.required);
        let instance_type = field(ObjectKind::Workload, "instance_type");
        assert!(!instance_type.nullable && !instance_type.required);
        let vpc = field(ObjectKind::Subnet, "vpc");
        assert!(vpc.required && !vpc.nullable);
        assert!(field(ObjectKind::DhcpOptions, "domain_name").nullable);
    }

    #[test]
    fn the_schema_read_is_the_types_schema() {
        let derived: Value = serde_json::from_str(&crate::spec::json_schema()).unwrap();
        assert_eq!(design_schema(), &derived);
    }

    #[test]
    fn paths_read_as_words() {
        assert_eq!(
            path_in_words("ingress[1].from_port"),
            "Ingress 2, From port"
        );
        assert_eq!(path_in_words("tier"), "Tier");
        assert_eq!(path_in_words("vpc"), "VPC");
    }

    #[test]
    fn instance_types_are_offered_from_the_price_and_efa_tables() {
        let offered = suggestions("instance_type");
        for instance_type in [
            "p4d.24xlarge",
            "m5.large",
            "ml.g5.2xlarge",
            "hpc7g.16xlarge",
        ] {
            assert!(offered.contains(&instance_type), "{instance_type}");
        }
        let mut sorted = offered.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(offered, sorted, "once each, in order");
        assert!(suggestions("cidr").is_empty());
    }
}
