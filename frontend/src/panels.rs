//! Side panels: the inspector (fields of the selected object, with inline facts computed by
//! `shared`) and the diagnostics list (grouped by severity; a click selects the objects).

use leptos::prelude::AnyView;
use leptos::prelude::*;
use shared::Severity;
use shared::cidr;
use shared::editor::Command;
use shared::editor::fields::{self, Field, FieldControl, field_label};
use shared::model::ObjectKind;

use crate::state::AppState;

/// The facts shown under a CIDR field: range and usable addresses, or why it does not parse.
fn cidr_facts(text: &str) -> String {
    match cidr::parse_cidr(text) {
        Ok(parsed) => format!(
            "{} – {} · {} usable addresses",
            parsed.network.network(),
            parsed.network.broadcast(),
            cidr::usable_addresses(parsed.network)
        ),
        Err(error) => error.to_string(),
    }
}

#[component]
pub fn Inspector() -> impl IntoView {
    let state = expect_context::<AppState>();
    // The selected object's editors are a part of their own (`crate::lazy`): fetched the first
    // time something is selected, so the first load carries only the design's settings.
    let editors = RwSignal::new(crate::lazy::ObjectEditors::NotNeeded);
    Effect::new(move |_| {
        if matches!(editors.get(), crate::lazy::ObjectEditors::NotNeeded)
            && state.selection.with(|s| s.primary().is_some())
        {
            crate::lazy::load_object_editors(editors);
        }
    });
    move || {
        let Some(selected) = state.selection.with(|s| s.primary().map(str::to_string)) else {
            return Some(design_settings(state).into_any());
        };
        match editors.get() {
            crate::lazy::ObjectEditors::Ready(inspect) => inspect(state, selected),
            crate::lazy::ObjectEditors::NotNeeded | crate::lazy::ObjectEditors::Loading => Some(
                view! {
                    <section aria-label="Inspector">
                        <p class="part-loading" role="status">"Loading…"</p>
                    </section>
                }
                .into_any(),
            ),
            crate::lazy::ObjectEditors::Failed => Some(
                view! {
                    <section aria-label="Inspector">
                        <p class="part-failed" role="alert">
                            "The object's editors could not be fetched from the server. "
                            <button on:click=move |_| crate::lazy::load_object_editors(editors)>"Try again"</button>
                        </p>
                    </section>
                }
                .into_any(),
            ),
        }
    }
}

/// The selected object's editors: its CIDR or flow-log section and one control per field (the
/// `Inspector`'s view with something selected). Named only by `crate::lazy`, which fetches it
/// as a part of its own. Built while the design is borrowed: no copy of it, and only the
/// selected object is serialised (at 2,000 subnets a copy and the whole document cost every
/// edit).
pub fn object_editors(state: AppState, selected: String) -> Option<AnyView> {
    state.editor.with(|editor| {
        let design = editor.design();
        let object_ref = design.object(&selected)?;
        let kind = object_ref.kind();
        let object = object_ref.to_value();
        let invalid = state.diagnostics.with(|diagnostics| {
            diagnostics
                .iter()
                .any(|d| d.is_error() && d.objects.first().is_some_and(|id| *id == selected))
        });
        let cidr_section = match kind {
            ObjectKind::Subnet => design
                .subnet(&selected)
                .map(|subnet| subnet_cidr_section(state, subnet.clone(), invalid).into_any()),
            ObjectKind::Vpc => design.vpc(&selected).map(|vpc| {
                flow_logs_section(state, vpc.id.clone(), vpc.flow_logs.clone()).into_any()
            }),
            _ => None,
        };
        // Shown in their own sections above.
        let own_section: &[&str] = match kind {
            ObjectKind::Subnet => &["cidr"],
            ObjectKind::Vpc => &["flow_logs"],
            _ => &[],
        };
        let fields: Vec<(Field, serde_json::Value)> = fields::fields_of(kind)
            .into_iter()
            .filter(|field| !own_section.contains(&field.name.as_str()))
            .map(|field| {
                let value = object
                    .get(&field.name)
                    .cloned()
                    .unwrap_or(serde_json::Value::Null);
                (field, value)
            })
            .collect();
        let object_id = selected.clone();
        Some(view! {
            <section aria-label="Inspector">
                <h2>{format!("{} {selected}", kind.label())}</h2>
                {cidr_section}
                {fields.into_iter().map(|(field, value)| field_editor(state, design, object_id.clone(), field, value)).collect_view()}
            </section>
        }.into_any())
    })
}

