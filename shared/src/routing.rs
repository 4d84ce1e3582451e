//! Where an edge of the diagram runs: a straight line between the centres of its two objects
//! when that line crosses no other chip, else the shortest path of horizontal and vertical
//! runs (few bends) around the chips in its way. The canvas and the SVG export draw the same
//! paths, so an edge never runs under a chip it does not join.
//!
//! Bounded: a path is searched among the chips near its two ends (at most
//! [`MOST_OBSTACLES`]), on a grid of the lines just outside their edges; a design with more
//! than [`MOST_ROUTED_CHIPS`] chips, or an edge with too crowded a neighbourhood, keeps its
//! straight line.

use std::cmp::Ordering;
use std::collections::{BTreeMap, BinaryHeap};

use crate::diagram::Edge;
use crate::model::{Design, LayoutBox};

/// Clearance between a routed edge and a chip it goes around.
pub const CLEARANCE: f64 = 8.0;
/// How far beyond the box spanned by its two ends a detour may go.
const DETOUR_REACH: f64 = 160.0;
/// The most chips one edge's search considers.
pub const MOST_OBSTACLES: usize = 48;
/// The most chips a design may have for its edges to be routed around them.
pub const MOST_ROUTED_CHIPS: usize = 400;
/// What a bend costs, in pixels of length: paths with fewer bends read better.
const BEND_COST: f64 = 40.0;

/// One point of a path, in canvas coordinates.
pub type Point = (f64, f64);

fn centre(bounds: &LayoutBox) -> Point {
    (
        bounds.x + bounds.width / 2.0,
        bounds.y + bounds.height / 2.0,
    )
}

/// Whether the segment from `a` to `b` passes through the inside of `bounds` (touching an edge
/// does not count). Liang–Barsky clipping.
pub fn segment_crosses(a: Point, b: Point, bounds: &LayoutBox) -> bool {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let inner = 0.5;
    let checks = [
        (-dx, a.0 - (bounds.x + inner)),
        (dx, (bounds.x + bounds.width - inner) - a.0),
        (-dy, a.1 - (bounds.y + inner)),
        (dy, (bounds.y + bounds.height - inner) - a.1),
    ];
    let (mut enter, mut leave) = (0.0_f64, 1.0_f64);
    for (p, q) in checks {
        if p == 0.0 {
            if q < 0.0 {
                return false;
            }
            continue;
        }
        let t = q / p;
        if p < 0.0 {
            enter = enter.max(t);
        } else {
            leave = leave.min(t);
        }
        if enter > leave {
            return false;
        }
    }
    enter < leave
}

/// Where an edge meets an object: a chip's centre (the chip is drawn over the edge), or the
/// point of a container's border nearest the other end (a VPC's or subnet's centre is often
/// under one of its own chips).
pub fn anchor(bounds: &LayoutBox, container: bool, toward: Point) -> Point {
    if !container {
        return centre(bounds);
    }
    (
        toward.0.clamp(bounds.x, bounds.x + bounds.width),
        toward.1.clamp(bounds.y, bounds.y + bounds.height),
    )
}

/// The path from `from`'s centre to `to`'s centre avoiding `obstacles` (the boxes of the other
/// chips), as points; two points when the straight line is clear or no way round is found.
pub fn route(from: &LayoutBox, to: &LayoutBox, obstacles: &[LayoutBox]) -> Vec<Point> {
    route_between(centre(from), centre(to), obstacles)
}

