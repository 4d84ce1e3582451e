//! Keeps ARCHITECTURE.md true: every path it names exists, and every source file of the
//! workspace is mapped there (named itself, or a folder holding it is named).

use std::path::{Path, PathBuf};

fn repository() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask sits in the repository")
        .to_path_buf()
}

/// The backticked tokens of the document that are paths of the repository.
fn named_paths(document: &str) -> Vec<String> {
    const ROOTS: [&str; 6] = ["shared/", "backend/", "frontend/", "e2e/", "xtask/", ".ci/"];
    document
        .split('`')
        .skip(1)
        .step_by(2)
        .filter(|token| !token.contains(' ') && ROOTS.iter().any(|root| token.starts_with(root)))
        .map(|token| token.to_string())
        .collect()
}

fn source_files(directory: &Path, repository: &Path, out: &mut Vec<String>) {
    let Ok(entries) = std::fs::read_dir(directory) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            source_files(&path, repository, out);
        } else if path.extension().is_some_and(|extension| extension == "rs") {
            let relative = path.strip_prefix(repository).unwrap_or(&path);
            out.push(relative.to_string_lossy().replace('\\', "/"));
        }
    }
}

#[test]
fn every_path_architecture_names_exists() {
    let root = repository();
    let document = std::fs::read_to_string(root.join("ARCHITECTURE.md")).unwrap();
    let named = named_paths(&document);
    assert!(named.len() > 60, "only {} paths named", named.len());
    let missing: Vec<&String> = named
        .iter()
        .filter(|path| !root.join(path.trim_end_matches('/')).exists())
        .collect();
    assert!(
        missing.is_empty(),
        "ARCHITECTURE.md names paths that do not exist: {missing:?}"
    );
}

#[test]
fn every_source_file_is_mapped_in_architecture() {
    let root = repository();
    let document = std::fs::read_to_string(root.join("ARCHITECTURE.md")).unwrap();
    let named = named_paths(&document);
    let mut files = Vec::new();
    for crate_folder in ["shared", "backend", "frontend", "e2e", "xtask"] {
        for part in ["src", "tests", "benches"] {
            source_files(&root.join(crate_folder).join(part), &root, &mut files);
        }
    }
    assert!(files.len() > 80, "only {} source files found", files.len());
    let unmapped: Vec<&String> = files
        .iter()
        .filter(|file| {
            !named.iter().any(|path| {
                // A crate's own folder (`shared/`) maps nothing by itself: too coarse.
                *file == path
                    || (path.ends_with('/')
                        && path.matches('/').count() >= 2
                        && file.starts_with(path.as_str()))
            })
        })
        .collect();
    assert!(
        unmapped.is_empty(),
        "source files ARCHITECTURE.md does not map: {unmapped:?}"
    );
}

/// `frontend/src/lazy.rs`'s invariant: the components its parts show (`<crate::module::Name />`
/// in its split functions) are named nowhere else in the frontend, or their code would be
/// pulled back into the first load.
#[test]
fn only_the_lazy_module_names_the_lazy_parts_components() {
    let repository = repository();
    let lazy = std::fs::read_to_string(repository.join("frontend/src/lazy.rs")).unwrap();
    let components: Vec<&str> = lazy
        .split("<crate::")
        .skip(1)
        .filter_map(|rest| rest.split_whitespace().next())
        .filter_map(|path| path.rsplit("::").next())
        .collect();
    assert!(
        components.len() >= 9,
        "the parts' components are read from lazy.rs: {components:?}"
    );
    let mut files = Vec::new();
    source_files(&repository.join("frontend/src"), &repository, &mut files);
    for file in files
        .iter()
        .filter(|file| file.ends_with(".rs") && !file.ends_with("frontend/src/lazy.rs"))
    {
        let text = std::fs::read_to_string(repository.join(file)).unwrap();
        for component in &components {
            assert!(
                !text.contains(&format!("{component} />")),
                "{file} shows {component}, a lazy part's component: show it through crate::lazy"
            );
        }
    }
}
