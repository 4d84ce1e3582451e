//! Exports that real tools accept, all pure: CloudFormation (YAML and JSON), Terraform (AWS
//! provider v5), an AWS CLI script with its teardown, draw.io (mxGraph XML) and an SVG diagram.
//! The JSON spec export is `spec::save_design`.
//!
//! The code exports start from the planner's resources ([`crate::plan::desired_resources`]),
//! so they create exactly what Moat's own apply creates, and tag every taggable resource with
//! Moat's ownership tags (`moat:design-id`, `moat:logical-id`): a network made by any of them
//! can later be planned, drifted or destroyed by Moat.
//!
//! Invariant: every generator is deterministic (same design, same bytes).

pub mod cli;
pub mod cloudformation;
pub mod drawio;
pub use crate::escape;
pub mod svg;
pub mod terraform;
mod yaml;

use crate::model::Design;

crate::enumerate::enum_with_all! {
    /// The export formats.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum Format {
        Json,
        CloudFormationYaml,
        CloudFormationJson,
        Terraform,
        Cli,
        DrawIo,
        Svg,
    }
}

impl Format {
    /// The name used on the command line and in the API (`cloudformation-yaml`).
    pub fn name(self) -> &'static str {
        match self {
            Format::Json => "json",
            Format::CloudFormationYaml => "cloudformation-yaml",
            Format::CloudFormationJson => "cloudformation-json",
            Format::Terraform => "terraform",
            Format::Cli => "cli",
            Format::DrawIo => "drawio",
            Format::Svg => "svg",
        }
    }

    pub fn parse(name: &str) -> Option<Format> {
        Format::ALL.into_iter().find(|f| f.name() == name)
    }
}

/// One exported file: its name and contents.
#[derive(
    Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
pub struct ExportedFile {
    pub name: String,
    pub contents: String,
}

/// The files of one export of `design`. `design_id` is written into the ownership tags
/// (Terraform and CloudFormation take it as a variable/parameter with this default).
///
/// A design over Moat's hard limits ([`crate::limits`]) is refused. Any other design exports,
/// errors and all (a half-finished design can still be looked at as code): every string goes
/// through the escaping writers of [`escape`], and exported names are unique by
/// [`UniqueNames`]' rule, so no design text becomes code or structure in any format.
pub fn export(
    design: &Design,
    format: Format,
    design_id: &str,
) -> Result<Vec<ExportedFile>, crate::limits::OverLimits> {
    crate::limits::check(design)?;
    Ok(export_within_limits(design, format, design_id))
}

fn export_within_limits(design: &Design, format: Format, design_id: &str) -> Vec<ExportedFile> {
    let file = |name: &str, contents: String| ExportedFile {
        name: name.to_string(),
        contents,
    };
    let stem = short_slug(&design.name);
    match format {
        Format::Json => vec![file(
            &format!("{stem}.json"),
            crate::spec::save_design(design),
        )],
        Format::CloudFormationYaml => vec![file(
            &format!("{stem}.cfn.yaml"),
            cloudformation::yaml(design, design_id),
        )],
        Format::CloudFormationJson => vec![file(
            &format!("{stem}.cfn.json"),
            cloudformation::json(design, design_id),
        )],
        Format::Terraform => {
            let files = terraform::files(design, design_id);
            files
                .into_iter()
                .map(|(name, contents)| file(name, contents))
                .collect()
        }
        Format::Cli => vec![
            file(
                &format!("{stem}-apply.sh"),
                cli::apply_script(design, design_id),
            ),
            file(
                &format!("{stem}-teardown.sh"),
                cli::teardown_script(design, design_id),
            ),
        ],
        Format::DrawIo => vec![file(&format!("{stem}.drawio"), drawio::diagram(design))],
        Format::Svg => vec![file(
            &format!("{stem}.svg"),
            svg::diagram(design, &svg::SvgOptions::default()),
        )],
    }
}

/// Names unique by construction, by one documented and stable rule: a name is claimed as
/// wanted when it is free; when it is taken (two logical ids that a target language spells
/// alike: `db` and `db.`, `a-b2` and `a_b_2`), the first free `{wanted}{separator}2`,
/// `{wanted}{separator}3`, … is used. Claims happen in plan order, so the same design always
/// gets the same names, and no two resources ever share one.
pub struct UniqueNames {
    taken: std::collections::HashSet<String>,
}

impl UniqueNames {
    /// A table in which `reserved` names are already taken.
    pub fn new(reserved: &[&str]) -> UniqueNames {
        UniqueNames {
            taken: reserved.iter().map(|name| name.to_string()).collect(),
        }
    }

    /// `wanted`, or the first free numbered form of it.
    pub fn claim(&mut self, wanted: String, separator: &str) -> String {
        if self.taken.insert(wanted.clone()) {
            return wanted;
        }
        (2u64..)
            .map(|number| format!("{wanted}{separator}{number}"))
            .find(|candidate| self.taken.insert(candidate.clone()))
            .unwrap_or(wanted)
    }
}

/// A file-name and identifier friendly form of a name: lowercase letters, digits and dashes.
pub fn slug(name: &str) -> String {
    let mut slug = String::new();
    for character in name.chars() {
        if character.is_ascii_alphanumeric() {
            slug.push(character.to_ascii_lowercase());
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
    }
    let slug = slug.trim_end_matches('-').to_string();
    if slug.is_empty() {
        "design".to_string()
    } else {
        slug
    }
}

/// A slug cut at a dash to at most 40 characters (file names).
pub fn short_slug(name: &str) -> String {
    let slug = slug(name);
    if slug.len() <= 40 {
        return slug;
    }
    let cut = slug[..40].rfind('-').unwrap_or(40);
    slug[..cut].to_string()
}

/// `vpc-llm/0.0.0.0/0` → `VpcLlm00000` style names: letters and digits only, each part
/// capitalised (CloudFormation logical ids).
pub fn pascal_case(text: &str) -> String {
    let mut out = String::new();
    let mut upper = true;
    for character in text.chars() {
        if character.is_ascii_alphanumeric() {
            if upper {
                out.push(character.to_ascii_uppercase());
            } else {
                out.push(character);
            }
            upper = false;
        } else {
            upper = true;
        }
    }
    if out.starts_with(|c: char| c.is_ascii_digit()) || out.is_empty() {
        out.insert(0, 'R');
    }
    out
}

/// `vpc-llm/0.0.0.0/0` → `vpc_llm_0_0_0_0_0` (Terraform resource names, shell variables).
pub fn snake_case(text: &str) -> String {
    let mut out = String::new();
    for character in text.chars() {
        if character.is_ascii_alphanumeric() {
            out.push(character.to_ascii_lowercase());
        } else if !out.ends_with('_') {
            out.push('_');
        }
    }
    let out = out.trim_matches('_').to_string();
    if out.is_empty() || out.starts_with(|c: char| c.is_ascii_digit()) {
        format!("r_{out}")
    } else {
        out
    }
}

#[cfg(test)]
mod tests;
