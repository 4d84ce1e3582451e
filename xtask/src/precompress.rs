//! The built app's brotli and gzip copies, written beside each text or wasm asset after Trunk
//! builds it, for the server to send to browsers that accept them (`Content-Encoding`): the
//! work is done once per build, at the highest levels, instead of on every request.

use std::io::Write;
use std::path::Path;

use anyhow::Context;
use flate2::Compression;
use flate2::write::GzEncoder;

/// Which files are worth compressing: text and wasm (PNGs and fonts are compressed already).
pub fn compressible(name: &str) -> bool {
    [".wasm", ".js", ".css", ".html", ".svg", ".json", ".map"]
        .iter()
        .any(|extension| name.ends_with(extension))
}

/// gzip at `level` (0–9).
pub fn gzip(bytes: &[u8], level: u32) -> anyhow::Result<Vec<u8>> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::new(level));
    encoder.write_all(bytes)?;
    Ok(encoder.finish()?)
}

/// brotli at `quality` (0–11), with a 4 MiB window.
pub fn brotli(bytes: &[u8], quality: u32) -> anyhow::Result<Vec<u8>> {
    let mut compressed = Vec::new();
    {
        let mut writer = ::brotli::CompressorWriter::new(&mut compressed, 64 * 1024, quality, 22);
        writer.write_all(bytes)?;
    }
    Ok(compressed)
}

/// Writes `NAME.br` (quality 11) and `NAME.gz` (level 9) beside every compressible file of
/// `directory` (not below it: Trunk writes a flat folder), replacing older copies.
pub fn precompress(directory: &Path) -> anyhow::Result<()> {
    for entry in std::fs::read_dir(directory).context("reading the built app")? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().to_string();
        if !entry.file_type()?.is_file() || !compressible(&name) {
            continue;
        }
        let bytes = std::fs::read(entry.path())?;
        std::fs::write(directory.join(format!("{name}.br")), brotli(&bytes, 11)?)?;
        std::fs::write(directory.join(format!("{name}.gz")), gzip(&bytes, 9)?)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use super::*;

    #[test]
    fn the_copies_decompress_to_the_original_and_only_assets_get_them() {
        let directory = tempfile::tempdir().unwrap();
        let page = "<!doctype html>".repeat(200);
        std::fs::write(directory.path().join("index.html"), &page).unwrap();
        std::fs::write(directory.path().join("icon.png"), [137u8, 80, 78, 71]).unwrap();
        precompress(directory.path()).unwrap();
        let mut from_gzip = String::new();
        flate2::read::GzDecoder::new(
            std::fs::read(directory.path().join("index.html.gz"))
                .unwrap()
                .as_slice(),
        )
        .read_to_string(&mut from_gzip)
        .unwrap();
        assert_eq!(from_gzip, page);
        let mut from_brotli = String::new();
        ::brotli::Decompressor::new(
            std::fs::read(directory.path().join("index.html.br"))
                .unwrap()
                .as_slice(),
            4096,
        )
        .read_to_string(&mut from_brotli)
        .unwrap();
        assert_eq!(from_brotli, page);
        assert!(!directory.path().join("icon.png.br").exists());
        assert!(!directory.path().join("index.html.br.br").exists());
    }
}
