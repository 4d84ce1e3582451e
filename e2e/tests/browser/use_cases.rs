//! The four use cases of the domain source, each built from an empty canvas with the UI only —
//! palette clicks, canvas clicks and the inspector's controls, never an import — then saved,
//! reloaded, reopened from the Open dialog and deployed to moto through the review.
//!
//! The walk is driven by the template's own document and by the same field facts the inspector
//! is drawn from (`shared::editor::fields`): every object of the template is added from its
//! palette item into its container and every field is set through its control, as a person
//! would set it. What the page holds at the end must be the template itself, object for object
//! and field for field (the ids are the page's own, the layout is where the person put things),
//! so a field no control can set, or a control that writes something else, fails here.

use std::collections::{BTreeMap, BTreeSet};

use e2e::{Browser, MoatServer, TestUser};
use fantoccini::key::Key;
use serde_json::Value;
use shared::editor::fields::{FieldControl, field_label, fields_of};
use shared::editor::palette::{DropTarget, PaletteItem};
use shared::model::ObjectKind;

const DEPLOYER: TestUser = TestUser {
    name: "uma",
    role: "deployer",
    password: "correct horse battery",
};

/// Seconds a step of the page may take to show in the draft.
const STEP_SECONDS: u64 = 10;

/// A value as a JavaScript expression that compares equal however its numbers were spelled
/// (keys sorted; `10000.0` and `10000` are one number in the page).
const CANONICAL: &str = "const canonical = v => JSON.stringify(v, (k, x) => x && typeof x === 'object' && !Array.isArray(x) ? Object.keys(x).sort().reduce((o, key) => (o[key] = x[key], o), {}) : x);";

/// The palette item a person picks for an object of the template.
fn palette_item_for(kind: ObjectKind, object: &Value) -> anyhow::Result<PaletteItem> {
    let text = |field: &str| object[field].as_str().unwrap_or_default().to_string();
    let item = match kind {
        ObjectKind::Subnet if text("tier") == "public" => PaletteItem::PublicSubnet,
        ObjectKind::Subnet => PaletteItem::PrivateSubnet,
        ObjectKind::Endpoint => match (text("type").as_str(), text("service").as_str()) {
            ("gateway", "dynamodb") => PaletteItem::DynamoDbGatewayEndpoint,
            ("gateway", _) => PaletteItem::S3GatewayEndpoint,
            _ => PaletteItem::InterfaceEndpoint,
        },
        ObjectKind::Workload => match text("kind").as_str() {
            "sagemaker_notebook" => PaletteItem::SagemakerNotebook,
            "sagemaker_training" | "sagemaker_endpoint" => PaletteItem::SagemakerTraining,
            "rds" => PaletteItem::RdsDatabase,
            _ => PaletteItem::GpuNode,
        },
        other => shared::editor::palette::item_making(other)
            .ok_or_else(|| anyhow::anyhow!("the palette makes no {}", other.label()))?,
    };
    Ok(item)
}

/// Every string of `value` that is one of `ids`, other than `own`.
fn referenced_ids(value: &Value, ids: &BTreeSet<String>, own: &str, found: &mut BTreeSet<String>) {
    match value {
        Value::String(text) if text != own && ids.contains(text) => {
            found.insert(text.clone());
        }
        Value::Array(items) => items
            .iter()
            .for_each(|item| referenced_ids(item, ids, own, found)),
        Value::Object(map) => map
            .values()
            .for_each(|item| referenced_ids(item, ids, own, found)),
        Value::Null | Value::Bool(_) | Value::Number(_) | Value::String(_) => {}
    }
}