/// With nothing selected: the design's own fields, its name, region and description, and the
/// traffic it expects (each change one `SetField` command on the design).
fn design_settings(state: AppState) -> impl IntoView {
    let (name, region, description, flows, places) = state.editor.with(|editor| {
        let design = editor.design();
        // Completions, not a limit (any id may be typed): the objects traffic starts or ends
        // at, at most TRAFFIC_COMPLETIONS of them, so a large design does not draw thousands.
        let places: Vec<String> = design
            .objects()
            .filter(|object| TRAFFIC_PLACE_KINDS.contains(&object.kind()))
            .take(TRAFFIC_COMPLETIONS)
            .map(|object| object.id().to_string())
            .collect();
        (
            design.name.clone(),
            design.region.clone(),
            design.description.clone(),
            design.flows.clone(),
            places,
        )
    });
    let set = move |field: &'static str, value: String| {
        state.apply(Command::SetField {
            object_id: String::new(),
            field: field.to_string(),
            value: serde_json::Value::String(value),
        });
    };
    let known = shared::validate::identity::REGIONS.contains(&region.as_str());
    let unknown = (!known).then(|| {
        let region = region.clone();
        view! { <option value=region.clone() selected=true>{format!("{region} (not an AWS region)")}</option> }
    });
    view! {
        <section aria-label="Design settings" id="design-settings">
            <h2>"Design"</h2>
            <label class="field">"Name"
                <input aria-label="Design name" prop:value=name
                    on:change=move |event| set("name", event_target_value(&event)) />
            </label>
            <label class="field">"Region"
                <select aria-label="Design region" on:change=move |event| set("region", event_target_value(&event))>
                    {unknown}
                    {shared::validate::identity::REGIONS.iter().map(|option| {
                        view! { <option value=*option selected=*option == region>{*option}</option> }
                    }).collect_view()}
                </select>
            </label>
            <label class="field">"Description"
                <textarea aria-label="Design description" rows="3" prop:value=description
                    on:change=move |event| set("description", event_target_value(&event))></textarea>
            </label>
            {traffic_table(state, flows, places)}
            <small>"Select an object on the canvas to edit it."</small>
        </section>
    }
}

/// The kinds of object traffic is usually counted from or to.
const TRAFFIC_PLACE_KINDS: &[ObjectKind] = &[
    ObjectKind::Workload,
    ObjectKind::Subnet,
    ObjectKind::NetworkInterface,
    ObjectKind::Endpoint,
    ObjectKind::CustomerGateway,
];

/// The most objects the traffic table offers as completions.
const TRAFFIC_COMPLETIONS: usize = 200;

/// Where traffic may go besides the design's objects (the Path tool's words).
const TRAFFIC_DESTINATIONS: &[&str] = &["internet", "s3", "dynamodb"];

/// The traffic the design expects, for the cost estimate: one row per flow (from an object, to
/// an object, the internet, S3, DynamoDB or a service, GB a month) with Add and Remove; every
/// change sets the whole list with one `SetField` command.
fn traffic_table(
    state: AppState,
    flows: Vec<shared::model::Flow>,
    places: Vec<String>,
) -> impl IntoView {
    let write = move |flows: Vec<shared::model::Flow>| {
        if let Ok(value) = serde_json::to_value(&flows) {
            state.apply(Command::SetField {
                object_id: String::new(),
                field: "flows".to_string(),
                value,
            });
        }
    };
    let rows = flows
        .iter()
        .enumerate()
        .map(|(index, flow)| {
            let number = index + 1;
            let edit = move |flows: &Vec<shared::model::Flow>, change: &dyn Fn(&mut shared::model::Flow)| {
                let mut flows = flows.clone();
                if let Some(flow) = flows.get_mut(index) {
                    change(flow);
                }
                write(flows);
            };
            let (for_from, for_to, for_amount, for_remove) =
                (flows.clone(), flows.clone(), flows.clone(), flows.clone());
            let amount = flow.gb_per_month.to_string();
            view! {
                <tr>
                    <td><input aria-label=format!("Traffic {number} From") list="traffic-sources" size="12" prop:value=flow.from.clone()
                        on:change=move |event| { let typed = event_target_value(&event).trim().to_string(); edit(&for_from, &|flow| flow.from = typed.clone()); } /></td>
                    <td><input aria-label=format!("Traffic {number} To") list="traffic-destinations" size="12" prop:value=flow.to.clone()
                        on:change=move |event| { let typed = event_target_value(&event).trim().to_string(); edit(&for_to, &|flow| flow.to = typed.clone()); } /></td>
                    <td><input type="number" min="0" step="any" size="8" aria-label=format!("Traffic {number} GB per month") prop:value=amount
                        on:change=move |event| {
                            let typed = event_target_value(&event);
                            // The browser's own reading of the number field: the page's first
                            // load then carries no decimal parser (its tables are 21 KB).
                            let gb = event_target::<web_sys::HtmlInputElement>(&event).value_as_number();
                            match gb {
                                gb if gb.is_finite() && gb >= 0.0 => edit(&for_amount, &|flow| flow.gb_per_month = gb),
                                _ => state.notice.set(Some(format!("Traffic {number}, GB per month: \"{typed}\" is not a number of gigabytes (0 or more); nothing was changed"))),
                            }
                        } /></td>
                    <td><button aria-label=format!("Remove traffic {number}") on:click=move |_| {
                        let mut flows = for_remove.clone();
                        flows.remove(index);
                        write(flows);
                    }>"Remove"</button></td>
                </tr>
            }
        })
        .collect_view();
    let first_source = places.first().cloned().unwrap_or_default();
    let add = {
        let flows = flows.clone();
        move |_| {
            let mut flows = flows.clone();
            flows.push(shared::model::Flow {
                from: first_source.clone(),
                to: "s3".to_string(),
                gb_per_month: 0.0,
            });
            write(flows);
        }
    };
    let destinations: Vec<String> = TRAFFIC_DESTINATIONS
        .iter()
        .map(|name| name.to_string())
        .chain(places.iter().cloned())
        .collect();
    view! {
        <fieldset class="field table" id="traffic">
            <legend>"Traffic (for the cost estimate)"</legend>
            <datalist id="traffic-sources">
                {places.iter().map(|place| view! { <option value=place.clone()></option> }).collect_view()}
            </datalist>
            <datalist id="traffic-destinations">
                {destinations.into_iter().map(|place| view! { <option value=place></option> }).collect_view()}
            </datalist>
            <div class="table-scroll">
                <table>
                    <thead><tr><th>"From"</th><th>"To"</th><th>"GB per month"</th><th></th></tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
            <button aria-label="Add traffic" on:click=add>"Add traffic"</button>
            <small>"From an object to an object, the internet, s3, dynamodb or a service name."</small>
        </fieldset>
    }
}

