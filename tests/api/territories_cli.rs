//! The `import-territories` command: boundaries imported from the command
//! line that a server then serves, a bad file changing nothing, and
//! two-digit parish codes completed from a parent property or by
//! containment, over the command line and over HTTP.

use prioridades::config::ServeArgs;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{
    assert_problem, boundary, collection, council, database_url, import_boundaries,
    import_boundaries_ok, point, polygon, ring, spawn_app, spawn_app_in, territory,
};
use crate::territories::{
    A, B, C2, E, STATE_01, STATE_02, create_at, multipolygon, municipalities_file, parishes_file,
    placed, placement, post_priority, priority_of, refused, snapshot, sorted_codes, states_file,
    territories, valid_multipolygon,
};

// ---------------------------------------------------------------- the command line

/// Runs `prioridades import-territories --level LEVEL ARGS... FILE --database-url URL`.
async fn cli_import_territories(
    level: &str,
    args: &[&str],
    file: &std::path::Path,
    url: &str,
) -> std::process::Output {
    tokio::process::Command::new(env!("CARGO_BIN_EXE_prioridades"))
        .arg("import-territories")
        .arg("--level")
        .arg(level)
        .args(args)
        .arg(file)
        .arg("--database-url")
        .arg(url)
        .env_remove("DATABASE_URL")
        .output()
        .await
        .expect("the binary runs")
}

