//! QGIS 3.32 or later editing the server's layers: `tests/qgis/
//! qgis_edit_test.py` (PyQGIS, headless) opens the priorities as an OGC API
//! – Features layer without a token (read-only) and with an admin's token
//! sent as an HTTP header of the layer's URI, then changes a title, adds a
//! priority, moves it and deletes it through QGIS's own OAPIF provider, and
//! checks each edit through the API; its failure fails this test.
//!
//! Debian 12's QGIS 3.22 cannot edit OAPIF layers, so the python comes from
//! `PRIORIDADES_QGIS_EDIT_PYTHON`: the wrapper `scripts/qgis-trixie` prints,
//! which runs Debian 13's QGIS 3.40 in a Debian 13 root. Without it the test
//! says so loudly and passes, unless `PRIORIDADES_REQUIRE_QGIS_EDIT=1` (set
//! by `.ci/run`, so CI never skips it).

use crate::qgis::{qgis_python, run_qgis_script};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn qgis_edits_the_priorities_with_a_token() {
    let Some(python) = qgis_python(
        "PRIORIDADES_QGIS_EDIT_PYTHON",
        None,
        "PRIORIDADES_REQUIRE_QGIS_EDIT",
        "as root: export PRIORIDADES_QGIS_EDIT_PYTHON=$(scripts/qgis-trixie)",
    ) else {
        return;
    };
    run_qgis_script(&python, "qgis_edit_test.py").await;
}
