//! Moat's pure core, shared by the browser (wasm32), the CLI and the server.
//!
//! Invariant: nothing here does I/O or knows HTTP, SQL, Leptos or AWS types. Everything is a
//! function of its inputs, so the three front doors run the very same checks.
//!
//! - [`model`]: the design document (VPCs, subnets, gateways, …) and its canvas layout.
//! - [`spec`]: the versioned JSON spec: loading with precise errors, migrations, saving.
//! - [`camera`]: the canvas's zoom and pan, as plain arithmetic.
//! - [`cidr`]: IPv4 CIDR algebra (containment, overlap, next free block, usable addresses).
//! - [`cost`]: monthly estimate of the design and of each flow along its path, suggestions.
//! - [`diff`]: what changed between two revisions (objects added, removed, changed, moved).
//! - [`validate`]: every rule of the reference, returning diagnostics, never failing.
//! - [`templates`]: the seed article's four use cases as built-in designs.
//! - [`editor`]: the one command type every edit goes through, with undo/redo history.
//! - [`palette`]: every kind a user can drop, and the container each must land in.
//! - [`generate`]: synthetic designs of any size, for benchmarks and load tests.
//! - [`limits`]: the hard limits on the work one design may ask for, refused before it starts.
//! - [`layout`]: automatic canvas layout for designs that arrive without one, and AZ lanes.
//! - [`plan`]: the provisioning planner (desired resources + observed inventory → steps).
//! - [`reachability`]: design-time paths hop by hop with explanations, and the matrix.
//! - [`selection`]: multi-selection, group roots and the rubber band hit test.
//! - [`export`]: CloudFormation, Terraform, AWS CLI scripts, draw.io and SVG exports.

pub mod api;
pub mod camera;
pub mod cidr;
pub mod cost;
pub mod diagnostic;
pub mod diagram;
pub mod diff;
pub mod editor;
mod enumerate;
pub mod escape;
pub mod export;
pub mod generate;
pub mod gesture;
pub mod icons;
pub mod layout;
pub mod limits;
pub mod model;
pub mod offload;
pub use editor::palette;
pub mod plan;
pub mod reachability;
pub mod routing;
pub mod selection;
pub mod spec;
pub mod templates;
pub mod text;
pub mod validate;

pub use model::Design;
pub use validate::{Diagnostic, Severity, validate};
