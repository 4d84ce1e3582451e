//! The app's main wasm module split at its lazy parts, after Trunk builds it.
//!
//! What a first edit does not need (the rarer panels and dialogs, the design checks, the Path
//! tool) is declared a split point in `frontend/src/lazy.rs` (`wasm_split`, what Leptos's
//! `#[lazy]` expands to), and here `wasm_split_cli_support` (the splitter `cargo leptos
//! --split` uses) moves each one, with the code only it reaches, into a wasm file of its own
//! that the page fetches the first time the part is called for.
//!
//! Trunk cannot split, so its output for the main module is replaced:
//! 1. the splitter reads the module as linked (`frontend/build.rs` keeps its relocations), and
//!    writes the main part, one file per split and shared chunk, and the loader script that
//!    fetches them;
//! 2. wasm-bindgen binds the main part under Trunk's own file name (the page's script names
//!    it), keeping the linker's exports the splits import (memory, table, shared functions);
//! 3. wasm-opt shrinks every part, as Trunk would have;
//! 4. the splits and the loader are named by their content (`lazy-NAME-<16 hex>`), as Trunk
//!    names its outputs, so the server caches them as immutable; the loader's and the main
//!    script's references are rewritten to those names.
//!
//! Invariant: every name the loader and the main script refer to is a file written here (a
//! rewrite that finds nothing to rewrite fails the build).

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use sha2::{Digest, Sha256};

use crate::{Paths, run_step};

/// The binary Trunk builds as the page's main module (`data-bin` in `frontend/index.html`).
const MAIN_BINARY: &str = "frontend";

/// The file name prefix of every part loaded on demand (a split or a shared chunk), which the
/// bench counts apart from the first load.
pub const LAZY_PREFIX: &str = "lazy-";

/// The loader script's name before its content digest (`lazy-loader-<16 hex>.js`); it is part
/// of the first load, as the main script imports it.
const LOADER_STEM: &str = "loader";

/// The splitter's name for the loader, as the main module imports it.
const SPLITTER_LINK_NAME: &str = "./__wasm_split.js";

/// wasm-opt's features for the output of this Rust release (as Trunk enables them).
const WASM_OPT_FEATURES: [&str; 6] = [
    "--enable-bulk-memory",
    "--enable-nontrapping-float-to-int",
    "--enable-sign-ext",
    "--enable-mutable-globals",
    "--enable-reference-types",
    "--enable-multivalue",
];

