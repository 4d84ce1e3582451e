//! PNG from SVG, with resvg (pure Rust): the diagram export rendered at a chosen scale, text
//! set with the system's fonts.

use resvg::{tiny_skia, usvg};

/// The most pixels one PNG may have (about 190 MB of pixmap): a picture larger than this is
/// refused before anything is allocated.
pub const MAX_PIXELS: u64 = 48_000_000;

/// Why a PNG could not be made.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum RenderError {
    #[error("scale {0} is out of range: use 0.1 to 8")]
    Scale(f32),
    #[error(
        "the picture would be {width} × {height} pixels; the limit is {MAX_PIXELS} pixels: export a smaller scale, the SVG, or move the canvas boxes closer together"
    )]
    TooLarge { width: u64, height: u64 },
    #[error("the SVG does not parse: {0}")]
    Parse(String),
    #[error("cannot allocate a {width} × {height} image")]
    Allocate { width: u32, height: u32 },
    #[error("cannot encode the PNG: {0}")]
    Encode(String),
}

/// Renders `svg` at `scale` (2.0 → twice the SVG's width and height, in pixels).
pub fn png(svg: &str, scale: f32) -> Result<Vec<u8>, RenderError> {
    if !(0.1..=8.0).contains(&scale) {
        return Err(RenderError::Scale(scale));
    }
    let mut options = usvg::Options::default();
    options.fontdb_mut().load_system_fonts();
    let tree = usvg::Tree::from_str(svg, &options)
        .map_err(|error| RenderError::Parse(error.to_string()))?;
    let size = tree.size();
    let (wide, high) = (
        f64::from(size.width()) * f64::from(scale),
        f64::from(size.height()) * f64::from(scale),
    );
    if !(wide.is_finite() && high.is_finite()) || wide.ceil() * high.ceil() > MAX_PIXELS as f64 {
        return Err(RenderError::TooLarge {
            width: wide.ceil().min(u64::MAX as f64) as u64,
            height: high.ceil().min(u64::MAX as f64) as u64,
        });
    }
    let width = wide.ceil() as u32;
    let height = high.ceil() as u32;
    let mut pixmap = tiny_skia::Pixmap::new(width.max(1), height.max(1))
        .ok_or(RenderError::Allocate { width, height })?;
    resvg::render(
        &tree,
        tiny_skia::Transform::from_scale(scale, scale),
        &mut pixmap.as_mut(),
    );
    pixmap
        .encode_png()
        .map_err(|error| RenderError::Encode(error.to_string()))
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
        // A picture over the pixel budget is refused before anything is allocated.
        let huge = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"100000\" height=\"100000\"/>";
        assert!(matches!(
            super::png(huge, 1.0),
            Err(super::RenderError::TooLarge {
                width: 100000,
                height: 100000
            })
        ));
        assert!(super::png("<svg", 1.0).is_err());
    }
}
