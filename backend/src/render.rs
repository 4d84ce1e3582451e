//! PNG from SVG, with resvg (pure Rust): the diagram export rendered at a chosen scale, text
//! set with the system's fonts.

use resvg::{tiny_skia, usvg};

/// Renders `svg` at `scale` (2.0 → twice the SVG's width and height, in pixels).
pub fn png(svg: &str, scale: f32) -> Result<Vec<u8>, String> {
    if !(0.1..=8.0).contains(&scale) {
        return Err(format!("scale {scale} is out of range: use 0.1 to 8"));
    }
    let mut options = usvg::Options::default();
    options.fontdb_mut().load_system_fonts();
    let tree = usvg::Tree::from_str(svg, &options)
        .map_err(|error| format!("the SVG does not parse: {error}"))?;
    let size = tree.size();
    let width = (size.width() * scale).ceil() as u32;
    let height = (size.height() * scale).ceil() as u32;
    let mut pixmap = tiny_skia::Pixmap::new(width.max(1), height.max(1))
        .ok_or_else(|| format!("cannot allocate a {width}×{height} image"))?;
    resvg::render(
        &tree,
        tiny_skia::Transform::from_scale(scale, scale),
        &mut pixmap.as_mut(),
    );
    pixmap
        .encode_png()
        .map_err(|error| format!("cannot encode the PNG: {error}"))
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_diagram_renders_at_the_requested_scale() {
        let design = shared::templates::template("multimodal-endpoints")
            .unwrap()
            .design()
            .unwrap();
        let svg = shared::export::svg::diagram(&design, &Default::default());
        let document = resvg::usvg::Tree::from_str(&svg, &Default::default()).unwrap();
        let (width, height) = (document.size().width(), document.size().height());
        for scale in [1.0f32, 2.0] {
            let bytes = super::png(&svg, scale).unwrap();
            assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
            // The IHDR chunk: width and height, big-endian, at bytes 16..24.
            let png_width = u32::from_be_bytes(bytes[16..20].try_into().unwrap());
            let png_height = u32::from_be_bytes(bytes[20..24].try_into().unwrap());
            assert_eq!(png_width, (width * scale).ceil() as u32);
            assert_eq!(png_height, (height * scale).ceil() as u32);
        }
        assert!(super::png(&svg, 100.0).is_err());
        assert!(super::png("<svg", 1.0).is_err());
    }
}
