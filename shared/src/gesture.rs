//! The canvas's pointer gestures as a pure state machine: moving the selection, resizing a
//! container, panning, drawing a rubber band and drawing a connection. The canvas feeds it the
//! pointer (window and canvas coordinates) and carries out what a finished gesture asks for —
//! one command (one undo step) or a new selection. Nothing here knows the DOM, so every
//! gesture is unit-tested natively.
//!
//! Invariant: at most one gesture runs at a time, and a gesture changes the design only when
//! it ends, by one command.

use crate::camera::Camera;
use crate::editor::{Command, contained_objects};
use crate::model::{Design, LayoutBox};
use crate::selection::{objects_in_rectangle, rectangle_between};

/// A move shorter than this (|dx| + |dy|, canvas units) is a click: nothing moves.
pub const MOVE_THRESHOLD: f64 = 3.0;

/// Where the pointer is: in window pixels, and in canvas units when it is over the canvas.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pointer {
    pub client: (f64, f64),
    pub canvas: Option<(f64, f64)>,
}

/// The selection being moved.
#[derive(Debug, Clone, PartialEq)]
pub struct MoveGesture {
    /// The selection's roots: each gets one `MoveObject`.
    pub object_ids: Vec<String>,
    /// The objects drawn inside them, which move with them.
    pub carried: Vec<String>,
    /// Where the pointer went down (window pixels).
    pub start: (f64, f64),
    /// The offset so far (canvas units).
    pub delta: (f64, f64),
}

/// A container being resized by its corner handle.
#[derive(Debug, Clone, PartialEq)]
pub struct ResizeGesture {
    pub object_id: String,
    /// Where the pointer went down (window pixels).
    pub start: (f64, f64),
    /// Its size then and now (canvas units).
    pub start_size: (f64, f64),
    pub size: (f64, f64),
}

/// The canvas being panned.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PanGesture {
    /// Where the pointer went down (window pixels), and the camera then.
    pub start: (f64, f64),
    pub camera: Camera,
}

/// A rubber band drawn on empty canvas (canvas units).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BandGesture {
    pub start: (f64, f64),
    pub current: (f64, f64),
    /// Shift: the band adds to the selection instead of replacing it.
    pub additive: bool,
}

/// A connection being drawn from an object to the pointer (canvas units).
#[derive(Debug, Clone, PartialEq)]
pub struct ConnectGesture {
    pub from: String,
    pub pointer: (f64, f64),
}

/// The gesture in progress, if any.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Gesture {
    #[default]
    Idle,
    Moving(MoveGesture),
    Resizing(ResizeGesture),
    Panning(PanGesture),
    Banding(BandGesture),
    Connecting(ConnectGesture),
}

/// What a finished gesture asks of the editor.
#[derive(Debug, Clone, PartialEq)]
pub enum GestureEnd {
    /// A click, a pan, or a connection dropped on nothing: the design stays as it is.
    Nothing,
    /// One command (one undo step), then the object to select, if any.
    Apply {
        command: Command,
        select: Option<String>,
    },
    /// The rubber band's objects become (or join) the selection.
    Select {
        object_ids: Vec<String>,
        additive: bool,
    },
}

impl Gesture {
    /// Starts moving `roots` (the selection's roots) and everything drawn inside them.
    pub fn moving(design: &Design, roots: Vec<String>, client: (f64, f64)) -> Gesture {
        let carried = roots
            .iter()
            .flat_map(|root| contained_objects(design, root))
            .collect();
        Gesture::Moving(MoveGesture {
            object_ids: roots,
            carried,
            start: client,
            delta: (0.0, 0.0),
        })
    }

    /// Starts resizing `object_id` from its corner; nothing when it has no box.
    pub fn resizing(design: &Design, object_id: &str, client: (f64, f64)) -> Gesture {
        match design.layout.get(object_id) {
            Some(bounds) => Gesture::Resizing(ResizeGesture {
                object_id: object_id.to_string(),
                start: client,
                start_size: (bounds.width, bounds.height),
                size: (bounds.width, bounds.height),
            }),
            None => Gesture::Idle,
        }
    }

    /// Starts panning from `camera`.
    pub fn panning(client: (f64, f64), camera: Camera) -> Gesture {
        Gesture::Panning(PanGesture {
            start: client,
            camera,
        })
    }

