//! The web map and the HTML views in a real browser: the server on a
//! temporary store holding the demo, and `tests/browser/map_test.py`
//! (Playwright for Python driving the system's Chromium) against it. The
//! script compares what the pages show with the API's answers; its output is
//! printed, and its failure fails this test.
//!
//! Needs Chromium (`/usr/bin/chromium`, or `PRIORIDADES_CHROMIUM`; Debian:
//! `chromium`) and `scripts/browser-venv` (Playwright from PyPI, axe-core from
//! npm, into `target/browser-venv`). Without either the test says so loudly
//! and passes, unless `PRIORIDADES_REQUIRE_BROWSER=1` (set by `.ci/run`, so
//! CI never skips it), which makes a missing one a failure.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use tempfile::TempDir;

use crate::demo::demo_app;

/// The longest the script may take (it takes well under a minute).
const SCRIPT_TIMEOUT: Duration = Duration::from_secs(600);

fn skip_or_fail(why: &str) {
    assert!(
        std::env::var("PRIORIDADES_REQUIRE_BROWSER").as_deref() != Ok("1"),
        "PRIORIDADES_REQUIRE_BROWSER=1 but {why}"
    );
    // Straight to the process's stderr: libtest captures eprintln!.
    let _ = writeln!(
        std::io::stderr(),
        "\n##########################################################\n\
         ##  Browser test SKIPPED: {why}\n\
         ##  Debian: apt-get install chromium; scripts/browser-venv\n\
         ##########################################################\n"
    );
}

/// The venv's python, from `scripts/browser-venv` (which installs what is
/// missing), or why not.
fn browser_python(root: &Path) -> Result<PathBuf, String> {
    let output = std::process::Command::new(root.join("scripts/browser-venv"))
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("scripts/browser-venv did not run: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "scripts/browser-venv failed: {}",
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    Ok(PathBuf::from(
        String::from_utf8_lossy(&output.stdout).trim(),
    ))
}

/// `scripts/browser-venv` puts axe.min.js beside the venv's `bin/`.
fn axe_of(python: &Path) -> PathBuf {
    python
        .parent()
        .and_then(Path::parent)
        .map(|venv| venv.join("axe.min.js"))
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_map_and_the_html_views_work_in_a_real_browser() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let chromium = std::env::var("PRIORIDADES_CHROMIUM").unwrap_or("/usr/bin/chromium".into());
    if !Path::new(&chromium).exists() {
        skip_or_fail(&format!("no Chromium at {chromium}"));
        return;
    }
    let python = match tokio::task::spawn_blocking({
        let root = root.clone();
        move || browser_python(&root)
    })
    .await
    .unwrap()
    {
        Ok(python) => python,
        Err(why) => {
            skip_or_fail(&why);
            return;
        }
    };

    let app = demo_app(TempDir::new().expect("temp dir")).await;
    // A cabinet of the demo parish with the most proposals to review.
    let (_, proposed) = app
        .get_json("/collections/priorities/items?status=proposed&limit=10000")
        .await;
    let mut per_parish = std::collections::BTreeMap::<String, usize>::new();
    for f in proposed["features"].as_array().expect("features") {
        if let Some(parish) = f["properties"]["parish"].as_str() {
            *per_parish.entry(parish.to_owned()).or_default() += 1;
        }
    }
    let scope = per_parish
        .iter()
        .max_by_key(|(_, n)| **n)
        .map(|(code, _)| code.clone())
        .expect("a demo parish with proposals");
    let cabinet = app.token("cabinet", Some(&scope)).await;

    let screenshots = root.join("target/browser-screenshots");
    let started = Instant::now();
    let mut command = tokio::process::Command::new(&python);
    command
        .arg(root.join("tests/browser/map_test.py"))
        .env("PRIORIDADES_BASE", &app.base)
        .env("PRIORIDADES_ADMIN_TOKEN", &app.admin_token)
        .env("PRIORIDADES_CABINET_TOKEN", &cabinet)
        .env("PRIORIDADES_CABINET_SCOPE", &scope)
        .env("PRIORIDADES_CHROMIUM", &chromium)
        .env("PRIORIDADES_AXE", axe_of(&python))
        .env("PRIORIDADES_SCREENSHOTS", &screenshots)
        // The server is local: no proxy.
        .env("NO_PROXY", "127.0.0.1,localhost")
        .env("no_proxy", "127.0.0.1,localhost")
        .stdin(Stdio::null())
        .kill_on_drop(true);
    let output = tokio::time::timeout(SCRIPT_TIMEOUT, command.output())
        .await
        .unwrap_or_else(|_| panic!("the browser script ran over {SCRIPT_TIMEOUT:?}"))
        .expect("the browser script runs");
    let report = format!(
        "{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let _ = writeln!(
        std::io::stderr(),
        "browser script ({:.1} s; screenshots in {}):\n{report}",
        started.elapsed().as_secs_f64(),
        screenshots.display()
    );
    assert!(
        output.status.success(),
        "the browser checks failed:\n{report}"
    );
}