/// The option of a reference picker that makes a new object instead of choosing one.
const CREATE_NEW: &str = "\u{1}create-new";

/// One field, edited by the control its kind's facts give it ([`fields::fields_of`]); every
/// change is one `SetField` command.
fn field_editor(
    state: AppState,
    design: &shared::Design,
    object_id: String,
    field: Field,
    value: serde_json::Value,
) -> AnyView {
    use serde_json::Value;
    let label = field_label(&field.name);
    let nullable = field.nullable;
    let (table_object_id, table_field) = (object_id.clone(), field.name.clone());
    // "Create a new …": drops a new object of the first kind the field takes that the palette
    // makes, in the inspected object's container, and points the field at it: one edit.
    let creatable = match &field.control {
        // Not a container: a new VPC or subnet is drawn apart, and moving an object into it is
        // a drag, not a field.
        FieldControl::Reference { kinds } | FieldControl::References { kinds } => kinds
            .iter()
            .filter(|kind| kind.style().role != shared::model::ChipRole::Container)
            .find_map(|kind| shared::editor::palette::item_making(*kind).map(|item| (*kind, item))),
        _ => None,
    };
    let create_new = {
        let (object_id, field_name) = (object_id.clone(), field.name.clone());
        move |current: Value| {
            let Some((kind, item)) = creatable else {
                return;
            };
            let (new_id, (x, y)) = state.editor.with_untracked(|editor| {
                let design = editor.design();
                (
                    shared::editor::next_id(design, kind),
                    shared::editor::palette::default_drop_point(design, Some(&object_id), item),
                )
            });
            let value = match current {
                Value::Array(mut list) => {
                    list.push(Value::String(new_id.clone()));
                    Value::Array(list)
                }
                _ => Value::String(new_id.clone()),
            };
            state.apply(Command::Batch {
                commands: vec![
                    Command::Drop { item, x, y },
                    Command::SetField {
                        object_id: object_id.clone(),
                        field: field_name.clone(),
                        value,
                    },
                ],
            });
            state.select_only(object_id.clone());
        }
    };
    let set = {
        let field = field.name.clone();
        move |new_value: Value| {
            state.apply(Command::SetField {
                object_id: object_id.clone(),
                field: field.clone(),
                value: new_value,
            });
        }
    };
    match field.control {
        FieldControl::Flag => view! {
            <label class="field checkbox">
                <input type="checkbox" aria-label=label.clone() prop:checked=value.as_bool().unwrap_or(false)
                    on:change=move |event| set(Value::Bool(event_target_checked(&event))) />
                {label.clone()}
            </label>
        }
        .into_any(),
        FieldControl::Number => {
            let text = match &value {
                Value::Null => String::new(),
                other => other.to_string(),
            };
            view! {
                <label class="field">{label.clone()}
                    <input type="number" step="1" aria-label=label.clone() prop:value=text
                        on:change=move |event| {
                            let text = event_target_value(&event);
                            match text.trim().parse::<i64>() {
                                Ok(number) => set(Value::from(number)),
                                Err(_) if text.trim().is_empty() && nullable => set(Value::Null),
                                Err(_) => state.notice.set(Some(format!("{label}: \"{text}\" is not a whole number"))),
                            }
                        } />
                </label>
            }
            .into_any()
        }
        FieldControl::Choice(options) => {
            let current = value.as_str().unwrap_or_default().to_string();
            let none = nullable.then(|| view! { <option value="" selected=current.is_empty()>"(none)"</option> });
            view! {
                <label class="field">{label.clone()}
                    <select aria-label=label.clone() on:change=move |event| {
                        let chosen = event_target_value(&event);
                        set(if chosen.is_empty() { Value::Null } else { Value::String(chosen) });
                    }>
                        {none}
                        {options.into_iter().map(|option| {
                            let selected = option == current;
                            view! { <option value=option.clone() selected=selected>{option.clone()}</option> }
                        }).collect_view()}
                    </select>
                </label>
            }
            .into_any()
        }
        FieldControl::Reference { kinds } => {
            let current = value.as_str().unwrap_or_default().to_string();
            let mut options = fields::candidates(design, kinds);
            let dangling = !current.is_empty() && !options.contains(&current);
            if dangling {
                options.insert(0, current.clone());
            }
            let kind_names = kinds.iter().map(|kind| kind.label()).collect::<Vec<_>>().join(" or ");
            let hint = options.is_empty().then(|| view! { <small>{format!("No {kind_names} in the design yet: add one from the palette")}</small> });
            let create = creatable.map(|(kind, _)| {
                view! { <option value=CREATE_NEW>{format!("Create new: {}…", kind.label())}</option> }
            });
            view! {
                <label class="field">{label.clone()}
                    <select aria-label=label.clone() on:change=move |event| {
                        let chosen = event_target_value(&event);
                        if chosen == CREATE_NEW {
                            create_new(Value::Null);
                            return;
                        }
                        set(if chosen.is_empty() && nullable { Value::Null } else { Value::String(chosen) });
                    }>
                        <option value="" selected=current.is_empty()>{if nullable { "(none)" } else { "(choose)" }}</option>
                        {options.into_iter().map(|option| {
                            let selected = option == current;
                            let text = if dangling && selected { format!("{option} (missing)") } else { option.clone() };
                            view! { <option value=option.clone() selected=selected>{text}</option> }
                        }).collect_view()}
                        {create}
                    </select>
                    {hint}
                </label>
            }
            .into_any()
        }
        FieldControl::References { kinds } => {
            let chosen: Vec<String> = value
                .as_array()
                .map(|items| items.iter().filter_map(Value::as_str).map(str::to_string).collect())
                .unwrap_or_default();
            let mut options = fields::candidates(design, kinds);
            for id in &chosen {
                if !options.contains(id) {
                    options.push(id.clone());
                }
            }
            let kind_names = kinds.iter().map(|kind| kind.label()).collect::<Vec<_>>().join(" or ");
            let empty = options.is_empty().then(|| view! { <small>{format!("No {kind_names} in the design yet")}</small> });
            view! {
                <fieldset class="field references" aria-label=label.clone()>
                    <legend>{label.clone()}</legend>
                    {options.into_iter().map(|option| {
                        let checked = chosen.contains(&option);
                        let (chosen, set, option_for_change) = (chosen.clone(), set.clone(), option.clone());
                        view! {
                            <label class="checkbox">
                                <input type="checkbox" aria-label=format!("{label} {option}") prop:checked=checked
                                    on:change=move |event| {
                                        let mut list = chosen.clone();
                                        list.retain(|id| *id != option_for_change);
                                        if event_target_checked(&event) {
                                            list.push(option_for_change.clone());
                                        }
                                        set(Value::Array(list.into_iter().map(Value::String).collect()));
                                    } />
                                {option.clone()}
                            </label>
                        }
                    }).collect_view()}
                    {empty}
                    {creatable.map(|(kind, _)| {
                        let (chosen, create_new) = (chosen.clone(), create_new.clone());
                        let text = format!("Create new: {}", kind.label());
                        view! {
                            <button type="button" class="create-new" aria-label=format!("{label}: {text}")
                                on:click=move |_| create_new(Value::Array(chosen.iter().cloned().map(Value::String).collect()))>
                                {format!("+ {text}")}
                            </button>
                        }
                    })}
                </fieldset>
            }
            .into_any()
        }
        FieldControl::TextList => {
            let text = value
                .as_array()
                .map(|items| items.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(", "))
                .unwrap_or_default();
            view! {
                <label class="field">{label.clone()}
                    <input aria-label=label.clone() prop:value=text
                        on:change=move |event| {
                            let list: Vec<Value> = event_target_value(&event)
                                .split(',')
                                .map(str::trim)
                                .filter(|item| !item.is_empty())
                                .map(|item| Value::String(item.to_string()))
                                .collect();
                            set(Value::Array(list));
                        } />
                    <small>"Comma-separated"</small>
                </label>
            }
            .into_any()
        }
        FieldControl::Table if table_columns(&table_field).is_some() => {
            let columns = table_columns(&table_field).unwrap_or_default();
            let rows = value.as_array().cloned().unwrap_or_default();
            rule_table(state, table_object_id, table_field, label, rows, columns).into_any()
        }
        FieldControl::KeyValues => {
            let entries: Vec<(String, String)> = value
                .as_object()
                .map(|map| {
                    map.iter()
                        .map(|(key, value)| (key.clone(), value.as_str().unwrap_or_default().to_string()))
                        .collect()
                })
                .unwrap_or_default();
            key_value_table(state, label, entries, set).into_any()
        }
        FieldControl::Table | FieldControl::Document => {
            // A document left out (an endpoint's policy) shows empty, and emptying clears it.
            let optional = matches!(field.control, FieldControl::Document);
            let text = if optional && value.is_null() {
                String::new()
            } else {
                serde_json::to_string_pretty(&value).unwrap_or_default()
            };
            view! {
                <label class="field">{label.clone()}
                    <textarea aria-label=label.clone() rows="6" prop:value=text
                        on:change=move |event| {
                            let typed = event_target_value(&event);
                            if optional && typed.trim().is_empty() {
                                set(Value::Null);
                                return;
                            }
                            match serde_json::from_str::<Value>(&typed) {
                            Ok(parsed) => set(parsed),
                            Err(error) => state.notice.set(Some(format!(
                                "{}: not valid JSON (line {}, column {}); nothing was changed",
                                label_for_error(&event),
                                error.line(),
                                error.column()
                            ))),
                        }
                        }></textarea>
                </label>
            }
            .into_any()
        }
        FieldControl::Text => {
            let text = value.as_str().unwrap_or_default().to_string();
            let suggestions = fields::suggestions(&table_field);
            let list_id = format!("suggestions-{table_field}");
            let datalist = (!suggestions.is_empty()).then(|| view! {
                <datalist id=list_id.clone()>
                    {suggestions.iter().map(|option| view! { <option value=*option></option> }).collect_view()}
                </datalist>
            });
            let list = (!suggestions.is_empty()).then(|| list_id.clone());
            view! {
                <label class="field">{label.clone()}
                    <input aria-label=label.clone() prop:value=text list=list
                        on:change=move |event| {
                            let text = event_target_value(&event);
                            set(if nullable && text.is_empty() { Value::Null } else { Value::String(text) });
                        } />
                    {datalist}
                </label>
            }
            .into_any()
        }
    }
}