    /// Starts a rubber band at a canvas point.
    pub fn banding(canvas: (f64, f64), additive: bool) -> Gesture {
        Gesture::Banding(BandGesture {
            start: canvas,
            current: canvas,
            additive,
        })
    }

    /// Starts a connection from `from`, the pointer at a canvas point.
    pub fn connecting(from: &str, canvas: (f64, f64)) -> Gesture {
        Gesture::Connecting(ConnectGesture {
            from: from.to_string(),
            pointer: canvas,
        })
    }

    pub fn is_idle(&self) -> bool {
        matches!(self, Gesture::Idle)
    }

    /// Follows the pointer, the camera at `scale`. A pan answers the camera it moves to.
    pub fn follow(&mut self, pointer: Pointer, scale: f64) -> Option<Camera> {
        let (x, y) = pointer.client;
        match self {
            Gesture::Idle => None,
            Gesture::Moving(moving) => {
                moving.delta = ((x - moving.start.0) / scale, (y - moving.start.1) / scale);
                None
            }
            Gesture::Resizing(resizing) => {
                resizing.size = (
                    resizing.start_size.0 + (x - resizing.start.0) / scale,
                    resizing.start_size.1 + (y - resizing.start.1) / scale,
                );
                None
            }
            Gesture::Panning(panning) => Some(Camera {
                x: panning.camera.x + x - panning.start.0,
                y: panning.camera.y + y - panning.start.1,
                ..panning.camera
            }),
            Gesture::Banding(band) => {
                if let Some(canvas) = pointer.canvas {
                    band.current = canvas;
                }
                None
            }
            Gesture::Connecting(connecting) => {
                if let Some(canvas) = pointer.canvas {
                    connecting.pointer = canvas;
                }
                None
            }
        }
    }

    /// Ends the gesture; `under` is the object under the pointer (a connection's other end).
    pub fn finish(self, design: &Design, under: Option<&str>) -> GestureEnd {
        match self {
            Gesture::Idle | Gesture::Panning(_) => GestureEnd::Nothing,
            Gesture::Moving(moving) => {
                let (delta_x, delta_y) = moving.delta;
                if delta_x.abs() + delta_y.abs() < MOVE_THRESHOLD {
                    return GestureEnd::Nothing;
                }
                let commands = moving
                    .object_ids
                    .iter()
                    .filter_map(|object_id| {
                        let origin = design.layout.get(object_id)?;
                        Some(Command::MoveObject {
                            object_id: object_id.clone(),
                            x: origin.x + delta_x,
                            y: origin.y + delta_y,
                        })
                    })
                    .collect();
                GestureEnd::Apply {
                    command: Command::Batch { commands },
                    select: None,
                }
            }
            Gesture::Resizing(resizing) => GestureEnd::Apply {
                command: Command::ResizeObject {
                    object_id: resizing.object_id,
                    width: resizing.size.0,
                    height: resizing.size.1,
                },
                select: None,
            },
            Gesture::Banding(band) => GestureEnd::Select {
                object_ids: objects_in_rectangle(design, band_rectangle(&band)),
                additive: band.additive,
            },
            Gesture::Connecting(connecting) => match under {
                Some(to) if to != connecting.from => GestureEnd::Apply {
                    command: Command::Connect {
                        from: connecting.from,
                        to: to.to_string(),
                    },
                    select: Some(to.to_string()),
                },
                Some(_) | None => GestureEnd::Nothing,
            },
        }
    }

    /// Every object a move carries (the roots and what is inside them); empty for any other
    /// gesture.
    pub fn moving_ids(&self) -> Vec<String> {
        match self {
            Gesture::Moving(moving) => moving
                .carried
                .iter()
                .chain(&moving.object_ids)
                .cloned()
                .collect(),
            Gesture::Idle
            | Gesture::Resizing(_)
            | Gesture::Panning(_)
            | Gesture::Banding(_)
            | Gesture::Connecting(_) => Vec::new(),
        }
    }

    /// How far a move has gone (canvas units); none for any other gesture.
    pub fn move_delta(&self) -> Option<(f64, f64)> {
        match self {
            Gesture::Moving(moving) => Some(moving.delta),
            Gesture::Idle
            | Gesture::Resizing(_)
            | Gesture::Panning(_)
            | Gesture::Banding(_)
            | Gesture::Connecting(_) => None,
        }
    }

