//! Accessibility on every screen: axe-core (Deque's rules, as a screen-reader user's auditor
//! would run them) finds no serious or critical violation signed out, signed in, with each
//! dialog open (templates, Open, the deploy review), with a template on the canvas and an
//! object in the inspector, and with every side panel opened (history, matrix, export, admin).

use e2e::{Browser, MoatServer, TestUser};
use fantoccini::key::Key;

const ADMIN: TestUser = TestUser {
    name: "ada",
    role: "admin",
    password: "correct horse battery",
};

/// Runs axe on the screen as it is and files what it finds under the screen's name.
async fn audit(browser: &Browser, screen: &str, findings: &mut Vec<String>) -> anyhow::Result<()> {
    for violation in browser.serious_accessibility_violations().await? {
        findings.push(format!("{screen}: {violation}"));
    }
    Ok(())
}

async fn walk(browser: &Browser, server: &MoatServer) -> anyhow::Result<()> {
    let mut findings = Vec::new();
    browser.client.goto(&server.url).await?;
    browser
        .find("button.palette-item[aria-label='VPC']")
        .await?;
    audit(browser, "signed out, empty canvas", &mut findings).await?;

    browser.sign_in(&ADMIN).await?;
    audit(browser, "signed in, empty canvas", &mut findings).await?;

    browser.click("button[aria-label='Templates']").await?;
    browser.find(".gallery[aria-label='Templates']").await?;
    audit(browser, "templates dialog", &mut findings).await?;
    browser
        .click("button[data-template='multimodal-endpoints']")
        .await?;
    browser.find("g.chip").await?;
    audit(browser, "a template on the canvas", &mut findings).await?;
    browser.click("g.chip rect").await?;
    browser
        .wait_until("document.querySelector('section[aria-label=Inspector]')", 5)
        .await?;
    audit(browser, "an object in the inspector", &mut findings).await?;
    browser.press(&[char::from(Key::Escape)]).await?;

    browser.save_as_new_design().await?;
    for (tab, summary) in [
        ("history", "#history-panel summary"),
        ("files", "details.export-panel summary"),
        ("matrix", "#matrix-panel summary"),
    ] {
        browser.show_tab(tab).await?;
        browser.click(summary).await?;
        audit(browser, &format!("saved design, {tab} tab"), &mut findings).await?;
    }
    browser.find("#matrix").await?;
    for tab in ["analysis", "deploy"] {
        browser.show_tab(tab).await?;
        audit(browser, &format!("saved design, {tab} tab"), &mut findings).await?;
    }

    browser
        .click("button[aria-label='Open a saved design']")
        .await?;
    browser
        .wait_until("document.querySelector('#open-designs')", 10)
        .await?;
    audit(browser, "Open dialog", &mut findings).await?;
    browser.press(&[char::from(Key::Escape)]).await?;

    browser
        .client
        .execute(
            "[...document.querySelectorAll('header button')].find(b => b.textContent === 'Deploy').click();",
            vec![],
        )
        .await?;
    browser
        .wait_until("document.querySelector('#plan-summary')", 20)
        .await?;
    audit(browser, "deploy review", &mut findings).await?;
    browser.press(&[char::from(Key::Escape)]).await?;

    browser.show_tab("admin").await?;
    browser.click("#admin-panel details summary").await?;
    audit(browser, "admin panel", &mut findings).await?;
    anyhow::ensure!(
        findings.is_empty(),
        "{} serious or critical violations:\n{}",
        findings.len(),
        findings.join("\n")
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn axe_finds_no_serious_violation_on_any_screen() -> anyhow::Result<()> {
    crate::designer::with_server_and_browser(
        "accessibility",
        &[ADMIN],
        &[],
        |browser, server| async move {
            let outcome = walk(&browser, &server).await;
            (browser, outcome)
        },
    )
    .await
}