fn output_text(output: &std::process::Output) -> (String, String) {
    (
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// A stopped app's directory and URL: states and municipalities with their
/// boundaries, parishes 010101 and 010102 without, council CC-A in 010101
/// and CC-B in 010102, and three priorities placed by council.
async fn database_before_parish_boundaries() -> (tempfile::TempDir, String, Vec<String>) {
    let app = spawn_app().await;
    import_boundaries_ok(&app, "states", "?code=COD_EDO&name=ESTADO", &states_file()).await;
    import_boundaries_ok(&app, "municipalities", "", &municipalities_file()).await;
    for (code, name) in [("010101", "Catedral"), ("010102", "San Juan")] {
        let r = app
            .post_json("/collections/parishes/items", &territory(code, name))
            .await;
        assert_eq!(r.status(), StatusCode::CREATED);
    }
    for (code, parish) in [("CC-A", "010101"), ("CC-B", "010102")] {
        let r = app
            .post_json("/collections/councils/items", &council(code, code, parish))
            .await;
        assert_eq!(r.status(), StatusCode::CREATED);
    }
    let ids = vec![
        create_at(&app, "CC-A", point([-66.85, 10.41])).await,
        create_at(&app, "CC-A", point([-66.75, 10.45])).await,
        create_at(&app, "CC-B", point([-60.0, 5.0])).await,
    ];
    for id in &ids {
        assert_eq!(placement(&app, id).await.3, "by_council");
    }
    let dir = app.stop().await;
    let url = database_url(&dir);
    (dir, url, ids)
}

#[tokio::test]
async fn the_cli_imports_parish_boundaries_that_the_server_then_serves() {
    let (dir, url, ids) = database_before_parish_boundaries().await;
    let file = dir.path().join("parroquias.geojson");
    std::fs::write(&file, parishes_file().to_string()).unwrap();

    let output =
        cli_import_territories("parish", &["--code", "code", "--name", "name"], &file, &url).await;

    let (stdout, stderr) = output_text(&output);
    assert!(
        output.status.success(),
        "stdout: {stdout}\nstderr: {stderr}"
    );
    assert!(
        stdout.contains("5 parish boundaries imported"),
        "stdout: {stdout}"
    );
    assert!(stdout.contains("3 new territories"), "stdout: {stdout}");
    assert!(stdout.contains("3 priorities placed"), "stdout: {stdout}");
    assert!(
        stdout.contains("1 outside every parish"),
        "stdout: {stdout}"
    );
    let app = spawn_app_in(dir, ServeArgs::for_database(url)).await;
    let parishes = territories(&app, "/collections/parishes/items").await;
    assert_eq!(parishes.len(), 5);
    for (code, f) in &parishes {
        valid_multipolygon(&f["geometry"], code);
    }
    assert_eq!(
        placement(&app, &ids[0]).await,
        placed("010101", "inside_council_parish")
    );
    assert_eq!(
        placement(&app, &ids[1]).await,
        placed("010102", "outside_council_parish")
    );
    assert_eq!(
        placement(&app, &ids[2]).await,
        placed("010102", "outside_every_parish")
    );
    let r = post_priority(&app, &priority_of("CC-A", point([-60.0, 5.0]))).await;
    assert_problem(
        r,
        StatusCode::UNPROCESSABLE_ENTITY,
        ("pointer", "/geometry"),
    )
    .await;
}

#[tokio::test]
async fn a_bad_file_given_to_the_cli_fails_and_changes_nothing() {
    let (dir, url, _) = database_before_parish_boundaries().await;
    let app = spawn_app_in(dir, ServeArgs::for_database(url.clone())).await;
    let before = snapshot(&app).await;
    let dir = app.stop().await;

    // Unreadable: an unclosed ring at index 2.
    let mut unclosed = parishes_file();
    unclosed["features"][2]["geometry"] = polygon(vec![json!([
        [-66.3, 10.0],
        [-66.2, 10.0],
        [-66.2, 10.1],
        [-66.3, 10.1]
    ])]);
    // Unresolvable: a parish of a municipality that does not exist, at index 1.
    let orphan = collection(vec![
        boundary("010101", "Catedral", polygon(vec![ring(A)])),
        boundary("019901", "Huérfana", polygon(vec![ring(B)])),
    ]);
    for (name, file_body, index) in [("unclosed", unclosed, 2), ("orphan", orphan, 1)] {
        let file = dir.path().join(format!("{name}.geojson"));
        std::fs::write(&file, file_body.to_string()).unwrap();
        let output = cli_import_territories("parish", &[], &file, &url).await;
        let (stdout, stderr) = output_text(&output);
        assert!(
            !output.status.success(),
            "{name}: stdout: {stdout}\nstderr: {stderr}"
        );
        assert!(
            stderr.contains(&format!("feature {index}")),
            "{name}: stderr: {stderr}"
        );
    }
    let missing =
        cli_import_territories("parish", &[], &dir.path().join("nope.geojson"), &url).await;
    assert!(!missing.status.success());

    let app = spawn_app_in(dir, ServeArgs::for_database(url)).await;
    assert_eq!(snapshot(&app).await, before);
}

#[tokio::test]
async fn the_cli_completes_two_digit_parish_codes_from_a_parent_property() {
    let (dir, url, ids) = database_before_parish_boundaries().await;
    let file = dir.path().join("parroquias.geojson");
    let features = collection(vec![
        json!({"type": "Feature", "geometry": polygon(vec![ring(A)]),
               "properties": {"COD_PARR": "01", "PARROQUIA": "Catedral", "COD_MUN": "0101"}}),
        json!({"type": "Feature", "geometry": polygon(vec![ring(B)]),
               "properties": {"COD_PARR": "02", "PARROQUIA": "San Juan", "COD_MUN": "VE0101"}}),
        json!({"type": "Feature", "geometry": polygon(vec![ring(E)]),
               "properties": {"COD_PARR": "01", "PARROQUIA": "Petare", "COD_MUN": "0201"}}),
    ]);
    std::fs::write(&file, features.to_string()).unwrap();

    let output = cli_import_territories(
        "parish",
        &[
            "--code",
            "COD_PARR",
            "--name",
            "PARROQUIA",
            "--parent",
            "COD_MUN",
        ],
        &file,
        &url,
    )
    .await;

    let (stdout, stderr) = output_text(&output);
    assert!(
        output.status.success(),
        "stdout: {stdout}\nstderr: {stderr}"
    );
    assert!(
        stdout.contains("3 parish boundaries imported"),
        "stdout: {stdout}"
    );
    let app = spawn_app_in(dir, ServeArgs::for_database(url)).await;
    let parishes = territories(&app, "/collections/parishes/items").await;
    assert_eq!(
        parishes.keys().cloned().collect::<Vec<_>>(),
        ["010101", "010102", "020101"]
    );
    assert_eq!(parishes["020101"]["properties"]["name"], "Petare");
    assert_eq!(
        parishes["010102"]["geometry"]["coordinates"],
        json!([[ring(B)]])
    );
    assert_eq!(
        placement(&app, &ids[1]).await,
        placed("010102", "outside_council_parish")
    );
}

#[tokio::test]
async fn the_cli_finds_the_municipality_of_two_digit_codes_by_containment() {
    let (dir, url, _) = database_before_parish_boundaries().await;
    // Municipality 0101 is split: 0102 takes its eastern half.
    let app = spawn_app_in(dir, ServeArgs::for_database(url.clone())).await;
    import_boundaries_ok(
        &app,
        "municipalities",
        "",
        &collection(vec![
            boundary(
                "0101",
                "Libertador",
                polygon(vec![ring([-67.0, 10.0, -66.5, 11.0])]),
            ),
            boundary(
                "0102",
                "Nuevo",
                polygon(vec![ring([-66.5, 10.0, -66.0, 11.0])]),
            ),
            boundary("0201", "Sucre", polygon(vec![ring(STATE_02)])),
        ]),
    )
    .await;
    let dir = app.stop().await;
    let file = dir.path().join("parroquias.geojson");
    // Two parishes both coded "01", one in each municipality; a third
    // straddling the line lies mostly in 0102.
    let features = collection(vec![
        boundary("01", "Catedral", polygon(vec![ring(A)])),
        boundary("01", "Islas", multipolygon(vec![vec![ring(C2)]])),
        boundary(
            "02",
            "Frontera",
            polygon(vec![ring([-66.52, 10.0, -66.3, 10.1])]),
        ),
    ]);
    std::fs::write(&file, features.to_string()).unwrap();

    let output = cli_import_territories("parish", &[], &file, &url).await;

    let (stdout, stderr) = output_text(&output);
    assert!(
        output.status.success(),
        "stdout: {stdout}\nstderr: {stderr}"
    );
    let app = spawn_app_in(dir, ServeArgs::for_database(url.clone())).await;
    let parishes = territories(&app, "/collections/parishes/items").await;
    assert_eq!(
        parishes.keys().cloned().collect::<Vec<_>>(),
        ["010101", "010102", "010201", "010202"]
    );
    assert_eq!(parishes["010201"]["properties"]["name"], "Islas");
    assert_eq!(parishes["010202"]["properties"]["name"], "Frontera");
    assert_eq!(parishes["010102"]["geometry"], Value::Null);

    // A two-digit code no municipality holds is refused, naming the feature.
    let dir = app.stop().await;
    let file = dir.path().join("lejos.geojson");
    let far = collection(vec![
        boundary("01", "Catedral", polygon(vec![ring(A)])),
        boundary("03", "Lejos", polygon(vec![ring([10.0, 10.0, 10.1, 10.1])])),
    ]);
    std::fs::write(&file, far.to_string()).unwrap();
    let output = cli_import_territories("parish", &[], &file, &url).await;
    let (stdout, stderr) = output_text(&output);
    assert!(
        !output.status.success(),
        "stdout: {stdout}\nstderr: {stderr}"
    );
    assert!(stderr.contains("feature 1"), "stderr: {stderr}");
}

#[tokio::test]
async fn two_digit_codes_are_resolved_over_http_too() {
    let app = spawn_app().await;
    import_boundaries_ok(&app, "states", "?code=COD_EDO&name=ESTADO", &states_file()).await;
    // Municipalities by their own two digits below a named state.
    let municipalities = collection(vec![
        json!({"type": "Feature", "geometry": polygon(vec![ring(STATE_01)]),
               "properties": {"code": "01", "name": "Libertador", "state": "01"}}),
        json!({"type": "Feature", "geometry": polygon(vec![ring(STATE_02)]),
               "properties": {"code": "01", "name": "Sucre", "state": "02"}}),
    ]);
    let report =
        import_boundaries_ok(&app, "municipalities", "?parent=state", &municipalities).await;
    assert_eq!(report["created"], 2, "{report}");
    assert_eq!(
        sorted_codes(&app, "/collections/municipalities/items").await,
        ["0101", "0201"]
    );
    // A named parent that contradicts a full code is refused.
    let contradicting = collection(vec![
        json!({"type": "Feature", "geometry": polygon(vec![ring(A)]),
               "properties": {"code": "020101", "name": "Mal", "municipality": "0101"}}),
    ]);
    let r = import_boundaries(&app, "parishes", "?parent=municipality", &contradicting).await;
    assert_eq!(refused(r).await.len(), 1);
    // By containment, without a parent property.
    let parishes = collection(vec![
        boundary("01", "Catedral", polygon(vec![ring(A)])),
        boundary("01", "Petare", polygon(vec![ring(E)])),
    ]);
    import_boundaries_ok(&app, "parishes", "", &parishes).await;
    assert_eq!(
        sorted_codes(&app, "/collections/parishes/items").await,
        ["010101", "020101"]
    );
}
