//! What each kind's writers are given: the CloudFormation template being written (names of
//! its resources, room for the extra resources and outputs a kind brings along) and the JSON
//! helpers they share. The exporters (`crate::export`) fill these in and frame the result;
//! the kinds, beside their structs, say what they become.
//!
//! Invariant: a kind's writer never writes text into a script or a template by hand: JSON
//! values are built with `serde_json` (which escapes), so a design's strings stay data.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde_json::{Value, json};

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
