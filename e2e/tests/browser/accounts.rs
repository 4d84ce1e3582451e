//! Accounts in the browser: sign up → pending (no sign-in, no Deploy) → an admin approves with a
//! role → the user designs and saves; the history lists the revision; the audit log shows it.

use e2e::{Browser, MoatServer, TestUser};

use crate::designer::with_server_and_browser;
use serde_json::Value;

const ADMIN: TestUser = TestUser {
    name: "root",
    role: "admin",
    password: "correct horse battery",
};
const NEWCOMER: &str = "newcomer";
const NEWCOMER_PASSWORD: &str = "a long enough passphrase";

async fn type_into(browser: &Browser, css: &str, value: &str) -> anyhow::Result<()> {
    let field = browser.find(css).await?;
    field
        .send_keys(&format!("\u{E009}a\u{E000}{value}"))
        .await?;
    Ok(())
}

async fn credentials(browser: &Browser, name: &str, password: &str) -> anyhow::Result<()> {
    type_into(browser, "header input[aria-label='Name']", name).await?;
    type_into(browser, "header input[aria-label='Password']", password).await
}

async fn sign_in(browser: &Browser, name: &str, password: &str) -> anyhow::Result<()> {
    credentials(browser, name, password).await?;
    browser
        .click("form[aria-label='Sign in'] button[type='submit']")
        .await
}

async fn status(browser: &Browser) -> anyhow::Result<String> {
    Ok(browser.find("#status").await?.text().await?)
}

async fn journey(browser: &Browser, server: &MoatServer) -> anyhow::Result<()> {
    browser.client.goto(&server.url).await?;
    browser.find("form[aria-label='Sign in']").await?;
    // Sign up: the account waits for approval.
    credentials(browser, NEWCOMER, NEWCOMER_PASSWORD).await?;
    browser.click("button[aria-label='Sign up']").await?;
    browser
        .wait_until(
            "document.querySelector('#status').textContent.includes('waits for an admin')",
            10,
        )
        .await?;
    // Pending: signing in is refused with the reason; no Deploy button, and the API refuses.
    sign_in(browser, NEWCOMER, NEWCOMER_PASSWORD).await?;
    browser
        .wait_until(
            "document.querySelector('#status').textContent.startsWith('Sign-in failed')",
            10,
        )
        .await?;
    let refused = status(browser).await?;
    assert!(
        refused.contains("waits for an admin's approval"),
        "status: {refused}"
    );
    assert!(
        browser
            .client
            .find(fantoccini::Locator::Css("#signed-in-as"))
            .await
            .is_err()
    );
    let deploy_buttons = browser
        .client
        .execute(
            "return [...document.querySelectorAll('header button')].filter(b => b.textContent === 'Deploy').length;",
            vec![],
        )
        .await?;
    assert_eq!(deploy_buttons, Value::from(0));
    let api = browser
        .client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             fetch('/api/v1/auth/login', {method: 'POST', headers: {'Content-Type': 'application/json'},
                 body: JSON.stringify({name: arguments[0], password: arguments[1]})})
               .then(r => fetch('/api/v1/designs').then(d => done([r.status, d.status])));",
            vec![Value::from(NEWCOMER), Value::from(NEWCOMER_PASSWORD)],
        )
        .await?;
    assert_eq!(api, serde_json::json!([403, 401]));
    // The admin approves the sign-up as a designer.
    sign_in(browser, ADMIN.name, ADMIN.password).await?;
    browser.show_tab("admin").await?;
    browser
        .find("#admin-panel tr[data-user='newcomer'][data-status='pending']")
        .await?;
    browser
        .find("select[aria-label='Role of newcomer']")
        .await?
        .select_by_value("designer")
        .await?;
    browser
        .click("button[aria-label='Approve newcomer']")
        .await?;
    browser
        .find("#admin-panel tr[data-user='newcomer'][data-status='active']")
        .await?;
    browser.click("#admin-panel details summary").await?;
    browser
        .find("#audit-log li[data-action='user-approve']")
        .await?;
    browser.click("button[aria-label='Sign out']").await?;
    browser.find("form[aria-label='Sign in']").await?;
    // The newcomer designs and saves; a designer has no Deploy button.
    sign_in(browser, NEWCOMER, NEWCOMER_PASSWORD).await?;
    browser
        .wait_until(
            "document.querySelector('#signed-in-as')?.textContent === 'newcomer (designer)'",
            10,
        )
        .await?;
    assert_eq!(
        browser
            .client
            .execute(
                "return [...document.querySelectorAll('header button')].filter(b => b.textContent === 'Deploy').length;",
                vec![],
            )
            .await?,
        Value::from(0)
    );
    assert!(
        browser
            .client
            .find(fantoccini::Locator::Css("#admin-panel"))
            .await
            .is_err(),
        "only admins see the admin panel"
    );
    browser.click("button[aria-label='Templates']").await?;
    browser.click("button[data-template='mvp']").await?;
    browser.find("[data-id='wl-notebook']").await?;
    browser
        .client
        .execute(
            "[...document.querySelectorAll('header button')].find(b => b.textContent === 'Save as new design').click();",
            vec![],
        )
        .await?;
    browser
        .wait_until(
            "document.querySelector('#status').textContent.startsWith('Saved revision 1 of the new design')",
            10,
        )
        .await?;
    browser.show_tab("history").await?;
    browser.click("#history-panel summary").await?;
    let revision = browser
        .find("#revisions li[data-revision='1']")
        .await?
        .text()
        .await?;
    assert!(revision.starts_with("r1 by newcomer"), "{revision}");
    assert!(revision.contains("added"), "{revision}");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_up_waits_for_approval_then_the_user_designs_and_saves() -> anyhow::Result<()> {
    with_server_and_browser("accounts", &[ADMIN], &[], |browser, server| async move {
        let outcome = journey(&browser, &server).await;
        (browser, outcome)
    })
    .await
}