/// Splits the main module Trunk built into `paths.dist()` and replaces Trunk's script and
/// wasm for it.
pub fn split_main_module(paths: &Paths) -> anyhow::Result<()> {
    let dist = paths.dist();
    let stem = trunk_main_stem(&dist)?;
    let linked = paths
        .target
        .join("wasm32-unknown-unknown/wasm-release")
        .join(format!("{MAIN_BINARY}.wasm"));
    let input = std::fs::read(&linked)
        .with_context(|| format!("reading the linked main module {}", linked.display()))?;

    let work = paths.target.join("wasm-split");
    if work.exists() {
        std::fs::remove_dir_all(&work).context("clearing the last split")?;
    }
    let parts = work.join("parts");
    std::fs::create_dir_all(&parts)?;
    let main_part = work.join("main.wasm");
    eprintln!("==> splitting the main module at its lazy parts");
    let started = std::time::Instant::now();
    let main_script = format!("./{stem}.js");
    let split = wasm_split_cli_support::transform({
        let mut options = wasm_split_cli_support::Options::new(&input);
        options.output_dir = &parts;
        options.main_out_path = &main_part;
        options.main_module = &main_script;
        options.link_name = SPLITTER_LINK_NAME;
        options
    })
    .map_err(|error| anyhow::anyhow!("splitting the main module: {error:#}"))?;

    let bound = work.join("bound");
    run_step(
        "wasm-bindgen (the split main module)",
        paths
            .command("wasm-bindgen")
            .args([
                "--target",
                "web",
                "--no-typescript",
                "--keep-lld-exports",
                "--no-demangle",
                "--out-name",
                &stem,
                "--out-dir",
            ])
            .arg(&bound)
            .arg(&main_part),
    )?;
    optimise(
        paths,
        &bound.join(format!("{stem}_bg.wasm")),
        &dist.join(format!("{stem}_bg.wasm")),
    )?;

    let mut loader = std::fs::read_to_string(parts.join(SPLITTER_LINK_NAME))
        .context("reading the splitter's loader")?;
    let mut lazy_names = Vec::new();
    let mut split_files: Vec<PathBuf> = split.split_modules;
    split_files.sort();
    for part in split_files {
        let part_stem = part
            .file_stem()
            .and_then(|stem| stem.to_str())
            .context("a split part without a name")?
            .to_string();
        let optimised = work.join(format!("{part_stem}.opt.wasm"));
        optimise(paths, &part, &optimised)?;
        let bytes = std::fs::read(&optimised)?;
        let name = format!("{LAZY_PREFIX}{part_stem}-{}.wasm", content_digest(&bytes));
        let reference = format!("\"./{part_stem}.wasm\"");
        if !loader.contains(&reference) {
            bail!("the splitter's loader does not name its part {part_stem}.wasm");
        }
        loader = loader.replace(&reference, &format!("\"./{name}\""));
        std::fs::write(dist.join(&name), bytes)?;
        lazy_names.push(name);
    }
    let loader_name = format!(
        "{LAZY_PREFIX}{LOADER_STEM}-{}.js",
        content_digest(loader.as_bytes())
    );
    std::fs::write(dist.join(&loader_name), &loader)?;

    let script = std::fs::read_to_string(bound.join(format!("{stem}.js")))?;
    // The import statements only: the wasm's own import names (the keys of the imports object
    // the script passes it) stay the splitter's.
    let splitter_import = format!("from \"{SPLITTER_LINK_NAME}\"");
    if !script.contains(&splitter_import) {
        bail!("the bound main script does not import the splitter's loader");
    }
    let script = script.replace(&splitter_import, &format!("from \"./{loader_name}\""));
    std::fs::write(dist.join(format!("{stem}.js")), script)?;
    eprintln!(
        "<== split, rebound and optimised: {} parts loaded on demand, loader {loader_name}: {:.1} s",
        lazy_names.len(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// `frontend-<hash>`: the stem of the script and wasm Trunk wrote for the main module.
fn trunk_main_stem(dist: &Path) -> anyhow::Result<String> {
    let prefix = format!("{MAIN_BINARY}-");
    let mut stems: Vec<String> = std::fs::read_dir(dist)
        .context("reading the built app")?
        .flatten()
        .filter_map(|entry| {
            let name = entry.file_name().to_string_lossy().to_string();
            let stem = name.strip_suffix("_bg.wasm")?;
            stem.starts_with(&prefix).then(|| stem.to_string())
        })
        .collect();
    match stems.len() {
        1 => Ok(stems.remove(0)),
        count => bail!(
            "expected one {prefix}<hash>_bg.wasm from Trunk in {}, found {count}",
            dist.display()
        ),
    }
}

/// wasm-opt at `-Oz`, as Trunk runs it on the page's modules (`data-wasm-opt="z"`).
fn optimise(paths: &Paths, input: &Path, output: &Path) -> anyhow::Result<()> {
    let status = paths
        .command("wasm-opt")
        .arg("-Oz")
        .args(WASM_OPT_FEATURES)
        .arg(input)
        .arg("-o")
        .arg(output)
        .status()
        .context("starting wasm-opt")?;
    if !status.success() {
        bail!("wasm-opt failed on {} ({status})", input.display());
    }
    Ok(())
}

/// The first 16 hex digits of the SHA-256 of `bytes`: a name that changes with the content.
fn content_digest(bytes: &[u8]) -> String {
    Sha256::digest(bytes)[..8]
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_part_is_named_by_its_content_as_the_server_expects() {
        let digest = content_digest(b"one part");
        assert_eq!(digest.len(), 16);
        assert!(digest.chars().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(digest, content_digest(b"another part"));
        assert_eq!(digest, content_digest(b"one part"));
    }

    #[test]
    fn the_main_stem_is_the_one_trunk_wrote() {
        let dist = tempfile::tempdir().unwrap();
        for name in [
            "frontend-0123456789abcdef_bg.wasm",
            "frontend-0123456789abcdef.js",
            "moat_exports_bg.wasm",
            "index.html",
        ] {
            std::fs::write(dist.path().join(name), b"").unwrap();
        }
        assert_eq!(
            trunk_main_stem(dist.path()).unwrap(),
            "frontend-0123456789abcdef"
        );
        std::fs::write(dist.path().join("frontend-fedcba9876543210_bg.wasm"), b"").unwrap();
        let error = trunk_main_stem(dist.path()).unwrap_err().to_string();
        assert!(error.contains("found 2"), "{error}");
    }
}
