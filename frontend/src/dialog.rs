//! Modal dialogs (templates, Open, the deploy review): focus moves into the dialog when it
//! opens, Tab and Shift+Tab stay inside it, and Escape closes it and gives focus back to the
//! control that opened it. One place, so every dialog behaves the same for keyboard and screen
//! reader users.

use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// What can take focus inside a dialog, in document order.
const FOCUSABLE: &str = "button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), summary, a[href], [tabindex]:not([tabindex='-1'])";

fn focusable_in(dialog: NodeRef<leptos::html::Section>) -> Vec<web_sys::HtmlElement> {
    let Some(section) = dialog.get_untracked() else {
        return Vec::new();
    };
    let Ok(found) = section.query_selector_all(FOCUSABLE) else {
        return Vec::new();
    };
    (0..found.length())
        .filter_map(|index| found.item(index))
        .filter_map(|node| node.dyn_into::<web_sys::HtmlElement>().ok())
        .collect()
}

/// Focuses the element `selector` names (the control that opened a dialog), if it exists.
pub fn focus(selector: &str) -> bool {
    match document()
        .query_selector(selector)
        .ok()
        .flatten()
        .and_then(|element| element.dyn_into::<web_sys::HtmlElement>().ok())
    {
        Some(element) => element.focus().is_ok(),
        None => false,
    }
}

/// Makes `dialog` modal: once mounted, focus moves to its first control (or the one
/// `first_focus` names inside it); the returned handler keeps Tab inside and closes on Escape.
pub fn modal(
    dialog: NodeRef<leptos::html::Section>,
    first_focus: Option<&'static str>,
    close: impl Fn() + Copy + 'static,
) -> impl Fn(leptos::ev::KeyboardEvent) + Copy + 'static {
    Effect::new(move |_| {
        let Some(section) = dialog.get() else {
            return;
        };
        // A dialog fetched on demand (`crate::lazy`) is built before it is put in the page,
        // and a detached element takes no focus: focus once it is in the page.
        let connected = section.is_connected();
        let focus_first = move || {
            let preferred = first_focus
                .and_then(|selector| section.query_selector(selector).ok().flatten())
                .and_then(|element| element.dyn_into::<web_sys::HtmlElement>().ok());
            if let Some(first) = preferred.or_else(|| focusable_in(dialog).into_iter().next()) {
                let _ = first.focus();
            }
        };
        if connected {
            focus_first();
        } else {
            request_animation_frame(focus_first);
        }
    });
    move |event: leptos::ev::KeyboardEvent| match event.key().as_str() {
        "Escape" => {
            event.prevent_default();
            event.stop_propagation();
            close();
        }
        "Tab" => {
            let all = focusable_in(dialog);
            let (Some(first), Some(last)) = (all.first(), all.last()) else {
                return;
            };
            let active = document().active_element();
            let on = |element: &web_sys::HtmlElement| {
                active.as_ref().is_some_and(|active| {
                    let element: &web_sys::Element = element.as_ref();
                    active == element
                })
            };
            let inside = all.iter().any(on);
            if event.shift_key() && (on(first) || !inside) {
                event.prevent_default();
                let _ = last.focus();
            } else if !event.shift_key() && (on(last) || !inside) {
                event.prevent_default();
                let _ = first.focus();
            }
        }
        _ => {}
    }
}
