//! What each kind's writers are given: the CloudFormation template being written (names of
//! its resources, room for the extra resources and outputs a kind brings along) and the JSON
//! helpers they share. The exporters (`crate::export`) fill these in and frame the result;
//! the kinds, beside their structs, say what they become.
//!
//! Invariant: a kind's writer never writes text into a script or a template by hand: JSON
//! values are built with `serde_json` (which escapes), so a design's strings stay data.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde_json::{Value, json};

use crate::escape::shell_word as q;
use crate::model::Design;
use crate::plan::{DesiredResource, ResourceKind};

/// One CloudFormation resource: its type, its properties and the template names it must wait
/// for beyond its references (`DependsOn`).
pub type TemplateResource = (&'static str, Value, Vec<String>);

/// The template's names for the planner's resources.
pub trait TemplateNames {
    /// The template name of a planner resource.
    fn of(&self, kind: ResourceKind, logical_id: &str) -> String;
    /// The name of a resource `owner` brings along: `owner` + `suffix`, claimed once.
    fn derived(&self, owner: &str, suffix: &str) -> String;
}

/// What a kind's CloudFormation writer is given for one planner resource.
pub struct CloudFormation<'a> {
    pub design: &'a Design,
    pub resource: &'a DesiredResource,
    /// Its logical id in the plan.
    pub id: &'a str,
    /// Its own template name.
    pub own: String,
    /// Its `Tags` (its name, Moat's ownership tags, the user's).
    pub tags: Value,
    pub names: &'a dyn TemplateNames,
    /// How a design id becomes part of a template name (Pascal case).
    pub style: fn(&str) -> String,
    /// The template's resources, for the ones it brings along (attachments, associations).
    pub resources: &'a mut BTreeMap<String, Value>,
    pub outputs: &'a mut BTreeMap<String, Value>,
    /// Plain CIDR egress rules, written inline on their group (by the group's logical id).
    pub inline_egress: &'a HashMap<String, Vec<Value>>,
    /// Subnets with a route table of their own (a main table covers the others).
    pub associated: &'a HashSet<&'a str>,
}

/// A resource's tags: its name, Moat's ownership tags, then the user's in key order.
pub fn tags_with(logical_id: &str, user: &crate::model::Tags) -> Value {
    let mut tags = vec![
        json!({"Key": "Name", "Value": logical_id}),
        json!({"Key": "moat:design-id", "Value": {"Ref": "DesignId"}}),
        json!({"Key": "moat:logical-id", "Value": logical_id}),
    ];
    tags.extend(
        user.iter()
            .map(|(key, value)| json!({"Key": key, "Value": value})),
    );
    Value::Array(tags)
}

/// `{"Ref": name}`.
pub fn reference(name: &str) -> Value {
    json!({"Ref": name})
}

/// An EC2 protocol number as CloudFormation takes it (`-1` stays text).
pub fn protocol_value(protocol: &str) -> Value {
    match protocol {
        "-1" => json!("-1"),
        other => json!(other.parse::<i64>().unwrap_or(-1)),
    }
}

/// An endpoint's properties with its policy as a JSON object, when it has one of its own.
pub fn with_policy_document(mut properties: Value, policy: &Option<String>) -> Value {
    if let Some(document) = policy
        .as_deref()
        .and_then(|text| serde_json::from_str::<Value>(text).ok())
    {
        properties["PolicyDocument"] = document;
    }
    properties
}

/// The Terraform configuration's names and references for the planner's resources.
pub trait TerraformNames {
    /// The Terraform name of a planner resource (`vpc_mvp`).
    fn of(&self, kind: ResourceKind, logical_id: &str) -> String;
    /// A reference to one of its attributes (`aws_vpc.vpc_mvp.id`).
    fn reference(&self, kind: ResourceKind, logical_id: &str, attribute: &str) -> String;
}

/// What a kind's Terraform writer is given for one planner resource.
pub struct Terraform<'a> {
    pub design: &'a Design,
    pub resource: &'a DesiredResource,
    /// Its logical id in the plan.
    pub id: &'a str,
    /// Its own Terraform name.
    pub own: String,
    pub names: &'a dyn TerraformNames,
    /// The configuration's blocks so far, for the ones it brings along (a VPC's default
    /// security group), written before its own.
    pub blocks: &'a mut Vec<Block>,
    /// Outputs it adds: the name it wants (made unique by the exporter) and the value.
    pub outputs: Vec<(String, String)>,
}

