//! QGIS itself against the running server: the server on a temporary store
//! holding the demo, and `tests/qgis/qgis_test.py` (PyQGIS, headless) adding
//! the priorities, councils and parishes as OGC API – Features layers. The
//! script compares what QGIS reads with the API's answers and asserts what
//! QGIS 3.22 (Debian 12) does with a subset string, a spatial request and
//! an admin's token (no editing: see docs/qgis.md); its failure fails this
//! test.
//!
//! Needs a python3 with PyQGIS and the OAPIF provider (`/usr/bin/python3`,
//! or `PRIORIDADES_QGIS_PYTHON`; Debian: `python3-qgis qgis-providers`).
//! Without them the test says so loudly and passes, unless
//! `PRIORIDADES_REQUIRE_QGIS=1` (set by `.ci/run`, so CI never skips it),
//! which makes a missing QGIS a failure.

use std::io::Write;
use std::path::PathBuf;
use std::process::Stdio;
use std::time::{Duration, Instant};

use tempfile::TempDir;

use crate::demo::demo_app;

/// The longest the script may take (it takes well under a minute).
const SCRIPT_TIMEOUT: Duration = Duration::from_secs(600);

/// The python with PyQGIS named by `var` (else `default`), or `None` after a
/// loud skip (or a failure when `require` is set to 1). `install` says how
/// to get one.
pub(crate) fn qgis_python(
    var: &str,
    default: Option<&str>,
    require: &str,
    install: &str,
) -> Option<String> {
    let python = std::env::var(var)
        .ok()
        .or(default.map(str::to_owned))
        .unwrap_or_default();
    let found = !python.is_empty()
        && std::process::Command::new(&python)
            .args(["-c", "import qgis.core"])
            .stdin(Stdio::null())
            .output()
            .is_ok_and(|o| o.status.success());
    if found {
        return Some(python);
    }
    assert!(
        std::env::var(require).as_deref() != Ok("1"),
        "{require}=1 but {var}={python:?} cannot import qgis.core ({install})"
    );
    // Straight to the process's stderr: libtest captures eprintln!.
    let _ = writeln!(
        std::io::stderr(),
        "\n##########################################################\n\
         ##  QGIS test SKIPPED: {var}={python:?} cannot import qgis.core\n\
         ##  {install}\n\
         ##########################################################\n"
    );
    None
}

/// Runs `tests/qgis/<script>` with `python` against a server on a
/// temporary store holding the demo, with its admin's token; fails with
/// the script's output when the script fails.
pub(crate) async fn run_qgis_script(python: &str, script: &str) {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let app = demo_app(TempDir::new().expect("temp dir")).await;
    let started = Instant::now();
    let mut command = tokio::process::Command::new(python);
    command
        .arg(root.join("tests/qgis").join(script))
        .env("PRIORIDADES_BASE", &app.base)
        .env("PRIORIDADES_ADMIN_TOKEN", &app.admin_token)
        .env("QT_QPA_PLATFORM", "offscreen")
        // The server is local: no proxy.
        .env("NO_PROXY", "127.0.0.1,localhost")
        .env("no_proxy", "127.0.0.1,localhost")
        .stdin(Stdio::null())
        .kill_on_drop(true);
    let output = tokio::time::timeout(SCRIPT_TIMEOUT, command.output())
        .await
        .unwrap_or_else(|_| panic!("the QGIS script ran over {SCRIPT_TIMEOUT:?}"))
        .expect("the QGIS script runs");
    let report = format!(
        "{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let _ = writeln!(
        std::io::stderr(),
        "QGIS script {script} ({:.1} s):\n{report}",
        started.elapsed().as_secs_f64()
    );
    assert!(output.status.success(), "the QGIS checks failed:\n{report}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn qgis_reads_the_layers_as_the_api_answers() {
    let Some(python) = qgis_python(
        "PRIORIDADES_QGIS_PYTHON",
        Some("/usr/bin/python3"),
        "PRIORIDADES_REQUIRE_QGIS",
        "Debian: apt-get install python3-qgis qgis-providers",
    ) else {
        return;
    };
    run_qgis_script(&python, "qgis_test.py").await;
}