/// The path from `start` to `end` avoiding `obstacles`; see [`route`].
pub fn route_between(start: Point, end: Point, obstacles: &[LayoutBox]) -> Vec<Point> {
    let straight = vec![start, end];
    let in_the_way = |a: Point, b: Point| obstacles.iter().any(|o| segment_crosses(a, b, o));
    if !in_the_way(start, end) {
        return straight;
    }
    // The neighbourhood a detour may use, and the chips in it.
    let window = LayoutBox {
        x: start.0.min(end.0) - DETOUR_REACH,
        y: start.1.min(end.1) - DETOUR_REACH,
        width: (start.0 - end.0).abs() + 2.0 * DETOUR_REACH,
        height: (start.1 - end.1).abs() + 2.0 * DETOUR_REACH,
    };
    let near: Vec<&LayoutBox> = obstacles
        .iter()
        .filter(|o| {
            o.x < window.x + window.width
                && o.x + o.width > window.x
                && o.y < window.y + window.height
                && o.y + o.height > window.y
        })
        .collect();
    if near.len() > MOST_OBSTACLES {
        return straight;
    }
    // The grid: the lines through both centres and just outside every nearby chip.
    let mut xs = vec![start.0, end.0];
    let mut ys = vec![start.1, end.1];
    for o in &near {
        xs.extend([o.x - CLEARANCE, o.x + o.width + CLEARANCE]);
        ys.extend([o.y - CLEARANCE, o.y + o.height + CLEARANCE]);
    }
    let tidy = |values: &mut Vec<f64>| {
        values.sort_by(|a, b| a.partial_cmp(b).unwrap_or(Ordering::Equal));
        values.dedup_by(|a, b| (*a - *b).abs() < 0.01);
    };
    tidy(&mut xs);
    tidy(&mut ys);
    let inside_a_chip = |p: Point| {
        near.iter().any(|o| {
            p.0 > o.x + 0.5
                && p.0 < o.x + o.width - 0.5
                && p.1 > o.y + 0.5
                && p.1 < o.y + o.height - 0.5
        })
    };
    let blocked = |a: Point, b: Point| near.iter().any(|o| segment_crosses(a, b, o));
    let index_of = |values: &[f64], value: f64| {
        values
            .iter()
            .position(|v| (*v - value).abs() < 0.01)
            .unwrap_or(0)
    };
    let (columns, rows) = (xs.len(), ys.len());
    let goal = (index_of(&xs, end.0), index_of(&ys, end.1));
    let origin = (index_of(&xs, start.0), index_of(&ys, start.1));
    // Dijkstra over (column, row, direction of arrival): 0 none, 1 horizontal, 2 vertical.
    #[derive(PartialEq)]
    struct Visit {
        cost: f64,
        node: (usize, usize, u8),
    }
    impl Eq for Visit {}
    impl Ord for Visit {
        fn cmp(&self, other: &Self) -> Ordering {
            other
                .cost
                .partial_cmp(&self.cost)
                .unwrap_or(Ordering::Equal)
                .then_with(|| other.node.cmp(&self.node))
        }
    }
    impl PartialOrd for Visit {
        fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
            Some(self.cmp(other))
        }
    }
    let mut best: BTreeMap<(usize, usize, u8), f64> = BTreeMap::new();
    let mut came_from: BTreeMap<(usize, usize, u8), (usize, usize, u8)> = BTreeMap::new();
    let mut queue = BinaryHeap::new();
    let first = (origin.0, origin.1, 0);
    best.insert(first, 0.0);
    queue.push(Visit {
        cost: 0.0,
        node: first,
    });
    let mut reached = None;
    while let Some(Visit { cost, node }) = queue.pop() {
        if best.get(&node).is_some_and(|known| cost > *known) {
            continue;
        }
        let (column, row, arrived) = node;
        if (column, row) == goal {
            reached = Some(node);
            break;
        }
        let here = (xs[column], ys[row]);
        let steps: [(isize, isize, u8); 4] = [(1, 0, 1), (-1, 0, 1), (0, 1, 2), (0, -1, 2)];
        for (step_column, step_row, direction) in steps {
            let next_column = column as isize + step_column;
            let next_row = row as isize + step_row;
            if next_column < 0
                || next_row < 0
                || next_column as usize >= columns
                || next_row as usize >= rows
            {
                continue;
            }
            let (next_column, next_row) = (next_column as usize, next_row as usize);
            let there = (xs[next_column], ys[next_row]);
            if !window.contains_point(there.0, there.1)
                || ((next_column, next_row) != goal && inside_a_chip(there))
                || blocked(here, there)
            {
                continue;
            }
            let bend = if arrived != 0 && arrived != direction {
                BEND_COST
            } else {
                0.0
            };
            let next_cost = cost + (there.0 - here.0).abs() + (there.1 - here.1).abs() + bend;
            let next = (next_column, next_row, direction);
            if best.get(&next).is_none_or(|known| next_cost < *known) {
                best.insert(next, next_cost);
                came_from.insert(next, node);
                queue.push(Visit {
                    cost: next_cost,
                    node: next,
                });
            }
        }
    }
    let Some(mut node) = reached else {
        return straight;
    };
    let mut points = vec![(xs[node.0], ys[node.1])];
    while let Some(previous) = came_from.get(&node) {
        node = *previous;
        points.push((xs[node.0], ys[node.1]));
    }
    points.reverse();
    // Only the corners.
    let mut corners: Vec<Point> = Vec::with_capacity(points.len());
    for point in points {
        if corners.len() >= 2 {
            let (a, b) = (corners[corners.len() - 2], corners[corners.len() - 1]);
            let collinear = ((a.0 - b.0).abs() < 0.01 && (b.0 - point.0).abs() < 0.01)
                || ((a.1 - b.1).abs() < 0.01 && (b.1 - point.1).abs() < 0.01);
            if collinear {
                corners.pop();
            }
        }
        corners.push(point);
    }
    corners
}

