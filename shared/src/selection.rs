//! What the user has selected on the canvas, and the hit tests behind shift-select and the
//! rubber band. Session state: never saved, never undone, but framework-free so it is tested
//! natively.
//!
//! Invariant: a selection holds each id once, in the order it was added; the last one added is
//! the primary (the one the inspector shows).

use crate::model::{Design, LayoutBox, ObjectKind};

/// The selected objects, in the order they were picked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Selection {
    object_ids: Vec<String>,
}

impl Selection {
    /// Nothing selected.
    pub fn none() -> Self {
        Selection::default()
    }

    /// Exactly one object.
    pub fn only(object_id: impl Into<String>) -> Self {
        Selection {
            object_ids: vec![object_id.into()],
        }
    }

    /// Several objects; duplicates are dropped, the last is the primary.
    pub fn of(object_ids: impl IntoIterator<Item = String>) -> Self {
        let mut selection = Selection::none();
        for object_id in object_ids {
            selection.add(object_id);
        }
        selection
    }

    pub fn is_empty(&self) -> bool {
        self.object_ids.is_empty()
    }

    pub fn len(&self) -> usize {
        self.object_ids.len()
    }

    pub fn object_ids(&self) -> &[String] {
        &self.object_ids
    }

    /// The object the inspector shows: the one picked last.
    pub fn primary(&self) -> Option<&str> {
        self.object_ids.last().map(String::as_str)
    }

    pub fn contains(&self, object_id: &str) -> bool {
        self.object_ids.iter().any(|id| id == object_id)
    }

    /// Adds an object (it becomes the primary).
    pub fn add(&mut self, object_id: String) {
        self.object_ids.retain(|id| *id != object_id);
        self.object_ids.push(object_id);
    }

    /// Shift-click: adds an object, or removes it when it is already selected.
    pub fn toggle(&mut self, object_id: &str) {
        if self.contains(object_id) {
            self.object_ids.retain(|id| id != object_id);
        } else {
            self.add(object_id.to_string());
        }
    }

    /// Drops ids the design no longer has (after an undo or a delete elsewhere).
    pub fn retain_existing(&mut self, design: &Design) {
        self.object_ids
            .retain(|id| design.kind_of(id).is_some() || design.layout.contains_key(id));
    }
}

/// The selected objects that are not inside another selected object: what a group move,
/// delete or duplicate acts on, so that a subnet selected with its VPC moves (or is deleted)
/// once, with the VPC.
pub fn selection_roots(design: &Design, object_ids: &[String]) -> Vec<String> {
    let mut inside_another = std::collections::HashSet::new();
    for object_id in object_ids {
        for contained in crate::editor::contained_objects(design, object_id) {
            if contained != *object_id {
                inside_another.insert(contained);
            }
        }
    }
    let mut roots = Vec::new();
    for object_id in object_ids {
        if !inside_another.contains(object_id) && !roots.contains(object_id) {
            roots.push(object_id.clone());
        }
    }
    roots
}

/// A rectangle from two corners in any order (a rubber band dragged in any direction).
pub fn rectangle_between(x1: f64, y1: f64, x2: f64, y2: f64) -> LayoutBox {
    LayoutBox {
        x: x1.min(x2),
        y: y1.min(y2),
        width: (x1 - x2).abs(),
        height: (y1 - y2).abs(),
    }
}

/// The objects whose boxes lie wholly inside a rectangle (the rubber band), in design order.
/// VPN connections are drawn as edges, not boxes, so a band never picks them.
pub fn objects_in_rectangle(design: &Design, rectangle: LayoutBox) -> Vec<String> {
    let encloses = |inner: &LayoutBox| {
        inner.x >= rectangle.x
            && inner.y >= rectangle.y
            && inner.x + inner.width <= rectangle.x + rectangle.width
            && inner.y + inner.height <= rectangle.y + rectangle.height
    };
    design
        .object_ids()
        .into_iter()
        .filter(|(_, kind)| *kind != ObjectKind::VpnConnection)
        .filter(|(id, _)| design.layout.get(*id).is_some_and(encloses))
        .map(|(id, _)| id.to_string())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::templates;

    fn template(id: &str) -> Design {
        let mut design = templates::template(id)
            .expect("template")
            .design()
            .expect("loads");
        crate::layout::fill_missing_layout(&mut design);
        design
    }

    #[test]
    fn toggle_adds_and_removes_and_the_last_added_is_primary() {
        let mut selection = Selection::only("a");
        selection.toggle("b");
        assert_eq!(selection.object_ids(), ["a", "b"]);
        assert_eq!(selection.primary(), Some("b"));
        selection.toggle("a");
        assert_eq!(selection.object_ids(), ["b"]);
        selection.add("b".into());
        assert_eq!(selection.len(), 1, "an id is held once");
        selection.toggle("b");
        assert!(selection.is_empty());
        assert_eq!(selection.primary(), None);
    }

    #[test]
    fn roots_drop_objects_inside_another_selected_object() {
        let design = template("mvp");
        let vpc = design.vpcs[0].id.clone();
        let subnet = design.subnets[0].id.clone();
        let customer_or_other = design
            .placement_groups
            .first()
            .map(|group| group.id.clone())
            .unwrap_or_else(|| "not-an-object".into());
        let roots = selection_roots(
            &design,
            &[subnet.clone(), vpc.clone(), customer_or_other.clone()],
        );
        assert_eq!(roots, vec![vpc.clone(), customer_or_other]);
        // A subnet alone is its own root.
        assert_eq!(
            selection_roots(&design, std::slice::from_ref(&subnet)),
            vec![subnet]
        );
    }

    #[test]
    fn a_rubber_band_picks_only_wholly_enclosed_boxes_in_any_drag_direction() {
        let design = template("tabular-vpn");
        let subnet = &design.subnets[0];
        let bounds = design.layout[&subnet.id];
        // A band exactly around the subnet, dragged from bottom-right to top-left.
        let band = rectangle_between(
            bounds.x + bounds.width + 1.0,
            bounds.y + bounds.height + 1.0,
            bounds.x - 1.0,
            bounds.y - 1.0,
        );
        let picked = objects_in_rectangle(&design, band);
        assert!(picked.contains(&subnet.id));
        assert!(
            !picked.contains(&subnet.vpc),
            "the VPC is larger than the band"
        );
        for id in &picked {
            let inner = design.layout[id];
            assert!(inner.x >= band.x && inner.y >= band.y);
            assert!(inner.x + inner.width <= band.x + band.width);
        }
        // A band around everything picks every drawn object but the VPN connection edges.
        let everything = rectangle_between(-1e6, -1e6, 1e6, 1e6);
        let all = objects_in_rectangle(&design, everything);
        let drawn = design
            .object_ids()
            .into_iter()
            .filter(|(_, kind)| *kind != ObjectKind::VpnConnection)
            .count();
        assert_eq!(all.len(), drawn);
        // A band that is one point wide picks nothing.
        assert!(objects_in_rectangle(&design, rectangle_between(5.0, 5.0, 5.0, 5.0)).is_empty());
    }

    #[test]
    fn retain_existing_forgets_deleted_objects() {
        let design = template("mvp");
        let mut selection = Selection::of([design.vpcs[0].id.clone(), "gone".to_string()]);
        selection.retain_existing(&design);
        assert_eq!(selection.object_ids(), [design.vpcs[0].id.clone()]);
    }
}
