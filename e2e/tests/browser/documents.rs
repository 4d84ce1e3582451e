//! Designs as documents, walked as a person would: build from an empty canvas, save it as a new
//! design (its id goes into the URL), reload (still that design, never a second one, and edits
//! made in the autosave's quiet spell survive), New, the Open dialog (search, who, deployment
//! state, Escape), back and forward, and the deploy review (plan, cost change, IAM policy,
//! approval, Apply in view, progress in place, an outcome that stays true after a reload).

use e2e::{Browser, MoatServer, TestUser};
use fantoccini::key::Key;
use serde_json::Value;

use crate::designer::drag_item;

const DEPLOYER: TestUser = TestUser {
    name: "dana",
    role: "deployer",
    password: "correct horse battery",
};

async fn script(browser: &Browser, code: &str) -> anyhow::Result<Value> {
    Ok(browser.client.execute(code, vec![]).await?)
}

/// How many designs the server stores, asked as the signed-in page.
async fn stored_designs(browser: &Browser) -> anyhow::Result<Vec<Value>> {
    let value = browser
        .client
        .execute_async(
            "const done = arguments[arguments.length - 1]; fetch('/api/v1/designs').then(r => r.json()).then(l => done(l.designs));",
            vec![],
        )
        .await?;
    Ok(value.as_array().cloned().unwrap_or_default())
}

async fn design_in_url(browser: &Browser) -> anyhow::Result<String> {
    let value = script(
        browser,
        "return new URLSearchParams(location.search).get('design') || '';",
    )
    .await?;
    Ok(value.as_str().unwrap_or_default().to_string())
}

async fn click_header_button(browser: &Browser, text: &str) -> anyhow::Result<()> {
    let clicked = script(
        browser,
        &format!(
            "const b = [...document.querySelectorAll('header button')].find(b => b.textContent === '{text}'); if (b) b.click(); return !!b;"
        ),
    )
    .await?;
    anyhow::ensure!(clicked == Value::Bool(true), "no header button {text}");
    Ok(())
}

