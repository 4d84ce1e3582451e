//! CloudFormation (YAML and JSON): one resource per planner resource, wired with `Ref` and
//! `GetAtt`, `DependsOn` where AWS needs it (routes to an internet or VPN gateway after its
//! attachment), every taggable resource tagged with Moat's ownership tags.
//!
//! Two things CloudFormation cannot say as Moat does, handled so the network is the same:
//! a VPC's main route table cannot be adopted, so a main table becomes a table explicitly
//! associated with every subnet that has no table of its own (and a main table with nothing of
//! its own to hold is the VPC's, left out); and a security group keeps
//! AWS's default allow-all egress unless egress rules are given inline, so groups whose design
//! has no plain CIDR egress get AWS's documented "no egress" placeholder rule (ICMP type 252
//! code 86 to 255.255.255.255/32), which matches no traffic.

use crate::plan::resource::*;
use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};

use serde_json::{Map, Value, json};

use crate::model::Design;
use crate::plan::{ResourceKey, ResourceKind, ResourceSpec, RulePeer, desired_resources};

pub use crate::plan::resource::NO_EGRESS_PLACEHOLDER_CIDR;
use crate::plan::resource::write::{CloudFormation, TemplateNames, protocol_value, tags_with};

/// CloudFormation logical ids: letters and digits, unique in the template by construction.
/// A resource's id is the Pascal case of its kind and logical id; the resources a planner
/// resource brings along (a gateway's attachment, a table's association, an instance's
/// interface) are its id plus a suffix. All are claimed from one [`super::UniqueNames`]
/// (`2`, `3`, … appended on a clash, in plan order), the planner's resources first.
pub struct Names {
    names: HashMap<ResourceKey, String>,
    taken: RefCell<super::UniqueNames>,
    derived: RefCell<HashMap<(String, String), String>>,
}

impl TemplateNames for Names {
    fn of(&self, kind: ResourceKind, logical_id: &str) -> String {
        Names::of(self, kind, logical_id)
    }

    fn derived(&self, owner: &str, suffix: &str) -> String {
        Names::derived(self, owner, suffix)
    }
}

impl Names {
    pub fn new(keys: impl Iterator<Item = ResourceKey>, style: fn(&str) -> String) -> Names {
        let mut taken = super::UniqueNames::new(&["DesignId", "AWS"]);
        let names = keys
            .map(|key| {
                let wanted = style(&format!("{}-{}", key.kind.name(), key.logical_id));
                let name = taken.claim(wanted, "");
                (key, name)
            })
            .collect();
        Names {
            names,
            taken: RefCell::new(taken),
            derived: RefCell::new(HashMap::new()),
        }
    }

    pub fn of(&self, kind: ResourceKind, logical_id: &str) -> String {
        self.names
            .get(&ResourceKey::new(kind, logical_id))
            .cloned()
            .unwrap_or_else(|| super::pascal_case(logical_id))
    }

    /// The id of a resource `owner` brings along: `owner` + `suffix`, claimed once.
    pub fn derived(&self, owner: &str, suffix: &str) -> String {
        let key = (owner.to_string(), suffix.to_string());
        if let Some(name) = self.derived.borrow().get(&key) {
            return name.clone();
        }
        let name = self
            .taken
            .borrow_mut()
            .claim(format!("{owner}{suffix}"), "");
        self.derived.borrow_mut().insert(key, name.clone());
        name
    }
}

/// Each planner resource's CloudFormation logical id (a stack's resources map back to the
/// design through it).
pub fn logical_ids(design: &Design) -> Vec<(String, ResourceKey)> {
    let desired = desired_resources(design);
    let names = Names::new(desired.iter().map(|r| r.key.clone()), super::pascal_case);
    desired
        .into_iter()
        .map(|r| (names.of(r.key.kind, &r.key.logical_id), r.key))
        .collect()
}