impl Terraform<'_> {
    /// Its resource block's header: `resource "aws_vpc" "vpc_mvp"`.
    pub fn header(&self, terraform_type: &str) -> String {
        format!("resource \"{terraform_type}\" \"{}\"", self.own)
    }
}

/// A value in HCL syntax.
pub enum Hcl {
    /// Written as is (a reference, a number, a boolean, a call).
    Raw(String),
    /// A quoted string.
    Text(String),
    /// A list of raw items.
    List(Vec<String>),
    /// A map of quoted keys to raw values (written over several lines).
    Map(Vec<(String, String)>),
}

/// An HCL quoted string (through the escaping writer).
pub fn quote(text: &str) -> String {
    crate::escape::hcl_string(text)
}

pub struct Block {
    pub header: String,
    pub attributes: Vec<(String, Hcl)>,
    /// Nested blocks (`default_tags`, `network_interface`).
    pub blocks: Vec<Block>,
}

impl Block {
    pub fn new(header: impl Into<String>) -> Block {
        Block {
            header: header.into(),
            attributes: Vec::new(),
            blocks: Vec::new(),
        }
    }

    pub fn raw(mut self, name: &str, value: impl Into<String>) -> Self {
        self.attributes.push((name.into(), Hcl::Raw(value.into())));
        self
    }

    pub fn text(mut self, name: &str, value: &str) -> Self {
        self.attributes.push((name.into(), Hcl::Text(value.into())));
        self
    }

    /// A text attribute when there is a value; left out (the provider's default) when not.
    pub fn optional_text(self, name: &str, value: Option<&str>) -> Self {
        match value {
            Some(value) => self.text(name, value),
            None => self,
        }
    }

    pub fn list(mut self, name: &str, items: Vec<String>) -> Self {
        self.attributes.push((name.into(), Hcl::List(items)));
        self
    }

    pub fn map(mut self, name: &str, entries: Vec<(String, String)>) -> Self {
        self.attributes.push((name.into(), Hcl::Map(entries)));
        self
    }

    pub fn block(mut self, block: Block) -> Self {
        self.blocks.push(block);
        self
    }

    pub fn render(&self, indent: usize, out: &mut String) {
        let pad = "  ".repeat(indent);
        out.push_str(&format!("{pad}{} {{\n", self.header));
        let inner = "  ".repeat(indent + 1);
        // Runs of single-line attributes align their `=`.
        let single: Vec<&(String, Hcl)> = self
            .attributes
            .iter()
            .filter(|(_, v)| !matches!(v, Hcl::Map(_)))
            .collect();
        let width = single.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
        for (name, value) in &single {
            let value = match value {
                Hcl::Raw(raw) => raw.clone(),
                Hcl::Text(text) => quote(text),
                Hcl::List(items) => format!("[{}]", items.join(", ")),
                Hcl::Map(_) => String::new(),
            };
            out.push_str(&format!("{inner}{name:<width$} = {value}\n"));
        }
        for (name, value) in &self.attributes {
            if let Hcl::Map(entries) = value {
                if !single.is_empty() {
                    out.push('\n');
                }
                out.push_str(&format!("{inner}{name} = {{\n"));
                let key_width = entries
                    .iter()
                    .map(|(k, _)| quote_key(k).len())
                    .max()
                    .unwrap_or(0);
                for (key, entry) in entries {
                    out.push_str(&format!(
                        "{inner}  {:<key_width$} = {entry}\n",
                        quote_key(key)
                    ));
                }
                out.push_str(&format!("{inner}}}\n"));
            }
        }
        for block in &self.blocks {
            if !self.attributes.is_empty() {
                out.push('\n');
            }
            block.render(indent + 1, out);
        }
        out.push_str(&format!("{pad}}}\n"));
    }
}

/// Map keys: bare when they are identifiers, quoted otherwise (`"moat:logical-id"`).
fn quote_key(key: &str) -> String {
    if key
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        && key.starts_with(|c: char| c.is_ascii_alphabetic())
    {
        key.to_string()
    } else {
        quote(key)
    }
}

/// A resource's own tags (the provider's default tags add the design id): its name, its
/// logical id, then the user's in key order.
pub fn terraform_tags(user: &crate::model::Tags, logical_id: &str) -> Vec<(String, String)> {
    let mut tags = vec![
        ("Name".into(), quote(logical_id)),
        ("moat:logical-id".into(), quote(logical_id)),
    ];
    tags.extend(user.iter().map(|(key, value)| (key.clone(), quote(value))));
    tags
}

