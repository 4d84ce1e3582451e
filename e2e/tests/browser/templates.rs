//! Templates and live diagnostics on every kind of object: pick a template from the gallery,
//! delete its internet gateway, see every consequence marked on the canvas and listed, click a
//! diagnostic to select its object, undo; turn on the VPC's flow logs from its note and the
//! inspector, undo.

use e2e::{Browser, MoatServer, Moto};
use fantoccini::key::Key;

const NO_ERROR_OR_WARNING: &str =
    "!document.querySelector('button.diagnostic.error, button.diagnostic.warning')";

async fn run(browser: &Browser, server: &MoatServer) -> anyhow::Result<()> {
    browser.client.goto(&server.url).await?;
    browser.click("button[aria-label='Templates']").await?;
    // The gallery shows every template with a thumbnail drawn from its layout.
    browser
        .wait_until(
            "document.querySelectorAll('.gallery-item svg.thumbnail').length === 4",
            5,
        )
        .await?;
    browser.wait_until("[...document.querySelectorAll('svg.thumbnail')].every(t => t.querySelectorAll('rect').length >= 6)", 5).await?;
    browser
        .click("button[data-template='multimodal-endpoints']")
        .await?;
    browser.find("g.chip[data-id='nat-a']").await?;
    for object in [
        "vpc-multimodal",
        "subnet-private-a",
        "igw-multimodal",
        "vpce-sagemaker-api",
        "rt-private",
        "sg-endpoints",
        "wl-hosting",
    ] {
        browser.find(&format!("[data-id='{object}']")).await?;
    }
    // Routes, associations, endpoint attachments and the one security-group reference.
    browser
        .wait_until("document.querySelectorAll('polyline.edge').length === 6", 5)
        .await?;
    // Clean but for six notes: no flow logs, a group only SageMaker will attach, and four
    // endpoints without a policy of their own.
    browser.wait_until(NO_ERROR_OR_WARNING, 5).await?;
    browser
        .wait_until(
            "[...document.querySelectorAll('#diagnostics h3')].some(h => h.textContent === 'Notes (6)')",
            5,
        )
        .await?;
    browser
        .find("button.diagnostic.info[data-code='sg.unattached']")
        .await?;
    browser
        .wait_until(
            "document.querySelectorAll(\"button.diagnostic.info[data-code='endpoint.policy-full-access']\").length === 4",
            5,
        )
        .await?;

    // Delete the internet gateway: three consequences, each marked where it happens.
    browser
        .click("g.chip[data-id='igw-multimodal'] rect")
        .await?;
    browser.wait_until("document.querySelector('section[aria-label=Inspector] h2')?.textContent === 'Internet gateway igw-multimodal'", 5).await?;
    browser.press(&[char::from(Key::Delete)]).await?;
    browser
        .wait_until("!document.querySelector(\"[data-id='igw-multimodal']\")", 5)
        .await?;
    for code in [
        "route.target-missing",
        "route.nat-not-public",
        "subnet.intent-mismatch",
    ] {
        browser
            .wait_until(
                &format!("document.querySelector(\"button.diagnostic[data-code='{code}']\")"),
                5,
            )
            .await?;
    }
    browser
        .wait_until(
            "document.querySelector(\"g.chip[data-id='nat-a']\").classList.contains('has-error')",
            5,
        )
        .await?;
    browser.wait_until("document.querySelector(\"g.chip[data-id='rt-public']\").classList.contains('has-error')", 5).await?;
    browser
        .wait_until(
            "document.querySelector('#diagnostics h3').textContent === 'Errors (2)'",
            5,
        )
        .await?;

    // Clicking a diagnostic selects its object.
    browser
        .click("button.diagnostic[data-code='route.nat-not-public']")
        .await?;
    browser
        .wait_until(
            "document.querySelector(\"g.chip[data-id='nat-a']\").classList.contains('selected')",
            5,
        )
        .await?;
    browser.wait_until("document.querySelector('section[aria-label=Inspector] h2')?.textContent === 'NAT gateway nat-a'", 5).await?;

    // Keyboard: a focused object is selected with Enter.
    browser
        .client
        .execute(
            "document.querySelector(\"[data-id='rt-private']\").focus();",
            vec![],
        )
        .await?;
    browser.press(&['\u{E007}']).await?;
    browser.wait_until("document.querySelector('section[aria-label=Inspector] h2')?.textContent === 'Route table rt-private'", 5).await?;

    // Undo brings the gateway back and the errors go.
    browser.press(&[char::from(Key::Control), 'z']).await?;
    browser.find("g.chip[data-id='igw-multimodal']").await?;
    browser.wait_until(NO_ERROR_OR_WARNING, 5).await?;

    // The flow-logs note selects its VPC; a destination typed in the inspector answers it.
    browser
        .click("button.diagnostic[data-code='vpc.flow-logs-off']")
        .await?;
    browser.wait_until("document.querySelector('section[aria-label=Inspector] h2')?.textContent === 'VPC vpc-multimodal'", 5).await?;
    browser
        .replace_input_text(
            "input[aria-label='Flow log destination']",
            "arn:aws:s3:::audit-flow-logs/multimodal",
        )
        .await?;
    browser
        .wait_until(
            "!document.querySelector(\"button.diagnostic[data-code='vpc.flow-logs-off']\")",
            5,
        )
        .await?;
    browser.wait_until("JSON.parse(localStorage.getItem('moat.draft')).vpcs[0].flow_logs?.destination === 'arn:aws:s3:::audit-flow-logs/multimodal'", 5).await?;
    // A bad destination is an error named on the VPC, then the aggregation choice applies.
    browser
        .wait_until(
            "!!document.querySelector(\"select[aria-label='Flow log aggregation']\")",
            5,
        )
        .await?;
    browser
        .client
        .execute(
            "const s = document.querySelector('select[aria-label=\"Flow log aggregation\"]'); s.value = '60'; s.dispatchEvent(new Event('change'));",
            vec![],
        )
        .await?;
    browser.wait_until("JSON.parse(localStorage.getItem('moat.draft')).vpcs[0].flow_logs?.max_aggregation_interval === 60", 5).await?;
    browser
        .replace_input_text(
            "input[aria-label='Flow log destination']",
            "s3://audit-flow-logs",
        )
        .await?;
    browser
        .wait_until(
            "!!document.querySelector(\"button.diagnostic.error[data-code='flowlog.destination-invalid']\")",
            5,
        )
        .await?;
    // Undo walks back one edit at a time: the valid destination, then no flow logs at all.
    browser.press(&[char::from(Key::Control), 'z']).await?;
    browser.wait_until(NO_ERROR_OR_WARNING, 5).await?;
    browser.press(&[char::from(Key::Control), 'z']).await?;
    browser.press(&[char::from(Key::Control), 'z']).await?;
    browser
        .wait_until(
            "!!document.querySelector(\"button.diagnostic[data-code='vpc.flow-logs-off']\")",
            5,
        )
        .await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_template_shows_every_diagnostic_live_on_the_objects_involved() -> anyhow::Result<()> {
    let _one = crate::ONE_BROWSER_AT_A_TIME.lock().await;
    let moto = Moto::start()?;
    let server = MoatServer::start(&moto.url, &[])?;
    let browser = Browser::start().await?;
    let outcome = run(&browser, &server).await;
    if outcome.is_err()
        && let Ok(path) = browser.screenshot("templates").await
    {
        eprintln!("screenshot of the failure: {}", path.display());
    }
    let _ = browser.client.clone().close().await;
    outcome
}