async fn walk(browser: &Browser, server: &MoatServer) -> anyhow::Result<()> {
    browser.client.goto(&server.url).await?;
    browser.sign_in(&DEPLOYER).await?;

    // From an empty canvas: a VPC and a subnet in it, named in the design settings.
    let (canvas_x, canvas_y) = browser.element_origin("#canvas").await?;
    drag_item(browser, "VPC", canvas_x + 40.0, canvas_y + 40.0).await?;
    let (vpc_x, vpc_y, _, _) = crate::designer::box_of(browser, "vpc-1").await?;
    drag_item(browser, "Private subnet", vpc_x + 130.0, vpc_y + 110.0).await?;
    browser.find("g.subnet[data-id='subnet-1']").await?;
    browser.press(&[char::from(Key::Escape)]).await?;
    browser
        .replace_input_text("input[aria-label='Design name']", "Feature store")
        .await?;
    browser
        .wait_until(
            "document.querySelector('#document-state')?.dataset.saved === 'false'",
            5,
        )
        .await?;
    // A draft's Save says what it does; nothing is on the server yet.
    assert!(stored_designs(browser).await?.is_empty());
    click_header_button(browser, "Save as new design").await?;
    browser
        .wait_until(
            "document.querySelector('#status')?.textContent.includes('Saved revision 1 of the new design')",
            10,
        )
        .await?;
    let first = design_in_url(browser).await?;
    assert!(first.starts_with("d-"), "the URL names the design: {first}");
    browser
        .wait_until(
            "document.querySelector('#document-state')?.dataset.saved === 'true'
             && document.querySelector('#deployment-state')?.dataset.status === 'none'",
            5,
        )
        .await?;
    // Drift on a design never deployed says so, not "2 deleted outside Moat".
    browser.show_tab("deploy").await?;
    browser.click("button[aria-label='Check drift']").await?;
    browser
        .wait_until(
            "document.querySelector('#drift-result')?.dataset.drift === 'not-deployed'",
            20,
        )
        .await?;

    // A reload keeps the link: still this design, and the next edit autosaves into it.
    browser.client.refresh().await?;
    browser
        .wait_until(
            &format!(
                "document.querySelector('#document-state')?.dataset.design === '{first}'
                 && document.querySelector(\"g.subnet[data-id='subnet-1']\")"
            ),
            10,
        )
        .await?;
    assert_eq!(design_in_url(browser).await?, first);
    browser.click("g.subnet[data-id='subnet-1'] rect").await?;
    browser.press(&[char::from(Key::Right)]).await?;
    browser
        .wait_until(
            "document.querySelector('#status')?.textContent.includes('Autosaved revision 2')",
            10,
        )
        .await?;
    assert_eq!(
        stored_designs(browser).await?.len(),
        1,
        "a reload never makes a second design"
    );

    // An edit made in the autosave's quiet spell survives a reload, saved into the same design.
    let moved_to = script(
        browser,
        "return JSON.parse(localStorage.getItem('moat.draft')).layout['subnet-1'].x;",
    )
    .await?
    .as_f64()
    .unwrap_or_default();
    browser.press(&[char::from(Key::Right)]).await?;
    browser.client.refresh().await?;
    browser
        .wait_until(
            "document.querySelector('#status')?.textContent.includes('Saved revision 3')",
            10,
        )
        .await?;
    let designs = stored_designs(browser).await?;
    assert_eq!(designs.len(), 1, "{designs:?}");
    assert_eq!(designs[0]["revision"], 3);
    let kept = script(
        browser,
        "return JSON.parse(localStorage.getItem('moat.draft')).layout['subnet-1'].x;",
    )
    .await?
    .as_f64()
    .unwrap_or_default();
    assert!(
        kept > moved_to,
        "the unsaved move came back: {kept} > {moved_to}"
    );

    // New: an empty draft, out of the URL; saved explicitly as a second design.
    browser.click("button[aria-label='New design']").await?;
    browser
        .wait_until(
            "document.querySelector('#document-state')?.dataset.saved === 'false'
             && !document.querySelector('g.vpc')",
            5,
        )
        .await?;
    assert_eq!(design_in_url(browser).await?, "");
    drag_item(browser, "VPC", canvas_x + 40.0, canvas_y + 40.0).await?;
    browser.press(&[char::from(Key::Escape)]).await?;
    browser
        .replace_input_text("input[aria-label='Design name']", "Scratch")
        .await?;
    click_header_button(browser, "Save as new design").await?;
    browser
        .wait_until(
            "document.querySelector('#status')?.textContent.includes('Saved revision 1 of the new design')",
            10,
        )
        .await?;
    let second = design_in_url(browser).await?;
    assert!(second.starts_with("d-") && second != first, "{second}");

    // The Open dialog: focus in its search, both designs with who saved them, a search, Escape.
    browser
        .click("button[aria-label='Open a saved design']")
        .await?;
    browser
        .wait_until(
            "document.querySelectorAll('#open-designs tbody tr').length === 2
             && document.activeElement?.getAttribute('aria-label') === 'Search designs by name or id'",
            10,
        )
        .await?;
    let row = script(
        browser,
        &format!(
            "const r = document.querySelector(\"#open-designs tr[data-design='{first}']\"); return [...r.cells].map(c => c.textContent);"
        ),
    )
    .await?;
    assert!(
        row[0]
            .as_str()
            .unwrap_or_default()
            .starts_with("Feature store"),
        "{row}"
    );
    assert_eq!(row[2], "dana", "saved by: {row}");
    assert_eq!(row[3], "dana", "created by: {row}");
    assert_eq!(row[4], "not deployed", "{row}");
    browser.press(&[char::from(Key::Escape)]).await?;
    browser
        .wait_until(
            "!document.querySelector('.open-dialog')
             && document.activeElement?.getAttribute('aria-label') === 'Open a saved design'",
            5,
        )
        .await?;
    browser
        .click("button[aria-label='Open a saved design']")
        .await?;
    browser
        .find("input[aria-label='Search designs by name or id']")
        .await?
        .send_keys("FEATURE")
        .await?;
    browser
        .wait_until(
            "document.querySelectorAll('#open-designs tbody tr').length === 1",
            10,
        )
        .await?;
    browser
        .click(&format!(
            "#open-designs tr[data-design='{first}'] button.link"
        ))
        .await?;
    browser
        .wait_until(
            &format!(
                "document.querySelector('#document-state')?.dataset.design === '{first}'
                 && document.querySelector(\"g.subnet[data-id='subnet-1']\")
                 && document.querySelector('#status')?.textContent.includes('Opened “Feature store” revision 3')"
            ),
            10,
        )
        .await?;
    assert_eq!(design_in_url(browser).await?, first);

    // Back and forward move between the two designs.
    script(browser, "history.back(); return 0;").await?;
    browser
        .wait_until(
            &format!("document.querySelector('#document-state')?.dataset.design === '{second}'"),
            10,
        )
        .await?;
    script(browser, "history.forward(); return 0;").await?;
    browser
        .wait_until(
            &format!("document.querySelector('#document-state')?.dataset.design === '{first}'"),
            10,
        )
        .await?;
    assert_eq!(stored_designs(browser).await?.len(), 2);

    // Deploy opens the review: Apply in view and focused, cost, approval and IAM policy.
    click_header_button(browser, "Deploy").await?;
    browser
        .wait_until(
            "document.querySelectorAll('#plan-panel li[data-action=create]').length > 0
             && document.activeElement?.classList.contains('apply')
             && document.querySelector('#review-iam')?.textContent.length > 0",
            20,
        )
        .await?;
    let review = script(
        browser,
        "return [document.querySelector('#review-title').textContent,
                 document.querySelector('#review-approval').textContent,
                 document.querySelector('#review-iam').textContent,
                 (() => { const r = document.querySelector('button.apply').getBoundingClientRect();
                          return r.top >= 0 && r.bottom <= innerHeight; })()];",
    )
    .await?;
    assert!(
        review[0]
            .as_str()
            .unwrap_or_default()
            .contains("Deploy “Feature store” revision 3 to us-east-1"),
        "{review}"
    );
    assert!(
        review[1]
            .as_str()
            .unwrap_or_default()
            .starts_with("No second approval"),
        "{review}"
    );
    assert!(
        review[2]
            .as_str()
            .unwrap_or_default()
            .contains("ec2:CreateVpc"),
        "{review}"
    );
    assert_eq!(review[3], true, "Apply is in view");
    browser
        .wait_until(
            "document.querySelector('#review-cost')?.textContent.includes('against nothing deployed yet')",
            10,
        )
        .await?;
    browser.click("button[aria-label='Apply the plan']").await?;
    browser
        .wait_until(
            "document.querySelector('#review-progress')?.dataset.status === 'succeeded'
             && document.querySelector('#review-progress').textContent.startsWith('Finished')
             && document.querySelector('#deployment-state')?.dataset.status === 'succeeded'",
            60,
        )
        .await?;
    let badge = script(
        browser,
        "return document.querySelector('#deployment-state').textContent;",
    )
    .await?;
    assert_eq!(badge, "deployed revision 3");

    // The outcome stays true: after a reload, and in the Open dialog.
    browser.client.refresh().await?;
    browser
        .wait_until(
            "document.querySelector('#deployment-state')?.textContent === 'deployed revision 3'",
            10,
        )
        .await?;
    browser
        .click("button[aria-label='Open a saved design']")
        .await?;
    browser
        .wait_until(
            &format!(
                "document.querySelector(\"#open-designs tr[data-design='{first}'] td[data-deployment='succeeded']\")"
            ),
            10,
        )
        .await?;
    browser.press(&[char::from(Key::Escape)]).await?;
    // A second review of the deployed design compares its cost with what is deployed.
    click_header_button(browser, "Deploy").await?;
    browser
        .wait_until(
            "document.querySelector('#review-cost')?.textContent.includes('against revision 3 deployed now')
             && document.querySelector('#plan-summary')?.textContent.startsWith('0 to create')",
            20,
        )
        .await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_design_is_a_document_reopened_by_its_link_and_deployed_through_the_review()
-> anyhow::Result<()> {
    crate::designer::with_server_and_browser(
        "documents",
        &[DEPLOYER],
        &[],
        |browser, server| async move {
            let outcome = walk(&browser, &server).await;
            (browser, outcome)
        },
    )
    .await
}
