//! The designer's capabilities, by drag and click as a person would: every palette kind,
//! refused drops, connect mode, the local draft across a reload, undo/redo, import and export.

use e2e::{Browser, MoatServer, Moto};
use fantoccini::key::Key;
use serde_json::Value;

pub(crate) async fn drag_item(
    browser: &Browser,
    label: &str,
    x: f64,
    y: f64,
) -> anyhow::Result<()> {
    let item = browser
        .find(&format!("button.palette-item[aria-label='{label}']"))
        .await?;
    browser.drag_to(&item, x, y).await
}

/// Viewport coordinates of an object's box: (left, top, width, height).
pub(crate) async fn box_of(browser: &Browser, id: &str) -> anyhow::Result<(f64, f64, f64, f64)> {
    let value = browser
        .client
        .execute(
            "const r = document.querySelector(`[data-id='${arguments[0]}'] rect`).getBoundingClientRect(); return [r.left, r.top, r.width, r.height];",
            vec![Value::from(id)],
        )
        .await?;
    let number = |index: usize| value[index].as_f64().unwrap_or_default();
    Ok((number(0), number(1), number(2), number(3)))
}

pub(crate) async fn count(browser: &Browser, css: &str) -> anyhow::Result<u64> {
    let value = browser
        .client
        .execute(
            &format!("return document.querySelectorAll(\"{css}\").length;"),
            vec![],
        )
        .await?;
    Ok(value.as_u64().unwrap_or_default())
}

/// Clicks `button`, which makes a download in the export module (the second wasm module,
/// loaded on demand), and returns the downloaded text.
async fn export_and_fetch(browser: &Browser, button: &str) -> anyhow::Result<String> {
    browser.click_and_wait_for_download(button).await?;
    fetch_download(browser).await
}

async fn fetch_download(browser: &Browser) -> anyhow::Result<String> {
    let value = browser
        .client
        .execute_async(
            "const done = arguments[arguments.length - 1]; fetch(document.querySelector('#download-link').href).then(r => r.text()).then(done);",
            vec![],
        )
        .await?;
    Ok(value.as_str().unwrap_or_default().to_string())
}

async fn palette_and_connect(browser: &Browser, server: &MoatServer) -> anyhow::Result<()> {
    browser.client.goto(&server.url).await?;
    let (canvas_x, canvas_y) = browser.element_origin("#canvas").await?;
    drag_item(browser, "VPC", canvas_x + 30.0, canvas_y + 60.0).await?;
    browser.find("g.vpc[data-id='vpc-1']").await?;
    let (vpc_x, vpc_y, vpc_w, vpc_h) = box_of(browser, "vpc-1").await?;
    drag_item(browser, "Public subnet", vpc_x + 120.0, vpc_y + 100.0).await?;
    drag_item(browser, "Private subnet", vpc_x + 120.0, vpc_y + 240.0).await?;
    browser.find("[data-id='subnet-2']").await?;
    // Refused: a NAT gateway outside any subnet, with the reason shown.
    drag_item(
        browser,
        "NAT gateway",
        vpc_x + vpc_w - 60.0,
        vpc_y + vpc_h - 20.0,
    )
    .await?;
    browser.wait_until("document.querySelector('#notice')?.textContent.includes('must be dropped inside a subnet')", 5).await?;
    // Every kind, dropped where it belongs.
    let (public_x, public_y, _, _) = box_of(browser, "subnet-1").await?;
    let (private_x, private_y, _, private_h) = box_of(browser, "subnet-2").await?;
    let in_public = (public_x + 50.0, public_y + 80.0);
    let in_vpc_side = (vpc_x + vpc_w - 90.0, vpc_y + vpc_h - 40.0);
    let below = (canvas_x + 30.0, vpc_y + vpc_h + 120.0);
    drag_item(browser, "NAT gateway", in_public.0, in_public.1).await?;
    drag_item(browser, "Internet gateway", in_vpc_side.0, in_vpc_side.1).await?;
    drag_item(browser, "VPN gateway", in_vpc_side.0, in_vpc_side.1 - 40.0).await?;
    drag_item(browser, "Customer gateway", below.0, below.1).await?;
    browser.find("[data-id='vgw-1']").await?;
    let (vgw_x, vgw_y, vgw_w, vgw_h) = box_of(browser, "vgw-1").await?;
    drag_item(
        browser,
        "VPN connection",
        vgw_x + vgw_w / 2.0,
        vgw_y + vgw_h / 2.0,
    )
    .await?;
    for (label, x, y) in [
        ("S3 gateway endpoint", in_vpc_side.0, in_vpc_side.1 - 80.0),
        (
            "DynamoDB gateway endpoint",
            in_vpc_side.0,
            in_vpc_side.1 - 120.0,
        ),
        ("Security group", in_vpc_side.0, in_vpc_side.1 - 160.0),
        ("Network ACL", in_vpc_side.0, in_vpc_side.1 - 200.0),
        ("Route table", in_vpc_side.0, in_vpc_side.1 - 240.0),
        ("Placement group", below.0 + 200.0, below.1),
        (
            "Interface endpoint",
            private_x + 40.0,
            private_y + private_h - 20.0,
        ),
        ("GPU node", private_x + 120.0, private_y + private_h - 20.0),
        (
            "SageMaker notebook",
            private_x + 200.0,
            private_y + private_h - 20.0,
        ),
        (
            "SageMaker training",
            private_x + 40.0,
            private_y + private_h - 60.0,
        ),
        (
            "RDS database",
            private_x + 120.0,
            private_y + private_h - 60.0,
        ),
    ] {
        drag_item(browser, label, x, y).await?;
    }
    for id in [
        "nat-1", "igw-1", "vgw-1", "cgw-1", "vpce-1", "vpce-2", "vpce-3", "sg-1", "acl-1", "rt-1",
        "pg-1", "wl-1", "wl-2", "wl-3", "wl-4",
    ] {
        browser.find(&format!("[data-id='{id}']")).await?;
    }
    browser
        .wait_until(
            "document.querySelector(\"polyline.edge-vpn[data-from='vgw-1'][data-to='cgw-1']\")",
            5,
        )
        .await?;

    // Connect mode: route table → internet gateway adds 0.0.0.0/0; subnet → route table associates.
    browser.click("button[aria-label='Connect mode']").await?;
    let (rt_x, rt_y, rt_w, rt_h) = box_of(browser, "rt-1").await?;
    let (igw_x, igw_y, igw_w, igw_h) = box_of(browser, "igw-1").await?;
    let route_table = browser.find("[data-id='rt-1'] rect").await?;
    browser
        .drag_to(&route_table, igw_x + igw_w / 2.0, igw_y + igw_h / 2.0)
        .await?;
    browser
        .wait_until(
            "document.querySelector(\"polyline.edge-route[data-from='rt-1'][data-to='igw-1']\")",
            5,
        )
        .await?;
    let public_subnet = browser.find("[data-id='subnet-1'] rect").await?;
    browser
        .drag_to(&public_subnet, rt_x + rt_w / 2.0, rt_y + rt_h / 2.0)
        .await?;
    browser.wait_until("document.querySelector(\"polyline.edge-association[data-from='subnet-1'][data-to='rt-1']\")", 5).await?;
    browser
        .wait_until(
            "!document.querySelector(\"button.diagnostic[data-code='route.nat-not-public']\")",
            5,
        )
        .await?;
    browser.click("button[aria-label='Connect mode']").await?;

    // Resize the VPC by its corner handle: the box grows on the grid.
    let width_before = draft(browser, "d.layout['vpc-1'].width")
        .await?
        .as_f64()
        .unwrap_or_default();
    let height_before = draft(browser, "d.layout['vpc-1'].height")
        .await?
        .as_f64()
        .unwrap_or_default();
    let handle = browser
        .find("rect.resize-handle[data-resize='vpc-1']")
        .await?;
    let (vpc_x, vpc_y, vpc_w, vpc_h) = box_of(browser, "vpc-1").await?;
    browser
        // The pointer grabs the 12-unit handle at its centre, 6 inside the corner.
        .drag_to(
            &handle,
            vpc_x + vpc_w - 6.0 + 100.0,
            vpc_y + vpc_h - 6.0 + 40.0,
        )
        .await?;
    browser
        .wait_until(
            &format!(
                "JSON.parse(localStorage.getItem('moat.draft')).layout['vpc-1'].width === {}",
                width_before + 100.0
            ),
            5,
        )
        .await?;
    assert_eq!(
        draft(browser, "d.layout['vpc-1'].height").await?.as_f64(),
        Some(height_before + 40.0)
    );

    // The local draft survives a reload.
    let objects_before = count(browser, "[data-id]").await?;
    browser.client.refresh().await?;
    browser.find("[data-id='rt-1']").await?;
    assert_eq!(
        count(browser, "[data-id]").await?,
        objects_before,
        "the reload kept every object"
    );
    Ok(())
}