const ALICE: TestUser = TestUser {
    name: "alice",
    role: "deployer",
    password: "correct horse battery",
};
const BOB: TestUser = TestUser {
    name: "bob",
    role: "deployer",
    password: "correct horse battery",
};

async fn two_person_rule(browser: &Browser, server: &MoatServer) -> anyhow::Result<()> {
    browser.client.goto(&server.url).await?;
    sign_in(browser, ALICE.name, ALICE.password).await?;
    browser
        .wait_until(
            "document.querySelector('#signed-in-as')?.textContent === 'alice (deployer)'",
            10,
        )
        .await?;
    browser.click("button[aria-label='Templates']").await?;
    browser.click("button[data-template='mvp']").await?;
    browser.find("[data-id='wl-notebook']").await?;
    let click_header = |label: &'static str| {
        format!(
            "[...document.querySelectorAll('header button')].find(b => b.textContent === '{label}').click();"
        )
    };
    browser
        .client
        .execute(&click_header("Save as new design"), vec![])
        .await?;
    browser
        .wait_until(
            "document.querySelector('#status').textContent.startsWith('Saved revision 1 of the new design')",
            10,
        )
        .await?;
    browser
        .client
        .execute(&click_header("Deploy"), vec![])
        .await?;
    browser.click("button[aria-label='Apply the plan']").await?;
    browser
        .find("#deployment-status[data-status='awaiting_approval']")
        .await?;
    // Alice's own queue shows the request, but the server refuses her approval.
    browser.show_tab("deploy").await?;
    browser
        .click("#approval-queue button[aria-label^='Approve deployment']")
        .await?;
    browser
        .wait_until(
            "document.querySelector('#status').textContent.includes('different deployer')",
            10,
        )
        .await?;
    browser.click("button[aria-label='Sign out']").await?;
    // Bob approves it; it runs against moto.
    sign_in(browser, BOB.name, BOB.password).await?;
    browser.show_tab("deploy").await?;
    browser
        .click("#approval-queue button[aria-label^='Approve deployment']")
        .await?;
    browser
        .wait_until(
            "['running', 'succeeded'].includes(document.querySelector('#deployment-status')?.dataset.status)",
            20,
        )
        .await?;
    browser
        .wait_until(
            "document.querySelector('#deployment-status')?.dataset.status === 'succeeded'",
            60,
        )
        .await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_protected_target_deploys_only_after_a_second_deployer_approves() -> anyhow::Result<()> {
    with_server_and_browser(
        "two-person",
        &[ALICE, BOB],
        &[("MOAT_PROTECTED_TARGETS", "us-east-1")],
        |browser, server| async move {
            let outcome = two_person_rule(&browser, &server).await;
            (browser, outcome)
        },
    )
    .await
}