fn label_for_error(event: &leptos::ev::Event) -> String {
    event
        .target()
        .and_then(|target| wasm_bindgen::JsCast::dyn_into::<web_sys::Element>(target).ok())
        .and_then(|element| element.get_attribute("aria-label"))
        .unwrap_or_default()
}

/// A VPC's flow logs: the destination turns them on (empty turns them off); traffic, delivery
/// role and aggregation follow. Each change sets the whole `flow_logs` value in one command.
fn flow_logs_section(
    state: AppState,
    vpc_id: String,
    flow_logs: Option<shared::model::FlowLogs>,
) -> impl IntoView {
    use serde_json::{Value, json};
    let current = flow_logs
        .as_ref()
        .map(|f| serde_json::to_value(f).unwrap_or(Value::Null));
    let set = {
        let vpc_id = vpc_id.clone();
        move |value: Value| {
            state.apply(Command::SetField {
                object_id: vpc_id.clone(),
                field: "flow_logs".to_string(),
                value,
            });
        }
    };
    // The current value with one field changed.
    let with_field = {
        let current = current.clone();
        move |field: &str, value: Value| -> Value {
            let mut object = current.clone().unwrap_or_else(|| json!({}));
            if value.is_null() {
                if let Some(map) = object.as_object_mut() {
                    map.remove(field);
                }
            } else {
                object[field] = value;
            }
            object
        }
    };
    let destination = flow_logs
        .as_ref()
        .map(|f| f.destination.clone())
        .unwrap_or_default();
    let on_destination = {
        let (set, with_field) = (set.clone(), with_field.clone());
        move |event: leptos::ev::Event| {
            let text = event_target_value(&event).trim().to_string();
            set(if text.is_empty() {
                Value::Null
            } else {
                with_field("destination", Value::String(text))
            });
        }
    };
    let details = flow_logs.map(|flow_logs| {
        let traffic = serde_json::to_value(flow_logs.traffic_type)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        let interval = flow_logs.max_aggregation_interval.to_string();
        let role = flow_logs.delivery_role_arn.clone().unwrap_or_default();
        let (set_traffic, with_traffic) = (set.clone(), with_field.clone());
        let (set_role, with_role) = (set.clone(), with_field.clone());
        let (set_interval, with_interval) = (set.clone(), with_field.clone());
        view! {
            <label class="field">"Flow log traffic"
                <select aria-label="Flow log traffic" prop:value=traffic
                    on:change=move |event| set_traffic(with_traffic("traffic_type", Value::String(event_target_value(&event))))>
                    <option value="all">"All"</option>
                    <option value="accept">"Accepted only"</option>
                    <option value="reject">"Rejected only"</option>
                </select>
            </label>
            <label class="field">"Flow log delivery role"
                <input aria-label="Flow log delivery role" prop:value=role placeholder="CloudWatch Logs only: arn:aws:iam::ACCOUNT:role/NAME"
                    on:change=move |event| {
                        let text = event_target_value(&event).trim().to_string();
                        set_role(with_role("delivery_role_arn", if text.is_empty() { Value::Null } else { Value::String(text) }));
                    } />
            </label>
            <label class="field">"Flow log aggregation"
                <select aria-label="Flow log aggregation" prop:value=interval
                    on:change=move |event| {
                        let seconds = event_target_value(&event).parse::<u32>().unwrap_or(600);
                        set_interval(with_interval("max_aggregation_interval", json!(seconds)));
                    }>
                    <option value="60">"1 minute"</option>
                    <option value="600">"10 minutes"</option>
                </select>
            </label>
        }
    });
    view! {
        <fieldset class="flow-logs">
            <legend>"Flow logs"</legend>
            <label class="field">"Flow log destination"
                <input aria-label="Flow log destination" prop:value=destination
                    placeholder="arn:aws:s3:::bucket/prefix or a log group ARN"
                    on:change=on_destination />
                <small>"Empty: no flow logs. Moat does not create the bucket or log group."</small>
            </label>
            {details}
        </fieldset>
    }
}