async fn files_and_history(browser: &Browser, server: &MoatServer) -> anyhow::Result<()> {
    browser.client.goto(&server.url).await?;
    browser.click("button[aria-label='Templates']").await?;
    browser.click("button[data-template='tabular-vpn']").await?;
    browser.find("[data-id='vgw-tabular']").await?;

    // Export JSON is the model itself: the draft's design, in the pretty text the CLI writes
    // (the page keeps its draft as the compact text the server stores).
    browser.click("button[aria-label='Export JSON']").await?;
    let exported = fetch_download(browser).await?;
    let draft = browser
        .client
        .execute("return localStorage.getItem('moat.draft');", vec![])
        .await?;
    let draft = draft.as_str().unwrap_or_default();
    let drafted = shared::spec::load_design(draft)?;
    assert_eq!(exported, shared::spec::save_design(&drafted));
    assert_eq!(draft, shared::spec::stored_design_text(&drafted, 0));
    let exported: Value = serde_json::from_str(&exported)?;
    assert_eq!(
        exported["vpn_connections"][0]["customer_gateway"],
        "cgw-datacenter"
    );

    // Export as code: the CloudFormation and draw.io of the design, made in the browser by
    // the export module, which nothing has loaded yet: no tag names it, and the page has
    // fetched none of its files.
    let loaded_before = browser
        .client
        .execute(
            "return [document.querySelectorAll('script[src*=moat_exports], link[href*=moat_exports]').length,
                     performance.getEntriesByType('resource').filter(e => e.name.includes('moat_exports')).length];",
            vec![],
        )
        .await?;
    assert_eq!(
        loaded_before,
        serde_json::json!([0, 0]),
        "the export module is not part of the first load"
    );
    browser.show_tab("files").await?;
    browser.click("details.export-panel summary").await?;
    browser
        .client
        .execute(
            "const s = document.querySelector('select[aria-label=\"Export format\"]'); s.value = 'cloudformation-yaml'; s.dispatchEvent(new Event('change'));",
            vec![],
        )
        .await?;
    // A browser that will not start the module is told so in words, and nothing is lost: the
    // next export, with workers allowed again, works.
    browser
        .client
        .execute(
            "window.allowedWorker = window.Worker; window.Worker = function () { throw new Error('blocked'); };",
            vec![],
        )
        .await?;
    browser
        .click("button[aria-label='Export in the chosen format']")
        .await?;
    browser
        .wait_until(
            "document.querySelector('#notice')?.textContent.includes('Export failed: the export module could not be started')",
            10,
        )
        .await?;
    browser
        .client
        .execute("window.Worker = window.allowedWorker;", vec![])
        .await?;
    let template =
        export_and_fetch(browser, "button[aria-label='Export in the chosen format']").await?;
    assert!(
        template.contains("AWSTemplateFormatVersion") && template.contains("AWS::EC2::VPC"),
        "{}",
        &template[..template.len().min(300)]
    );
    assert!(
        template.contains("moat:design-id"),
        "tagged with Moat's ownership tags"
    );
    browser
        .client
        .execute(
            "const s = document.querySelector('select[aria-label=\"Export format\"]'); s.value = 'drawio'; s.dispatchEvent(new Event('change'));",
            vec![],
        )
        .await?;
    let diagram =
        export_and_fetch(browser, "button[aria-label='Export in the chosen format']").await?;
    let cells = browser
        .client
        .execute(
            "const d = new DOMParser().parseFromString(arguments[0], 'application/xml'); return !d.querySelector('parsererror') && d.querySelectorAll('mxCell[vertex=\"1\"]').length;",
            vec![Value::from(diagram)],
        )
        .await?;
    assert!(cells.as_u64().unwrap_or(0) > 2, "draw.io cells: {cells}");
    // Export SVG parses as XML and holds the drawn objects.
    browser.click("button[aria-label='Export SVG']").await?;
    let svg = fetch_download(browser).await?;
    assert!(
        svg.starts_with("<?xml") && svg.contains("xmlns=\"http://www.w3.org/2000/svg\""),
        "{}",
        &svg[..svg.len().min(200)]
    );
    let parses = browser
        .client
        .execute(
            "const d = new DOMParser().parseFromString(arguments[0], 'image/svg+xml'); return !d.querySelector('parsererror') && d.querySelectorAll('[data-id]').length;",
            vec![Value::from(svg)],
        )
        .await?;
    assert!(
        parses.as_u64().unwrap_or(0) >= 8,
        "SVG did not parse or lost objects: {parses}"
    );

    // Export PNG: a real PNG, rendered from the same SVG at the chosen scale of the canvas
    // (2× by default, then 3×).
    for scale in [2, 3] {
        browser
            .client
            .execute(
                "document.querySelector('#download-link')?.removeAttribute('href'); const s = document.querySelector('select[aria-label=\"PNG scale\"]'); s.value = String(arguments[0]); s.dispatchEvent(new Event('change'));",
                vec![Value::from(scale)],
            )
            .await?;
        browser.click("button[aria-label='Export PNG']").await?;
        browser
            .wait_until(
                "document.querySelector('#download-link')?.href.startsWith('data:image/png')",
                10,
            )
            .await?;
        let size = browser
            .client
            .execute_async(
                "const scale = arguments[0]; const done = arguments[arguments.length - 1]; const c = document.querySelector('#canvas').getBoundingClientRect(); fetch(document.querySelector('#download-link').href).then(r => r.blob()).then(b => createImageBitmap(b)).then(i => done([i.width, i.height, Math.round(c.width * scale), Math.round(c.height * scale)]));",
                vec![Value::from(scale)],
            )
            .await?;
        assert_eq!(size[0], size[2], "PNG width at {scale}×: {size}");
        assert_eq!(size[1], size[3], "PNG height at {scale}×: {size}");
    }

    // Inspector: edit a field of a non-subnet object; undo and redo walk it back and forth.
    browser.click("[data-id='cgw-datacenter'] rect").await?;
    browser
        .replace_input_text("input[aria-label='BGP ASN']", "65123")
        .await?;
    browser
        .wait_until(
            "JSON.parse(localStorage.getItem('moat.draft')).customer_gateways[0].bgp_asn === 65123",
            5,
        )
        .await?;
    browser.click("button[aria-label='Undo']").await?;
    browser
        .wait_until(
            "JSON.parse(localStorage.getItem('moat.draft')).customer_gateways[0].bgp_asn === 65000",
            5,
        )
        .await?;
    browser
        .press(&[char::from(Key::Control), char::from(Key::Shift), 'z'])
        .await?;
    browser
        .wait_until(
            "JSON.parse(localStorage.getItem('moat.draft')).customer_gateways[0].bgp_asn === 65123",
            5,
        )
        .await?;

    // A bad file is refused with the exact place of the problem, and the design is untouched.
    let directory = tempfile::tempdir()?;
    let bad = directory.path().join("bad.json");
    std::fs::write(
        &bad,
        r#"{"schema_version": 1, "name": "x", "region": "us-east-1", "subnets": [{"id": "s", "vpc": "v", "availability_zone": "us-east-1a", "cidr": "10.0.0.0/24", "tier": "dmz"}]}"#,
    )?;
    let input = browser
        .find("input[aria-label='Import design file']")
        .await?;
    input.send_keys(bad.to_str().unwrap_or_default()).await?;
    browser.wait_until("document.querySelector('#notice')?.textContent.includes('bad.json failed: subnets[0].tier: unknown variant')", 5).await?;
    browser.find("[data-id='vgw-tabular']").await?;
    // A good file replaces the design.
    let good = directory.path().join("good.json");
    std::fs::write(
        &good,
        include_str!("../../../shared/templates/llm-training-efa.json"),
    )?;
    browser
        .find("input[aria-label='Import design file']")
        .await?
        .send_keys(good.to_str().unwrap_or_default())
        .await?;
    browser.find("[data-id='wl-trainers']").await?;
    browser
        .wait_until("!document.querySelector(\"[data-id='vgw-tabular']\")", 5)
        .await?;
    Ok(())
}

