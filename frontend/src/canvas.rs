//! The SVG canvas: VPCs and subnets drawn as nested containers, error badges, and pointer input.
//! A palette drag ends in a drop command at the canvas point under the pointer. The other
//! pointer gestures (move, resize, pan, rubber band, connect) are `shared::gesture`'s
//! state machine: this module only feeds it the pointer, draws its previews and carries out
//! what a finished gesture asks for (one command, one undo step, or a new selection).

use leptos::prelude::AnyView;
use leptos::prelude::*;
use shared::editor::Command;
use std::collections::{HashMap, HashSet};

use shared::model::{Design, LayoutBox, ObjectKind, SubnetTier};

use crate::state::AppState;
pub use shared::camera::Camera;
use shared::gesture::{Gesture, GestureEnd, Pointer};
use shared::selection::Selection;

fn canvas_rect() -> Option<web_sys::DomRect> {
    document()
        .get_element_by_id("canvas")
        .map(|element| element.get_bounding_client_rect())
}

/// Keeps a gesture's pointer on the canvas element until it is released: the browser then
/// sends the moves there without hit-testing every shape under the pointer (at 2,000 subnets a
/// frame of a drag fell from 50 to 33 ms). Not for connect mode, whose end is the object under
/// the pointer.
fn capture_pointer(event: &leptos::ev::PointerEvent) {
    if let Some(canvas) = document().get_element_by_id("canvas") {
        // A pointer that is no longer active cannot be captured; the gesture works without.
        let _ = canvas.set_pointer_capture(event.pointer_id());
    }
}

/// A client (window) point in canvas units, if it lies over the canvas.
fn canvas_point(state: &AppState, client_x: f64, client_y: f64) -> Option<(f64, f64)> {
    let rect = canvas_rect()?;
    let inside = client_x >= rect.left()
        && client_x <= rect.right()
        && client_y >= rect.top()
        && client_y <= rect.bottom();
    let camera = state.camera.get_untracked();
    inside.then(|| {
        (
            (client_x - rect.left() - camera.x) / camera.scale,
            (client_y - rect.top() - camera.y) / camera.scale,
        )
    })
}

/// Zooms by `factor` around the canvas's centre.
pub fn zoom_by(state: &AppState, factor: f64) {
    let (width, height) = canvas_rect()
        .map(|rect| (rect.width(), rect.height()))
        .unwrap_or((800.0, 600.0));
    state
        .camera
        .update(|camera| *camera = camera.zoomed(factor, width / 2.0, height / 2.0));
}

/// Frames every object of the design.
pub fn fit_to_content(state: &AppState) {
    let (width, height) = canvas_rect()
        .map(|rect| (rect.width(), rect.height()))
        .unwrap_or((800.0, 600.0));
    let camera = state.editor.with_untracked(|editor| {
        Camera::fitting(editor.design().layout.values().copied(), width, height)
    });
    state.camera.set(camera);
}