/// A subnet's CIDR, live as typed, with its range, usable addresses and the next free block.
fn subnet_cidr_section(
    state: AppState,
    subnet: shared::model::Subnet,
    invalid: bool,
) -> impl IntoView {
    let id = subnet.id.clone();
    let id_for_cidr = id.clone();
    let id_for_free = id.clone();
    let vpc_id = subnet.vpc.clone();
    let next_free = move || {
        state.editor.with(|editor| {
            let design = editor.design();
            let prefix = design
                .subnet(&id_for_free)
                .and_then(|s| cidr::parse_cidr(&s.cidr).ok())
                .map(|parsed| parsed.network.prefix_len())
                .unwrap_or(24);
            shared::editor::next_free_subnet_block(design, &vpc_id, prefix, Some(&id_for_free))
        })
    };
    view! {
        <label class="field">"CIDR block"
            <input aria-label="CIDR block" aria-invalid=invalid.to_string() prop:value=subnet.cidr.clone()
                on:input=move |event| { state.apply(Command::SetSubnetCidr { subnet_id: id_for_cidr.clone(), cidr: event_target_value(&event) }); } />
            <small id="cidr-facts">{cidr_facts(&subnet.cidr)}</small>
        </label>
        <button on:click=move |_| {
            if let Some(free) = next_free() {
                state.apply(Command::SetSubnetCidr { subnet_id: id.clone(), cidr: free.to_string() });
            }
        }>"Next free block"</button>
    }
}

