//! The `curl` examples of docs/api.md run: every read example (no token,
//! no shell variable, no file written, no id of a feature the demo may not
//! hold) is run by the shell against a server on a temporary store with
//! the demo, its URL swapped in, with `curl -f` so that an HTTP error fails
//! it, and must succeed with some output. The filter, sortby, properties,
//! crs and queryables examples must be among them.

use std::process::Command;

use tempfile::TempDir;

use crate::demo::demo_app;

const DOC_BASE: &str = "http://127.0.0.1:8080";

/// The shell commands of the `sh` blocks of `markdown`, continuation lines
/// joined, comments dropped.
fn shell_commands(markdown: &str) -> Vec<String> {
    let mut commands = Vec::new();
    let mut in_block = false;
    let mut current = String::new();
    for line in markdown.lines() {
        let trimmed = line.trim();
        if trimmed.starts_with("```") {
            in_block = !in_block && trimmed == "```sh";
            continue;
        }
        if !in_block || trimmed.starts_with('#') || trimmed.is_empty() {
            continue;
        }
        match trimmed.strip_suffix('\\') {
            Some(head) => {
                current.push_str(head);
                current.push(' ');
            }
            None => {
                current.push_str(trimmed);
                commands.push(std::mem::take(&mut current));
            }
        }
    }
    commands
}

/// Whether a command only reads what the demo holds.
fn is_read_example(command: &str) -> bool {
    command.starts_with("curl ")
        && command.contains(DOC_BASE)
        && !command.contains('$')
        && !command.contains(" -X ")
        && !command.contains(" -o ")
        && !command.contains("Authorization")
        && !names_a_uuid(command)
}

/// Whether the command names a feature by UUID (8-4-4-4-12 hex digits).
fn names_a_uuid(command: &str) -> bool {
    command
        .split(|c: char| !(c.is_ascii_hexdigit() || c == '-'))
        .any(|word| {
            let parts: Vec<&str> = word.split('-').collect();
            parts.iter().map(|p| p.len()).collect::<Vec<_>>() == [8, 4, 4, 4, 12]
        })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_read_examples_of_the_api_guide_run() {
    let root = env!("CARGO_MANIFEST_DIR");
    let guide = std::fs::read_to_string(format!("{root}/docs/api.md")).expect("docs/api.md");
    let examples: Vec<String> = shell_commands(&guide)
        .into_iter()
        .filter(|c| is_read_example(c))
        .collect();
    for wanted in [
        "filter=",
        "filter-lang=cql2-json",
        "sortby=",
        "properties=",
        "crs=",
        "/queryables",
        "radius=",
    ] {
        assert!(
            examples.iter().any(|c| c.contains(wanted)),
            "no runnable example with {wanted}"
        );
    }
    let app = demo_app(TempDir::new().expect("temp dir")).await;
    let mut ran = 0;
    for example in &examples {
        let command = example
            .replacen("curl ", "curl -f --no-progress-meter ", 1)
            .replace(DOC_BASE, &app.base);
        let base = app.base.clone();
        let out = tokio::task::spawn_blocking(move || {
            Command::new("bash")
                .args(["-c", &format!("set -o pipefail; {command}")])
                .env("NO_PROXY", "127.0.0.1")
                .env("no_proxy", "127.0.0.1")
                .output()
        })
        .await
        .expect("the shell ran")
        .expect("bash runs");
        assert!(
            out.status.success() && !out.stdout.is_empty(),
            "{example}\n(against {base}) failed: {}\n{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
        ran += 1;
    }
    assert!(ran >= 25, "only {ran} examples ran");
}