pub(crate) async fn draft(browser: &Browser, expression: &str) -> anyhow::Result<Value> {
    Ok(browser
        .client
        .execute(
            &format!(
                "const d = JSON.parse(localStorage.getItem('moat.draft')); return {expression};"
            ),
            vec![],
        )
        .await?)
}

async fn navigation_and_keyboard(browser: &Browser, server: &MoatServer) -> anyhow::Result<()> {
    browser.client.goto(&server.url).await?;
    browser.click("button[aria-label='Templates']").await?;
    browser
        .click("button[data-template='multimodal-endpoints']")
        .await?;
    browser.find("[data-id='wl-hosting']").await?;
    browser
        .wait_until(
            "document.querySelector('#zoom-level').textContent === '100%'",
            5,
        )
        .await?;
    browser.click("button[aria-label='Zoom in']").await?;
    browser
        .wait_until(
            "document.querySelector('#zoom-level').textContent === '125%'",
            5,
        )
        .await?;
    browser.click("button[aria-label='Fit to content']").await?;
    browser
        .wait_until(
            "document.querySelector('#zoom-level').textContent !== '125%'",
            5,
        )
        .await?;
    // Every object is in view after fitting.
    let in_view = browser
        .client
        .execute(
            "const c = document.querySelector('#canvas').getBoundingClientRect(); return [...document.querySelectorAll('[data-id] rect')].every(e => { const r = e.getBoundingClientRect(); return r.left >= c.left && r.right <= c.right && r.top >= c.top && r.bottom <= c.bottom; });",
            vec![],
        )
        .await?;
    assert_eq!(
        in_view,
        Value::Bool(true),
        "fit to content left objects out of view"
    );
    // The wheel zooms.
    let before = browser
        .client
        .execute(
            "return document.querySelector('#zoom-level').textContent;",
            vec![],
        )
        .await?;
    browser
        .client
        .execute("document.querySelector('#canvas').dispatchEvent(new WheelEvent('wheel', {deltaY: -100, clientX: 400, clientY: 300, bubbles: true, cancelable: true}));", vec![])
        .await?;
    browser
        .wait_until(
            &format!("document.querySelector('#zoom-level').textContent !== {before}"),
            5,
        )
        .await?;
    // A drop at this zoom lands inside the subnet under the pointer.
    let (x, y, w, h) = box_of(browser, "subnet-private-a").await?;
    drag_item(browser, "GPU node", x + w * 0.8, y + (h * 0.5).min(120.0)).await?;
    browser.find("[data-id='wl-1']").await?;
    assert_eq!(
        draft(browser, "d.workloads.find(w => w.id === 'wl-1').subnet").await?,
        Value::from("subnet-private-a")
    );
    // Arrow keys nudge the selection on the grid; Shift nudges five steps.
    let x_before = draft(browser, "d.layout['wl-1'].x")
        .await?
        .as_f64()
        .unwrap_or_default();
    let y_before = draft(browser, "d.layout['wl-1'].y")
        .await?
        .as_f64()
        .unwrap_or_default();
    browser.press(&[char::from(Key::Right)]).await?;
    browser
        .press(&[char::from(Key::Shift), char::from(Key::Down)])
        .await?;
    browser
        .wait_until(
            &format!(
                "Math.abs(JSON.parse(localStorage.getItem('moat.draft')).layout['wl-1'].y - {}) < 1e-6",
                y_before + 50.0
            ),
            5,
        )
        .await?;
    let x_after = draft(browser, "d.layout['wl-1'].x")
        .await?
        .as_f64()
        .unwrap_or_default();
    assert!(
        (x_after - (x_before + 10.0)).abs() < 1e-9,
        "{x_after} is not {x_before} + 10"
    );
    // Ctrl+D duplicates; Ctrl+C / Ctrl+V copies the selection.
    browser.press(&[char::from(Key::Control), 'd']).await?;
    browser.find("[data-id='wl-2']").await?;
    browser.press(&[char::from(Key::Control), 'c']).await?;
    browser.press(&[char::from(Key::Control), 'v']).await?;
    browser.find("[data-id='wl-3']").await?;
    assert_eq!(
        draft(
            browser,
            "d.workloads.filter(w => w.subnet === 'subnet-private-a').length"
        )
        .await?,
        Value::from(4)
    );
    Ok(())
}

pub(crate) async fn replace_text(
    browser: &Browser,
    label: &str,
    value: &str,
) -> anyhow::Result<()> {
    let field = browser.find(&format!("[aria-label='{label}']")).await?;
    field
        .send_keys(&format!(
            "{}a{}{value}\n",
            char::from(Key::Control),
            char::from(Key::Null)
        ))
        .await?;
    Ok(())
}

async fn rule_tables(browser: &Browser, server: &MoatServer) -> anyhow::Result<()> {
    browser.client.goto(&server.url).await?;
    browser.click("button[aria-label='Templates']").await?;
    browser
        .click("button[data-template='multimodal-endpoints']")
        .await?;
    browser.click("[data-id='sg-endpoints'] rect").await?;
    browser
        .find("table.rules [aria-label='Ingress 1 Security group']")
        .await?;
    browser.click("button[aria-label='Add ingress']").await?;
    browser.find("[aria-label='Ingress 2 From port']").await?;
    replace_text(browser, "Ingress 2 From port", "22").await?;
    replace_text(browser, "Ingress 2 To port", "22").await?;
    replace_text(browser, "Ingress 2 CIDR block", "0.0.0.0/0").await?;
    browser
        .wait_until(
            "document.querySelector(\"button.diagnostic[data-code='sg.open-admin-port']\")",
            5,
        )
        .await?;
    let rule = draft(
        browser,
        "d.security_groups.find(g => g.id === 'sg-endpoints').ingress[1]",
    )
    .await?;
    assert_eq!(
        rule,
        serde_json::json!({"protocol": "tcp", "from_port": 22, "to_port": 22, "cidr": "0.0.0.0/0"})
    );
    // The protocol is typed: a name offered from the list, or any IP protocol by number.
    let offered = browser
        .client
        .execute(
            "return [...document.querySelectorAll('datalist#protocols-ingress option')].map(o => o.value);",
            vec![],
        )
        .await?;
    assert_eq!(offered, serde_json::json!(["tcp", "udp", "icmp", "all"]));
    replace_text(browser, "Ingress 2 Protocol", "50").await?;
    browser
        .wait_until(
            "JSON.parse(localStorage.getItem('moat.draft')).security_groups.find(g => g.id === 'sg-endpoints').ingress[1].protocol === 50",
            5,
        )
        .await?;
    // Protocol 50 opens no admin port: ESP has none.
    browser
        .wait_until(
            "!document.querySelector(\"button.diagnostic[data-code='sg.open-admin-port']\")",
            5,
        )
        .await?;
    replace_text(browser, "Ingress 2 Protocol", "6").await?;
    browser
        .wait_until(
            "document.querySelector(\"button.diagnostic.error[data-code='rule.protocol-number-named']\")",
            5,
        )
        .await?;
    browser
        .click("button[aria-label='Delete Ingress 2']")
        .await?;
    browser
        .wait_until(
            "!document.querySelector(\"button.diagnostic[data-code='sg.open-admin-port']\")",
            5,
        )
        .await?;
    assert_eq!(
        draft(
            browser,
            "d.security_groups.find(g => g.id === 'sg-endpoints').ingress.length"
        )
        .await?,
        Value::from(1)
    );
    Ok(())
}