#[component]
pub fn DiagnosticsPanel() -> impl IntoView {
    let state = expect_context::<AppState>();
    let group = move |severity: Severity| {
        let items = state.diagnostics.with(|diagnostics| {
            diagnostics
                .iter()
                .filter(|d| d.severity == severity)
                .cloned()
                .collect::<Vec<_>>()
        });
        let title = match severity {
            Severity::Error => format!("Errors ({})", items.len()),
            Severity::Warning => format!("Warnings ({})", items.len()),
            Severity::Info => format!("Notes ({})", items.len()),
        };
        view! {
            <h3>{title}</h3>
            {items.into_iter().map(|diagnostic| {
                // The first object named becomes the primary (the inspector shows it).
                let objects: Vec<String> = diagnostic.objects.iter().rev().cloned().collect();
                view! {
                    <button class=format!("diagnostic {}", diagnostic.severity.as_str()) data-code=diagnostic.code.clone()
                        on:click=move |_| state.selection.set(shared::selection::Selection::of(objects.clone()))>
                        <code>{diagnostic.code.clone()}</code>" "{diagnostic.message.clone()}
                        <br /><small>{diagnostic.hint.clone()}</small>
                    </button>
                }
            }).collect_view()}
        }
    };
    let checks = move || {
        match state.checks.get() {
        crate::lazy::Checks::Loading => view! {
            <p class="checks-loading" role="status">"Fetching the design checks…"</p>
        }
        .into_any(),
        crate::lazy::Checks::Failed => view! {
            <p class="checks-failed" role="alert">
                "The design checks could not be fetched from the server, so this design is not checked. "
                <button on:click=move |_| crate::lazy::load_checks(state.checks)>"Try again"</button>
            </p>
        }
        .into_any(),
        crate::lazy::Checks::NotNeeded | crate::lazy::Checks::Ready(_) => ().into_any(),
    }
    };
    view! {
        <section aria-label="Diagnostics" id="diagnostics">
            <h2>"Diagnostics"</h2>
            {checks}
            {move || group(Severity::Error)}
            {move || group(Severity::Warning)}
            {move || group(Severity::Info)}
        </section>
    }
}

/// How a rule table's column is edited.
#[derive(Clone, Copy)]
enum Column {
    Text,
    /// Text whose empty value removes the key (a rule's peer: one of three).
    Optional,
    Number,
    Flag,
    Choice(&'static [&'static str]),
    /// A protocol: one of [`PROTOCOLS`] offered as completions, or any IP protocol number.
    Protocol,
    /// A route's target: the design's gateways, endpoints and interfaces offered as
    /// completions (any text goes; validation names a target that does not exist).
    RouteTarget,
}

/// The protocols by name; any other is typed as its IANA number (50 for ESP, 47 for GRE).
const PROTOCOLS: &[&str] = &["tcp", "udp", "icmp", "all"];

