//! Links the app's main module with its relocations kept (`--emit-relocs`): `cargo xtask`
//! splits that module at its `#[lazy]` functions (Leptos's code splitting, the
//! `wasm_split_cli_support` crate), and the split reads the relocations to move each lazy
//! function, with the code only it reaches, into a module of its own.

fn main() {
    println!("cargo::rustc-link-arg-bin=frontend=--emit-relocs");
    println!("cargo::rerun-if-changed=build.rs");
}
