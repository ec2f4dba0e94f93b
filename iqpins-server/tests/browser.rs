//! The dashboard in real Chromium (headless, driven by chromedriver): a person signs in to
//! the demo, connects Pinterest through the emulator's consent page, reviews a draft with
//! its rendered creative, approves it and publishes it; the worker publishes it once.
//!
//! Needs `chromium` and `chromedriver` (Debian packages). Without them the test says so and
//! returns, unless `IQPINS_REQUIRE_BROWSER=1` (set by `scripts/test`), where it fails.
#![allow(clippy::unwrap_used)] // a test: a failed unwrap is a failed test

use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use iqpins_core::{DraftFilter, DraftState, StateName};
use iqpins_server::demo::{DEMO_EMAIL, DEMO_PASSWORD, Demo};
use nix::sys::signal::{Signal, killpg};
use nix::unistd::Pid;

/// chromedriver in its own process group; the whole group (chromium included) is killed
/// on drop, even when the test panics.
struct Driver {
    child: Child,
    port: u16,
    _profile: tempfile::TempDir,
}

impl Drop for Driver {
    fn drop(&mut self) {
        // The group id is the child's pid (process_group(0)).
        let _ = killpg(Pid::from_raw(self.child.id() as i32), Signal::SIGKILL);
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn start_driver() -> Option<Driver> {
    let found = Command::new("chromedriver")
        .arg("--version")
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !found {
        if std::env::var_os("IQPINS_REQUIRE_BROWSER").is_some() {
            panic!("chromedriver is not installed but IQPINS_REQUIRE_BROWSER is set");
        }
        eprintln!(
            "NOTICE: chromedriver not found; skipping the browser test (scripts/test installs it)"
        );
        return None;
    }
    let port = free_port();
    let child = Command::new("chromedriver")
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .process_group(0)
        .spawn()
        .unwrap();
    Some(Driver {
        child,
        port,
        _profile: tempfile::tempdir().unwrap(),
    })
}

async fn connect(driver: &Driver) -> Client {
    let caps = serde_json::json!({
        "browserName": "chrome",
        "goog:chromeOptions": {"args": [
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--no-first-run", "--window-size=1200,1400",
            format!("--user-data-dir={}", driver._profile.path().display()),
        ]}
    });
    let caps = caps.as_object().unwrap().clone();
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        match ClientBuilder::rustls()
            .unwrap()
            .capabilities(caps.clone())
            .connect(&format!("http://127.0.0.1:{}", driver.port))
            .await
        {
            Ok(c) => return c,
            Err(e) if Instant::now() < deadline => {
                let _ = e;
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            Err(e) => panic!("cannot start a browser session: {e}"),
        }
    }
}

async fn text_of(c: &Client, css: &str) -> String {
    c.wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"))
        .text()
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_person_reviews_approves_and_publishes_a_pin_in_the_browser() {
    let Some(driver) = start_driver() else {
        return;
    };
    let db = tempfile::tempdir().unwrap();
    let demo = Demo::start(
        0,
        Some(format!("sqlite://{}", db.path().join("demo.db").display())),
    )
    .await
    .unwrap();
    let base = demo.base_url.clone();
    let c = connect(&driver).await;

    // Strangers are sent to the sign-in page.
    c.goto(&format!("{base}/drafts")).await.unwrap();
    assert!(c.current_url().await.unwrap().path().ends_with("/login"));
    c.find(Locator::Id("email"))
        .await
        .unwrap()
        .send_keys(DEMO_EMAIL)
        .await
        .unwrap();
    c.find(Locator::Id("password"))
        .await
        .unwrap()
        .send_keys(DEMO_PASSWORD)
        .await
        .unwrap();
    c.find(Locator::Css("button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    assert_eq!(text_of(&c, "main h1").await, "Overview");

    // Connect Pinterest through the emulator's consent page.
    c.goto(&format!("{base}/settings")).await.unwrap();
    c.find(Locator::Id("connect"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let allow = c
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css("button[value=allow]"))
        .await
        .unwrap();
    assert!(
        c.source().await.unwrap().contains("pins:write"),
        "the consent page lists the scopes"
    );
    allow.click().await.unwrap();
    let notice = text_of(&c, ".notice").await;
    assert!(
        notice.contains("Connected @iqpins_demo with 5 board(s)"),
        "{notice}"
    );

    // The review queue shows drafts with a suggested board and a rendered creative.
    c.goto(&format!("{base}/drafts")).await.unwrap();
    let form = c
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css("form.draft"))
        .await
        .unwrap();
    let img = form.find(Locator::Css("img")).await.unwrap();
    let loaded = c
        .execute(
            "const i = arguments[0]; return i.complete && i.naturalWidth === 1000 && i.naturalHeight === 1500;",
            vec![serde_json::to_value(&img).unwrap()],
        )
        .await
        .unwrap();
    let mut ok = loaded.as_bool().unwrap_or(false);
    for _ in 0..50 {
        if ok {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
        ok = c
            .execute(
                "const i = arguments[0]; return i.complete && i.naturalWidth === 1000 && i.naturalHeight === 1500;",
                vec![serde_json::to_value(&img).unwrap()],
            )
            .await
            .unwrap()
            .as_bool()
            .unwrap_or(false);
    }
    assert!(ok, "the creative preview loads as a 1000x1500 image");

    // Edit the title by typing, then approve.
    let title = form.find(Locator::Css("input[name=title]")).await.unwrap();
    title.clear().await.unwrap();
    title
        .send_keys("Hand-thrown mug, ocean glaze")
        .await
        .unwrap();
    form.find(Locator::Css("button[value=approve]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let notice = text_of(&c, ".notice").await;
    assert!(notice.starts_with("Approved"), "{notice}");

    // Publish now from the Approved tab; the worker publishes it.
    c.goto(&format!("{base}/drafts?state=approved"))
        .await
        .unwrap();
    c.find(Locator::Css("button[value=publish_now]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    assert!(text_of(&c, ".notice").await.contains("queued"));
    let account = demo
        .state
        .store
        .find_account_by_email(DEMO_EMAIL)
        .await
        .unwrap()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    let published = loop {
        let p = demo
            .state
            .store
            .list_drafts(
                account.id,
                &DraftFilter {
                    state: Some(StateName::Published),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        if !p.is_empty() || Instant::now() > deadline {
            break p;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert_eq!(published.len(), 1, "exactly one draft was published");
    assert_eq!(
        published[0].content.title.as_str(),
        "Hand-thrown mug, ocean glaze"
    );
    let DraftState::Published { pin_id, .. } = &published[0].state else {
        unreachable!()
    };
    c.goto(&format!("{base}/drafts?state=published"))
        .await
        .unwrap();
    assert!(c.source().await.unwrap().contains(pin_id.as_str()));
    // What was reviewed is what was sent: the rendered creative, as image bytes.
    assert_eq!(
        published[0].content.image.send,
        iqpins_core::ImageSend::Creative
    );
    c.goto(&format!("{base}/audit")).await.unwrap();
    let audit = text_of(&c, "#audit").await;
    assert!(
        audit.contains(&format!("pin {pin_id} (creative)")),
        "the publish is not audited as the creative: {audit}"
    );
    for action in [
        "pinterest.connect",
        "draft.approve",
        "draft.publish_now",
        "draft.published",
    ] {
        assert!(
            audit.contains(action),
            "{action} missing from the audit log"
        );
    }
    let png = c.screenshot().await.unwrap();
    assert!(png.starts_with(b"\x89PNG"));
    std::fs::write(std::env::temp_dir().join("iqpins-browser-audit.png"), png).unwrap();

    c.close().await.unwrap();
    demo.stop().await.unwrap();
}
