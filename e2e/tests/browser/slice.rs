//! The thin slice, end to end: sign in, drag a VPC and two subnets, make them overlap and see the
//! diagnostic, fix it, save, deploy, and check through EC2 that moto holds exactly that network.

use std::collections::BTreeSet;

use anyhow::Context;
use aws_sdk_ec2::types::Filter;
use e2e::{Browser, MoatServer, Moto, TestUser};

const DEPLOYER: TestUser = TestUser {
    name: "dana",
    role: "deployer",
    password: "correct horse battery",
};

async fn drop_palette_item(browser: &Browser, label: &str, x: f64, y: f64) -> anyhow::Result<()> {
    let item = browser
        .find(&format!("button.palette-item[aria-label='{label}']"))
        .await?;
    browser.drag_to(&item, x, y).await
}

async fn set_field(browser: &Browser, label: &str, value: &str) -> anyhow::Result<()> {
    let field = browser
        .find(&format!("input[aria-label='{label}']"))
        .await?;
    // Select all, then type: every keystroke goes through the editor's command path.
    field
        .send_keys(&format!("\u{E009}a\u{E000}{value}"))
        .await?;
    Ok(())
}

async fn run_slice(browser: &Browser, server: &MoatServer, moto: &Moto) -> anyhow::Result<()> {
    browser.client.goto(&server.url).await?;
    browser
        .find("button.palette-item[aria-label='VPC']")
        .await?;

    set_field(browser, "Name", DEPLOYER.name).await?;
    set_field(browser, "Password", DEPLOYER.password).await?;
    browser
        .find("form[aria-label='Sign in'] button[type='submit']")
        .await?
        .click()
        .await?;
    browser
        .wait_until(
            "document.querySelector('#signed-in-as')?.textContent.includes('dana (deployer)')",
            10,
        )
        .await?;

    let (canvas_x, canvas_y) = browser.element_origin("#canvas").await?;
    drop_palette_item(browser, "VPC", canvas_x + 40.0, canvas_y + 40.0).await?;
    browser.find("g.vpc[data-id='vpc-1']").await?;

    // A subnet dropped outside every VPC is refused, with the reason shown.
    drop_palette_item(
        browser,
        "Private subnet",
        canvas_x + 650.0,
        canvas_y + 420.0,
    )
    .await?;
    browser
        .wait_until(
            "document.querySelector('#notice')?.textContent.includes('inside a VPC')",
            5,
        )
        .await?;
    browser
        .wait_until("document.querySelectorAll('g.subnet').length === 0", 5)
        .await?;

    let (vpc_x, vpc_y) = browser
        .element_origin("g.vpc[data-id='vpc-1'] rect")
        .await?;
    drop_palette_item(browser, "Private subnet", vpc_x + 130.0, vpc_y + 110.0).await?;
    browser.find("g.subnet[data-id='subnet-1']").await?;
    drop_palette_item(browser, "Private subnet", vpc_x + 360.0, vpc_y + 110.0).await?;
    browser.find("g.subnet[data-id='subnet-2']").await?;

    // Make subnet-2 overlap subnet-1: the diagnostic appears live, and the subnet is marked.
    browser
        .find("g.subnet[data-id='subnet-2'] rect")
        .await?
        .click()
        .await?;
    set_field(browser, "CIDR block", "10.0.0.128/25").await?;
    browser
        .wait_until(
            "document.querySelector(\"button.diagnostic[data-code='subnet.overlap']\")",
            5,
        )
        .await?;
    browser.wait_until("document.querySelector(\"g.subnet[data-id='subnet-2']\").classList.contains('has-error')", 5).await?;

    // Fix it: the diagnostic disappears.
    set_field(browser, "CIDR block", "10.0.1.0/24").await?;
    browser
        .wait_until("!document.querySelector('button.diagnostic.error')", 5)
        .await?;

    click_button(browser, "Save as new design").await?;
    browser
        .wait_until(
            "document.querySelector('#status').textContent.includes('Saved revision 1')",
            10,
        )
        .await?;
    // Once saved, every change autosaves after a quiet spell: move subnet-2 to another AZ.
    set_field(browser, "Availability zone", "us-east-1b\n").await?;
    browser.click("h1").await?;
    browser
        .wait_until(
            "document.querySelector('#status').textContent.includes('Autosaved revision 2')",
            10,
        )
        .await?;
    // Deploy shows the plan first: every step a create, the objects marked on the canvas.
    click_button(browser, "Deploy").await?;
    browser
        .wait_until(
            "document.querySelectorAll('#plan-panel li[data-action=create]').length > 0",
            20,
        )
        .await?;
    let planned: Vec<serde_json::Value> = browser
        .client
        .execute(
            "return [document.querySelectorAll('#plan-panel li').length,
                     document.querySelectorAll('#plan-panel li[data-action=create]').length,
                     [...document.querySelectorAll('rect.deploy-mark.plan-create')].map(r => r.dataset.deployObject).sort()];",
            vec![],
        )
        .await?
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(
        planned[0], planned[1],
        "an empty account: every step creates"
    );
    let marked: Vec<&str> = planned[2]
        .as_array()
        .map(|ids| ids.iter().filter_map(|id| id.as_str()).collect())
        .unwrap_or_default();
    for object in ["vpc-1", "subnet-1", "subnet-2"] {
        assert!(
            marked.contains(&object),
            "{object} marked by the plan: {marked:?}"
        );
    }
    browser.click("button[aria-label='Apply the plan']").await?;
    browser
        .wait_until(
            "document.querySelector('#deployment-status')?.dataset.status === 'succeeded'",
            60,
        )
        .await?;
    // The live progress (server-sent events) ends with every object done.
    browser
        .wait_until(
            "document.querySelectorAll('rect.deploy-mark.deploy-done').length >= 3
             && !document.querySelector('rect.deploy-mark.deploy-pending, rect.deploy-mark.deploy-creating, rect.deploy-mark.deploy-failed')",
            20,
        )
        .await?;
    browser
        .wait_until(
            "[...document.querySelectorAll('section[aria-label=Deployment] li')].some(li => li.textContent.startsWith('vpc vpc-1 → vpc-'))",
            10,
        )
        .await?;

    // Independently of Moat: what does EC2 (moto) hold now?
    let ec2 = moto.ec2();
    let vpcs = ec2
        .describe_vpcs()
        .filters(
            Filter::builder()
                .name("tag-key")
                .values("moat:design-id")
                .build(),
        )
        .send()
        .await?;
    let vpcs = vpcs.vpcs();
    assert_eq!(vpcs.len(), 1, "exactly one VPC tagged by Moat: {vpcs:?}");
    assert_eq!(vpcs[0].cidr_block(), Some("10.0.0.0/16"));
    let vpc_id = vpcs[0].vpc_id().context("VPC without id")?;
    let subnets = ec2
        .describe_subnets()
        .filters(Filter::builder().name("vpc-id").values(vpc_id).build())
        .send()
        .await?;
    let cidrs: BTreeSet<&str> = subnets
        .subnets()
        .iter()
        .filter_map(|subnet| subnet.cidr_block())
        .collect();
    assert_eq!(cidrs, BTreeSet::from(["10.0.0.0/24", "10.0.1.0/24"]));
    assert_eq!(subnets.subnets().len(), 2, "exactly those two subnets");
    for subnet in subnets.subnets() {
        let logical = subnet
            .tags()
            .iter()
            .find(|tag| tag.key() == Some("moat:logical-id"))
            .and_then(|tag| tag.value());
        assert!(
            matches!(logical, Some("subnet-1" | "subnet-2")),
            "tagged with its logical id: {logical:?}"
        );
        let expected_zone = if logical == Some("subnet-2") {
            "us-east-1b"
        } else {
            "us-east-1a"
        };
        assert_eq!(
            subnet.availability_zone(),
            Some(expected_zone),
            "{logical:?}"
        );
    }
    // Drift: none right after the deploy; a change made outside Moat is named.
    browser.click("button.close-review").await?;
    browser.show_tab("deploy").await?;
    browser.click("button[aria-label='Check drift']").await?;
    browser
        .wait_until(
            "document.querySelector('#drift-result')?.dataset.drift === '0'",
            20,
        )
        .await?;
    let changed = subnets
        .subnets()
        .iter()
        .find(|subnet| {
            subnet
                .tags()
                .iter()
                .any(|tag| tag.key() == Some("moat:logical-id") && tag.value() == Some("subnet-1"))
        })
        .and_then(|subnet| subnet.subnet_id())
        .context("subnet-1 in moto")?;
    ec2.modify_subnet_attribute()
        .subnet_id(changed)
        .map_public_ip_on_launch(
            aws_sdk_ec2::types::AttributeBooleanValue::builder()
                .value(true)
                .build(),
        )
        .send()
        .await?;
    browser.click("button[aria-label='Check drift']").await?;
    browser
        .wait_until(
            "document.querySelector('#drift-result')?.dataset.drift === '1'
             && document.querySelector('#drift-result').textContent.includes('subnet subnet-1: map_public_ip is true, designed false')",
            20,
        )
        .await?;
    // Import from AWS: the deployed VPC read back becomes the design.
    browser.click("details.import summary").await?;
    browser
        .client
        .find(fantoccini::Locator::Css(
            "input[aria-label='VPC id to import']",
        ))
        .await?
        .send_keys(vpc_id)
        .await?;
    browser
        .click("form[aria-label='Import from AWS'] button")
        .await?;
    browser
        .wait_until(
            &format!(
                "document.querySelector('#status').textContent.startsWith('Imported {vpc_id}')"
            ),
            20,
        )
        .await?;
    for subnet in subnets.subnets() {
        let id = subnet.subnet_id().context("subnet without id")?;
        browser.find(&format!("[data-id='{id}']")).await?;
    }
    browser.find(&format!("[data-id='{vpc_id}']")).await?;
    Ok(())
}