/// From an empty canvas, every field has its control: a new group's empty rule list is a
/// table with Add, references are pickers of the design's objects, enums are selects, and the
/// design's region is set with nothing selected.
async fn field_controls_from_an_empty_canvas(
    browser: &Browser,
    server: &MoatServer,
) -> anyhow::Result<()> {
    browser.client.goto(&server.url).await?;
    // Nothing selected: the design's settings, its region a select of AWS's regions.
    browser
        .find("select[aria-label='Design region']")
        .await?
        .select_by_value("eu-west-1")
        .await?;
    browser
        .wait_until(
            "JSON.parse(localStorage.getItem('moat.draft'))?.region === 'eu-west-1'",
            5,
        )
        .await?;
    let (canvas_x, canvas_y) = browser.element_origin("#canvas").await?;
    drag_item(browser, "VPC", canvas_x + 30.0, canvas_y + 60.0).await?;
    browser.find("g.vpc[data-id='vpc-1']").await?;
    let (vpc_x, vpc_y, vpc_w, vpc_h) = box_of(browser, "vpc-1").await?;
    drag_item(browser, "Private subnet", vpc_x + 120.0, vpc_y + 100.0).await?;
    browser.find("[data-id='subnet-1']").await?;
    drag_item(
        browser,
        "Security group",
        vpc_x + vpc_w - 90.0,
        vpc_y + vpc_h - 40.0,
    )
    .await?;
    // The new group is selected: its ingress is an empty table with Add (not a text box).
    browser
        .wait_until("document.querySelector('section[aria-label=Inspector] h2')?.textContent === 'Security group sg-1'", 5)
        .await?;
    browser.click("button[aria-label='Add ingress']").await?;
    replace_text(browser, "Ingress 1 From port", "443").await?;
    browser
        .wait_until(
            "JSON.parse(localStorage.getItem('moat.draft')).security_groups[0].ingress[0]?.from_port === 443",
            5,
        )
        .await?;
    // Its VPC is a picker of the design's VPCs.
    let vpc_options = browser
        .client
        .execute(
            "return [...document.querySelectorAll(\"select[aria-label='VPC'] option\")].map(o => o.value);",
            vec![],
        )
        .await?;
    assert_eq!(vpc_options, serde_json::json!(["", "vpc-1"]));
    // A GPU node in the subnet: its security groups are a checklist of the design's groups.
    let (subnet_x, subnet_y, _, subnet_h) = box_of(browser, "subnet-1").await?;
    drag_item(
        browser,
        "GPU node",
        subnet_x + 60.0,
        subnet_y + subnet_h - 20.0,
    )
    .await?;
    browser
        .click("input[type='checkbox'][aria-label='Security groups sg-1']")
        .await?;
    browser
        .wait_until(
            "JSON.parse(localStorage.getItem('moat.draft')).workloads[0]?.security_groups?.[0] === 'sg-1'",
            5,
        )
        .await?;
    // "Create new" in the checklist: a second group in the node's VPC, checked at once, in one
    // undoable edit.
    browser
        .click("button[aria-label='Security groups: Create new: Security group']")
        .await?;
    browser
        .wait_until(
            "(d => d.security_groups.length === 2 && d.security_groups[1].id === 'sg-2'
                && d.security_groups[1].vpc === 'vpc-1'
                && JSON.stringify(d.workloads[0].security_groups) === '[\"sg-1\",\"sg-2\"]')
             (JSON.parse(localStorage.getItem('moat.draft')))",
            5,
        )
        .await?;
    browser
        .wait_until("document.querySelector('section[aria-label=Inspector] h2')?.textContent.endsWith(' wl-1')", 5)
        .await?;
    browser.press(&['\u{E009}', 'z']).await?;
    browser
        .wait_until(
            "(d => d.security_groups.length === 1 && d.workloads[0].security_groups.length === 1)
             (JSON.parse(localStorage.getItem('moat.draft')))",
            5,
        )
        .await?;
    // Its instance type offers the known types as completions.
    browser
        .find("input[aria-label='Instance type'][list] + datalist option[value='p5.48xlarge']")
        .await?;
    // The subnet's tier is a select of the two tiers.
    browser.click("[data-id='subnet-1'] rect").await?;
    browser
        .find("select[aria-label='Tier']")
        .await?
        .select_by_value("public")
        .await?;
    browser
        .wait_until(
            "JSON.parse(localStorage.getItem('moat.draft')).subnets[0].tier === 'public'",
            5,
        )
        .await?;
    // An S3 endpoint's policy is a document: typed, checked, scoped, cleared.
    drag_item(
        browser,
        "S3 gateway endpoint",
        vpc_x + vpc_w - 60.0,
        vpc_y + 40.0,
    )
    .await?;
    browser
        .wait_until("document.querySelector(\"button.diagnostic[data-code='endpoint.policy-full-access']\")", 5)
        .await?;
    let policy = browser.find("textarea[aria-label='Policy']").await?;
    assert_eq!(policy.prop("value").await?.unwrap_or_default(), "");
    policy.send_keys("{\"Statement\": [").await?;
    browser.press(&[char::from(Key::Tab)]).await?;
    browser
        .wait_until("document.querySelector('#notice')?.textContent.includes('Policy: not valid JSON (line 1, column')", 5)
        .await?;
    replace_text(browser, "Policy", r#"{"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::team-data/*"}]}"#).await?;
    browser.press(&[char::from(Key::Tab)]).await?;
    browser
        .wait_until(
            "JSON.parse(localStorage.getItem('moat.draft')).endpoints[0].policy?.Statement?.[0]?.Action === 's3:GetObject'",
            5,
        )
        .await?;
    browser
        .wait_until("!document.querySelector(\"button.diagnostic[data-code='endpoint.policy-full-access']\")", 5)
        .await?;
    // Ctrl+A in the text area selected its text, not every object of the canvas.
    assert_eq!(selected_ids(browser).await?, vec!["vpce-1".to_string()]);
    replace_text(browser, "Policy", "").await?;
    browser.press(&[char::from(Key::Tab)]).await?;
    browser
        .wait_until(
            "!('policy' in JSON.parse(localStorage.getItem('moat.draft')).endpoints[0])",
            5,
        )
        .await?;
    // Its tags are a Key / Value table: add one, name it, give it a value; a reserved key is
    // reported by validation.
    browser.click("button[aria-label='Add Tags']").await?;
    replace_text(browser, "Tags 1 Key", "team").await?;
    browser
        .wait_until(
            "JSON.parse(localStorage.getItem('moat.draft')).endpoints[0].tags?.team === ''",
            5,
        )
        .await?;
    replace_text(browser, "Tags 1 Value", "ml-platform").await?;
    browser
        .wait_until(
            "JSON.parse(localStorage.getItem('moat.draft')).endpoints[0].tags?.team === 'ml-platform'",
            5,
        )
        .await?;
    browser.click("button[aria-label='Add Tags']").await?;
    replace_text(browser, "Tags 1 Key", "Name").await?;
    browser
        .wait_until(
            "document.querySelector(\"button.diagnostic[data-code='tag.reserved-key']\")",
            5,
        )
        .await?;
    Ok(())
}

/// The centre of an object's box in viewport coordinates.
pub(crate) async fn center_of(browser: &Browser, id: &str) -> anyhow::Result<(f64, f64)> {
    let (x, y, w, h) = box_of(browser, id).await?;
    Ok((x + w / 2.0, y + h / 2.0))
}

