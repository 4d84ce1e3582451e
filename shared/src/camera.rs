//! The canvas camera (zoom and pan), framework-free: session state, never saved or undone.

use crate::model::LayoutBox;

/// Zoom and pan: a canvas point `p` is drawn at `p * scale + (x, y)` in the SVG's pixels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Camera {
    pub scale: f64,
    pub x: f64,
    pub y: f64,
}

impl Default for Camera {
    fn default() -> Self {
        Camera {
            scale: 1.0,
            x: 0.0,
            y: 0.0,
        }
    }
}

impl Camera {
    /// Low enough that Fit frames any design within Moat's limits (thousands of subnets).
    pub const MIN_SCALE: f64 = 0.005;
    pub const MAX_SCALE: f64 = 4.0;

    /// The camera after zooming by `factor` around a point of the SVG (pixels), which stays put.
    pub fn zoomed(self, factor: f64, around_x: f64, around_y: f64) -> Camera {
        let scale = (self.scale * factor).clamp(Self::MIN_SCALE, Self::MAX_SCALE);
        let world_x = (around_x - self.x) / self.scale;
        let world_y = (around_y - self.y) / self.scale;
        Camera {
            scale,
            x: around_x - world_x * scale,
            y: around_y - world_y * scale,
        }
    }

    /// The camera that shows every box, centred, within a view of `width` × `height` pixels.
    pub fn fitting(boxes: impl Iterator<Item = LayoutBox>, width: f64, height: f64) -> Camera {
        let (mut left, mut top, mut right, mut bottom) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
        for bounds in boxes {
            left = left.min(bounds.x);
            top = top.min(bounds.y);
            right = right.max(bounds.x + bounds.width);
            bottom = bottom.max(bounds.y + bounds.height);
        }
        if left > right {
            return Camera::default();
        }
        let margin = 40.0;
        let scale = ((width - 2.0 * margin) / (right - left))
            .min((height - 2.0 * margin) / (bottom - top))
            .clamp(Self::MIN_SCALE, 2.0);
        Camera {
            scale,
            x: (width - (right - left) * scale) / 2.0 - left * scale,
            y: (height - (bottom - top) * scale) / 2.0 - top * scale,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zooming_keeps_the_point_under_the_pointer_in_place() {
        let camera = Camera {
            scale: 1.0,
            x: 30.0,
            y: -20.0,
        };
        let zoomed = camera.zoomed(2.0, 200.0, 100.0);
        let world = |c: Camera| ((200.0 - c.x) / c.scale, (100.0 - c.y) / c.scale);
        assert_eq!(world(camera), world(zoomed));
        assert_eq!(zoomed.scale, 2.0);
        assert_eq!(camera.zoomed(1000.0, 0.0, 0.0).scale, Camera::MAX_SCALE);
        assert_eq!(camera.zoomed(0.0001, 0.0, 0.0).scale, Camera::MIN_SCALE);
    }

    #[test]
    fn fitting_frames_every_box_centred() {
        let boxes = [
            LayoutBox {
                x: 100.0,
                y: 100.0,
                width: 400.0,
                height: 200.0,
            },
            LayoutBox {
                x: 600.0,
                y: 300.0,
                width: 100.0,
                height: 100.0,
            },
        ];
        let camera = Camera::fitting(boxes.into_iter(), 1000.0, 600.0);
        let to_screen = |x: f64, y: f64| (x * camera.scale + camera.x, y * camera.scale + camera.y);
        let (left, top) = to_screen(100.0, 100.0);
        let (right, bottom) = to_screen(700.0, 400.0);
        assert!(
            left >= 39.9 && top >= 39.9 && right <= 960.1 && bottom <= 560.1,
            "{camera:?}"
        );
        assert!(
            ((left + right) / 2.0 - 500.0).abs() < 1e-9
                && ((top + bottom) / 2.0 - 300.0).abs() < 1e-9
        );
        assert_eq!(
            Camera::fitting(std::iter::empty(), 100.0, 100.0),
            Camera::default()
        );
    }

    /// Fit frames any design: every box of a 2,000-subnet design lies inside the view.
    #[test]
    fn fit_frames_a_design_of_thousands_of_subnets() {
        let mut design = crate::generate::generated_design(2_000);
        design.layout.clear();
        crate::layout::fill_missing_layout(&mut design);
        let (width, height) = (800.0, 600.0);
        let camera = Camera::fitting(design.layout.values().copied(), width, height);
        for (id, bounds) in &design.layout {
            let left = bounds.x * camera.scale + camera.x;
            let top = bounds.y * camera.scale + camera.y;
            let right = (bounds.x + bounds.width) * camera.scale + camera.x;
            let bottom = (bounds.y + bounds.height) * camera.scale + camera.y;
            assert!(
                left >= -0.01 && top >= -0.01 && right <= width + 0.01 && bottom <= height + 0.01,
                "{id} drawn at ({left}, {top})–({right}, {bottom}), outside {width} × {height} at scale {}",
                camera.scale
            );
        }
    }
}