    /// Whether the gesture follows the pointer in canvas units (the others need only window
    /// pixels, so the canvas need not be measured for them).
    pub fn follows_canvas_points(&self) -> bool {
        match self {
            Gesture::Banding(_) | Gesture::Connecting(_) => true,
            Gesture::Idle | Gesture::Moving(_) | Gesture::Resizing(_) | Gesture::Panning(_) => {
                false
            }
        }
    }

    /// The rubber band's rectangle while one is drawn.
    pub fn band(&self) -> Option<LayoutBox> {
        match self {
            Gesture::Banding(band) => Some(band_rectangle(band)),
            Gesture::Idle
            | Gesture::Moving(_)
            | Gesture::Resizing(_)
            | Gesture::Panning(_)
            | Gesture::Connecting(_) => None,
        }
    }

    /// The box a resize would give its object (at least one unit each way).
    pub fn resize_preview(&self, design: &Design) -> Option<LayoutBox> {
        match self {
            Gesture::Resizing(resizing) => {
                let bounds = design.layout.get(&resizing.object_id)?;
                Some(LayoutBox {
                    width: resizing.size.0.max(1.0),
                    height: resizing.size.1.max(1.0),
                    ..*bounds
                })
            }
            Gesture::Idle
            | Gesture::Moving(_)
            | Gesture::Panning(_)
            | Gesture::Banding(_)
            | Gesture::Connecting(_) => None,
        }
    }

    /// The connection being drawn: the object it starts at and the pointer.
    pub fn connection(&self) -> Option<(&str, (f64, f64))> {
        match self {
            Gesture::Connecting(connecting) => Some((&connecting.from, connecting.pointer)),
            Gesture::Idle
            | Gesture::Moving(_)
            | Gesture::Resizing(_)
            | Gesture::Panning(_)
            | Gesture::Banding(_) => None,
        }
    }
}

