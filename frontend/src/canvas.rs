//! The SVG canvas: VPCs and subnets drawn as nested containers, error badges, and pointer input.
//! A palette drag ends in a drop command at the canvas point under the pointer; dragging an
//! object previews its move and commits one `MoveObject` command on release (one undo step).

use leptos::prelude::*;
use shared::editor::{Command, SUBNET_SIZE};
use shared::model::{Design, EndpointType, LayoutBox, ObjectKind, SubnetTier};

use crate::app::AppState;
pub use shared::camera::Camera;
use shared::editor::PaletteItem;

/// An object being moved: its id, where the pointer went down, and the offset so far.
#[derive(Debug, Clone, PartialEq)]
struct MoveDrag {
    object_id: String,
    /// The objects drawn inside it, which move with it.
    carried: Vec<String>,
    start_x: f64,
    start_y: f64,
    delta_x: f64,
    delta_y: f64,
}

fn canvas_rect() -> Option<web_sys::DomRect> {
    document()
        .get_element_by_id("canvas")
        .map(|element| element.get_bounding_client_rect())
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

/// Where a palette item added by click or keyboard lands: inside the selected container when it
/// fits, else the first container of the right kind, else empty canvas to the right.
pub fn default_drop_point(state: &AppState, item: PaletteItem) -> (f64, f64) {
    state.editor.with_untracked(|editor| {
        let design = editor.design();
        let selected = state.selection.get_untracked();
        let center_of = |id: &str| {
            design
                .layout
                .get(id)
                .map(|b| (b.x + b.width / 2.0, b.y + b.height / 2.0))
        };
        let right_of_everything = || {
            let right = design
                .layout
                .values()
                .map(|b| b.x + b.width)
                .fold(0.0, f64::max);
            (right + 60.0, 40.0)
        };
        let pick = |kind: ObjectKind| -> Option<String> {
            selected
                .clone()
                .filter(|id| design.kind_of(id) == Some(kind))
                .or_else(|| {
                    design
                        .object_ids()
                        .into_iter()
                        .find(|(_, k)| *k == kind)
                        .map(|(id, _)| id.to_string())
                })
        };
        match item {
            PaletteItem::Vpc | PaletteItem::CustomerGateway | PaletteItem::PlacementGroup => {
                let (x, y) = right_of_everything();
                if item == PaletteItem::Vpc {
                    (x, y)
                } else {
                    (x + 60.0, y + 20.0)
                }
            }
            PaletteItem::PublicSubnet | PaletteItem::PrivateSubnet => {
                let Some(vpc) = pick(ObjectKind::Vpc) else {
                    return (-1000.0, -1000.0);
                };
                let Some(bounds) = design.layout.get(&vpc) else {
                    return (-1000.0, -1000.0);
                };
                let index = design
                    .subnets
                    .iter()
                    .filter(|subnet| subnet.vpc == vpc)
                    .count();
                let column = (index % 2) as f64;
                let row = (index / 2) as f64;
                (
                    bounds.x + 20.0 + column * (SUBNET_SIZE.0 + 20.0) + SUBNET_SIZE.0 / 2.0,
                    bounds.y + 40.0 + row * (SUBNET_SIZE.1 + 15.0) + SUBNET_SIZE.1 / 2.0,
                )
            }
            PaletteItem::VpnConnection => pick(ObjectKind::VpnGateway)
                .and_then(|id| center_of(&id))
                .unwrap_or((-1000.0, -1000.0)),
            PaletteItem::NatGateway
            | PaletteItem::InterfaceEndpoint
            | PaletteItem::GpuNode
            | PaletteItem::SagemakerNotebook
            | PaletteItem::SagemakerTraining
            | PaletteItem::RdsDatabase => pick(ObjectKind::Subnet)
                .and_then(|id| {
                    design
                        .layout
                        .get(&id)
                        .map(|b| (b.x + b.width / 2.0, b.y + b.height - 24.0))
                })
                .unwrap_or((-1000.0, -1000.0)),
            _ => pick(ObjectKind::Vpc)
                .and_then(|id| {
                    design
                        .layout
                        .get(&id)
                        .map(|b| (b.x + b.width - 110.0, b.y + b.height - 30.0))
                })
                .unwrap_or((-1000.0, -1000.0)),
        }
    })
}

#[component]
pub fn Canvas() -> impl IntoView {
    let state = expect_context::<AppState>();
    let move_drag: RwSignal<Option<MoveDrag>> = RwSignal::new(None);
    // Connect mode: the object a line starts at, and where the pointer is (canvas units).
    let connect_from: RwSignal<Option<String>> = RwSignal::new(None);
    // Panning: where the pointer went down on empty canvas, and the camera then.
    let pan: RwSignal<Option<(f64, f64, Camera)>> = RwSignal::new(None);
    let pointer: RwSignal<(f64, f64)> = RwSignal::new((0.0, 0.0));

    let pointer_move = window_event_listener(leptos::ev::pointermove, move |event| {
        if let Some((start_x, start_y, camera)) = pan.get_untracked() {
            let (x, y) = (f64::from(event.client_x()), f64::from(event.client_y()));
            state.camera.set(Camera {
                x: camera.x + x - start_x,
                y: camera.y + y - start_y,
                ..camera
            });
            return;
        }
        if connect_from.with_untracked(Option::is_some)
            && let Some(point) = canvas_point(
                &state,
                f64::from(event.client_x()),
                f64::from(event.client_y()),
            )
        {
            pointer.set(point);
        }
        if move_drag.with_untracked(Option::is_some) {
            let (x, y) = (f64::from(event.client_x()), f64::from(event.client_y()));
            let scale = state.camera.get_untracked().scale;
            move_drag.update(|drag| {
                if let Some(drag) = drag {
                    drag.delta_x = (x - drag.start_x) / scale;
                    drag.delta_y = (y - drag.start_y) / scale;
                }
            });
        }
    });
    let pointer_up = window_event_listener(leptos::ev::pointerup, move |event| {
        pan.set(None);
        let (client_x, client_y) = (f64::from(event.client_x()), f64::from(event.client_y()));
        if let Some(from) = connect_from.get_untracked() {
            connect_from.set(None);
            if let Some(to) = object_under(&event)
                && to != from
            {
                state.apply(Command::Connect {
                    from,
                    to: to.clone(),
                });
                state.selection.set(Some(to));
            }
            return;
        }
        if let Some(item) = state.palette_drag.get_untracked() {
            state.palette_drag.set(None);
            if let Some((x, y)) = canvas_point(&state, client_x, client_y)
                && let Some(created) = state.apply(Command::Drop { item, x, y })
            {
                state.selection.set(Some(created));
            }
        }
        if let Some(drag) = move_drag.get_untracked() {
            move_drag.set(None);
            if drag.delta_x.abs() + drag.delta_y.abs() >= 3.0 {
                let origin = state
                    .editor
                    .with_untracked(|editor| editor.design().layout.get(&drag.object_id).copied());
                if let Some(origin) = origin {
                    state.apply(Command::MoveObject {
                        object_id: drag.object_id,
                        x: origin.x + drag.delta_x,
                        y: origin.y + drag.delta_y,
                    });
                }
            }
        }
    });
    on_cleanup(move || {
        pointer_move.remove();
        pointer_up.remove();
    });

    // The box of an object as drawn now: its layout plus any move in progress (a container's
    // move carries what is drawn inside it).
    let drawn_box = move |object_id: &str, layout: LayoutBox| -> LayoutBox {
        move_drag.with(|drag| match drag {
            Some(drag)
                if drag.object_id == object_id || drag.carried.iter().any(|id| id == object_id) =>
            {
                LayoutBox {
                    x: layout.x + drag.delta_x,
                    y: layout.y + drag.delta_y,
                    ..layout
                }
            }
            _ => layout,
        })
    };

    let start_move = move |event: leptos::ev::PointerEvent, object_id: String| {
        event.stop_propagation();
        event.prevent_default();
        state.selection.set(Some(object_id.clone()));
        if state.connect_mode.get_untracked() {
            if let Some(point) = canvas_point(
                &state,
                f64::from(event.client_x()),
                f64::from(event.client_y()),
            ) {
                pointer.set(point);
            }
            connect_from.set(Some(object_id));
            return;
        }
        let carried = state.editor.with_untracked(|editor| {
            shared::editor::contained_objects(editor.design(), &object_id)
        });
        move_drag.set(Some(MoveDrag {
            object_id,
            carried,
            start_x: f64::from(event.client_x()),
            start_y: f64::from(event.client_y()),
            delta_x: 0.0,
            delta_y: 0.0,
        }));
    };

    let error_count = move |object_id: &str| {
        state.diagnostics.with(|diagnostics| {
            diagnostics
                .iter()
                .filter(|d| d.is_error() && d.objects.iter().any(|id| id == object_id))
                .count()
        })
    };

    view! {
        <svg id="canvas" role="application" aria-label="Canvas" class:connecting=move || state.connect_mode.get()
            on:pointerdown=move |event| {
                state.selection.set(None);
                if state.palette_drag.get_untracked().is_none() {
                    pan.set(Some((f64::from(event.client_x()), f64::from(event.client_y()), state.camera.get_untracked())));
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
            {move || {
                let design = state.editor.with(|editor| editor.design().clone());
                let vpcs = design.vpcs.iter().filter_map(|vpc| {
                    let layout = *design.layout.get(&vpc.id)?;
                    let bounds = drawn_box(&vpc.id, layout);
                    let id = vpc.id.clone();
                    let id_for_down = id.clone();
                    let selected = state.selection.with(|selection| selection.as_deref() == Some(id.as_str()));
                    let errors = error_count(&id);
                    let has_errors = errors > 0;
                    Some(view! {
                        <g class="vpc" class:selected=selected class:has-error=has_errors
                            data-id=id.clone() aria-label=format!("VPC {}", id)
                            on:pointerdown=move |event| start_move(event, id_for_down.clone())>
                            <rect class="box" x=bounds.x y=bounds.y width=bounds.width height=bounds.height rx="8" />
                            <text class="label" x=bounds.x + 10.0 y=bounds.y + 20.0>{format!("{} · {}", vpc.name, vpc.cidr_blocks.join(", "))}</text>
                            {badge(bounds, errors)}
                        </g>
                    })
                }).collect_view();
                let subnets = design.subnets.iter().filter_map(|subnet| {
                    let layout = *design.layout.get(&subnet.id)?;
                    let bounds = drawn_box(&subnet.id, layout);
                    let id = subnet.id.clone();
                    let id_for_down = id.clone();
                    let selected = state.selection.with(|selection| selection.as_deref() == Some(id.as_str()));
                    let errors = error_count(&id);
                    let has_errors = errors > 0;
                    let tier = if subnet.tier == SubnetTier::Public { "public" } else { "private" };
                    Some(view! {
                        <g class=format!("subnet {tier}") class:selected=selected class:has-error=has_errors
                            data-id=id.clone() aria-label=format!("Subnet {}", id)
                            on:pointerdown=move |event| start_move(event, id_for_down.clone())>
                            <rect class="box" x=bounds.x y=bounds.y width=bounds.width height=bounds.height rx="6" />
                            <text class="label" x=bounds.x + 8.0 y=bounds.y + 20.0>{format!("{} ({tier})", subnet.id)}</text>
                            <text class="sub-label" x=bounds.x + 8.0 y=bounds.y + 40.0>{subnet.cidr.clone()}</text>
                            <text class="sub-label" x=bounds.x + 8.0 y=bounds.y + 58.0>{subnet.availability_zone.clone()}</text>
                            {badge(bounds, errors)}
                        </g>
                    })
                }).collect_view();
                let edges = edges(&design).into_iter().filter_map(|(from, to, class)| {
                    let from_box = drawn_box(&from, *design.layout.get(&from)?);
                    let to_box = drawn_box(&to, *design.layout.get(&to)?);
                    let (x1, y1) = center(from_box);
                    let (x2, y2) = center(to_box);
                    Some(view! { <line class=format!("edge {class}") data-from=from data-to=to x1=x1 y1=y1 x2=x2 y2=y2 /> })
                }).collect_view();
                let chips = design.object_ids().into_iter().filter(|(_, kind)| {
                    !matches!(kind, ObjectKind::Vpc | ObjectKind::Subnet | ObjectKind::VpnConnection)
                }).filter_map(|(id, kind)| {
                    let bounds = drawn_box(id, *design.layout.get(id)?);
                    let id = id.to_string();
                    let id_for_down = id.clone();
                    let selected = state.selection.with(|selection| selection.as_deref() == Some(id.as_str()));
                    let errors = error_count(&id);
                    let has_errors = errors > 0;
                    let label = chip_label(&design, &id, kind);
                    Some(view! {
                        <g class=format!("chip chip-{}", kind.id_prefix()) class:selected=selected class:has-error=has_errors
                            data-id=id.clone() aria-label=format!("{} {}", kind.label(), id)
                            on:pointerdown=move |event| start_move(event, id_for_down.clone())>
                            <title>{format!("{} {}: {}", kind.label(), label.1, label.0)}</title>
                            <rect class="box" x=bounds.x y=bounds.y width=bounds.width height=bounds.height rx="5" />
                            <text class="chip-label" x=bounds.x + 5.0 y=bounds.y + 14.0>{label.0}</text>
                            <text class="chip-id" x=bounds.x + 5.0 y=bounds.y + 28.0>{label.1}</text>
                            {badge(bounds, errors)}
                        </g>
                    })
                }).collect_view();
                let rubber_line = connect_from.get().and_then(|from| {
                    let (x1, y1) = center(*design.layout.get(&from)?);
                    let (x2, y2) = pointer.get();
                    Some(view! { <line class="edge connecting" x1=x1 y1=y1 x2=x2 y2=y2 /> })
                });
                view! { {vpcs} {subnets} {edges} {chips} {rubber_line} }
            }}
            </g>
        </svg>
        <div class="zoom-controls" role="toolbar" aria-label="Zoom">
            <button aria-label="Zoom out" on:click=move |_| zoom_by(&state, 1.0 / 1.25)>"−"</button>
            <span id="zoom-level">{move || format!("{:.0}%", state.camera.get().scale * 100.0)}</span>
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

fn center(bounds: LayoutBox) -> (f64, f64) {
    (
        bounds.x + bounds.width / 2.0,
        bounds.y + bounds.height / 2.0,
    )
}

/// What a chip says: a short kind (or service) and its id.
fn chip_label(design: &Design, id: &str, kind: ObjectKind) -> (String, String) {
    let short = match kind {
        ObjectKind::InternetGateway => "IGW".to_string(),
        ObjectKind::NatGateway => "NAT".to_string(),
        ObjectKind::VpnGateway => "VGW".to_string(),
        ObjectKind::CustomerGateway => "Data center".to_string(),
        ObjectKind::RouteTable => "Route table".to_string(),
        ObjectKind::SecurityGroup => "Security group".to_string(),
        ObjectKind::NetworkAcl => "Network ACL".to_string(),
        ObjectKind::PlacementGroup => "Placement group".to_string(),
        ObjectKind::Endpoint => design
            .endpoints
            .iter()
            .find(|e| e.id == id)
            .map(|e| e.service.clone())
            .unwrap_or_default(),
        ObjectKind::Workload => design
            .workloads
            .iter()
            .find(|w| w.id == id)
            .map(|w| {
                if w.count > 1 {
                    format!("{}×{}", w.count, w.instance_type)
                } else {
                    w.instance_type.clone()
                }
            })
            .unwrap_or_default(),
        other => other.label().to_string(),
    };
    (short, id.to_string())
}

/// The lines that let a reader follow traffic: route targets, route table associations,
/// endpoint attachments and VPN links.
fn edges(design: &Design) -> Vec<(String, String, &'static str)> {
    let mut edges = Vec::new();
    for table in &design.route_tables {
        for route in &table.routes {
            edges.push((table.id.clone(), route.target.clone(), "edge-route"));
        }
        for subnet in &table.subnets {
            edges.push((subnet.clone(), table.id.clone(), "edge-association"));
        }
    }
    for endpoint in &design.endpoints {
        match endpoint.endpoint_type {
            EndpointType::Gateway => {
                for table in &endpoint.route_tables {
                    edges.push((endpoint.id.clone(), table.clone(), "edge-endpoint"));
                }
            }
            EndpointType::Interface => {
                for subnet in endpoint.subnets.iter().skip(1) {
                    edges.push((endpoint.id.clone(), subnet.clone(), "edge-endpoint"));
                }
            }
        }
    }
    for connection in &design.vpn_connections {
        edges.push((
            connection.vpn_gateway.clone(),
            connection.customer_gateway.clone(),
            "edge-vpn",
        ));
    }
    edges
}
