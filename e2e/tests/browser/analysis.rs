//! The analysis panels in the browser: the Path tool explains a blocked path and turns green
//! when the design is fixed; applying a cost suggestion changes the estimate; the matrix.

use e2e::{Browser, MoatServer};
use serde_json::Value;

use crate::designer::{box_of, center_of, count, draft, drag_item, replace_text, with_browser};

async fn open_template(browser: &Browser, server: &MoatServer, name: &str) -> anyhow::Result<()> {
    browser.client.goto(&server.url).await?;
    browser.click("button[aria-label='Templates']").await?;
    browser
        .click(&format!("button[data-template='{name}']"))
        .await?;
    Ok(())
}

async fn path_tool(browser: &Browser, server: &MoatServer) -> anyhow::Result<()> {
    open_template(browser, server, "llm-training-efa").await?;
    browser.find("[data-id='wl-trainers']").await?;
    // Pick the source on the canvas, type the destination.
    browser.click("button[aria-label='Path tool']").await?;
    let (x, y) = center_of(browser, "wl-trainers").await?;
    browser.drag_between((x, y), (x, y), false).await?;
    browser
        .wait_until(
            "document.querySelector(\"[aria-label='Path from']\").value === 'wl-trainers'",
            5,
        )
        .await?;
    replace_text(browser, "Path to", "sagemaker.api").await?;
    // No endpoint and no way out: blocked at the route table, which the canvas marks.
    browser
        .wait_until("document.querySelector('#path-verdict.blocked')", 5)
        .await?;
    assert_eq!(
        count(browser, ".path-blocked[data-code='no-route']").await?,
        1
    );
    assert_eq!(
        count(browser, "#canvas g.path-blocked[data-id='rt-training']").await?,
        1
    );
    assert!(count(browser, "#canvas g.on-path[data-id='sg-efa']").await? == 1);
    let hops = count(browser, "ol.hops li").await?;
    assert!(hops >= 3, "{hops} hops");
    // The fix: an interface endpoint (SageMaker API by default) in the training subnet.
    let (sx, sy, sw, sh) = box_of(browser, "subnet-training-a").await?;
    drag_item(browser, "Interface endpoint", sx + sw * 0.5, sy + sh - 30.0).await?;
    browser
        .wait_until("document.querySelector('#path-verdict.reachable')", 5)
        .await?;
    browser.show_tab("analysis").await?;
    let verdict = browser.find("#path-verdict").await?.text().await?;
    assert!(
        verdict.ends_with("Reachable via interface endpoint"),
        "{verdict}"
    );
    let endpoint = draft(browser, "d.endpoints.find(e => e.type === 'interface').id").await?;
    let endpoint = endpoint.as_str().unwrap_or_default().to_string();
    assert_eq!(
        count(browser, &format!("#canvas g.on-path[data-id='{endpoint}']")).await?,
        1
    );
    assert_eq!(count(browser, "#canvas g.path-blocked").await?, 0);
    Ok(())
}

async fn cost_suggestion(browser: &Browser, server: &MoatServer) -> anyhow::Result<()> {
    open_template(browser, server, "multimodal-endpoints").await?;
    browser.find("[data-id='vpce-s3']").await?;
    // The estimate is on the Analysis tab (its code is fetched when the tab is first shown).
    browser.show_tab("analysis").await?;
    browser.find("#cost-total").await?;
    let total = || async {
        Ok::<String, anyhow::Error>(
            browser
                .client
                .execute(
                    "return document.querySelector('#cost-total').textContent;",
                    vec![],
                )
                .await?
                .as_str()
                .unwrap_or_default()
                .to_string(),
        )
    };
    browser
        .wait_until(
            "document.querySelector('#cost-total').textContent === '$61.60'",
            5,
        )
        .await?;
    // Compute apart: the endpoint's 2 × ml.g5.2xlarge always on, then 100 hours a month.
    browser
        .wait_until(
            "document.querySelector('#compute-total').textContent === '$2,211.90'",
            5,
        )
        .await?;
    browser.click("g.chip[data-id='wl-hosting'] rect").await?;
    browser
        .replace_input_text("input[aria-label='Hours per month']", "100")
        .await?;
    browser
        .wait_until(
            "document.querySelector('#compute-total').textContent === '$303.00'",
            5,
        )
        .await?;
    assert_eq!(total().await?, "$61.60", "the network's cost is its own");
    // An instance type Moat cannot price is said, not counted as $0.
    browser
        .replace_input_text("input[aria-label='Instance type']", "ml.future.huge")
        .await?;
    browser
        .wait_until(
            "document.querySelector(\"#compute-lines li.unpriced[data-id='wl-hosting']\")?.textContent.includes('not in Moat')",
            5,
        )
        .await?;
    browser
        .press(&[char::from(fantoccini::key::Key::Control), 'z'])
        .await?;
    browser
        .press(&[char::from(fantoccini::key::Key::Control), 'z'])
        .await?;
    browser
        .wait_until(
            "document.querySelector('#compute-total').textContent === '$2,211.90'",
            5,
        )
        .await?;
    // Without the S3 gateway endpoint, 1 TB a month goes through the NAT gateway.
    let (x, y) = center_of(browser, "vpce-s3").await?;
    browser.drag_between((x, y), (x, y), false).await?;
    browser
        .press(&[char::from(fantoccini::key::Key::Delete)])
        .await?;
    browser
        .wait_until(
            "document.querySelector('#cost-total').textContent === '$106.60'",
            5,
        )
        .await?;
    browser.show_tab("analysis").await?;
    let suggestion = browser
        .find("#suggestions li[data-code='cost.gateway-endpoint']")
        .await?
        .text()
        .await?;
    assert!(
        suggestion.starts_with("add an S3 gateway endpoint to rt-private: −$45.00/month"),
        "{suggestion}"
    );
    browser
        .click("#suggestions li[data-code='cost.gateway-endpoint'] button")
        .await?;
    browser
        .wait_until(
            "document.querySelector('#cost-total').textContent === '$61.60'",
            5,
        )
        .await?;
    assert_eq!(total().await?, "$61.60");
    assert_eq!(
        draft(
            browser,
            "d.endpoints.filter(e => e.service === 's3' && e.route_tables.includes('rt-private')).length"
        )
        .await?,
        Value::from(1)
    );
    // The suggestion was one edit: one undo brings the NAT path back.
    browser
        .press(&[char::from(fantoccini::key::Key::Control), 'z'])
        .await?;
    browser
        .wait_until(
            "document.querySelector('#cost-total').textContent === '$106.60'",
            5,
        )
        .await?;
    // The matrix, opened, has a row per subnet.
    browser.show_tab("matrix").await?;
    browser.click("#matrix-panel summary").await?;
    browser.find("#matrix").await?;
    assert_eq!(count(browser, "#matrix tbody tr").await?, 2);
    assert_eq!(
        count(
            browser,
            "#matrix tr[data-subnet='subnet-private-a'] td.yes[data-column='sagemaker.api']"
        )
        .await?,
        1
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_path_tool_explains_a_blocked_path_and_turns_green_when_fixed() -> anyhow::Result<()> {
    with_browser("path-tool", |browser, server| async move {
        let outcome = path_tool(&browser, &server).await;
        (browser, outcome)
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn applying_a_cost_suggestion_changes_the_estimate_in_one_undoable_step() -> anyhow::Result<()>
{
    with_browser("cost", |browser, server| async move {
        let outcome = cost_suggestion(&browser, &server).await;
        (browser, outcome)
    })
    .await
}