/// A chip's caption (bold, one line) and id (as many lines as the room under the caption
/// holds), each fitted to the chip by `shared::text`: smaller type, then more lines, never cut
/// and never past the chip's edges (the full text is also the chip's tooltip).
fn chip_texts(
    bounds: LayoutBox,
    lines: Vec<(&'static str, String)>,
    icon: Option<shared::icons::AwsIcon>,
) -> impl IntoView + use<> {
    use shared::text::{ASCENT, LINE_ADVANCE, Weight, fit, fit_in};
    const PADDING: f64 = 5.0;
    const ICON: f64 = 13.0;
    let inner = bounds.width - 2.0 * PADDING;
    let mut top = bounds.y + 2.0;
    let bottom = bounds.y + bounds.height - 1.0;
    // The kind's official AWS icon in the top right corner, beside the caption.
    let icon_view = icon.map(|icon| {
        view! {
            <svg class="aws-icon" aria-hidden="true" x=bounds.x + bounds.width - ICON - 3.0 y=bounds.y + 3.0
                width=ICON height=ICON viewBox=icon.view_box() inner_html=icon.body()></svg>
        }
    });
    let caption_width = if icon.is_some() {
        inner - ICON - 2.0
    } else {
        inner
    };
    let mut drawn = Vec::new();
    for (text_class, text) in lines {
        let fitted = if text_class == "chip-label" {
            fit(&text, caption_width, 10.0, 7.0, 1, Weight::Bold)
        } else {
            fit_in(&text, inner, bottom - top, 10.0, 6.0, Weight::Regular)
        };
        let mut baseline = top + ASCENT * fitted.size;
        for line in fitted.lines {
            drawn.push(view! {
                <text class=text_class x=bounds.x + PADDING y=baseline style=format!("font-size:{}px", fitted.size)>{line}</text>
            });
            top = baseline - ASCENT * fitted.size + LINE_ADVANCE * fitted.size;
            baseline += LINE_ADVANCE * fitted.size;
        }
    }
    (icon_view, drawn)
}

#[component]
pub fn Canvas() -> impl IntoView {
    let state = expect_context::<AppState>();
    // The pointer gesture in progress (at most one).
    let gesture: RwSignal<Gesture> = RwSignal::new(Gesture::Idle);
    // Space held: a drag on empty canvas pans instead of drawing a rubber band.
    let space_held = StoredValue::new(false);
    let space_down = window_event_listener(leptos::ev::keydown, move |event| {
        if event.key() == " " && !event_in_field(&event) {
            space_held.set_value(true);
        }
    });
    let space_up = window_event_listener(leptos::ev::keyup, move |event| {
        if event.key() == " " {
            space_held.set_value(false);
        }
    });

    let pointer_move = window_event_listener(leptos::ev::pointermove, move |event| {
        if gesture.with_untracked(Gesture::is_idle) {
            return;
        }
        let client = (f64::from(event.client_x()), f64::from(event.client_y()));
        // The canvas point costs a layout read: only the gestures drawn in canvas units ask.
        let canvas = gesture
            .with_untracked(Gesture::follows_canvas_points)
            .then(|| canvas_point(&state, client.0, client.1))
            .flatten();
        let scale = state.camera.get_untracked().scale;
        let mut panned = None;
        gesture.update(|gesture| panned = gesture.follow(Pointer { client, canvas }, scale));
        if let Some(camera) = panned {
            state.camera.set(camera);
        }
    });
    let pointer_up = window_event_listener(leptos::ev::pointerup, move |event| {
        let finished = gesture.get_untracked();
        gesture.set(Gesture::Idle);
        if finished.is_idle()
            && let Some(item) = state.palette_drag.get_untracked()
        {
            state.palette_drag.set(None);
            let (client_x, client_y) = (f64::from(event.client_x()), f64::from(event.client_y()));
            if let Some((x, y)) = canvas_point(&state, client_x, client_y) {
                state.apply_and_select_created(Command::Drop { item, x, y });
            }
            return;
        }
        let under = finished
            .connection()
            .is_some()
            .then(|| object_under(&event))
            .flatten();
        let end = state
            .editor
            .with_untracked(|editor| finished.finish(editor.design(), under.as_deref()));
        match end {
            GestureEnd::Nothing => {}
            GestureEnd::Apply { command, select } => {
                state.apply(command);
                if let Some(object_id) = select {
                    state.select_only(object_id);
                }
            }
            GestureEnd::Select {
                object_ids,
                additive: true,
            } => state.selection.update(|selection| {
                for object_id in object_ids {
                    selection.add(object_id);
                }
            }),
            GestureEnd::Select {
                object_ids,
                additive: false,
            } => state.selection.set(Selection::of(object_ids)),
        }
    });
    on_cleanup(move || {
        pointer_move.remove();
        pointer_up.remove();
        space_down.remove();
        space_up.remove();
    });

    // The objects a drag moves: fixed for the whole drag, so the static layer re-renders only
    // when a drag starts or ends, never per pointer move.
    let moving = Memo::new(move |_| gesture.with(Gesture::moving_ids));

    let moving_edges = Memo::new(move |_| {
        let moving: HashSet<String> = moving.get().into_iter().collect();
        if moving.is_empty() {
            return Vec::new();
        }
        state.editor.with_untracked(|editor| {
            let design = editor.design();
            edges(design)
                .into_iter()
                .filter(|(from, to, _)| moving.contains(from) || moving.contains(to))
                .filter_map(|(from, to, class)| {
                    let (x1, y1) = center(*design.layout.get(&from)?);
                    let (x2, y2) = center(*design.layout.get(&to)?);
                    Some(DraggedEdge {
                        class,
                        x1,
                        y1,
                        x2,
                        y2,
                        from_moves: moving.contains(&from),
                        to_moves: moving.contains(&to),
                    })
                })
                .collect::<Vec<_>>()
        })
    });

    let start_resize = move |event: leptos::ev::PointerEvent, object_id: String| {
        event.stop_propagation();
        event.prevent_default();
        let client = (f64::from(event.client_x()), f64::from(event.client_y()));
        let started = state
            .editor
            .with_untracked(|editor| Gesture::resizing(editor.design(), &object_id, client));
        if started.is_idle() {
            return;
        }
        state.select_only(object_id);
        capture_pointer(&event);
        gesture.set(started);
    };

    let start_move = move |event: leptos::ev::PointerEvent, object_id: String| {
        event.stop_propagation();
        event.prevent_default();
        if state.path.picking.get_untracked() {
            crate::state::pick_for_path(&state, &object_id);
            return;
        }
        if event.shift_key() && !state.connect_mode.get_untracked() {
            state
                .selection
                .update(|selection| selection.toggle(&object_id));
            return;
        }
        if !state.selection.with_untracked(|s| s.contains(&object_id)) {
            state.select_only(object_id.clone());
        } else {
            // Pressing a member of the selection keeps the group and makes it the primary.
            state
                .selection
                .update(|selection| selection.add(object_id.clone()));
        }
        let client = (f64::from(event.client_x()), f64::from(event.client_y()));
        if state.connect_mode.get_untracked() {
            // The line starts at the pointer (or the object's centre, off the canvas).
            let point = canvas_point(&state, client.0, client.1).or_else(|| {
                state.editor.with_untracked(|editor| {
                    editor.design().layout.get(&object_id).copied().map(center)
                })
            });
            gesture.set(Gesture::connecting(&object_id, point.unwrap_or_default()));
            return;
        }
        let roots = state.selected_roots();
        capture_pointer(&event);
        gesture.set(
            state
                .editor
                .with_untracked(|editor| Gesture::moving(editor.design(), roots, client)),
        );
    };

    view! {
        <svg id="canvas" role="application" aria-label="Canvas" class:connecting=move || state.connect_mode.get()
            on:pointerdown=move |event| {
                if state.palette_drag.get_untracked().is_some() {
                    return;
                }
                let (client_x, client_y) = (f64::from(event.client_x()), f64::from(event.client_y()));
                // Middle button or Space + drag pans; a plain drag on empty canvas draws a rubber band.
                if event.button() == 1 || space_held.get_value() {
                    event.prevent_default();
                    capture_pointer(&event);
                    gesture.set(Gesture::panning((client_x, client_y), state.camera.get_untracked()));
                    return;
                }
                if !event.shift_key() {
                    state.selection.set(Selection::none());
                }
                if let Some((x, y)) = canvas_point(&state, client_x, client_y) {
                    capture_pointer(&event);
                    gesture.set(Gesture::banding((x, y), event.shift_key()));
                }
            }
            on:wheel=move |event| {
                event.prevent_default();
                let Some(rect) = canvas_rect() else { return };
                let factor = (-event.delta_y() * 0.0015).exp();
                let (x, y) = (f64::from(event.client_x()) - rect.left(), f64::from(event.client_y()) - rect.top());
                state.camera.update(|camera| *camera = camera.zoomed(factor, x, y));
            }>
            <g class="camera" transform=move || {
                let camera = state.camera.get();
                format!("translate({} {}) scale({})", camera.x, camera.y, camera.scale)
            }>
            // Static layer: a keyed list, so a change re-creates only the items it changed.
            // Selection and "being dragged" are per-element classes, so neither rebuilds it.
            <For
                each=move || {
                    state.editor.with(|editor| {
                        state.diagnostics.with(|diagnostics| {
                            scene(editor.design(), &|_| true, Layer::Static { selection: state.selection, moving }, state.path, diagnostics, start_move, start_resize)
                        })
                    })
                }
                key=|item: &SceneItem| item.key
                children=|item: SceneItem| (item.draw)()
            />
            {move || {
                let rectangle = gesture.with(Gesture::band)?;
                Some(view! { <rect class="rubber-band" x=rectangle.x y=rectangle.y width=rectangle.width height=rectangle.height /> })
            }}
            {move || {
                let bounds = gesture.with(|gesture| state.editor.with_untracked(|editor| gesture.resize_preview(editor.design())))?;
                Some(view! { <rect class="resize-preview" x=bounds.x y=bounds.y width=bounds.width height=bounds.height /> })
            }}
            // The deploy marks: the plan's objects, then each object's live progress.
            {move || {
                let marks = crate::state::marks(state.deploy);
                state.editor.with(|editor| {
                    let layout = &editor.design().layout;
                    marks
                        .into_iter()
                        .filter_map(|(id, mark)| {
                            let bounds = layout.get(&id).copied()?;
                            Some(view! {
                                <rect class=format!("deploy-mark {mark}") data-deploy-object=id data-deploy-mark=mark
                                    x=bounds.x - 4.0 y=bounds.y - 4.0 width=bounds.width + 8.0 height=bounds.height + 8.0 />
                            })
                        })
                        .collect_view()
                })
            }}
            {move || {
                let (from, (x2, y2)) = gesture.with(|gesture| gesture.connection().map(|(from, pointer)| (from.to_string(), pointer)))?;
                let (x1, y1) = state.editor.with(|editor| editor.design().layout.get(&from).copied().map(center))?;
                Some(view! { <line class="edge connecting" x1=x1 y1=y1 x2=x2 y2=y2 /> })
            }}
            </g>
        </svg>
        // The drag layer: a second SVG on its own compositing layer, so moving the dragged
        // objects repaints only them, never the hundreds of objects standing still.
        <svg class="drag-layer" aria-hidden="true">
            <g class="camera" transform=move || {
                let camera = state.camera.get();
                format!("translate({} {}) scale({})", camera.x, camera.y, camera.scale)
            }>
            // Edges that touch a dragged object follow the pointer: drawn once per drag, then
            // only their moving ends' attributes change.
            {move || {
                moving_edges.with(|lines| {
                    lines
                        .iter()
                        .copied()
                        .map(|line| {
                            let delta = move |moves: bool| {
                                if !moves {
                                    return (0.0, 0.0);
                                }
                                gesture.with(Gesture::move_delta).unwrap_or_default()
                            };
                            view! {
                                <line class=format!("edge {}", line.class)
                                    x1=move || line.x1 + delta(line.from_moves).0 y1=move || line.y1 + delta(line.from_moves).1
                                    x2=move || line.x2 + delta(line.to_moves).0 y2=move || line.y2 + delta(line.to_moves).1 />
                            }
                        })
                        .collect_view()
                })
            }}
            // Interactive overlay: the dragged objects, moved by one transform per pointer move.
            <g class="moving" transform=move || {
                gesture.with(|gesture| match gesture.move_delta() {
                    Some((delta_x, delta_y)) => format!("translate({delta_x} {delta_y})"),
                    None => String::new(),
                })
            }>
                {move || {
                    let moving: HashSet<String> = moving.get().into_iter().collect();
                    if moving.is_empty() {
                        return None;
                    }
                    Some(state.editor.with_untracked(|editor| {
                        state.diagnostics.with_untracked(|diagnostics| {
                            scene(editor.design(), &|id| moving.contains(id), Layer::Overlay { selection: state.selection }, state.path, diagnostics, start_move, start_resize)
                                .into_iter()
                                .map(|item| (item.draw)())
                                .collect_view()
                        })
                    }))
                }}
            </g>
            </g>
        </svg>
        <Show when=move || state.editor.with(|editor| editor.design().object_count() == 0)>
            <p class="empty-hint" role="note" id="empty-hint">
                "An empty network: drag a VPC from the palette onto the canvas, or start from one of the Templates."
            </p>
        </Show>
        <div class="zoom-controls" role="toolbar" aria-label="Zoom">
            <button aria-label="Zoom out" on:click=move |_| zoom_by(&state, 1.0 / 1.25)>"−"</button>
            <span id="zoom-level">{move || format!("{}%", (state.camera.get().scale * 100.0).round() as i64)}</span>
            <button aria-label="Zoom in" on:click=move |_| zoom_by(&state, 1.25)>"+"</button>
            <button aria-label="Fit to content" on:click=move |_| fit_to_content(&state)>"Fit"</button>
        </div>
    }
}

/// A red count in the top-right corner of a box with errors.
fn badge(bounds: LayoutBox, errors: usize) -> impl IntoView {
    (errors > 0).then(|| {
        let (x, y) = (bounds.x + bounds.width - 12.0, bounds.y + 12.0);
        view! {
            <g class="error-badge" aria-label=format!("{errors} error(s)")>
                <circle class="badge" cx=x cy=y r="10" />
                <text class="badge-text" x=x - 4.0 y=y + 4.0>{errors.to_string()}</text>
            </g>
        }
    })
}

/// The id of the object under a pointer event (the nearest element with a `data-id`).
fn object_under(event: &leptos::ev::PointerEvent) -> Option<String> {
    let target = event.target()?;
    let element = wasm_bindgen::JsCast::dyn_into::<web_sys::Element>(target).ok()?;
    element
        .closest("[data-id]")
        .ok()
        .flatten()?
        .get_attribute("data-id")
}

/// Whether a key event was typed into a form field (which keeps its keys).
pub(crate) fn event_in_field(event: &leptos::ev::KeyboardEvent) -> bool {
    event
        .target()
        .and_then(|target| wasm_bindgen::JsCast::dyn_into::<web_sys::Element>(target).ok())
        .is_some_and(|element| {
            matches!(
                element.tag_name().to_ascii_lowercase().as_str(),
                "input" | "textarea" | "select"
            )
        })
}

/// Which layer a render is for: the static layer hides what is being dragged (the overlay
/// draws it instead); both mark the selection.
#[derive(Clone, Copy)]
enum Layer {
    Static {
        selection: RwSignal<Selection>,
        moving: Memo<Vec<String>>,
    },
    Overlay {
        selection: RwSignal<Selection>,
    },
}

impl Layer {
    fn selection(self) -> RwSignal<Selection> {
        match self {
            Layer::Static { selection, .. } | Layer::Overlay { selection } => selection,
        }
    }

    /// Whether this layer hides the object because the overlay is drawing it.
    fn hides(self, id: &str) -> bool {
        match self {
            Layer::Static { moving, .. } => {
                moving.with(|ids| ids.iter().any(|moving_id| moving_id == id))
            }
            Layer::Overlay { .. } => false,
        }
    }
}

/// An edge touching a dragged object, at its position when the drag started.
#[derive(Debug, Clone, Copy, PartialEq)]
struct DraggedEdge {
    class: &'static str,
    x1: f64,
    y1: f64,
    x2: f64,
    y2: f64,
    from_moves: bool,
    to_moves: bool,
}

/// One thing the canvas draws (an object, a lane, an edge) and a key that changes whenever
/// what it draws changes: the static layer is a keyed list, so a commit re-creates only what
/// changed (the dragged subnet and its chips and edges), never the thousands standing still.
#[derive(Clone)]
struct SceneItem {
    key: u64,
    draw: std::sync::Arc<dyn Fn() -> AnyView + Send + Sync>,
}

impl SceneItem {
    fn new(key: u64, draw: impl Fn() -> AnyView + Send + Sync + 'static) -> SceneItem {
        SceneItem {
            key,
            draw: std::sync::Arc::new(draw),
        }
    }
}

/// A key for what an item draws: every value its drawing reads, hashed.
fn scene_key(parts: impl std::hash::Hash) -> u64 {
    use std::hash::Hasher;
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    parts.hash(&mut hasher);
    hasher.finish()
}

fn box_bits(bounds: LayoutBox) -> [u64; 4] {
    [
        bounds.x.to_bits(),
        bounds.y.to_bits(),
        bounds.width.to_bits(),
        bounds.height.to_bits(),
    ]
}

/// What the canvas draws of the objects `include` accepts, at their layout positions: VPCs,
/// then the lanes, then subnets, then the edges between included objects, then chips
/// (gateways, endpoints, workloads, …), each a keyed [`SceneItem`].
fn scene(
    design: &Design,
    include: &dyn Fn(&str) -> bool,
    layer: Layer,
    path: crate::state::PathQuestion,
    diagnostics: &[shared::Diagnostic],
    start_move: impl Fn(leptos::ev::PointerEvent, String) + Copy + Send + Sync + 'static,
    start_resize: impl Fn(leptos::ev::PointerEvent, String) + Copy + Send + Sync + 'static,
) -> Vec<SceneItem> {
    let mut errors: HashMap<&str, usize> = HashMap::new();
    for diagnostic in diagnostics.iter().filter(|d| d.is_error()) {
        for id in &diagnostic.objects {
            *errors.entry(id.as_str()).or_default() += 1;
        }
    }
    let mut container_items = Vec::new();
    let mut chip_items = Vec::new();
    let mut containers = Vec::new();
    let mut chips = Vec::new();
    // One pass over the objects, each in hand: no search of the design per object (at 2,000
    // subnets those searches were millions of comparisons per edit).
    for object in design.objects() {
        let (id, kind) = (object.id(), object.kind());
        if kind == ObjectKind::VpnConnection || !include(id) {
            continue;
        }
        let Some(bounds) = design.layout.get(id).copied() else {
            continue;
        };
        if shared::diagram::is_container(kind) {
            containers.push((object, bounds));
        } else {
            chips.push((object, bounds));
        }
    }
    containers.sort_by_key(|(object, _)| object.kind() != ObjectKind::Vpc);
    let vpc_count = containers
        .iter()
        .filter(|(object, _)| object.kind() == ObjectKind::Vpc)
        .count();
    let subnets: HashMap<&str, &shared::model::Subnet> = design
        .subnets
        .iter()
        .map(|subnet| (subnet.id.as_str(), subnet))
        .collect();
    let mut lanes_drawn = false;
    for (index, (object, bounds)) in containers.into_iter().chain(chips).enumerate() {
        let (id, kind) = (object.id(), object.kind());
        // Availability zone lanes sit between the VPCs and their subnets.
        if index >= vpc_count && !lanes_drawn {
            lanes_drawn = true;
            if matches!(layer, Layer::Static { .. }) {
                container_items.extend(lane_items(design));
            }
        }
        let error_count = errors.get(id).copied().unwrap_or(0);
        // VPCs and subnets are boxes with their addresses; every other kind is a chip with
        // the caption its kind declares.
        let vpc = (kind == ObjectKind::Vpc).then(|| design.vpc(id)).flatten();
        let subnet = (kind == ObjectKind::Subnet)
            .then(|| subnets.get(id).copied())
            .flatten();
        let (class, label_lines, title): (String, Vec<(&'static str, String)>, String) =
            if let Some(vpc) = vpc {
                let text = format!("{} · {}", vpc.name, vpc.cidr_blocks.join(", "));
                ("vpc".into(), vec![("label", text)], format!("VPC {id}"))
            } else if let Some(subnet) = subnet {
                let tier = if subnet.tier == SubnetTier::Public {
                    "public"
                } else {
                    "private"
                };
                let lines = vec![
                    ("label", format!("{id} ({tier})")),
                    ("sub-label", subnet.cidr.clone()),
                    ("sub-label", subnet.availability_zone.clone()),
                ];
                (format!("subnet {tier}"), lines, format!("Subnet {id}"))
            } else {
                let short = object.caption();
                let title = format!("{} {id}: {short}", kind.label());
                (
                    format!("chip chip-{}", kind.id_prefix()),
                    vec![("chip-label", short), ("chip-id", id.to_string())],
                    title,
                )
            };
        let is_chip = class.starts_with("chip");
        let icon = if is_chip {
            shared::icons::of_object(object)
        } else {
            None
        };
        let aria_label = if is_chip {
            format!("{} {id}", kind.label())
        } else {
            title.clone()
        };
        // Colours from the one style table every diagram draws by.
        let style = match subnet {
            Some(subnet) => shared::diagram::subnet_style(subnet.tier),
            None => shared::diagram::kind_style(kind),
        };
        let chip_colours = format!("--box-fill:{};--box-stroke:{}", style.fill, style.stroke);
        let key = scene_key((
            id,
            &class,
            &label_lines,
            &title,
            &aria_label,
            &chip_colours,
            box_bits(bounds),
            error_count,
            icon.map(|icon| icon.name),
        ));
        let object_id = id.to_string();
        let draw = move || {
            let id_for_selected = object_id.clone();
            let id_for_dragging = object_id.clone();
            let selected = move || {
                layer
                    .selection()
                    .with(|selection| selection.contains(&id_for_selected))
            };
            let dragging = move || layer.hides(&id_for_dragging);
            let id_for_path = object_id.clone();
            let on_path = move || path.on_path.with(|ids| ids.contains(&id_for_path));
            let id_for_blocking = object_id.clone();
            let path_blocked = move || {
                path.blocking
                    .with(|blocking| blocking.as_deref() == Some(id_for_blocking.as_str()))
            };
            let id_for_down = object_id.clone();
            let id_for_keyboard = object_id.clone();
            let texts = if is_chip {
                chip_texts(bounds, label_lines.clone(), icon).into_any()
            } else {
                label_lines
                    .clone()
                    .into_iter()
                    .enumerate()
                    .map(|(index, (text_class, text))| {
                        view! { <text class=text_class x=bounds.x + 8.0 y=bounds.y + 20.0 + index as f64 * 19.0>{text}</text> }
                    })
                    .collect_view()
                    .into_any()
            };
            let has_errors = error_count > 0;
            view! {
                <g class=class.clone() style=chip_colours.clone() class:selected=selected class:dragging=dragging class:has-error=has_errors
                    class:on-path=on_path class:path-blocked=path_blocked
                    data-id=object_id.clone() aria-label=aria_label.clone() tabindex="0"
                    on:keydown=move |event| {
                        if event.key() == "Enter" || event.key() == " " {
                            event.prevent_default();
                            layer.selection().set(Selection::only(id_for_keyboard.clone()));
                        }
                    }
                    on:pointerdown=move |event| start_move(event, id_for_down.clone())>
                    <title>{title.clone()}</title>
                    <rect class="box" x=bounds.x y=bounds.y width=bounds.width height=bounds.height rx="6" />
                    {texts}
                    {badge(bounds, error_count)}
                    {(!is_chip).then(|| {
                        let id_for_resize = object_id.clone();
                        view! {
                            <rect class="resize-handle" data-resize=id_for_resize.clone() aria-hidden="true"
                                x=bounds.x + bounds.width - 12.0 y=bounds.y + bounds.height - 12.0 width="12" height="12"
                                on:pointerdown=move |event| start_resize(event, id_for_resize.clone()) />
                        }
                    })}
                </g>
            }
            .into_any()
        };
        if is_chip {
            chip_items.push(SceneItem::new(key, draw));
        } else {
            container_items.push(SceneItem::new(key, draw));
        }
    }
    // Routed around the chips they do not join (shared::routing), as the SVG export draws them.
    let mut seen: HashMap<u64, usize> = HashMap::new();
    let edge_items = shared::routing::routed_edges(design, include)
        .into_iter()
        .map(|(edge, path)| {
            let points = path
                .iter()
                // To a tenth, printed shortest: the first load then carries no fixed-precision
                // float printer.
                .map(|(x, y)| format!("{},{}", (x * 10.0).round() / 10.0, (y * 10.0).round() / 10.0))
                .collect::<Vec<_>>()
                .join(" ");
            let class = edge.class.style_key();
            // Two routes to one target (two destinations) draw alike: told apart by their count.
            let drawn = scene_key((&edge.from, &edge.to, class, &points));
            let twin = seen.entry(drawn).or_default();
            *twin += 1;
            let key = scene_key((drawn, *twin));
            let (from, to) = (edge.from, edge.to);
            SceneItem::new(key, move || {
                let (from_for_class, to_for_class) = (from.clone(), to.clone());
                let dragging = move || layer.hides(&from_for_class) || layer.hides(&to_for_class);
                view! { <polyline class=format!("edge {class}") class:dragging=dragging data-from=from.clone() data-to=to.clone() points=points.clone() /> }.into_any()
            })
        });
    // Edges between the containers and the chips, so chips stay clickable on top.
    container_items.extend(edge_items);
    container_items.extend(chip_items);
    container_items
}

/// The availability zone lanes of every VPC: dashed columns named by their zone.
fn lane_items(design: &Design) -> Vec<SceneItem> {
    shared::layout::availability_zone_lanes(design, None)
        .into_iter()
        .map(|lane| {
            let bounds = lane.bounds;
            let lane_key = format!("{}/{}", lane.vpc, lane.availability_zone);
            let key = scene_key(("lane", &lane_key, box_bits(bounds)));
            SceneItem::new(key, move || {
                view! {
                    <g class="az-lane" data-lane=lane_key.clone()>
                        <rect x=bounds.x y=bounds.y width=bounds.width height=bounds.height rx="4" />
                        <text class="lane-label" x=bounds.x + 6.0 y=bounds.y + 15.0>{lane.availability_zone.clone()}</text>
                    </g>
                }
                .into_any()
            })
        })
        .collect()
}

fn center(bounds: LayoutBox) -> (f64, f64) {
    (
        bounds.x + bounds.width / 2.0,
        bounds.y + bounds.height / 2.0,
    )
}

/// The edges `shared::diagram` lists, with the CSS class each is drawn by.
fn edges(design: &Design) -> Vec<(String, String, &'static str)> {
    shared::diagram::edges(design)
        .into_iter()
        .map(|edge| (edge.from, edge.to, edge.class.style_key()))
        .collect()
}