/// `value` with every template id replaced by the page's id for that object.
fn renamed(value: &Value, names: &BTreeMap<String, String>) -> Value {
    match value {
        Value::String(text) => Value::String(names.get(text).cloned().unwrap_or(text.clone())),
        Value::Array(items) => {
            Value::Array(items.iter().map(|item| renamed(item, names)).collect())
        }
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(key, item)| (key.clone(), renamed(item, names)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// One object of the template, in the order a person adds them (what it refers to first).
struct Planned {
    kind: ObjectKind,
    object: Value,
    refers_to: BTreeSet<String>,
}

/// The template's objects in an order where each comes after the objects it refers to (a
/// cycle, as two groups allowing each other, is broken in the document's order; the fields
/// naming a later object are set once it exists).
fn in_adding_order(document: &Value) -> anyhow::Result<Vec<Planned>> {
    let mut all = Vec::new();
    for kind in ObjectKind::ALL {
        for object in document[kind.collection()]
            .as_array()
            .cloned()
            .unwrap_or_default()
        {
            all.push((*kind, object));
        }
    }
    let ids: BTreeSet<String> = all
        .iter()
        .filter_map(|(_, object)| object["id"].as_str().map(str::to_string))
        .collect();
    let mut waiting: Vec<Planned> = all
        .into_iter()
        .map(|(kind, object)| {
            let mut refers_to = BTreeSet::new();
            referenced_ids(
                &object,
                &ids,
                object["id"].as_str().unwrap_or_default(),
                &mut refers_to,
            );
            Planned {
                kind,
                object,
                refers_to,
            }
        })
        .collect();
    let mut ordered: Vec<Planned> = Vec::new();
    while !waiting.is_empty() {
        let added: BTreeSet<String> = ordered
            .iter()
            .filter_map(|planned| planned.object["id"].as_str().map(str::to_string))
            .collect();
        let next = waiting
            .iter()
            .position(|planned| planned.refers_to.is_subset(&added))
            .unwrap_or(0);
        ordered.push(waiting.remove(next));
    }
    Ok(ordered)
}

async fn script(browser: &Browser, code: &str) -> anyhow::Result<Value> {
    Ok(browser.client.execute(code, vec![]).await?)
}

/// The page's draft, as the page stores it on every edit.
async fn draft(browser: &Browser) -> anyhow::Result<Value> {
    script(
        browser,
        "return JSON.parse(localStorage.getItem('moat.draft'));",
    )
    .await
}

/// Waits until `expression` holds; on time out, says what the page's notice line said.
async fn wait_for(browser: &Browser, expression: &str, what: &str) -> anyhow::Result<()> {
    if let Err(error) = browser.wait_until(expression, STEP_SECONDS).await {
        let notice = script(
            browser,
            "return document.querySelector('#notice')?.textContent ?? '';",
        )
        .await
        .unwrap_or_default();
        anyhow::bail!("{what}: {error} (the page's notice: {notice})");
    }
    Ok(())
}

/// Waits until the draft's object `id` holds `desired` in `field` (absent when null).
async fn wait_for_field(
    browser: &Browser,
    collection: &str,
    id: &str,
    field: &str,
    desired: &Value,
) -> anyhow::Result<()> {
    let expression = format!(
        "(() => {{ {CANONICAL} const o = (JSON.parse(localStorage.getItem('moat.draft'))?.{collection} ?? []).find(o => o.id === {id}); return !!o && canonical(o[{field}] ?? null) === canonical({desired}); }})()",
        id = Value::from(id),
        field = Value::from(field),
    );
    wait_for(
        browser,
        &expression,
        &format!("{id}.{field} to become {desired}"),
    )
    .await
}

/// A viewport point where a click lands on the object `id` itself (no other object drawn over
/// it), if one is in view.
async fn visible_point(browser: &Browser, id: &str) -> anyhow::Result<Option<(f64, f64)>> {
    let value = browser
        .client
        .execute(
            "const id = arguments[0];
             const shape = document.querySelector(`#canvas [data-id='${id}'] rect`);
             if (!shape) return null;
             const r = shape.getBoundingClientRect();
             const c = document.querySelector('#canvas').getBoundingClientRect();
             for (let j = 1; j < 12; j++) for (let i = 1; i < 12; i++) {
               const x = r.left + r.width * i / 12, y = r.top + r.height * j / 12;
               if (x <= c.left || y <= c.top || x >= c.right || y >= c.bottom) continue;
               const hit = document.elementFromPoint(x, y);
               if (hit && hit.closest('[data-id]')?.dataset.id === id) return [x, y];
             }
             return null;",
            vec![Value::from(id)],
        )
        .await?;
    Ok(value.as_array().map(|point| {
        (
            point[0].as_f64().unwrap_or_default(),
            point[1].as_f64().unwrap_or_default(),
        )
    }))
}

/// The id the inspector shows (its heading ends with it).
async fn inspected(browser: &Browser) -> anyhow::Result<String> {
    let heading = script(
        browser,
        "return document.querySelector(\"section[aria-label='Inspector'] h2\")?.textContent ?? '';",
    )
    .await?;
    Ok(heading
        .as_str()
        .unwrap_or_default()
        .rsplit(' ')
        .next()
        .unwrap_or_default()
        .to_string())
}

/// Selects an object by clicking it on the canvas (Fit first when it is out of view).
async fn select(browser: &Browser, id: &str) -> anyhow::Result<()> {
    if inspected(browser).await? == id {
        return Ok(());
    }
    let mut point = visible_point(browser, id).await?;
    if point.is_none() {
        browser.click("button[aria-label='Fit to content']").await?;
        point = visible_point(browser, id).await?;
    }
    let (x, y) = point.ok_or_else(|| anyhow::anyhow!("{id} cannot be clicked on the canvas"))?;
    browser.drag_between((x, y), (x, y), false).await?;
    wait_for(
        browser,
        &format!(
            "document.querySelector(\"section[aria-label='Inspector'] h2\")?.textContent.endsWith(' {id}')"
        ),
        &format!("a click to select {id}"),
    )
    .await
}

/// Clicks empty canvas: nothing selected, the design's settings show.
async fn select_nothing(browser: &Browser) -> anyhow::Result<()> {
    if browser
        .client
        .execute(
            "return !!document.querySelector('#design-settings');",
            vec![],
        )
        .await?
        == Value::Bool(true)
    {
        return Ok(());
    }
    let point = script(
        browser,
        "const c = document.querySelector('#canvas').getBoundingClientRect();
         for (let j = 1; j < 20; j++) for (let i = 1; i < 20; i++) {
           const x = c.left + c.width * i / 20, y = c.top + c.height * j / 20;
           const hit = document.elementFromPoint(x, y);
           if (hit && hit.closest('#canvas') && !hit.closest('[data-id]')) return [x, y];
         }
         return null;",
    )
    .await?;
    let (x, y) = point
        .as_array()
        .map(|p| {
            (
                p[0].as_f64().unwrap_or_default(),
                p[1].as_f64().unwrap_or_default(),
            )
        })
        .ok_or_else(|| anyhow::anyhow!("no empty canvas to click"))?;
    browser.drag_between((x, y), (x, y), false).await?;
    wait_for(
        browser,
        "!!document.querySelector('#design-settings')",
        "a click on empty canvas to show the design's settings",
    )
    .await
}

/// Types `text` into the control labelled `label` in `scope`, replacing what it held, and
/// commits it (Enter for a line, Tab for a text area).
async fn type_into(browser: &Browser, scope: &str, label: &str, text: &str) -> anyhow::Result<()> {
    let control = browser
        .find(&format!("{scope} [aria-label=\"{label}\"]"))
        .await?;
    let multi_line = control.tag_name().await? == "textarea";
    control
        .send_keys(&format!(
            "{}a{}{}{text}",
            char::from(Key::Control),
            char::from(Key::Null),
            char::from(Key::Backspace),
        ))
        .await?;
    if multi_line {
        control.send_keys(&char::from(Key::Tab).to_string()).await?;
    } else {
        control
            .send_keys(&char::from(Key::Enter).to_string())
            .await?;
    }
    Ok(())
}

/// A value as a person types it into a text box.
fn typed(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        Value::Null => String::new(),
        Value::Number(number) => match number.as_f64() {
            Some(float) if float.fract() == 0.0 && float.abs() < 1e15 => {
                format!("{}", float as i64)
            }
            _ => number.to_string(),
        },
        other => other.to_string(),
    }
}

/// Sets one cell of a table row through its control (checkbox, select or text box).
async fn set_cell(browser: &Browser, label: &str, desired: &Value) -> anyhow::Result<()> {
    const INSPECTOR: &str = "section[aria-label='Inspector']";
    let control = browser
        .find(&format!("{INSPECTOR} [aria-label=\"{label}\"]"))
        .await?;
    let tag = control.tag_name().await?;
    let kind = control.attr("type").await?.unwrap_or_default();
    if kind == "checkbox" {
        let checked = control.prop("checked").await?.as_deref() == Some("true");
        if checked != desired.as_bool().unwrap_or(false) {
            control.click().await?;
        }
    } else if tag == "select" {
        control.select_by_value(&typed(desired)).await?;
    } else {
        type_into(browser, INSPECTOR, label, &typed(desired)).await?;
    }
    Ok(())
}

/// Sets a list of records (rules, entries, routes) through its table: the rows it held are
/// removed, each wanted row is added with Add and each of its cells set; a cell the new row
/// has and the wanted row has not is emptied.
async fn set_table(
    browser: &Browser,
    collection: &str,
    id: &str,
    field: &str,
    current: &Value,
    desired: &Value,
) -> anyhow::Result<()> {
    let label = field_label(field);
    let held = current.as_array().map(Vec::len).unwrap_or(0);
    for remaining in (0..held).rev() {
        browser
            .click(&format!("button[aria-label='Delete {label} 1']"))
            .await?;
        wait_for(
            browser,
            &format!(
                "(JSON.parse(localStorage.getItem('moat.draft')).{collection}.find(o => o.id === '{id}').{field} ?? []).length === {remaining}"
            ),
            &format!("{id}: a row of {label} removed"),
        )
        .await?;
    }
    let rows = desired.as_array().cloned().unwrap_or_default();
    for (index, row) in rows.iter().enumerate() {
        let number = index + 1;
        browser
            .click(&format!(
                "button[aria-label='Add {}']",
                label.to_lowercase()
            ))
            .await?;
        wait_for(
            browser,
            &format!(
                "(JSON.parse(localStorage.getItem('moat.draft')).{collection}.find(o => o.id === '{id}').{field} ?? []).length === {number}"
            ),
            &format!("{id}: Add {label}"),
        )
        .await?;
        let wanted = row.as_object().cloned().unwrap_or_default();
        for (column, value) in &wanted {
            set_cell(
                browser,
                &format!("{label} {number} {}", field_label(column)),
                value,
            )
            .await?;
        }
        // What the new row came with that the wanted row does not have.
        let added = draft(browser).await?[collection]
            .as_array()
            .and_then(|objects| objects.iter().find(|o| o["id"] == id).cloned())
            .map(|object| object[field][index].clone())
            .unwrap_or(Value::Null);
        for column in added
            .as_object()
            .map(|map| map.keys().cloned().collect::<Vec<_>>())
            .unwrap_or_default()
        {
            if !wanted.contains_key(&column) {
                set_cell(
                    browser,
                    &format!("{label} {number} {}", field_label(&column)),
                    &Value::Null,
                )
                .await?;
            }
        }
        let expression = format!(
            "(() => {{ {CANONICAL} const o = JSON.parse(localStorage.getItem('moat.draft')).{collection}.find(o => o.id === '{id}'); return canonical(o.{field}[{index}]) === canonical({row}); }})()"
        );
        wait_for(
            browser,
            &expression,
            &format!("{id}: {label} {number} to read {row}"),
        )
        .await?;
    }
    Ok(())
}

/// Sets one field of the selected object through the control the inspector draws for it.
async fn set_field(
    browser: &Browser,
    kind: ObjectKind,
    id: &str,
    field: &shared::editor::fields::Field,
    current: &Value,
    desired: &Value,
) -> anyhow::Result<()> {
    const INSPECTOR: &str = "section[aria-label='Inspector']";
    let label = field_label(&field.name);
    let collection = kind.collection();
    match &field.control {
        FieldControl::Text | FieldControl::Number => {
            type_into(browser, INSPECTOR, &label, &typed(desired)).await?
        }
        FieldControl::TextList => {
            let items: Vec<String> = desired
                .as_array()
                .map(|items| items.iter().map(typed).collect())
                .unwrap_or_default();
            type_into(browser, INSPECTOR, &label, &items.join(", ")).await?
        }
        FieldControl::Document => {
            let text = if desired.is_null() {
                String::new()
            } else {
                serde_json::to_string(desired)?
            };
            type_into(browser, INSPECTOR, &label, &text).await?
        }
        FieldControl::Flag => {
            browser
                .click(&format!(
                    "{INSPECTOR} input[type=checkbox][aria-label=\"{label}\"]"
                ))
                .await?
        }
        FieldControl::Choice(_) | FieldControl::Reference { .. } => {
            browser
                .find(&format!("{INSPECTOR} select[aria-label=\"{label}\"]"))
                .await?
                .select_by_value(&typed(desired))
                .await?
        }
        FieldControl::References { .. } => {
            let held: BTreeSet<&str> = current
                .as_array()
                .map(|items| items.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            let wanted: BTreeSet<&str> = desired
                .as_array()
                .map(|items| items.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            for option in held.symmetric_difference(&wanted) {
                browser
                    .click(&format!(
                        "{INSPECTOR} input[type=checkbox][aria-label=\"{label} {option}\"]"
                    ))
                    .await?;
            }
        }
        FieldControl::Table => {
            set_table(browser, collection, id, &field.name, current, desired).await?
        }
        FieldControl::KeyValues => {
            anyhow::ensure!(
                current.as_object().is_none_or(|map| map.is_empty()),
                "{id}: the walk adds tags to an object without any"
            );
            for (index, (key, value)) in desired
                .as_object()
                .cloned()
                .unwrap_or_default()
                .into_iter()
                .enumerate()
            {
                browser
                    .click(&format!("{INSPECTOR} button[aria-label='Add {label}']"))
                    .await?;
                let number = index + 1;
                type_into(browser, INSPECTOR, &format!("{label} {number} Key"), &key).await?;
                type_into(
                    browser,
                    INSPECTOR,
                    &format!("{label} {number} Value"),
                    &typed(&value),
                )
                .await?;
            }
        }
    }
    wait_for_field(browser, collection, id, &field.name, desired).await
}

/// The object `id` as the draft holds it now.
async fn draft_object(browser: &Browser, collection: &str, id: &str) -> anyhow::Result<Value> {
    Ok(draft(browser).await?[collection]
        .as_array()
        .and_then(|objects| objects.iter().find(|o| o["id"] == id).cloned())
        .unwrap_or(Value::Null))
}

/// Sets every field of the page's object `id` whose wanted value names only objects the page
/// has (the others wait); returns the fields left for later.
async fn set_fields(
    browser: &Browser,
    planned: &Planned,
    id: &str,
    names: &BTreeMap<String, String>,
    template_ids: &BTreeSet<String>,
    only: Option<&BTreeSet<String>>,
) -> anyhow::Result<BTreeSet<String>> {
    let collection = planned.kind.collection();
    let mut later = BTreeSet::new();
    for field in fields_of(planned.kind) {
        if only.is_some_and(|only| !only.contains(&field.name)) {
            continue;
        }
        let wanted = planned
            .object
            .get(&field.name)
            .cloned()
            .unwrap_or(Value::Null);
        let mut named = BTreeSet::new();
        referenced_ids(&wanted, template_ids, "", &mut named);
        if named.iter().any(|other| !names.contains_key(other)) {
            later.insert(field.name.clone());
            continue;
        }
        let desired = renamed(&wanted, names);
        let current = draft_object(browser, collection, id)
            .await?
            .get(&field.name)
            .cloned()
            .unwrap_or(Value::Null);
        let same = script(
            browser,
            &format!("{CANONICAL} return canonical({current}) === canonical({desired});"),
        )
        .await?;
        if same == Value::Bool(true) {
            continue;
        }
        anyhow::ensure!(
            field.name != "flow_logs",
            "{id}: the walk does not set flow logs (no template has them)"
        );
        set_field(browser, planned.kind, id, &field, &current, &desired).await?;
    }
    Ok(later)
}

/// The template as the page must hold it once built: its canonical document with the page's
/// ids, the description typed in the settings, and no layout.
fn expected_design(
    canonical: &Value,
    names: &BTreeMap<String, String>,
    description: &str,
) -> anyhow::Result<shared::Design> {
    let mut document = renamed(canonical, names);
    document["description"] = Value::from(description);
    comparable(document)
}

/// A design document as a design to compare: each collection in the order of its ids (the
/// order objects were added in does not change what a design means), without its layout.
fn comparable(mut document: Value) -> anyhow::Result<shared::Design> {
    for kind in ObjectKind::ALL {
        if let Some(objects) = document
            .get_mut(kind.collection())
            .and_then(Value::as_array_mut)
        {
            objects.sort_by(|a, b| a["id"].as_str().cmp(&b["id"].as_str()));
        }
    }
    let mut design = shared::spec::load_design_value(document)?;
    design.layout.clear();
    Ok(design)
}

/// The draft as a design to compare.
async fn built_design(browser: &Browser) -> anyhow::Result<shared::Design> {
    comparable(draft(browser).await?)
}

fn assert_same_design(built: &shared::Design, expected: &shared::Design, when: &str) {
    assert!(
        built == expected,
        "{when}: the page holds\n{}\nbut the template is\n{}",
        serde_json::to_string_pretty(built).unwrap_or_default(),
        serde_json::to_string_pretty(expected).unwrap_or_default()
    );
}

async fn click_header_button(browser: &Browser, text: &str) -> anyhow::Result<()> {
    let clicked = browser
        .client
        .execute(
            "const b = [...document.querySelectorAll('header button')].find(b => b.textContent === arguments[0]); if (b) b.click(); return !!b;",
            vec![Value::from(text)],
        )
        .await?;
    anyhow::ensure!(clicked == Value::Bool(true), "no header button {text}");
    Ok(())
}

/// Builds the template `name` from an empty canvas, saves, reloads, reopens and deploys it.
async fn build_save_reopen_deploy(
    browser: &Browser,
    server: &MoatServer,
    name: &str,
) -> anyhow::Result<()> {
    let template =
        shared::templates::template(name).ok_or_else(|| anyhow::anyhow!("no template {name}"))?;
    let canonical = serde_json::to_value(template.design()?)?;
    browser.client.goto(&server.url).await?;
    browser.sign_in(&DEPLOYER).await?;
    browser.show_tab("inspect").await?;
    assert_eq!(
        draft(browser).await?["vpcs"]
            .as_array()
            .map(Vec::len)
            .unwrap_or(0),
        0,
        "the walk starts from an empty canvas"
    );

    // The design's settings: name, region, description.
    select_nothing(browser).await?;
    let settings = "#design-settings";
    let title = canonical["name"].as_str().unwrap_or_default();
    type_into(browser, settings, "Design name", title).await?;
    browser
        .find("select[aria-label='Design region']")
        .await?
        .select_by_value(canonical["region"].as_str().unwrap_or_default())
        .await?;
    type_into(
        browser,
        settings,
        "Design description",
        template.description,
    )
    .await?;
    wait_for(
        browser,
        &format!(
            "(d => d.name === {} && d.region === {} && d.description === {})(JSON.parse(localStorage.getItem('moat.draft')))",
            Value::from(title),
            canonical["region"],
            Value::from(template.description)
        ),
        "the design's name, region and description",
    )
    .await?;

    // Every object, from its palette item into its container, its fields set at once when
    // what they name exists.
    let plan = in_adding_order(&canonical)?;
    let template_ids: BTreeSet<String> = plan
        .iter()
        .filter_map(|planned| planned.object["id"].as_str().map(str::to_string))
        .collect();
    let mut names: BTreeMap<String, String> = BTreeMap::new();
    let mut left: Vec<(usize, BTreeSet<String>)> = Vec::new();
    for (index, planned) in plan.iter().enumerate() {
        let item = palette_item_for(planned.kind, &planned.object)?;
        let container_field = match item.drop_target() {
            DropTarget::Canvas => None,
            DropTarget::Vpc => Some(planned.object["vpc"].clone()),
            DropTarget::Subnet => Some(match &planned.object["subnet"] {
                Value::String(_) => planned.object["subnet"].clone(),
                _ => planned.object["subnets"][0].clone(),
            }),
            DropTarget::VpnGateway => Some(planned.object["vpn_gateway"].clone()),
        };
        match container_field {
            None => select_nothing(browser).await?,
            Some(container) => {
                let container = container.as_str().unwrap_or_default();
                let page_id = names.get(container).ok_or_else(|| {
                    anyhow::anyhow!("{} needs {container} first", planned.object["id"])
                })?;
                select(browser, page_id).await?;
            }
        }
        let before = inspected(browser).await?;
        browser
            .click(&format!(
                "button.palette-item[aria-label='{}']",
                item.label()
            ))
            .await?;
        wait_for(
            browser,
            &format!(
                "(h => h && h.textContent.startsWith({}) && !h.textContent.endsWith(' ' + {}))(document.querySelector(\"section[aria-label='Inspector'] h2\"))",
                Value::from(format!("{} ", planned.kind.label())),
                Value::from(before.as_str())
            ),
            &format!("the palette's {} to add one", item.label()),
        )
        .await?;
        let id = inspected(browser).await?;
        names.insert(
            planned.object["id"]
                .as_str()
                .unwrap_or_default()
                .to_string(),
            id.clone(),
        );
        let later = set_fields(browser, planned, &id, &names, &template_ids, None).await?;
        if !later.is_empty() {
            left.push((index, later));
        }
    }
    // The fields that named objects added after theirs.
    for (index, fields) in left {
        let planned = &plan[index];
        let id = names[planned.object["id"].as_str().unwrap_or_default()].clone();
        select(browser, &id).await?;
        let still = set_fields(browser, planned, &id, &names, &template_ids, Some(&fields)).await?;
        anyhow::ensure!(still.is_empty(), "{id}: {still:?} name objects never added");
    }

    // The traffic the cost estimate prices, in the design's settings.
    select_nothing(browser).await?;
    let flows = renamed(&canonical["flows"], &names);
    for (index, flow) in flows
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .enumerate()
    {
        let number = index + 1;
        browser.click("button[aria-label='Add traffic']").await?;
        for (column, label) in [
            ("from", "From"),
            ("to", "To"),
            ("gb_per_month", "GB per month"),
        ] {
            type_into(
                browser,
                settings,
                &format!("Traffic {number} {label}"),
                &typed(&flow[column]),
            )
            .await?;
        }
        wait_for(
            browser,
            &format!(
                "(() => {{ {CANONICAL} return canonical(JSON.parse(localStorage.getItem('moat.draft')).flows[{index}]) === canonical({flow}); }})()"
            ),
            &format!("traffic {number} to read {flow}"),
        )
        .await?;
    }

    let expected = expected_design(&canonical, &names, template.description)?;
    assert_same_design(
        &built_design(browser).await?,
        &expected,
        "built from an empty canvas",
    );
    // It draws as the template draws: no problem the template does not have.
    let codes = script(
        browser,
        "return [...document.querySelectorAll('button.diagnostic.error')].map(b => b.dataset.code);",
    )
    .await?;
    assert_eq!(
        codes,
        Value::Array(Vec::new()),
        "errors on the built design"
    );

    // Saved, reloaded: the same design from the server.
    browser.save_as_new_design().await?;
    let design_id = script(
        browser,
        "return new URLSearchParams(location.search).get('design') || '';",
    )
    .await?;
    let design_id = design_id.as_str().unwrap_or_default().to_string();
    anyhow::ensure!(design_id.starts_with("d-"), "saved as {design_id}");
    browser.client.refresh().await?;
    wait_for(
        browser,
        &format!("document.querySelector('#document-state')?.dataset.design === '{design_id}' && document.querySelector('#document-state')?.dataset.saved === 'true'"),
        "the reloaded page to name the saved design",
    )
    .await?;
    assert_same_design(&built_design(browser).await?, &expected, "after a reload");

    // New, then reopened from the Open dialog by searching its name.
    browser.click("button[aria-label='New design']").await?;
    wait_for(
        browser,
        "(JSON.parse(localStorage.getItem('moat.draft'))?.vpcs ?? []).length === 0",
        "New to start an empty design",
    )
    .await?;
    browser
        .click("button[aria-label='Open a saved design']")
        .await?;
    browser
        .find("input[aria-label='Search designs by name or id']")
        .await?
        .send_keys(&title.chars().take(24).collect::<String>())
        .await?;
    wait_for(
        browser,
        &format!("document.querySelectorAll('#open-designs tbody tr').length === 1 && !!document.querySelector(\"#open-designs tr[data-design='{design_id}']\")"),
        "the Open dialog to find the design by its name",
    )
    .await?;
    browser
        .click(&format!(
            "#open-designs tr[data-design='{design_id}'] button.link"
        ))
        .await?;
    wait_for(
        browser,
        &format!("document.querySelector('#document-state')?.dataset.design === '{design_id}' && (JSON.parse(localStorage.getItem('moat.draft'))?.vpcs ?? []).length > 0"),
        "the design to open",
    )
    .await?;
    assert_same_design(
        &built_design(browser).await?,
        &expected,
        "reopened from Open",
    );

    // Deployed through the review, to its end.
    click_header_button(browser, "Deploy").await?;
    wait_for(
        browser,
        "document.querySelectorAll('#plan-panel li[data-action=create]').length > 0",
        "the review's plan",
    )
    .await?;
    browser.click("button[aria-label='Apply the plan']").await?;
    if let Err(error) = browser
        .wait_until(
            "document.querySelector('#review-progress')?.dataset.status === 'succeeded'
             && document.querySelector('#deployment-state')?.dataset.status === 'succeeded'",
            120,
        )
        .await
    {
        let progress = script(
            browser,
            "return document.querySelector('#review-progress')?.textContent ?? '';",
        )
        .await?;
        anyhow::bail!("the deployment did not finish: {error}; the review says {progress}");
    }
    Ok(())
}

async fn use_case(name: &'static str) -> anyhow::Result<()> {
    crate::designer::with_server_and_browser(
        &format!("use-case-{name}"),
        &[DEPLOYER],
        &[],
        |browser, server| async move {
            let outcome = build_save_reopen_deploy(&browser, &server, name).await;
            (browser, outcome)
        },
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_mvp_is_built_from_an_empty_canvas_saved_reopened_and_deployed() -> anyhow::Result<()> {
    use_case("mvp").await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_tabular_pipeline_with_its_vpn_is_built_from_an_empty_canvas_and_deployed()
-> anyhow::Result<()> {
    use_case("tabular-vpn").await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_multimodal_endpoints_design_is_built_from_an_empty_canvas_and_deployed()
-> anyhow::Result<()> {
    use_case("multimodal-endpoints").await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_efa_training_cluster_is_built_from_an_empty_canvas_and_deployed() -> anyhow::Result<()>
{
    use_case("llm-training-efa").await
}
