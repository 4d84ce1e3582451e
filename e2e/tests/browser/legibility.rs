//! Legible labels and the icons people know: in every template, every text and icon of every
//! chip on the canvas lies inside its chip, and so does every chip label and icon of the SVG
//! diagram export (rendered in a frame of its own, with the fonts a person's browser has), whose
//! title also fits its width. Ids are whole: the text of a chip's lines, joined, is its id.
//! In both, no chip covers a VPC's, subnet's or lane's label or another chip, and no edge runs
//! under a chip it does not join.
//! Gateways, endpoints, route tables, ACLs and workloads wear AWS's official icons in both.

use e2e::{Browser, MoatServer};
use serde_json::Value;

/// What overflows its box, one line each, measured by the browser's own layout (`getBBox`).
const OVERFLOWS: &str = "
const [rootCss, chipSelector, textSelector] = arguments;
const root = rootCss === 'frame'
  ? document.querySelector('#legibility-frame').contentDocument.querySelector('svg')
  : document.querySelector(rootCss);
const out = [];
if (!root || !root.querySelector(chipSelector)) out.push(`nothing measured: no ${chipSelector} in ${rootCss}`);
for (const chip of root.querySelectorAll(chipSelector)) {
  const box = chip.querySelector('rect').getBBox();
  for (const text of chip.querySelectorAll(textSelector)) {
    // A nested <svg> (an icon) measures its content in its own viewBox: take its own box.
    const b = text.tagName.toLowerCase() === 'svg'
      ? { x: text.x.baseVal.value, y: text.y.baseVal.value, width: text.width.baseVal.value, height: text.height.baseVal.value }
      : text.getBBox();
    if (b.x < box.x - 0.5 || b.y < box.y - 0.5 || b.x + b.width > box.x + box.width + 0.5 || b.y + b.height > box.y + box.height + 0.5) {
      out.push(`${chip.dataset.id}: \"${text.textContent}\" (${b.x.toFixed(1)}, ${b.y.toFixed(1)}, ${b.width.toFixed(1)} × ${b.height.toFixed(1)}) outside (${box.x}, ${box.y}, ${box.width} × ${box.height})`);
    }
  }
}
return out;";

/// What collides, one line each, measured by the browser's own layout: a chip over a label of
/// a VPC, subnet or availability zone lane; two chips over each other; an edge running under a
/// chip it does not join.
const COLLISIONS: &str = "
const [rootCss, chipSelector, labelSelector] = arguments;
const root = rootCss === 'frame'
  ? document.querySelector('#legibility-frame').contentDocument.querySelector('svg')
  : document.querySelector(rootCss);
const out = [];
const overlap = (a, b) => Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x) > 0.5
  && Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y) > 0.5;
const chips = [...root.querySelectorAll(chipSelector)].map(g => ({ id: g.dataset.id, box: g.querySelector('rect').getBBox() }));
const labels = [...root.querySelectorAll(labelSelector)];
if (chips.length === 0 || labels.length === 0) out.push(`nothing measured: ${chips.length} chips, ${labels.length} labels`);
for (const chip of chips) {
  for (const label of labels) {
    if (overlap(chip.box, label.getBBox())) out.push(`${chip.id} covers \"${label.textContent}\"`);
  }
  for (const other of chips) {
    if (other.id < chip.id && overlap(chip.box, other.box)) out.push(`${chip.id} and ${other.id} overlap`);
  }
}
// Liang-Barsky: does the segment pass through the inside of the box?
const crosses = (a, b, r) => {
  const dx = b[0] - a[0], dy = b[1] - a[1];
  let enter = 0, leave = 1;
  for (const [p, q] of [[-dx, a[0] - (r.x + 0.5)], [dx, r.x + r.width - 0.5 - a[0]], [-dy, a[1] - (r.y + 0.5)], [dy, r.y + r.height - 0.5 - a[1]]]) {
    if (p === 0) { if (q < 0) return false; continue; }
    const t = q / p;
    if (p < 0) enter = Math.max(enter, t); else leave = Math.min(leave, t);
    if (enter > leave) return false;
  }
  return enter < leave;
};
for (const edge of root.querySelectorAll('polyline.edge')) {
  const points = [...edge.points].map(p => [p.x, p.y]);
  for (const chip of chips) {
    if (chip.id === edge.dataset.from || chip.id === edge.dataset.to) continue;
    for (let i = 1; i < points.length; i++) {
      if (crosses(points[i - 1], points[i], chip.box)) { out.push(`${edge.dataset.from} → ${edge.dataset.to} runs under ${chip.id}`); break; }
    }
  }
}
return out;";

async fn collisions(
    browser: &Browser,
    root: &str,
    chips: &str,
    labels: &str,
) -> anyhow::Result<Vec<String>> {
    browser
        .strings(
            COLLISIONS,
            vec![Value::from(root), Value::from(chips), Value::from(labels)],
        )
        .await
}

async fn overflows(
    browser: &Browser,
    root: &str,
    chips: &str,
    texts: &str,
) -> anyhow::Result<Vec<String>> {
    browser
        .strings(
            OVERFLOWS,
            vec![Value::from(root), Value::from(chips), Value::from(texts)],
        )
        .await
}