/// Every edge of the design with its path. `include` limits the edges to those whose both
/// ends it accepts (the canvas leaves out what is being dragged).
pub fn routed_edges(design: &Design, include: impl Fn(&str) -> bool) -> Vec<(Edge, Vec<Point>)> {
    let chips: Vec<(&str, LayoutBox)> = design
        .objects()
        .filter(|object| !crate::diagram::is_container(object.kind()))
        .filter_map(|object| {
            design
                .layout
                .get(object.id())
                .map(|bounds| (object.id(), *bounds))
        })
        .collect();
    let containers: std::collections::HashSet<&str> = design
        .objects()
        .filter(|object| crate::diagram::is_container(object.kind()))
        .map(|object| object.id())
        .collect();
    let routed = chips.len() <= MOST_ROUTED_CHIPS;
    crate::diagram::edges(design)
        .into_iter()
        .filter(|edge| include(&edge.from) && include(&edge.to))
        .filter_map(|edge| {
            let from = *design.layout.get(&edge.from)?;
            let to = *design.layout.get(&edge.to)?;
            let is_container = |id: &str| containers.contains(id);
            let start = anchor(&from, is_container(&edge.from), centre(&to));
            let end = anchor(&to, is_container(&edge.to), start);
            let start = anchor(&from, is_container(&edge.from), end);
            let path = if routed {
                let obstacles: Vec<LayoutBox> = chips
                    .iter()
                    .filter(|(id, _)| *id != edge.from && *id != edge.to)
                    .map(|(_, bounds)| *bounds)
                    .collect();
                route_between(start, end, &obstacles)
            } else {
                vec![start, end]
            };
            Some((edge, path))
        })
        .collect()
}

/// Where a label sits on a path: the middle of its longest run.
pub fn label_point(path: &[Point]) -> Point {
    path.windows(2)
        .max_by(|a, b| {
            let length = |w: &[Point]| (w[1].0 - w[0].0).abs() + (w[1].1 - w[0].1).abs();
            length(a).partial_cmp(&length(b)).unwrap_or(Ordering::Equal)
        })
        .map(|w| ((w[0].0 + w[1].0) / 2.0, (w[0].1 + w[1].1) / 2.0))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chip(x: f64, y: f64) -> LayoutBox {
        LayoutBox {
            x,
            y,
            width: 72.0,
            height: 36.0,
        }
    }

    fn crosses_any(path: &[Point], obstacles: &[LayoutBox]) -> bool {
        path.windows(2)
            .any(|w| obstacles.iter().any(|o| segment_crosses(w[0], w[1], o)))
    }

    #[test]
    fn a_clear_line_stays_straight_and_a_blocked_one_goes_round_in_right_angles() {
        let (from, to) = (chip(0.0, 0.0), chip(400.0, 0.0));
        assert_eq!(route(&from, &to, &[]), vec![(36.0, 18.0), (436.0, 18.0)]);
        let wall = chip(200.0, 0.0);
        let path = route(&from, &to, &[wall]);
        assert!(path.len() >= 4, "{path:?}");
        assert!(!crosses_any(&path, &[wall]), "{path:?}");
        assert_eq!(path.first(), Some(&(36.0, 18.0)));
        assert_eq!(path.last(), Some(&(436.0, 18.0)));
        for w in path.windows(2) {
            assert!(
                (w[0].0 - w[1].0).abs() < 0.01 || (w[0].1 - w[1].1).abs() < 0.01,
                "every run is horizontal or vertical: {path:?}"
            );
        }
    }

    #[test]
    fn a_column_of_chips_is_passed_at_its_end_and_an_enclosed_end_keeps_its_line() {
        // A column of route tables between a subnet and a gateway.
        let column: Vec<LayoutBox> = (0..4).map(|i| chip(200.0, i as f64 * 44.0)).collect();
        let path = route(&chip(0.0, 60.0), &chip(400.0, 60.0), &column);
        assert!(!crosses_any(&path, &column), "{path:?}");
        // Walled in on every side: no way round, the straight line.
        let wall = |x: f64, y: f64, width: f64, height: f64| LayoutBox {
            x,
            y,
            width,
            height,
        };
        let walls = [
            wall(-100.0, -100.0, 90.0, 236.0),
            wall(82.0, -100.0, 90.0, 236.0),
            wall(-100.0, -100.0, 272.0, 90.0),
            wall(-100.0, 46.0, 272.0, 90.0),
        ];
        assert_eq!(route(&chip(0.0, 0.0), &chip(400.0, 0.0), &walls).len(), 2);
    }

    #[test]
    fn no_edge_of_any_template_runs_under_a_chip_it_does_not_join() {
        for template in crate::templates::TEMPLATES {
            let mut design = template.design().unwrap();
            crate::layout::fill_missing_layout(&mut design);
            for (edge, path) in routed_edges(&design, |_| true) {
                for object in design.objects() {
                    let id = object.id();
                    if id == edge.from
                        || id == edge.to
                        || crate::diagram::is_container(object.kind())
                    {
                        continue;
                    }
                    let Some(bounds) = design.layout.get(id).copied() else {
                        continue;
                    };
                    assert!(
                        !crosses_any(&path, &[bounds]),
                        "{}: {} → {} runs under {id}: {path:?}",
                        template.name,
                        edge.from,
                        edge.to
                    );
                }
            }
        }
    }
}