fn band_rectangle(band: &BandGesture) -> LayoutBox {
    rectangle_between(band.start.0, band.start.1, band.current.0, band.current.1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pointer(x: f64, y: f64) -> Pointer {
        Pointer {
            client: (x, y),
            canvas: Some((x, y)),
        }
    }

    fn design() -> Design {
        let mut design = crate::templates::template("mvp")
            .and_then(|template| template.design().ok())
            .expect("the mvp template loads");
        crate::layout::fill_missing_layout(&mut design);
        design
    }

    fn a_subnet_and_its_vpc(design: &Design) -> (String, String) {
        let subnet = design.subnets.first().expect("a subnet");
        (subnet.id.clone(), subnet.vpc.clone())
    }

    #[test]
    fn a_move_carries_what_is_inside_and_ends_in_one_batch_scaled_by_the_zoom() {
        let design = design();
        let (subnet, vpc) = a_subnet_and_its_vpc(&design);
        let mut gesture = Gesture::moving(&design, vec![vpc.clone()], (100.0, 100.0));
        assert!(
            gesture.moving_ids().contains(&subnet),
            "the subnet rides along"
        );
        assert_eq!(gesture.follow(pointer(140.0, 80.0), 2.0), None);
        assert_eq!(gesture.move_delta(), Some((20.0, -10.0)));
        let origin = design.layout[&vpc];
        match gesture.finish(&design, None) {
            GestureEnd::Apply {
                command: Command::Batch { commands },
                select: None,
            } => assert_eq!(
                commands,
                vec![Command::MoveObject {
                    object_id: vpc,
                    x: origin.x + 20.0,
                    y: origin.y - 10.0,
                }]
            ),
            other => panic!("one batch of moves, got {other:?}"),
        }
    }

    #[test]
    fn a_move_under_the_threshold_is_a_click() {
        let design = design();
        let (subnet, _) = a_subnet_and_its_vpc(&design);
        let mut gesture = Gesture::moving(&design, vec![subnet], (10.0, 10.0));
        gesture.follow(pointer(11.0, 11.0), 1.0);
        assert_eq!(gesture.finish(&design, None), GestureEnd::Nothing);
    }

    #[test]
    fn a_resize_previews_at_least_one_unit_and_ends_in_one_resize() {
        let design = design();
        let (_, vpc) = a_subnet_and_its_vpc(&design);
        let bounds = design.layout[&vpc];
        let mut gesture = Gesture::resizing(&design, &vpc, (0.0, 0.0));
        gesture.follow(pointer(-100_000.0, 30.0), 1.0);
        let preview = gesture.resize_preview(&design).expect("a preview");
        assert_eq!((preview.x, preview.width), (bounds.x, 1.0));
        assert_eq!(preview.height, bounds.height + 30.0);
        gesture.follow(pointer(50.0, 30.0), 2.0);
        assert_eq!(
            gesture.finish(&design, None),
            GestureEnd::Apply {
                command: Command::ResizeObject {
                    object_id: vpc,
                    width: bounds.width + 25.0,
                    height: bounds.height + 15.0,
                },
                select: None,
            }
        );
        assert_eq!(
            Gesture::resizing(&design, "vpc-nowhere", (0.0, 0.0)),
            Gesture::Idle
        );
    }

    #[test]
    fn a_pan_moves_the_camera_by_the_pointer_and_changes_nothing() {
        let design = design();
        let camera = Camera {
            x: 5.0,
            y: 7.0,
            scale: 0.5,
        };
        let mut gesture = Gesture::panning((10.0, 10.0), camera);
        let moved = gesture.follow(pointer(30.0, 0.0), camera.scale);
        assert_eq!(
            moved,
            Some(Camera {
                x: 25.0,
                y: -3.0,
                scale: 0.5
            })
        );
        assert_eq!(gesture.finish(&design, None), GestureEnd::Nothing);
    }

    #[test]
    fn a_band_selects_what_it_encloses_and_keeps_its_start_off_the_canvas() {
        let design = design();
        let (subnet, _) = a_subnet_and_its_vpc(&design);
        let bounds = design.layout[&subnet];
        let mut gesture = Gesture::banding((bounds.x - 1.0, bounds.y - 1.0), true);
        gesture.follow(
            Pointer {
                client: (0.0, 0.0),
                canvas: None,
            },
            1.0,
        );
        assert_eq!(
            gesture.band().map(|band| (band.width, band.height)),
            Some((0.0, 0.0))
        );
        gesture.follow(
            pointer(
                bounds.x + bounds.width + 1.0,
                bounds.y + bounds.height + 1.0,
            ),
            1.0,
        );
        match gesture.finish(&design, None) {
            GestureEnd::Select {
                object_ids,
                additive: true,
            } => assert!(object_ids.contains(&subnet), "{object_ids:?}"),
            other => panic!("a selection, got {other:?}"),
        }
    }

    #[test]
    fn a_connection_ends_on_another_object_and_selects_it() {
        let design = design();
        let (subnet, vpc) = a_subnet_and_its_vpc(&design);
        let mut gesture = Gesture::connecting(&subnet, (1.0, 1.0));
        gesture.follow(pointer(9.0, 9.0), 3.0);
        assert_eq!(gesture.connection(), Some((subnet.as_str(), (9.0, 9.0))));
        assert_eq!(
            gesture.clone().finish(&design, Some(&subnet)),
            GestureEnd::Nothing,
            "onto itself: nothing"
        );
        assert_eq!(gesture.clone().finish(&design, None), GestureEnd::Nothing);
        assert_eq!(
            gesture.finish(&design, Some(&vpc)),
            GestureEnd::Apply {
                command: Command::Connect {
                    from: subnet,
                    to: vpc.clone(),
                },
                select: Some(vpc),
            }
        );
    }

    #[test]
    fn only_a_move_reports_moving_objects_and_idle_follows_nothing() {
        assert!(Gesture::banding((0.0, 0.0), false).follows_canvas_points());
        assert!(!Gesture::panning((0.0, 0.0), Camera::default()).follows_canvas_points());
        let mut idle = Gesture::Idle;
        assert!(idle.is_idle());
        assert_eq!(idle.follow(pointer(1.0, 1.0), 1.0), None);
        assert_eq!(idle, Gesture::Idle);
        for gesture in [
            Gesture::banding((0.0, 0.0), false),
            Gesture::connecting("x", (0.0, 0.0)),
            Gesture::panning((0.0, 0.0), Camera::default()),
        ] {
            assert!(gesture.moving_ids().is_empty());
            assert_eq!(gesture.move_delta(), None);
        }
    }
}