/// The shell variables holding each resource's id in the scripts.
pub trait ShellVariables {
    /// The variable's name (`VPC_VPC_MVP`).
    fn of(&self, kind: ResourceKind, logical_id: &str) -> String;

    /// The variable spliced as one word: `"$VPC_VPC_MVP"`.
    fn var(&self, kind: ResourceKind, logical_id: &str) -> String {
        format!("\"${}\"", self.of(kind, logical_id))
    }
}

/// What a kind's AWS CLI writer is given for one planner resource: it appends the commands
/// that find or create it (by its ownership tags, so a re-run does nothing twice).
pub struct Shell<'a> {
    pub design: &'a Design,
    pub resource: &'a DesiredResource,
    /// Its logical id in the plan.
    pub id: &'a str,
    /// The variable holding its id.
    pub own: String,
    pub variables: &'a dyn ShellVariables,
    /// The script so far.
    pub out: &'a mut String,
}

impl Shell<'_> {
    /// `--tag-specifications` of the new resource, of EC2's resource type.
    pub fn tags(&self, resource_type: &str) -> String {
        tag_specifications(resource_type, self.id, &self.resource.tags)
    }
}

/// A JSON value as one shell word: design text is data inside single quotes, and [`var`]
/// placeholders become `"${NAME}"` splices of the script's own variables (ids AWS returned).
pub fn json_word(value: &Value) -> String {
    let text = serde_json::to_string(value).unwrap_or_default();
    let mut out = String::new();
    // Only placeholders hold a NUL ([`data`] replaces the design's own), which JSON writes as
    // `\u0000`: the parts between alternate literal text and variable names.
    for (index, part) in text.split("\\u0000").enumerate() {
        if index % 2 == 1 {
            out.push_str(&format!("\"${{{part}}}\""));
        } else if !part.is_empty() {
            out.push_str(&q(part));
        }
    }
    out
}

/// Design text as a JSON string (NUL, which no argument can hold, as U+FFFD).
/// `--policy-document '<policy>' ` for an endpoint with a policy of its own (one shell word,
/// whatever the policy holds), nothing for AWS's default.
pub fn policy_argument(policy: &Option<String>) -> String {
    match policy {
        Some(policy) => format!("--policy-document {} \\\n    ", q(policy)),
        None => String::new(),
    }
}

pub fn data(text: &str) -> Value {
    Value::String(text.replace('\0', "\u{FFFD}"))
}

/// A placeholder for the script variable `name` inside a [`json_word`].
pub fn splice(name: &str) -> Value {
    Value::String(format!("\0{name}\0"))
}

/// `--tag-specifications` of a new resource: its name, Moat's ownership tags, then the
/// user's in key order.
pub fn tag_specifications(
    resource_type: &str,
    logical_id: &str,
    user: &crate::model::Tags,
) -> String {
    let mut tags = vec![
        json!({"Key": "Name", "Value": data(logical_id)}),
        json!({"Key": "moat:design-id", "Value": splice("DESIGN_ID")}),
        json!({"Key": "moat:logical-id", "Value": data(logical_id)}),
    ];
    tags.extend(
        user.iter()
            .map(|(key, value)| json!({"Key": data(key), "Value": data(value)})),
    );
    json_word(&json!([{"ResourceType": resource_type, "Tags": tags}]))
}

/// Describe filters finding a resource by its ownership tags, plus `extra` (name, values).
pub fn owner_filters(logical_id: &str, extra: &[(&str, &[&str])]) -> String {
    let mut filters = vec![
        json!({"Name": "tag:moat:design-id", "Values": [splice("DESIGN_ID")]}),
        json!({"Name": "tag:moat:logical-id", "Values": [data(logical_id)]}),
    ];
    for (name, values) in extra {
        filters.push(json!({"Name": name, "Values": values}));
    }
    json_word(&Value::Array(filters))
}

/// A JMESPath literal (backquoted JSON) for a design string, to sit inside a single-quoted query.
pub fn jmespath_literal(text: &str) -> String {
    let json = serde_json::to_string(&data(text)).unwrap_or_default();
    format!("`{}`", json.replace('`', "\\`"))
}