/// The columns of the fields edited as tables, and a new row's values.
fn table_columns(field: &str) -> Option<Vec<(&'static str, Column)>> {
    match field {
        "ingress" | "egress" => Some(vec![
            ("protocol", Column::Protocol),
            ("from_port", Column::Number),
            ("to_port", Column::Number),
            ("cidr", Column::Optional),
            ("security_group", Column::Optional),
            ("prefix_list", Column::Optional),
            ("description", Column::Optional),
        ]),
        "entries" => Some(vec![
            ("rule_number", Column::Number),
            ("egress", Column::Flag),
            ("protocol", Column::Protocol),
            ("from_port", Column::Number),
            ("to_port", Column::Number),
            ("cidr", Column::Text),
            ("action", Column::Choice(&["allow", "deny"])),
            ("description", Column::Optional),
        ]),
        "routes" => Some(vec![
            ("destination", Column::Text),
            ("target", Column::RouteTarget),
        ]),
        _ => None,
    }
}

fn new_row(field: &str, rows: &[serde_json::Value]) -> serde_json::Value {
    use serde_json::json;
    match field {
        "entries" => {
            let next = rows
                .iter()
                .filter_map(|row| row["rule_number"].as_u64())
                .max()
                .unwrap_or(90)
                + 10;
            json!({"rule_number": next, "egress": false, "protocol": "tcp", "from_port": 443, "to_port": 443, "cidr": "0.0.0.0/0", "action": "allow"})
        }
        "routes" => json!({"destination": "0.0.0.0/0", "target": ""}),
        _ => json!({"protocol": "tcp", "from_port": 443, "to_port": 443, "cidr": "10.0.0.0/16"}),
    }
}

/// Rules as a table: one row per rule, one input per column, add and delete buttons; every
/// change sets the whole list with one `SetField` command.
/// A Key / Value table (tags): each row's key and value are text boxes, Remove drops the
/// row, Add appends an empty one (an empty key is reported by validation until it is typed).
/// Renaming a key onto another row's key is refused with a notice, and nothing changes.
fn key_value_table(
    state: AppState,
    label: String,
    entries: Vec<(String, String)>,
    set: impl Fn(serde_json::Value) + Clone + 'static,
) -> impl IntoView {
    use serde_json::{Map, Value};
    let write = {
        let set = set.clone();
        move |entries: Vec<(String, String)>| {
            let map: Map<String, Value> = entries
                .into_iter()
                .map(|(key, value)| (key, Value::String(value)))
                .collect();
            set(Value::Object(map));
        }
    };
    let rows = entries
        .iter()
        .enumerate()
        .map(|(index, (key, value))| {
            let number = index + 1;
            let rename = {
                let (entries, write, label) = (entries.clone(), write.clone(), label.clone());
                move |event: leptos::ev::Event| {
                    let typed = event_target_value(&event).trim().to_string();
                    if entries.iter().enumerate().any(|(other, (key, _))| other != index && *key == typed) {
                        state.notice.set(Some(format!("{label}: there is already a tag \"{typed}\"; nothing was changed")));
                        return;
                    }
                    let mut entries = entries.clone();
                    entries[index].0 = typed;
                    write(entries);
                }
            };
            let revalue = {
                let (entries, write) = (entries.clone(), write.clone());
                move |event: leptos::ev::Event| {
                    let mut entries = entries.clone();
                    entries[index].1 = event_target_value(&event);
                    write(entries);
                }
            };
            let remove = {
                let (entries, write) = (entries.clone(), write.clone());
                move |_| {
                    let mut entries = entries.clone();
                    entries.remove(index);
                    write(entries);
                }
            };
            view! {
                <tr>
                    <td><input aria-label=format!("{label} {number} Key") prop:value=key.clone() on:change=rename /></td>
                    <td><input aria-label=format!("{label} {number} Value") prop:value=value.clone() on:change=revalue /></td>
                    <td><button aria-label=format!("Remove {label} {number}") on:click=remove>"Remove"</button></td>
                </tr>
            }
        })
        .collect_view();
    let add = {
        let (entries, write) = (entries.clone(), write.clone());
        move |_| {
            if entries.iter().any(|(key, _)| key.is_empty()) {
                return;
            }
            let mut entries = entries.clone();
            entries.push((String::new(), String::new()));
            write(entries);
        }
    };
    view! {
        <fieldset class="field table">
            <legend>{label.clone()}</legend>
            <table>
                <thead><tr><th>"Key"</th><th>"Value"</th><th></th></tr></thead>
                <tbody>{rows}</tbody>
            </table>
            <button aria-label=format!("Add {label}") on:click=add>"Add"</button>
        </fieldset>
    }
}