async fn selected_ids(browser: &Browser) -> anyhow::Result<Vec<String>> {
    let value = browser
        .client
        .execute(
            "return [...document.querySelectorAll('#canvas > g.camera > g.selected[data-id]')].map(e => e.dataset.id).sort();",
            vec![],
        )
        .await?;
    Ok(serde_json::from_value(value)?)
}

async fn multi_selection(browser: &Browser, server: &MoatServer) -> anyhow::Result<()> {
    browser.client.goto(&server.url).await?;
    browser.click("button[aria-label='Templates']").await?;
    browser
        .click("button[data-template='multimodal-endpoints']")
        .await?;
    browser.find("[data-id='wl-hosting']").await?;
    // Lanes: one per VPC and availability zone, named by the zone.
    let lanes = browser
        .client
        .execute(
            "return [...document.querySelectorAll('.az-lane')].map(e => e.dataset.lane);",
            vec![],
        )
        .await?;
    assert_eq!(lanes, serde_json::json!(["vpc-multimodal/us-east-1a"]));
    // The endpoints' group admits the training group: a security-group reference edge.
    assert_eq!(
        count(
            browser,
            "polyline.edge-security-group[data-from='sg-training'][data-to='sg-endpoints']"
        )
        .await?,
        1
    );

    // Click one subnet, Shift-click another: both selected, the side panel counts them.
    let (public_x, public_y, _, _) = box_of(browser, "subnet-public-a").await?;
    let (private_x, private_y, _, _) = box_of(browser, "subnet-private-a").await?;
    browser
        .drag_between(
            (public_x + 6.0, public_y + 6.0),
            (public_x + 6.0, public_y + 6.0),
            false,
        )
        .await?;
    browser
        .shift_click_at(private_x + 6.0, private_y + 6.0)
        .await?;
    assert_eq!(
        selected_ids(browser).await?,
        vec!["subnet-private-a", "subnet-public-a"]
    );
    let count_text = browser.find("#selection-count").await?.text().await?;
    assert!(count_text.starts_with("2 objects selected"), "{count_text}");

    // The arrow key moves both (and what is inside them); one undo puts both back.
    let public_before = draft(browser, "d.layout['subnet-public-a'].x").await?;
    let private_before = draft(browser, "d.layout['subnet-private-a'].x").await?;
    let chip_before = draft(browser, "d.layout['wl-hosting'].x").await?;
    browser.press(&[char::from(Key::Right)]).await?;
    browser
        .wait_until(
            &format!(
                "JSON.parse(localStorage.getItem('moat.draft')).layout['subnet-public-a'].x === {} + 10",
                public_before
            ),
            5,
        )
        .await?;
    let moved = |before: &Value| before.as_f64().unwrap_or_default() + 10.0;
    let now = |value: Value| value.as_f64().unwrap_or_default();
    assert_eq!(
        now(draft(browser, "d.layout['subnet-private-a'].x").await?),
        moved(&private_before)
    );
    assert_eq!(
        now(draft(browser, "d.layout['wl-hosting'].x").await?),
        moved(&chip_before),
        "a chip moves with its subnet"
    );
    browser.press(&[char::from(Key::Control), 'z']).await?;
    browser
        .wait_until(
            &format!(
                "JSON.parse(localStorage.getItem('moat.draft')).layout['subnet-private-a'].x === {private_before}"
            ),
            5,
        )
        .await?;
    assert_eq!(
        draft(browser, "d.layout['subnet-public-a'].x").await?,
        public_before
    );

    // Dragging one member of the selection drags the group, by the same grid-snapped step.
    let number = |value: Value| value.as_f64().unwrap_or_default();
    let public_y0 = number(draft(browser, "d.layout['subnet-public-a'].y").await?);
    let private_y0 = number(draft(browser, "d.layout['subnet-private-a'].y").await?);
    let (grab_x, grab_y) = (public_x + 6.0, public_y + 6.0);
    browser
        .drag_between((grab_x, grab_y), (grab_x, grab_y + 40.0), false)
        .await?;
    browser
        .wait_until(
            &format!(
                "JSON.parse(localStorage.getItem('moat.draft')).layout['subnet-public-a'].y !== {public_y0}"
            ),
            5,
        )
        .await?;
    let public_dy = number(draft(browser, "d.layout['subnet-public-a'].y").await?) - public_y0;
    let private_dy = number(draft(browser, "d.layout['subnet-private-a'].y").await?) - private_y0;
    assert!(
        (public_dy - 40.0).abs() <= 10.0,
        "the grabbed subnet moved {public_dy}"
    );
    assert_eq!(public_dy, private_dy, "both members moved alike");

    // A rubber band over the whole canvas selects every object drawn; Shift-click drops one.
    browser.press(&[char::from(Key::Escape)]).await?;
    browser.click("button[aria-label='Fit to content']").await?;
    let canvas = browser
        .client
        .execute(
            "const r = document.querySelector('#canvas').getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom];",
            vec![],
        )
        .await?;
    let corner = |index: usize| canvas[index].as_f64().unwrap_or_default();
    browser
        .drag_between(
            (corner(2) - 3.0, corner(3) - 3.0),
            (corner(0) + 2.0, corner(1) + 2.0),
            false,
        )
        .await?;
    let drawn = count(browser, "#canvas > g.camera > g[data-id]").await?;
    assert_eq!(selected_ids(browser).await?.len() as u64, drawn);
    browser.find(".rubber-band").await.err();
    let (gpu_x, gpu_y) = center_of(browser, "wl-hosting").await?;
    browser.shift_click_at(gpu_x, gpu_y).await?;
    let after_toggle = selected_ids(browser).await?;
    assert_eq!(after_toggle.len() as u64, drawn - 1);
    assert!(!after_toggle.contains(&"wl-hosting".to_string()));
    // Delete removes the whole selection in one step; one undo brings it all back.
    let objects = "d.vpcs.length + d.subnets.length + d.endpoints.length + d.workloads.length";
    let before = draft(browser, objects).await?;
    browser.press(&[char::from(Key::Delete)]).await?;
    browser
        .wait_until(
            "JSON.parse(localStorage.getItem('moat.draft')).vpcs.length === 0",
            5,
        )
        .await?;
    // The VPC took what is inside it, the unselected chip included.
    assert_eq!(draft(browser, "d.workloads.length").await?, Value::from(0));
    browser.press(&[char::from(Key::Control), 'z']).await?;
    browser
        .wait_until(
            &format!(
                "(d => {objects})(JSON.parse(localStorage.getItem('moat.draft'))) === {before}"
            ),
            5,
        )
        .await?;

    // An availability zone lane dropped into the VPC brings a subnet in the next zone.
    browser.click("button[aria-label='Fit to content']").await?;
    let (vpc_x, vpc_y, vpc_w, vpc_h) = box_of(browser, "vpc-multimodal").await?;
    drag_item(
        browser,
        "Availability zone",
        vpc_x + vpc_w * 0.5,
        vpc_y + vpc_h * 0.5,
    )
    .await?;
    browser
        .wait_until("document.querySelectorAll('.az-lane').length === 2", 5)
        .await?;
    assert_eq!(
        draft(
            browser,
            "d.subnets.filter(s => s.availability_zone === 'us-east-1b').length"
        )
        .await?,
        Value::from(1)
    );

    // Ctrl+D on a VPC copies it with everything inside.
    browser
        .drag_between(
            (vpc_x + 4.0, vpc_y + 4.0),
            (vpc_x + 4.0, vpc_y + 4.0),
            false,
        )
        .await?;
    assert_eq!(selected_ids(browser).await?, vec!["vpc-multimodal"]);
    browser.press(&[char::from(Key::Control), 'd']).await?;
    browser
        .wait_until(
            "JSON.parse(localStorage.getItem('moat.draft')).vpcs.length === 2",
            5,
        )
        .await?;
    assert_eq!(
        draft(
            browser,
            "d.subnets.filter(s => s.vpc === d.vpcs[1].id).length === d.subnets.filter(s => s.vpc === 'vpc-multimodal').length"
        )
        .await?,
        Value::Bool(true)
    );

    // A whole-design SVG shows every object at 100 % whatever the camera does.
    browser.click("button[aria-label='Zoom in']").await?;
    browser.click("button[aria-label='Zoom in']").await?;
    browser.show_tab("files").await?;
    browser.click("details.export-panel summary").await?;
    browser
        .find("select[aria-label='Export area']")
        .await?
        .select_by_value("whole")
        .await?;
    browser.click("button[aria-label='Export SVG']").await?;
    let svg = fetch_download(browser).await?;
    let facts = browser
        .client
        .execute(
            "const doc = new DOMParser().parseFromString(arguments[0], 'image/svg+xml');
             const root = doc.documentElement;
             const d = JSON.parse(localStorage.getItem('moat.draft'));
             const drawn = Object.keys(d.layout).length;
             return [doc.querySelector('parsererror') === null, root.getAttribute('viewBox'),
                     root.querySelectorAll('[data-id]').length === drawn + 0 ? 'all' : root.querySelectorAll('[data-id]').length + ' of ' + drawn,
                     root.querySelector('g.camera').getAttribute('transform'),
                     root.querySelector('style') !== null, root.querySelectorAll('.selected').length];",
            vec![Value::from(svg)],
        )
        .await?;
    assert_eq!(facts[0], Value::Bool(true), "the SVG parses");
    assert!(facts[1].as_str().is_some_and(|v| v.split(' ').count() == 4));
    assert_eq!(facts[2], Value::from("all"), "{facts:?}");
    assert_eq!(facts[3], Value::from(""), "no camera transform");
    assert_eq!(facts[4], Value::Bool(true), "styles travel with it");
    assert_eq!(facts[5], Value::from(0), "no selection marks");
    let view_box: Vec<f64> = facts[1]
        .as_str()
        .unwrap_or_default()
        .split(' ')
        .filter_map(|n| n.parse().ok())
        .collect();
    // The PNG of the whole design is twice the SVG's size.
    browser.click("button[aria-label='Export PNG']").await?;
    browser
        .wait_until(
            "document.querySelector('#download-link').getAttribute('data-file-name') === 'design.png'",
            10,
        )
        .await?;
    let png_size = browser
        .client
        .execute_async(
            "const done = arguments[arguments.length - 1]; const i = new Image(); i.onload = () => done([i.naturalWidth, i.naturalHeight]); i.src = document.querySelector('#download-link').href;",
            vec![],
        )
        .await?;
    assert_eq!(
        png_size,
        serde_json::json!([
            (view_box[2] * 2.0).round() as u64,
            (view_box[3] * 2.0).round() as u64
        ])
    );
    Ok(())
}

