//! `prioridades generate` end to end: the real binary writes the catalog into
//! a fresh SQLite file and prints priorities, and `prioridades import` loads
//! them into that store without refusing any.

use std::process::{Command, Output};

use prioridades::domain::priority::Placement;
use prioridades::startup::open_service;
use tempfile::TempDir;

fn prioridades(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_prioridades"))
        .args(args)
        .env_remove("DATABASE_URL")
        .env("PRIORIDADES_LOG", "warn")
        .output()
        .expect("the binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Runs `generate` with `args`, writes its standard output to `file` and
/// returns the run.
fn generate(args: &[&str], file: &std::path::Path) -> Output {
    let out = prioridades(&[&["generate"], args].concat());
    std::fs::write(file, &out.stdout).expect("write the generated file");
    out
}

#[tokio::test]
async fn a_generated_dataset_imports_into_its_catalog_with_no_refusal() {
    let dir = TempDir::new().unwrap();
    let url = format!("sqlite://{}", dir.path().join("bench.db").display());
    let file = dir.path().join("priorities.ndjson");

    let out = generate(
        &[
            "--count",
            "2000",
            "--seed",
            "5",
            "--councils",
            "4000",
            "--database-url",
            &url,
        ],
        &file,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("4000 councils"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(out.stdout.iter().filter(|&&b| b == b'\n').count(), 2_000);

    let file_arg = file.to_str().unwrap();
    let imported = prioridades(&["import", file_arg, "--database-url", &url]);
    assert!(imported.status.success(), "{}", text(&imported.stderr));
    assert!(
        text(&imported.stdout).starts_with("2000 received, 2000 created, 0 updated, 0 refused"),
        "{}",
        text(&imported.stdout)
    );

    // Generating again for the same store finds its catalog there, and a
    // second seed imports beside the first.
    let again = generate(
        &[
            "--count",
            "500",
            "--seed",
            "6",
            "--councils",
            "4000",
            "--database-url",
            &url,
        ],
        &file,
    );
    assert!(again.status.success(), "{}", text(&again.stderr));
    assert!(text(&again.stderr).contains("already holds this catalog"));
    let imported = prioridades(&["import", file_arg, "--database-url", &url]);
    assert!(imported.status.success(), "{}", text(&imported.stderr));

    // Every priority is placed by its location in its council's parish.
    let service = open_service(&url, None).await.unwrap();
    {
        let index = service.index().read();
        assert_eq!(index.priorities.len(), 2_500);
        assert!(
            index
                .priorities
                .entries()
                .all(|e| e.placement == Placement::InsideCouncilParish),
            "a priority lies outside its council's parish"
        );
        let parishes = index.parishes.len();
        assert!(parishes > 1_000, "{parishes} parish boundaries");
    }
    service.store().close().await;
}

#[test]
fn generating_into_a_store_with_another_catalog_is_refused() {
    let dir = TempDir::new().unwrap();
    let url = format!("sqlite://{}", dir.path().join("other.db").display());
    let file = dir.path().join("p.ndjson");
    let first = generate(
        &["--count", "1", "--councils", "3000", "--database-url", &url],
        &file,
    );
    assert!(first.status.success(), "{}", text(&first.stderr));
    let second = generate(
        &["--count", "1", "--councils", "3001", "--database-url", &url],
        &file,
    );
    assert!(!second.status.success());
    assert!(
        text(&second.stderr).contains("already holds other territories or councils"),
        "{}",
        text(&second.stderr)
    );
    assert!(
        second.stdout.is_empty(),
        "no priorities for a catalog not stored"
    );
}

#[test]
fn too_few_councils_are_refused_before_anything_is_written() {
    let out = prioridades(&["generate", "--count", "10", "--councils", "10"]);
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("too few"),
        "{}",
        text(&out.stderr)
    );
    assert!(out.stdout.is_empty());
}