/// The template as a JSON value.
pub fn template(design: &Design, design_id: &str) -> Value {
    let desired = desired_resources(design);
    let names = Names::new(desired.iter().map(|r| r.key.clone()), super::pascal_case);
    let mut resources: BTreeMap<String, Value> = BTreeMap::new();
    let mut outputs: BTreeMap<String, Value> = BTreeMap::new();
    let name = |kind: ResourceKind, id: &str| names.of(kind, id);
    // Inline egress per group (plain CIDR rules); the rest become their own resources.
    let mut inline_egress: HashMap<String, Vec<Value>> = HashMap::new();
    for resource in &desired {
        if let ResourceSpec::SecurityGroupRule(SecurityGroupRuleSpec {
            security_group,
            egress: true,
            protocol,
            from_port,
            to_port,
            peer: RulePeer::Cidr(cidr),
            description,
        }) = &resource.spec
        {
            let mut rule = json!({"IpProtocol": protocol_value(protocol), "CidrIp": cidr});
            if crate::model::ec2_protocol_has_ports(protocol) {
                rule["FromPort"] = json!(from_port);
                rule["ToPort"] = json!(to_port);
            }
            if let Some(description) = description {
                rule["Description"] = json!(description);
            }
            inline_egress
                .entry(security_group.clone())
                .or_default()
                .push(rule);
        }
    }
    // Subnets with a table of their own (a main table covers the others explicitly).
    let associated: std::collections::HashSet<&str> = design
        .route_tables
        .iter()
        .filter(|t| !t.main)
        .flat_map(|t| t.subnets.iter().map(String::as_str))
        .collect();
    // A main table with no route of its own, serving no subnet and named by no endpoint is the
    // VPC's own main table, which CloudFormation makes with the VPC: nothing to create.
    let idle_main_tables: std::collections::HashSet<&str> = design
        .route_tables
        .iter()
        .filter(|table| {
            table.main
                && table.routes.is_empty()
                && design
                    .subnets
                    .iter()
                    .filter(|s| s.vpc == table.vpc)
                    .all(|s| associated.contains(s.id.as_str()))
                && !design
                    .endpoints
                    .iter()
                    .any(|e| e.route_tables.contains(&table.id))
        })
        .map(|table| table.id.as_str())
        .collect();
    for resource in &desired {
        let id = resource.key.logical_id.as_str();
        if resource.key.kind == ResourceKind::RouteTable && idle_main_tables.contains(id) {
            continue;
        }
        let own = name(resource.key.kind, id);
        let mut cx = CloudFormation {
            design,
            resource,
            id,
            own: own.clone(),
            tags: tags_with(id, &resource.tags),
            names: &names,
            style: super::pascal_case,
            resources: &mut resources,
            outputs: &mut outputs,
            inline_egress: &inline_egress,
            associated: &associated,
        };
        let Some((kind, properties, depends_on)) = resource.spec.cloudformation(&mut cx) else {
            continue;
        };
        let mut body = Map::new();
        body.insert("Type".into(), json!(kind));
        if !depends_on.is_empty() {
            body.insert(
                "DependsOn".into(),
                if depends_on.len() == 1 {
                    json!(depends_on[0])
                } else {
                    json!(depends_on)
                },
            );
        }
        body.insert("Properties".into(), properties);
        resources.insert(own, Value::Object(body));
    }
    json!({
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": format!("{} ({}), exported by Moat", super::escape::comment_text(&design.name), super::escape::comment_text(&design.region)),
        "Parameters": {
            "DesignId": {
                "Type": "String",
                "Default": design_id,
                "Description": "Written into every resource's moat:design-id tag",
            }
        },
        "Resources": resources,
        "Outputs": outputs,
    })
}

/// The template in YAML.
pub fn yaml(design: &Design, design_id: &str) -> String {
    super::yaml::to_yaml(&template(design, design_id))
}

/// The template in JSON.
pub fn json(design: &Design, design_id: &str) -> String {
    let mut text = serde_json::to_string_pretty(&template(design, design_id)).unwrap_or_default();
    text.push('\n');
    text
}
