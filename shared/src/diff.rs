//! What changed between two revisions of a design: objects added, removed and changed (by id),
//! and whether the design's own fields or the canvas layout changed. Used by the server's
//! revision history and shown next to each revision in the app.

use serde::{Deserialize, Serialize};

use crate::model::Design;

/// The difference between an older and a newer design.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct DesignDiff {
    pub added: Vec<String>,
    pub removed: Vec<String>,
    pub changed: Vec<String>,
    /// Name, region or flows changed.
    pub design_fields_changed: bool,
    /// Only positions or sizes changed for some objects (not counted as `changed`).
    pub moved: Vec<String>,
}

impl DesignDiff {
    pub fn is_empty(&self) -> bool {
        self.added.is_empty()
            && self.removed.is_empty()
            && self.changed.is_empty()
            && self.moved.is_empty()
            && !self.design_fields_changed
    }

    /// "2 added, 1 removed, 3 changed" (or "no change").
    pub fn summary(&self) -> String {
        let mut parts = Vec::new();
        for (count, word) in [
            (self.added.len(), "added"),
            (self.removed.len(), "removed"),
            (self.changed.len(), "changed"),
            (self.moved.len(), "moved"),
        ] {
            if count > 0 {
                parts.push(format!("{count} {word}"));
            }
        }
        if self.design_fields_changed {
            parts.push("design settings changed".to_string());
        }
        if parts.is_empty() {
            "no change".to_string()
        } else {
            parts.join(", ")
        }
    }
}

/// Every object as its JSON value, by id, from the design's collections.
fn objects_by_id(design: &Design) -> std::collections::BTreeMap<String, serde_json::Value> {
    let mut objects = std::collections::BTreeMap::new();
    let Ok(serde_json::Value::Object(document)) = serde_json::to_value(design) else {
        return objects;
    };
    for (key, value) in document {
        if matches!(
            key.as_str(),
            "schema_version" | "name" | "region" | "layout" | "flows"
        ) {
            continue;
        }
        if let serde_json::Value::Array(items) = value {
            for item in items {
                if let Some(id) = item.get("id").and_then(|id| id.as_str()) {
                    objects.insert(id.to_string(), item.clone());
                }
            }
        }
    }
    objects
}

/// Compares two designs object by object.
pub fn diff_designs(older: &Design, newer: &Design) -> DesignDiff {
    let before = objects_by_id(older);
    let after = objects_by_id(newer);
    let mut diff = DesignDiff::default();
    for (id, value) in &after {
        match before.get(id) {
            None => diff.added.push(id.clone()),
            Some(old) if old != value => diff.changed.push(id.clone()),
            Some(_) => {
                if older.layout.get(id) != newer.layout.get(id) {
                    diff.moved.push(id.clone());
                }
            }
        }
    }
    for id in before.keys() {
        if !after.contains_key(id) {
            diff.removed.push(id.clone());
        }
    }
    diff.design_fields_changed =
        older.name != newer.name || older.region != newer.region || older.flows != newer.flows;
    diff
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::editor::{Command, Editor};

    #[test]
    fn added_removed_changed_and_moved_are_told_apart() {
        let original = crate::templates::template("multimodal-endpoints")
            .unwrap()
            .design()
            .unwrap();
        let mut original_laid_out = original.clone();
        crate::layout::fill_missing_layout(&mut original_laid_out);
        let mut editor = Editor::new(original_laid_out.clone());
        editor
            .apply(Command::DeleteObject {
                object_id: "vpce-rekognition".into(),
            })
            .unwrap();
        editor
            .apply(Command::SetSubnetCidr {
                subnet_id: "subnet-public-a".into(),
                cidr: "10.0.9.0/24".into(),
            })
            .unwrap();
        let copy = editor
            .apply(Command::Duplicate {
                object_id: "sg-training".into(),
            })
            .unwrap()
            .unwrap();
        let bounds = editor.design().layout["wl-hosting"];
        editor
            .apply(Command::MoveObject {
                object_id: "wl-hosting".into(),
                x: bounds.x + 20.0,
                y: bounds.y,
            })
            .unwrap();
        let diff = diff_designs(&original_laid_out, editor.design());
        assert_eq!(diff.added, vec![copy]);
        assert_eq!(diff.removed, vec!["vpce-rekognition".to_string()]);
        assert_eq!(diff.changed, vec!["subnet-public-a".to_string()]);
        assert_eq!(diff.moved, vec!["wl-hosting".to_string()]);
        assert!(!diff.design_fields_changed);
        assert_eq!(diff.summary(), "1 added, 1 removed, 1 changed, 1 moved");
        assert!(diff_designs(&original, &original).is_empty());
        assert_eq!(diff_designs(&original, &original).summary(), "no change");
        let mut renamed = original.clone();
        renamed.name = "other".into();
        assert!(diff_designs(&original, &renamed).design_fields_changed);
    }
}
