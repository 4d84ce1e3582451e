//! Terraform for the AWS provider v5: plain resources wired by references (`aws_vpc.x.id`),
//! security group rules as `aws_vpc_security_group_ingress_rule` / `egress_rule` resources
//! (never inline, so Terraform removes AWS's default egress as Moat does), the VPC's main
//! table adopted through `aws_default_route_table`, `variables.tf` for the region, the design
//! id and extra tags, laid out as `terraform fmt` writes it (two-space indent, `=` aligned in
//! runs of single-line attributes, multi-line values after a blank line).

use crate::plan::resource::*;
use std::collections::{BTreeMap, HashMap};

use crate::model::Design;
use crate::plan::resource::write::{Block, Terraform, TerraformNames, quote};
use crate::plan::{ResourceKey, ResourceKind, ResourceSpec, desired_resources};

/// Terraform resource names: snake case, unique per resource type.
struct Names {
    names: HashMap<ResourceKey, String>,
}

impl Names {
    /// Snake case of the logical id, unique per resource type by [`super::UniqueNames`]
    /// (`_2`, `_3`, … in plan order).
    fn new(design: &Design, keys: &[ResourceKey]) -> Names {
        let mut names = HashMap::new();
        let mut taken: HashMap<&'static str, super::UniqueNames> = HashMap::new();
        for key in keys {
            let base = super::snake_case(&key.logical_id);
            let name = taken
                .entry(resource_type(design, key))
                .or_insert_with(|| super::UniqueNames::new(&[]))
                .claim(base, "_");
            names.insert(key.clone(), name);
        }
        Names { names }
    }

    fn of(&self, kind: ResourceKind, logical_id: &str) -> String {
        self.names
            .get(&ResourceKey::new(kind, logical_id))
            .cloned()
            .unwrap_or_else(|| super::snake_case(logical_id))
    }
}

/// The configuration's names and references, as the kinds' writers ask for them.
struct References<'a> {
    design: &'a Design,
    names: &'a Names,
}

impl TerraformNames for References<'_> {
    fn of(&self, kind: ResourceKind, logical_id: &str) -> String {
        self.names.of(kind, logical_id)
    }

    fn reference(&self, kind: ResourceKind, logical_id: &str, attribute: &str) -> String {
        let key = ResourceKey::new(kind, logical_id);
        format!(
            "{}.{}.{attribute}",
            resource_type(self.design, &key),
            self.names.of(kind, logical_id)
        )
    }
}

fn is_main_table(design: &Design, table: &str) -> bool {
    design.route_tables.iter().any(|t| t.id == table && t.main)
}

fn resource_type(design: &Design, key: &ResourceKey) -> &'static str {
    match key.kind {
        ResourceKind::RouteTable if is_main_table(design, &key.logical_id) => {
            "aws_default_route_table"
        }
        kind => kind.facts().terraform_type,
    }
}

/// Each planner resource's Terraform address (`aws_vpc.vpc_mvp`): what a tool reading the
/// Terraform reports (checkov, `terraform plan`) maps back to the design through it.
pub fn resource_addresses(design: &Design) -> Vec<(String, ResourceKey)> {
    let desired = desired_resources(design);
    let keys: Vec<ResourceKey> = desired.iter().map(|r| r.key.clone()).collect();
    let names = Names::new(design, &keys);
    desired
        .into_iter()
        .map(|resource| {
            // Rules are declared by direction (the generic type only scopes their names).
            let kind = match resource.spec {
                ResourceSpec::SecurityGroupRule(SecurityGroupRuleSpec { egress: true, .. }) => {
                    "aws_vpc_security_group_egress_rule"
                }
                ResourceSpec::SecurityGroupRule(SecurityGroupRuleSpec {
                    egress: false, ..
                }) => "aws_vpc_security_group_ingress_rule",
                _ => resource_type(design, &resource.key),
            };
            let address = format!(
                "{kind}.{}",
                names.of(resource.key.kind, &resource.key.logical_id)
            );
            (address, resource.key)
        })
        .collect()
}

/// `main.tf`, `variables.tf`, `versions.tf` and `outputs.tf`.
pub fn files(design: &Design, design_id: &str) -> Vec<(&'static str, String)> {
    let desired = desired_resources(design);
    let keys: Vec<ResourceKey> = desired.iter().map(|r| r.key.clone()).collect();
    let names = Names::new(design, &keys);
    let references = References {
        design,
        names: &names,
    };
    let mut blocks: Vec<Block> = Vec::new();
    blocks.push(
        Block::new("provider \"aws\"")
            .raw("region", "var.region")
            .block(Block::new("default_tags").raw(
                "tags",
                "merge(var.tags, { \"moat:design-id\" = var.design_id })",
            )),
    );
    let mut outputs: BTreeMap<String, String> = BTreeMap::new();
    // Output names are one namespace across resource types (a VPC and a group may share a name).
    let mut output_names = super::UniqueNames::new(&[]);
    for resource in &desired {
        let id = resource.key.logical_id.as_str();
        let own = names.of(resource.key.kind, id);
        let mut cx = Terraform {
            design,
            resource,
            id,
            own: own.clone(),
            names: &references,
            blocks: &mut blocks,
            outputs: Vec::new(),
        };
        let block = resource.spec.terraform(&mut cx);
        for (wanted, value) in std::mem::take(&mut cx.outputs) {
            outputs.insert(output_names.claim(wanted, "_"), value);
        }
        blocks.push(block);
    }
    let mut main = format!(
        "# {} ({}), exported by Moat. Every resource carries the design's ownership tags.\n\n",
        super::escape::comment_text(&design.name),
        super::escape::comment_text(&design.region)
    );
    for (index, block) in blocks.iter().enumerate() {
        if index > 0 {
            main.push('\n');
        }
        block.render(0, &mut main);
    }
    let mut variables = String::new();
    for (index, block) in [
        Block::new("variable \"region\"")
            .text("description", "The AWS region to deploy to")
            .raw("type", "string")
            .text("default", &design.region),
        Block::new("variable \"design_id\"")
            .text(
                "description",
                "Written into every resource's moat:design-id tag",
            )
            .raw("type", "string")
            .text("default", design_id),
        Block::new("variable \"tags\"")
            .text("description", "Extra tags for every resource")
            .raw("type", "map(string)")
            .raw("default", "{}"),
    ]
    .iter()
    .enumerate()
    {
        if index > 0 {
            variables.push('\n');
        }
        block.render(0, &mut variables);
    }
    let mut versions = String::new();
    Block::new("terraform")
        .raw("required_version", "\">= 1.5\"")
        .block(Block::new("required_providers").map(
            "aws",
            vec![
                ("source".into(), quote("hashicorp/aws")),
                ("version".into(), quote("~> 5.0")),
            ],
        ))
        .render(0, &mut versions);
    let mut outputs_file = String::new();
    for (index, (name, value)) in outputs.iter().enumerate() {
        if index > 0 {
            outputs_file.push('\n');
        }
        Block::new(format!("output \"{name}\""))
            .raw("value", value.clone())
            .render(0, &mut outputs_file);
    }
    vec![
        ("main.tf", main),
        ("variables.tf", variables),
        ("versions.tf", versions),
        ("outputs.tf", outputs_file),
    ]
}