async fn click_button(browser: &Browser, text: &str) -> anyhow::Result<()> {
    let buttons = browser
        .client
        .find_all(fantoccini::Locator::Css("header button"))
        .await?;
    for button in buttons {
        if button.text().await? == text {
            return Ok(button.click().await?);
        }
    }
    anyhow::bail!("no header button named {text}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slice_design_validate_save_deploy_reaches_ec2() -> anyhow::Result<()> {
    let _one = crate::ONE_BROWSER_AT_A_TIME.lock().await;
    let moto = Moto::start()?;
    // The server's AWS endpoint is the fault layer (faults off) in front of moto: it answers
    // dry runs and serves the calls moto lacks.
    let layer = e2e::faults::FaultLayer::start(&moto.url, 1).await?;
    let server = MoatServer::start(&layer.url, &[DEPLOYER])?;
    let browser = Browser::start().await?;
    let outcome = run_slice(&browser, &server, &moto).await;
    if outcome.is_err()
        && let Ok(path) = browser.screenshot("slice").await
    {
        eprintln!("screenshot of the failure: {}", path.display());
    }
    let _ = browser.client.clone().close().await;
    outcome
}

/// Deploying into bare moto (no compatibility layer): the read of placement groups fails, and
/// the app says so in one line a person can act on, never an SDK dump.
async fn failed_deploy_in_words(browser: &Browser, server: &MoatServer) -> anyhow::Result<()> {
    browser.client.goto(&server.url).await?;
    browser.sign_in(&DEPLOYER).await?;
    browser.click("button[aria-label='Templates']").await?;
    browser
        .click("button[data-template='llm-training-efa']")
        .await?;
    click_button(browser, "Save as new design").await?;
    browser
        .wait_until(
            "document.querySelector('#status')?.textContent.includes('Saved revision 1')",
            10,
        )
        .await?;
    click_button(browser, "Deploy").await?;
    browser
        .wait_until(
            "document.querySelector('#status')?.textContent.startsWith('Plan refused')",
            60,
        )
        .await?;
    let line = browser
        .client
        .execute(
            "return document.querySelector('#status').textContent;",
            vec![],
        )
        .await?;
    let line = line.as_str().unwrap_or_default();
    for expected in [
        "DescribePlacementGroups",
        "500",
        "does not implement",
        "127.0.0.1",
    ] {
        assert!(line.contains(expected), "{expected} missing from: {line}");
    }
    for dump in ["ServiceError", "Unhandled", "XmlDecodeError", "{ ", "\n"] {
        assert!(!line.contains(dump), "{dump:?} in: {line}");
    }
    // Nothing was started, and the review closed itself.
    browser
        .wait_until("!document.querySelector('#plan-panel')", 5)
        .await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deploy_into_an_emulator_lacking_a_call_says_so_in_one_line() -> anyhow::Result<()> {
    let _one = crate::ONE_BROWSER_AT_A_TIME.lock().await;
    let moto = Moto::start()?;
    // Bare moto, as a person might point the server at it without the sandbox's layer.
    let server = MoatServer::start(&moto.url, &[DEPLOYER])?;
    let browser = Browser::start().await?;
    let outcome = failed_deploy_in_words(&browser, &server).await;
    if outcome.is_err()
        && let Ok(path) = browser.screenshot("failed-deploy").await
    {
        eprintln!("screenshot of the failure: {}", path.display());
    }
    let _ = browser.client.clone().close().await;
    outcome
}