async fn walk(browser: &Browser, server: &MoatServer) -> anyhow::Result<()> {
    browser.client.goto(&server.url).await?;
    let mut findings = Vec::new();
    for template in shared::templates::TEMPLATES {
        browser.click("button[aria-label='Templates']").await?;
        browser
            .click(&format!("button[data-template='{}']", template.name))
            .await?;
        browser.find("#canvas g.chip").await?;
        for line in overflows(browser, "#canvas", "g.chip", "text, svg.aws-icon").await? {
            findings.push(format!("{} canvas: {line}", template.name));
        }
        for line in collisions(
            browser,
            "#canvas",
            "g.chip",
            "text.label, text.sub-label, text.lane-label",
        )
        .await?
        {
            findings.push(format!("{} canvas: {line}", template.name));
        }
        // Gateways, endpoints and workloads wear AWS's own icons.
        let bare = browser
            .client
            .execute(
                "return [...document.querySelectorAll('#canvas g.chip')]
                   .filter(g => /^(igw|nat|vgw|cgw|vpce|wl|rt|acl)-/.test(g.dataset.id) && !g.querySelector('svg.aws-icon path'))
                   .map(g => g.dataset.id);",
                vec![],
            )
            .await?;
        if bare.as_array().is_some_and(|ids| !ids.is_empty()) {
            findings.push(format!("{} canvas: no AWS icon on {bare}", template.name));
        }
        // Whole ids: a chip's id lines, joined, are its id.
        let cut = browser
            .client
            .execute(
                "return [...document.querySelectorAll('#canvas g.chip')]
                   .filter(g => [...g.querySelectorAll('text.chip-id')].map(t => t.textContent).join('') !== g.dataset.id)
                   .map(g => g.dataset.id);",
                vec![],
            )
            .await?;
        if cut.as_array().is_some_and(|ids| !ids.is_empty()) {
            findings.push(format!("{} canvas: ids not whole: {cut}", template.name));
        }
        // The SVG diagram export, made in the browser as a person makes it, drawn in the page.
        browser.show_tab("files").await?;
        // The Export panel's code is fetched when the tab is first shown.
        browser.find("details.export-panel").await?;
        let panel_open = browser
            .client
            .execute(
                "return document.querySelector('details.export-panel').open;",
                vec![],
            )
            .await?;
        if panel_open != Value::Bool(true) {
            browser.click("details.export-panel summary").await?;
        }
        browser
            .find("select[aria-label='Export format']")
            .await?
            .select_by_value("svg")
            .await?;
        // Made by the export module (loaded on demand).
        browser
            .click_and_wait_for_download("button[aria-label='Export in the chosen format']")
            .await?;
        let svg = browser
            .client
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 fetch(document.querySelector('#download-link').href).then(r => r.text()).then(text => {
                   // A document of its own, so only the diagram's own styles apply to it.
                   document.querySelector('#legibility-frame')?.remove();
                   const frame = document.createElement('iframe');
                   frame.id = 'legibility-frame';
                   frame.style.width = '2000px';
                   frame.style.height = '1500px';
                   frame.onload = () => done(text.length);
                   frame.srcdoc = text;
                   document.body.append(frame);
                 });",
                vec![],
            )
            .await?;
        anyhow::ensure!(svg.as_u64().unwrap_or_default() > 0, "no SVG exported");
        for line in overflows(
            browser,
            "frame",
            "g[data-id]:has(> rect.chip)",
            "text.chip-label, svg.aws-icon",
        )
        .await?
        {
            findings.push(format!("{} SVG export: {line}", template.name));
        }
        for line in collisions(
            browser,
            "frame",
            "g[data-id]:has(> rect.chip)",
            "text.vpc-label, text.subnet-label, text.detail, text.lane-label",
        )
        .await?
        {
            findings.push(format!("{} SVG export: {line}", template.name));
        }
        let exported_icons = browser
            .client
            .execute(
                "const svg = document.querySelector('#legibility-frame').contentDocument.querySelector('svg');
                 return [...svg.querySelectorAll('g[data-id]:has(> rect.chip)')]
                   .filter(g => /^(igw|nat|vgw|cgw|vpce|wl|rt|acl)-/.test(g.dataset.id) && !g.querySelector('svg.aws-icon path'))
                   .map(g => g.dataset.id);",
                vec![],
            )
            .await?;
        if exported_icons.as_array().is_some_and(|ids| !ids.is_empty()) {
            findings.push(format!(
                "{} SVG export: no AWS icon on {exported_icons}",
                template.name
            ));
        }
        let title = browser
            .client
            .execute(
                "const svg = document.querySelector('#legibility-frame').contentDocument.querySelector('svg');
                 const title = svg.querySelector('text.title').getBBox();
                 const frame = svg.viewBox.baseVal;
                 return title.x + title.width <= frame.x + frame.width;",
                vec![],
            )
            .await?;
        if title != Value::Bool(true) {
            findings.push(format!(
                "{} SVG export: the title runs past the diagram",
                template.name
            ));
        }
    }
    anyhow::ensure!(
        findings.is_empty(),
        "{} labels do not fit:\n{}",
        findings.len(),
        findings.join("\n")
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_chip_label_fits_its_chip_on_the_canvas_and_in_the_svg_export() -> anyhow::Result<()>
{
    crate::designer::with_browser("legibility", |browser, server| async move {
        let outcome = walk(&browser, &server).await;
        (browser, outcome)
    })
    .await
}
