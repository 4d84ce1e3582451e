//! The workspace fits a 1280 × 800 screen: the side panel is tabs, wide tables scroll inside
//! their own box, Problems and the matrix live in the drawer below the canvas, and nothing
//! scrolls the page (or the side panel) sideways on any tab.

use e2e::{Browser, MoatServer, TestUser};
use fantoccini::key::Key;

const ADMIN: TestUser = TestUser {
    name: "ada",
    role: "admin",
    password: "correct horse battery",
};

/// What scrolls sideways now: the page, the side panel or the drawer, with their widths.
async fn sideways(browser: &Browser) -> anyhow::Result<Vec<String>> {
    browser
        .strings(
            "const over = [];
             const page = document.documentElement;
             if (page.scrollWidth > innerWidth) over.push(`page ${page.scrollWidth} > ${innerWidth}`);
             for (const css of ['aside.side', '.drawer', 'header']) {
               const box = document.querySelector(css);
               if (box && box.scrollWidth > box.clientWidth + 1) over.push(`${css} ${box.scrollWidth} > ${box.clientWidth}`);
             }
             return over;",
            vec![],
        )
        .await
}

async fn walk(browser: &Browser, server: &MoatServer) -> anyhow::Result<()> {
    browser.client.set_window_size(1280, 800).await?;
    browser.client.goto(&server.url).await?;
    browser.sign_in(&ADMIN).await?;
    browser.click("button[aria-label='Templates']").await?;
    browser
        .click("button[data-template='multimodal-endpoints']")
        .await?;
    browser.save_as_new_design().await?;
    let mut findings = Vec::new();
    // The widest inspector: a security group's rule tables.
    browser.click("g.chip.chip-sg rect").await?;
    browser.find("table.rules").await?;
    for line in sideways(browser).await? {
        findings.push(format!("inspector of a security group: {line}"));
    }
    browser.press(&[char::from(Key::Escape)]).await?;
    for tab in ["analysis", "deploy", "files", "history", "admin"] {
        browser.show_tab(tab).await?;
        for line in sideways(browser).await? {
            findings.push(format!("{tab} tab: {line}"));
        }
    }
    browser.show_tab("matrix").await?;
    browser.click("#matrix-panel summary").await?;
    browser.find("#matrix").await?;
    for line in sideways(browser).await? {
        findings.push(format!("matrix in the drawer: {line}"));
    }
    // Problems are in view at once, with their count, whichever side tab is shown.
    browser.show_tab("problems").await?;
    let problems = browser
        .client
        .execute(
            "return document.querySelector(\"button[data-tab='problems']\").textContent;",
            vec![],
        )
        .await?;
    assert!(
        problems
            .as_str()
            .unwrap_or_default()
            .starts_with("Problems ("),
        "{problems}"
    );
    browser.find("#panel-problems button.diagnostic").await?;
    // The drawer collapses, and the canvas takes its room.
    let canvas_height = || async {
        browser
            .client
            .execute(
                "return document.querySelector('#canvas').getBoundingClientRect().height;",
                vec![],
            )
            .await
            .map(|value| value.as_f64().unwrap_or_default())
    };
    let before = canvas_height().await?;
    browser.click("button.drawer-toggle").await?;
    browser
        .wait_until("document.querySelector('#panel-problems').hidden", 5)
        .await?;
    let after = canvas_height().await?;
    assert!(after > before + 50.0, "the canvas grew: {before} → {after}");
    // Arrow keys move between the side panel's tabs.
    browser.show_tab("analysis").await?;
    browser.press(&[char::from(Key::Right)]).await?;
    browser
        .wait_until(
            "document.querySelector(\"button[data-tab='deploy']\").getAttribute('aria-selected') === 'true'
             && document.activeElement?.dataset.tab === 'deploy'",
            5,
        )
        .await?;
    anyhow::ensure!(
        findings.is_empty(),
        "sideways scrolling at 1280 × 800:\n{}",
        findings.join("\n")
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_workspace_fits_1280_by_800_on_every_tab() -> anyhow::Result<()> {
    crate::designer::with_server_and_browser(
        "workspace",
        &[ADMIN],
        &[],
        |browser, server| async move {
            let outcome = walk(&browser, &server).await;
            (browser, outcome)
        },
    )
    .await
}