fn rule_table(
    state: AppState,
    object_id: String,
    field: String,
    label: String,
    rows: Vec<serde_json::Value>,
    columns: Vec<(&'static str, Column)>,
) -> impl IntoView {
    use serde_json::Value;
    let set_rows = {
        let (object_id, field) = (object_id.clone(), field.clone());
        move |rows: Vec<Value>| {
            state.apply(Command::SetField {
                object_id: object_id.clone(),
                field: field.clone(),
                value: Value::Array(rows),
            });
        }
    };
    let headers = columns
        .iter()
        .map(|(name, _)| view! { <th>{field_label(name)}</th> })
        .collect_view();
    let body = rows
        .iter()
        .enumerate()
        .map(|(row_index, row)| {
            let cells = columns
                .iter()
                .map(|(name, column)| {
                    let (name, column) = (*name, *column);
                    let current = row.get(name).cloned().unwrap_or(Value::Null);
                    let rows = rows.clone();
                    let set_rows = set_rows.clone();
                    let aria = format!("{} {} {}", label, row_index + 1, field_label(name));
                    let protocol_names = format!("protocols-{field}");
                    let update = move |text: String, checked: bool| {
                        let mut rows = rows.clone();
                        let Some(object) = rows.get_mut(row_index).and_then(Value::as_object_mut) else { return };
                        let value = match column {
                            Column::Flag => Some(Value::Bool(checked)),
                            Column::Number => Some(text.trim().parse::<i64>().map(Value::from).unwrap_or(Value::String(text))),
                            Column::Protocol => Some(text.trim().parse::<i64>().map(Value::from).unwrap_or_else(|_| Value::String(text.trim().to_ascii_lowercase()))),
                            Column::Optional if text.trim().is_empty() => None,
                            _ => Some(Value::String(text.trim().to_string())),
                        };
                        match value {
                            Some(value) => object.insert(name.to_string(), value),
                            None => object.remove(name),
                        };
                        set_rows(rows);
                    };
                    let cell = match column {
                        Column::Flag => view! {
                            <input type="checkbox" aria-label=aria prop:checked=current.as_bool().unwrap_or(false)
                                on:change=move |event| update(String::new(), event_target_checked(&event)) />
                        }
                        .into_any(),
                        Column::Protocol => {
                            let text = match &current {
                                Value::String(text) => text.clone(),
                                other => other.to_string(),
                            };
                            view! {
                                <input aria-label=aria size="5" list=protocol_names title="tcp, udp, icmp, all, or an IP protocol number (50 for ESP)"
                                    prop:value=text on:change=move |event| update(event_target_value(&event), false) />
                            }
                            .into_any()
                        }
                        Column::RouteTarget => {
                            let text = current.as_str().unwrap_or_default().to_string();
                            view! {
                                <input aria-label=aria size="10" list="route-targets" title="A gateway, NAT gateway, endpoint or interface of the design"
                                    prop:value=text on:change=move |event| update(event_target_value(&event), false) />
                            }
                            .into_any()
                        }
                        Column::Choice(options) => {
                            let selected = current.as_str().unwrap_or_default().to_string();
                            view! {
                                <select aria-label=aria on:change=move |event| update(event_target_value(&event), false)>
                                    {options.iter().map(|option| view! { <option value=*option selected=selected == *option>{*option}</option> }).collect_view()}
                                </select>
                            }
                            .into_any()
                        }
                        _ => {
                            let text = match &current {
                                Value::String(text) => text.clone(),
                                Value::Null => String::new(),
                                other => other.to_string(),
                            };
                            view! { <input aria-label=aria size="10" prop:value=text on:change=move |event| update(event_target_value(&event), false) /> }.into_any()
                        }
                    };
                    view! { <td>{cell}</td> }
                })
                .collect_view();
            let rows_for_delete = rows.clone();
            let set_rows = set_rows.clone();
            let delete_label = format!("Delete {} {}", label, row_index + 1);
            view! {
                <tr>
                    {cells}
                    <td><button aria-label=delete_label on:click=move |_| {
                        let mut rows = rows_for_delete.clone();
                        rows.remove(row_index);
                        set_rows(rows);
                    }>"✕"</button></td>
                </tr>
            }
        })
        .collect_view();
    let add_label = format!("Add {}", label.to_lowercase());
    let rows_for_add = rows.clone();
    let protocol_names = format!("protocols-{field}");
    let route_targets = columns
        .iter()
        .any(|(_, column)| matches!(column, Column::RouteTarget))
        .then(|| {
            let targets: Vec<String> = state.editor.with_untracked(|editor| {
                editor
                    .design()
                    .objects()
                    .filter(|object| object.kind().route_target().is_some())
                    .map(|object| object.id().to_string())
                    .collect()
            });
            view! {
                <datalist id="route-targets">
                    {targets.into_iter().map(|target| view! { <option value=target></option> }).collect_view()}
                </datalist>
            }
        });
    view! {
        <div class="field">
            <span>{label.clone()}</span>
            <datalist id=protocol_names>
                {PROTOCOLS.iter().map(|name| view! { <option value=*name></option> }).collect_view()}
            </datalist>
            {route_targets}
            <div class="table-scroll">
                <table class="rules">
                    <thead><tr>{headers}<th></th></tr></thead>
                    <tbody>{body}</tbody>
                </table>
            </div>
            <button aria-label=add_label on:click=move |_| {
                let mut rows = rows_for_add.clone();
                rows.push(new_row(&field, &rows));
                set_rows(rows);
            }>"Add rule"</button>
        </div>
    }
}