pub(crate) async fn with_browser<F, Fut>(name: &str, scenario: F) -> anyhow::Result<()>
where
    F: FnOnce(Browser, MoatServer) -> Fut,
    Fut: std::future::Future<Output = (Browser, anyhow::Result<()>)>,
{
    with_server_and_browser(name, &[], &[], scenario).await
}

/// One browser test: moto, the real server (with these users and `MOAT_*` settings) and a
/// fresh Chromium, one test at a time; a screenshot when the scenario fails.
pub(crate) async fn with_server_and_browser<F, Fut>(
    name: &str,
    users: &[e2e::TestUser],
    settings: &[(&str, &str)],
    scenario: F,
) -> anyhow::Result<()>
where
    F: FnOnce(Browser, MoatServer) -> Fut,
    Fut: std::future::Future<Output = (Browser, anyhow::Result<()>)>,
{
    let _one = crate::ONE_BROWSER_AT_A_TIME.lock().await;
    let moto = Moto::start()?;
    // Deployments go through the fault layer (faults off): it serves the calls moto lacks.
    let layer = e2e::faults::FaultLayer::start(&moto.url, 1).await?;
    let server = MoatServer::start_with(&layer.url, users, settings)?;
    let browser = Browser::start().await?;
    let (browser, outcome) = scenario(browser, server).await;
    if outcome.is_err()
        && let Ok(path) = browser.screenshot(name).await
    {
        eprintln!("screenshot of the failure: {}", path.display());
    }
    let _ = browser.client.clone().close().await;
    outcome
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_palette_kind_drops_into_its_container_and_connect_mode_wires_routes()
-> anyhow::Result<()> {
    with_browser("palette", |browser, server| async move {
        let outcome = palette_and_connect(&browser, &server).await;
        (browser, outcome)
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn import_export_inspector_edits_and_history() -> anyhow::Result<()> {
    with_browser("files", |browser, server| async move {
        let outcome = files_and_history(&browser, &server).await;
        (browser, outcome)
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn zoom_fit_wheel_nudge_and_duplicate() -> anyhow::Result<()> {
    with_browser("navigation", |browser, server| async move {
        let outcome = navigation_and_keyboard(&browser, &server).await;
        (browser, outcome)
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn security_group_rules_are_edited_as_a_table() -> anyhow::Result<()> {
    with_browser("rules", |browser, server| async move {
        let outcome = rule_tables(&browser, &server).await;
        (browser, outcome)
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_field_has_its_control_from_an_empty_canvas() -> anyhow::Result<()> {
    with_browser("field-controls", |browser, server| async move {
        let outcome = field_controls_from_an_empty_canvas(&browser, &server).await;
        (browser, outcome)
    })
    .await
}

/// The page served by a plain static server, with no Moat API behind it.
struct StaticServer {
    process: std::process::Child,
    url: String,
}

impl Drop for StaticServer {
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

fn static_server() -> anyhow::Result<StaticServer> {
    let dist = std::env::var_os("MOAT_E2E_DIST")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| {
            let executable = std::env::current_exe().unwrap_or_default();
            executable
                .ancestors()
                .nth(3)
                .map(|target| target.join("dist"))
                .unwrap_or_default()
        });
    let port = e2e::free_port()?;
    let process = std::process::Command::new("python3")
        .args([
            "-m",
            "http.server",
            "--bind",
            "127.0.0.1",
            &port.to_string(),
            "--directory",
        ])
        .arg(&dist)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()?;
    let started = std::time::Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        anyhow::ensure!(
            started.elapsed().as_secs() < 20,
            "the static server did not start"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    Ok(StaticServer {
        process,
        url: format!("http://127.0.0.1:{port}/"),
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_server_the_page_still_designs_and_says_saving_is_off() -> anyhow::Result<()> {
    let _one = crate::ONE_BROWSER_AT_A_TIME.lock().await;
    let server = static_server()?;
    let browser = Browser::start().await?;
    let outcome = async {
        browser.client.goto(&server.url).await?;
        browser
            .wait_until(
                "document.querySelector('.banner')?.textContent.includes('saving is off')",
                10,
            )
            .await?;
        let (canvas_x, canvas_y) = browser.element_origin("#canvas").await?;
        drag_item(&browser, "VPC", canvas_x + 40.0, canvas_y + 60.0).await?;
        browser.find("[data-id='vpc-1']").await?;
        browser
            .wait_until(
                "JSON.parse(localStorage.getItem('moat.draft')).vpcs.length === 1",
                5,
            )
            .await?;
        anyhow::Ok(())
    }
    .await;
    if outcome.is_err()
        && let Ok(path) = browser.screenshot("no-server").await
    {
        eprintln!("screenshot of the failure: {}", path.display());
    }
    let _ = browser.client.clone().close().await;
    outcome
}

const DESIGNER: e2e::TestUser = e2e::TestUser {
    name: "dora",
    role: "designer",
    password: "correct horse battery",
};

/// Another client saves the stored design with a new name, through the real API.
async fn save_from_another_client(browser: &Browser, name: &str) -> anyhow::Result<Value> {
    Ok(browser
        .client
        .execute_async(
            "const done = arguments[arguments.length - 1]; (async () => {
                const session = await (await fetch('/api/v1/auth/session')).json();
                const list = await (await fetch('/api/v1/designs')).json();
                const id = list.designs.find(d => d.name !== 'copy').id;
                const current = await (await fetch('/api/v1/designs/' + id)).json();
                current.document.name = arguments[0];
                const answer = await fetch('/api/v1/designs/' + id, {method: 'PUT', headers: {'content-type': 'application/json', 'x-csrf-token': session.csrf_token},
                    body: JSON.stringify({document: current.document, base_revision: current.revision})});
                done(answer.status);
            })();",
            vec![Value::from(name)],
        )
        .await?)
}

async fn conflicts(browser: &Browser, server: &MoatServer) -> anyhow::Result<()> {
    browser.client.goto(&server.url).await?;
    replace_text(browser, "Name", DESIGNER.name).await?;
    replace_text(browser, "Password", DESIGNER.password).await?;
    browser
        .wait_until(
            "document.querySelector('#signed-in-as')?.textContent.includes('dora (designer)')",
            10,
        )
        .await?;
    browser.click("button[aria-label='Templates']").await?;
    browser.click("button[data-template='mvp']").await?;
    let save = browser
        .client
        .find_all(fantoccini::Locator::Css("header button"))
        .await?;
    for button in save {
        if button.text().await? == "Save as new design" {
            button.click().await?;
        }
    }
    browser
        .wait_until(
            "document.querySelector('#status').textContent.includes('Saved revision 1')",
            10,
        )
        .await?;

    // Another client saves first; this browser's next autosave is refused and says so.
    assert_eq!(
        save_from_another_client(browser, "changed elsewhere").await?,
        Value::from(200)
    );
    browser.click("[data-id='subnet-public-a'] rect").await?;
    browser.press(&[char::from(Key::Right)]).await?;
    browser
        .wait_until("document.querySelector('#conflict')", 10)
        .await?;
    browser.click("#conflict button:first-of-type").await?;
    browser
        .wait_until(
            "document.querySelector('#status').textContent.includes('Reloaded revision 2')",
            10,
        )
        .await?;
    assert_eq!(
        draft(browser, "d.name").await?,
        Value::from("changed elsewhere")
    );
    browser
        .wait_until("!document.querySelector('#conflict')", 5)
        .await?;

    // Again, and this time keep this browser's version as a copy.
    assert_eq!(
        save_from_another_client(browser, "changed again").await?,
        Value::from(200)
    );
    browser.click("[data-id='subnet-public-a'] rect").await?;
    browser.press(&[char::from(Key::Right)]).await?;
    browser
        .wait_until("document.querySelector('#conflict')", 10)
        .await?;
    browser.click("#conflict button:last-of-type").await?;
    browser
        .wait_until(
            "document.querySelector('#status').textContent.includes('Saved revision 1')",
            10,
        )
        .await?;
    let designs = browser
        .client
        .execute_async("const done = arguments[arguments.length - 1]; fetch('/api/v1/designs').then(r => r.json()).then(l => done(l.designs.length));", vec![])
        .await?;
    assert_eq!(designs, Value::from(2), "the copy is a second design");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_conflicting_save_offers_reload_or_a_copy() -> anyhow::Result<()> {
    let _one = crate::ONE_BROWSER_AT_A_TIME.lock().await;
    let moto = Moto::start()?;
    let server = MoatServer::start(&moto.url, &[DESIGNER])?;
    let browser = Browser::start().await?;
    let outcome = conflicts(&browser, &server).await;
    if outcome.is_err()
        && let Ok(path) = browser.screenshot("conflicts").await
    {
        eprintln!("screenshot of the failure: {}", path.display());
    }
    let _ = browser.client.clone().close().await;
    outcome
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shift_select_rubber_band_group_edits_lanes_and_whole_design_export() -> anyhow::Result<()>
{
    with_browser("multi-selection", |browser, server| async move {
        let outcome = multi_selection(&browser, &server).await;
        (browser, outcome)
    })
    .await
}

/// The first minute: an empty canvas says what to do, and the Templates dialog is a modal one
/// can work with the keyboard (focus inside, Tab kept inside, Escape closes and returns focus).
async fn templates_dialog_and_empty_canvas(
    browser: &Browser,
    server: &MoatServer,
) -> anyhow::Result<()> {
    browser.client.goto(&server.url).await?;
    browser.find("#empty-hint").await?;
    browser
        .find("[title^='Drag an Interface endpoint onto the canvas']")
        .await?;
    // The first load fetches the page's loader of on-demand parts, and none of the parts.
    assert_eq!(
        fetched_parts(browser).await?,
        serde_json::json!({ "loader": 1, "parts": [] }),
        "the first load fetches no on-demand part"
    );
    browser.click("button[aria-label='Templates']").await?;
    let focused_template = "document.activeElement?.dataset?.template === 'mvp'";
    browser.wait_until(focused_template, 5).await?;
    // Opening the gallery fetched its part.
    assert_part_fetched(
        browser,
        "lazy-split_template_gallery-",
        "opening the gallery fetched its part",
    )
    .await?;
    browser
        .press(&[char::from(Key::Shift), char::from(Key::Tab)])
        .await?;
    browser
        .wait_until(
            "document.activeElement?.getAttribute('aria-label') === 'Close templates'",
            5,
        )
        .await?;
    browser.press(&[char::from(Key::Tab)]).await?;
    browser.wait_until(focused_template, 5).await?;
    browser.press(&[char::from(Key::Escape)]).await?;
    browser
        .wait_until(
            "!document.querySelector(\"section[aria-label='Templates']\") && document.activeElement?.getAttribute('aria-label') === 'Templates'",
            5,
        )
        .await?;
    // Escape closed the dialog and changed nothing else.
    assert_eq!(
        draft(browser, "d === null ? 0 : d.vpcs.length").await?,
        Value::from(0)
    );
    let parts_before_checks = part_count(browser).await?;
    // Parts the page cannot fetch (offline, a newer build deployed since) say so, the page
    // goes on working, and Try again fetches them once the server answers: here the design
    // checks, which the first object asks for, and the Analysis tab.
    browser
        .client
        .execute(
            "window.realFetch = window.fetch;
             window.fetch = (url, ...rest) => String(url).includes('/lazy-')
                 ? Promise.reject(new TypeError('offline')) : window.realFetch(url, ...rest);",
            vec![],
        )
        .await?;
    let (canvas_x, canvas_y) = browser.element_origin("#canvas").await?;
    drag_item(browser, "VPC", canvas_x + 30.0, canvas_y + 60.0).await?;
    browser
        .wait_until("!document.querySelector('#empty-hint')", 5)
        .await?;
    let unchecked = browser
        .find("#diagnostics .checks-failed[role=alert]")
        .await?;
    assert!(unchecked.text().await?.contains("not checked"));
    browser
        .wait_until(
            "document.querySelector('#tab-problems')?.textContent.includes('Problems (not checked)')",
            5,
        )
        .await?;
    browser.show_tab("analysis").await?;
    let failed = browser
        .find("#panel-analysis .part-failed[role=alert]")
        .await?;
    assert!(
        failed.text().await?.contains("could not be fetched"),
        "the failure is told in words"
    );
    assert_eq!(count(browser, "#canvas g.vpc").await?, 1, "nothing is lost");
    // The new VPC is selected: its editors are a part too, and the inspector says it could
    // not fetch them.
    // (Read as the page holds it: the inspector's tab may be behind another one.)
    browser
        .find("section[aria-label=Inspector] .part-failed[role=alert]")
        .await?;
    let told = browser
        .client
        .execute(
            "return document.querySelector('section[aria-label=Inspector] .part-failed').textContent;",
            vec![],
        )
        .await?;
    assert!(
        told.as_str()
            .is_some_and(|text| text.contains("editors could not be fetched")),
        "the inspector tells the failure in words: {told}"
    );
    browser
        .client
        .execute("window.fetch = window.realFetch;", vec![])
        .await?;
    browser.show_tab("inspect").await?;
    browser
        .click("section[aria-label=Inspector] .part-failed button")
        .await?;
    browser
        .wait_until(
            "document.querySelector('section[aria-label=Inspector] h2')?.textContent.startsWith('VPC ')
             && document.querySelector('section[aria-label=Inspector] input')",
            10,
        )
        .await?;
    assert_part_fetched(
        browser,
        "lazy-split_object_editors-",
        "the selected object's editors are fetched as a part",
    )
    .await?;
    browser.show_tab("analysis").await?;
    browser.click("#diagnostics .checks-failed button").await?;
    browser
        .wait_until(
            "/^Problems \\(\\d+ errors, \\d+ warnings\\)$/.test(document.querySelector('#tab-problems')?.textContent.trim())
             && !document.querySelector('#diagnostics .checks-failed')",
            10,
        )
        .await?;
    // Chrome records a fetched resource's timing entry after the fetch has answered, so the
    // entry may come a moment after the checks are in use.
    let more_parts = format!(
        "performance.getEntriesByType('resource').map(e => new URL(e.name).pathname.slice(1))
             .filter(n => n.startsWith('lazy-') && n.endsWith('.wasm')).length > {parts_before_checks}"
    );
    let fetched = browser.wait_until(&more_parts, 5).await;
    let parts_with_checks = part_count(browser).await?;
    assert!(
        fetched.is_ok() && parts_with_checks > parts_before_checks,
        "the checks are fetched as parts of their own ({parts_before_checks} parts before, {parts_with_checks} after)"
    );
    browser.click("#panel-analysis .part-failed button").await?;
    browser.find("#panel-analysis #cost-total").await?;
    assert_eq!(
        browser
            .client
            .execute(
                "return document.querySelectorAll('#panel-analysis .part-failed').length;",
                vec![]
            )
            .await?,
        Value::from(0)
    );
    Ok(())
}

/// Fails with `why` and the parts fetched so far unless one of them is named `prefix`….
async fn assert_part_fetched(browser: &Browser, prefix: &str, why: &str) -> anyhow::Result<()> {
    let parts = fetched_parts(browser).await?;
    let fetched = parts["parts"].as_array().is_some_and(|parts| {
        parts
            .iter()
            .any(|part| part.as_str().is_some_and(|name| name.starts_with(prefix)))
    });
    anyhow::ensure!(fetched, "{why}: {prefix}… is not among {parts}");
    Ok(())
}

/// How many on-demand parts the page has fetched so far.
async fn part_count(browser: &Browser) -> anyhow::Result<usize> {
    Ok(fetched_parts(browser).await?["parts"]
        .as_array()
        .map_or(0, Vec::len))
}

/// The on-demand parts the page has fetched so far (`lazy-split_…`, `lazy-chunk_…` wasm
/// files), and how many times it fetched their loader (`lazy-loader-….js`). It raises the
/// page's buffer of timing entries (250 by default) so later fetches are never left out.
async fn fetched_parts(browser: &Browser) -> anyhow::Result<Value> {
    Ok(browser
        .client
        .execute(
            "performance.setResourceTimingBufferSize(1000);
             const names = performance.getEntriesByType('resource').map(e => new URL(e.name).pathname.slice(1));
             return { loader: names.filter(n => n.startsWith('lazy-loader-')).length,
                      parts: names.filter(n => n.startsWith('lazy-') && n.endsWith('.wasm')) };",
            vec![],
        )
        .await?)
}

/// A file imported on a fresh page, before anything was selected, is refused with the exact
/// place of the problem: the first load reads designs without naming paths, and the page
/// fetches the reader that names them (a part) for the message.
async fn fresh_page_import_names_the_place(
    browser: &Browser,
    server: &MoatServer,
) -> anyhow::Result<()> {
    browser.client.goto(&server.url).await?;
    browser.find("#empty-hint").await?;
    assert_eq!(
        part_count(browser).await?,
        0,
        "the first load fetches no part"
    );
    let directory = tempfile::tempdir()?;
    let bad = directory.path().join("bad.json");
    std::fs::write(
        &bad,
        r#"{"schema_version": 2, "name": "x", "region": "us-east-1", "vpcs": [{"id": "v", "cidr_blocks": ["10.0.0.0/16"]}], "subnets": [{"id": "s", "vpc": "v", "availability_zone": "us-east-1a", "cidr": "10.0.0.0/24", "tier": "dmz"}]}"#,
    )?;
    browser
        .find("input[aria-label='Import design file']")
        .await?
        .send_keys(bad.to_str().unwrap_or_default())
        .await?;
    browser
        .wait_until(
            "document.querySelector('#notice')?.textContent.includes('bad.json failed: subnets[0].tier: unknown variant')",
            10,
        )
        .await?;
    assert_part_fetched(
        browser,
        "lazy-split_object_editors-",
        "the path-naming reader was fetched for the message",
    )
    .await?;
    browser.find("#empty-hint").await?;
    assert_eq!(
        count(browser, "#canvas g.vpc").await?,
        0,
        "nothing was imported"
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_imported_on_a_fresh_page_is_refused_with_the_place_of_the_problem()
-> anyhow::Result<()> {
    with_browser("fresh-import", |browser, server| async move {
        let outcome = fresh_page_import_names_the_place(&browser, &server).await;
        (browser, outcome)
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_empty_canvas_says_what_to_do_and_the_templates_dialog_keeps_the_keyboard()
-> anyhow::Result<()> {
    with_browser("first-minute", |browser, server| async move {
        let outcome = templates_dialog_and_empty_canvas(&browser, &server).await;
        (browser, outcome)
    })
    .await
}

/// The keyboard path to add an object and set its fields: Tab to the palette, Enter adds the
/// object in the selected container and puts the focus in its first field, typing sets it.
async fn keyboard_adds_and_sets(browser: &Browser, server: &MoatServer) -> anyhow::Result<()> {
    browser.client.goto(&server.url).await?;
    browser
        .find("button.palette-item[aria-label='VPC']")
        .await?;
    let mut presses = 0;
    browser
        .client
        .execute(
            "document.querySelector(\"button.palette-item[aria-label='VPC']\").focus();",
            vec![],
        )
        .await?;
    browser.press(&[char::from(Key::Enter)]).await?;
    presses += 1;
    browser.find("g.vpc[data-id='vpc-1']").await?;
    // The new VPC's first field takes the focus (once its editors, a part, are here).
    browser
        .wait_until(
            "document.activeElement?.closest(\"section[aria-label='Inspector']\") && document.querySelector(\"section[aria-label='Inspector'] h2\")?.textContent === 'VPC vpc-1'",
            5,
        )
        .await?;
    // Back to the palette (Shift+Tab would walk there too), two items down, Enter.
    browser
        .client
        .execute(
            "document.querySelector(\"button.palette-item[aria-label='VPC']\").focus();",
            vec![],
        )
        .await?;
    for _ in 0..2 {
        browser.press(&[char::from(Key::Tab)]).await?;
        presses += 1;
    }
    let focused = browser
        .client
        .execute(
            "return document.activeElement.getAttribute('aria-label');",
            vec![],
        )
        .await?;
    assert_eq!(focused, Value::from("Private subnet"));
    browser.press(&[char::from(Key::Enter)]).await?;
    presses += 1;
    browser.find("g.subnet[data-id='subnet-1']").await?;
    browser
        .wait_until(
            "document.activeElement?.getAttribute('aria-label') === 'CIDR block'",
            5,
        )
        .await?;
    let cidr = "10.0.8.0/24";
    browser
        .client
        .active_element()
        .await?
        .send_keys(&format!("\u{E009}a\u{E000}{cidr}"))
        .await?;
    presses += 2 + cidr.len();
    browser
        .wait_until(
            "(d => d.subnets[0]?.vpc === 'vpc-1' && d.subnets[0].cidr === '10.0.8.0/24')(JSON.parse(localStorage.getItem('moat.draft')))",
            5,
        )
        .await?;
    assert!(
        presses <= 20,
        "{presses} key presses to add a subnet and set its CIDR"
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_keyboard_adds_an_object_and_sets_its_first_field() -> anyhow::Result<()> {
    with_browser("keyboard-path", |browser, server| async move {
        let outcome = keyboard_adds_and_sets(&browser, &server).await;
        (browser, outcome)
    })
    .await
}
