//! An AWS CLI script in the seed article's style, but correct: `set -euo pipefail`, every
//! continuation in place, each id captured and reused, tags on create, and an idempotent
//! re-run (every resource is looked up by its Moat tags before it is created; routes, rules,
//! entries and associations treat "already there" as done). And the matching teardown script,
//! which deletes by the same tags in reverse dependency order.

use std::collections::HashMap;
use std::fmt::Write;

use super::UniqueNames;
use super::escape::{comment_text, shell_word as q};
use crate::model::Design;
use crate::plan::resource::write::{Shell, ShellVariables};
use crate::plan::{DesiredResource, ResourceKey, ResourceKind, desired_resources};

/// The shell variables holding each resource's id: the upper snake case of kind and logical
/// id (letters, digits and `_` only), made unique by [`UniqueNames`] (`_2`, `_3`, … in plan
/// order) so two logical ids never share one variable.
struct Variables {
    names: HashMap<ResourceKey, String>,
}

impl ShellVariables for Variables {
    fn of(&self, kind: ResourceKind, logical_id: &str) -> String {
        Variables::of(self, kind, logical_id)
    }
}

impl Variables {
    fn new(resources: &[DesiredResource]) -> Variables {
        let mut taken = UniqueNames::new(&[
            "REGION",
            "DESIGN_ID",
            "ASSOCIATION",
            "AWS_DEFAULT_REGION",
            "AWS_PAGER",
            "PATH",
            "IFS",
        ]);
        let names = resources
            .iter()
            .map(|resource| {
                let wanted = super::snake_case(&format!(
                    "{}_{}",
                    resource.key.kind.name(),
                    resource.key.logical_id
                ))
                .to_uppercase();
                (resource.key.clone(), taken.claim(wanted, "_"))
            })
            .collect();
        Variables { names }
    }

    fn of(&self, kind: ResourceKind, logical_id: &str) -> String {
        self.names
            .get(&ResourceKey::new(kind, logical_id))
            .cloned()
            .unwrap_or_else(|| {
                super::snake_case(&format!("{}_{logical_id}_missing", kind.name())).to_uppercase()
            })
    }
}

const PRELUDE: &str = r#"set -euo pipefail

REGION="${AWS_REGION:-}"
if [ -z "$REGION" ]; then
  REGION=__REGION__
fi
DESIGN_ID="${MOAT_DESIGN_ID:-}"
if [ -z "$DESIGN_ID" ]; then
  DESIGN_ID=__DESIGN_ID__
fi
# The design id goes into tags and filters: letters, digits, '.', '_' and '-' only.
case "$DESIGN_ID" in
  ''|*[!A-Za-z0-9._-]*)
    echo "the design id must be letters, digits, '.', '_' or '-' (MOAT_DESIGN_ID)" >&2
    exit 2
    ;;
esac
export AWS_DEFAULT_REGION="$REGION"
export AWS_PAGER=""

# Whether a looked-up id is there (the CLI prints None for an empty answer).
found() { [ -n "$1" ] && [ "$1" != "None" ]; }

# Runs a call; an error whose code is one of the given ones means "already done".
tolerate() { # error codes (a|b), then the command
  local codes="$1" output
  shift
  if ! output=$("$@" 2>&1); then
    if printf '%s' "$output" | grep -Eq "($codes)"; then
      return 0
    fi
    printf '%s\n' "$output" >&2
    return 1
  fi
  printf '%s' "$output"
}
"#;

/// The prelude with the design's region and id as quoted words.
fn prelude(design: &Design, design_id: &str) -> String {
    PRELUDE
        .replace("__REGION__", &q(&design.region))
        .replace("__DESIGN_ID__", &q(design_id))
}

/// The script that creates the design, safe to run again.
pub fn apply_script(design: &Design, design_id: &str) -> String {
    let resources = desired_resources(design);
    let variables = Variables::new(&resources);
    let mut out = String::new();
    let _ = writeln!(out, "#!/usr/bin/env bash");
    let _ = writeln!(
        out,
        "# {} ({}): creates the network with the AWS CLI. Exported by Moat.",
        comment_text(&design.name),
        comment_text(&design.region)
    );
    let _ = writeln!(
        out,
        "# Safe to run again: each resource is looked up by its Moat tags before it is created."
    );
    out.push_str(&prelude(design, design_id));
    out.push_str(
        r#"
# Waits until an endpoint is available (the CLI has no waiter for endpoints).
wait_endpoint() { # endpoint id
  local state
  for _ in $(seq 1 120); do
    state=$(aws ec2 describe-vpc-endpoints --vpc-endpoint-ids "$1" \
      --query 'VpcEndpoints[0].State' --output text)
    case "$state" in
      available|Available) return 0 ;;
      failed|Failed) echo "endpoint $1 failed" >&2; return 1 ;;
    esac
    sleep 2
  done
  echo "endpoint $1 is still $state" >&2
  return 1
}
"#,
    );
    if resources
        .iter()
        .any(|resource| resource.key.kind == ResourceKind::VpcCidrBlock)
    {
        // Compared as fixed text in the shell (grep -F), so no design text enters a query.
        out.push_str(
            r#"
# Whether a VPC holds an associated IPv4 block (vpc id, block).
cidr_block_associated() {
  local blocks
  blocks=$(aws ec2 describe-vpcs --vpc-ids "$1" \
    --query 'Vpcs[0].CidrBlockAssociationSet[].[CidrBlock, CidrBlockState.State]' --output text)
  grep -qxF "$2"$'\t'associated <<< "$blocks"
}

# Associates a secondary block and waits until subnets can be made in it (vpc id, block).
associate_cidr_block() {
  if cidr_block_associated "$1" "$2"; then
    return 0
  fi
  aws ec2 associate-vpc-cidr-block --vpc-id "$1" --cidr-block "$2" > /dev/null
  for _ in $(seq 1 60); do
    cidr_block_associated "$1" "$2" && return 0
    sleep 2
  done
  echo "block $2 of VPC $1 is not associated yet" >&2
  return 1
}
"#,
        );
    }
    for resource in &resources {
        let id = resource.key.logical_id.as_str();
        let own = variables.of(resource.key.kind, id);
        let _ = writeln!(out, "\n# {}", comment_text(&resource.key.to_string()));
        let mut cx = Shell {
            design,
            resource,
            id,
            own: own.clone(),
            variables: &variables,
            out: &mut out,
        };
        resource.spec.shell(&mut cx);
    }
    let _ = writeln!(
        out,
        "\nprintf '%s is in place (design id %s)\\n' {} \"$DESIGN_ID\"",
        q(&design.name)
    );
    out
}

/// The script that deletes everything the apply script (or Moat) created for the design,
/// found by its tags, dependents first. Safe to run again.
pub fn teardown_script(design: &Design, design_id: &str) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "#!/usr/bin/env bash");
    let _ = writeln!(
        out,
        "# {} ({}): deletes everything tagged with the design. Exported by Moat.",
        comment_text(&design.name),
        comment_text(&design.region)
    );
    out.push_str(&prelude(design, design_id));
    out.push_str("\ndesign_filter=\"Name=tag:moat:design-id,Values=$DESIGN_ID\"\n");
    // Generated from the catalogue's rank: the reverse of creation.
    for kind in crate::plan::catalog::teardown_order() {
        if let Some(block) = kind.teardown() {
            out.push('\n');
            out.push_str(block);
        }
    }
    let _ = writeln!(
        out,
        "\nprintf '%s is gone (design id %s)\\n' {} \"$DESIGN_ID\"",
        q(&design.name)
    );
    out
}
