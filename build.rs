//! Build steps:
//!
//! - `sqlx::migrate!` embeds the migrations when the crate is compiled; the
//!   `rerun-if-changed` line makes cargo compile it again when one changes.
//! - MapLibre GL JS, the map library of the web map (`web/`), comes from the
//!   npm registry: the pinned tarball is downloaded (with `curl`), checked
//!   against its pinned `integrity` (SHA-512, as npm records it), and its
//!   `dist/` files are written into `OUT_DIR`, from where `src/web/`
//!   embeds them. No third-party code is committed. When the tarball cannot
//!   be had (no network, no `curl`, a wrong digest), the build still
//!   succeeds: the files are written empty, `maplibre_missing` is set, and
//!   the map page says the map library is missing.
//!   `PRIORIDADES_MAPLIBRE_TARBALL` may name the tarball on disk instead
//!   (`npm pack maplibre-gl@<version>` writes it), for a machine offline.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

use base64::Engine;
use sha2::{Digest, Sha512};

/// The MapLibre GL JS release the map is built with.
const MAPLIBRE_VERSION: &str = "6.20.0";
/// Its tarball's `dist.integrity` in the npm registry.
const MAPLIBRE_INTEGRITY: &str = "sha512-7manvqXeNoN0mKRzenYDopkb3VW9j7iag45RvopkOVFZ7c+La7CBWtK8eBS5bKrI6NyxqAIxPxIG1PMcotcY1w==";
/// The files of its `dist/` folder the page loads.
const MAPLIBRE_FILES: [&str; 4] = [
    "maplibre-gl.mjs",
    "maplibre-gl-worker.mjs",
    "maplibre-gl-shared.mjs",
    "maplibre-gl.css",
];
/// The variable naming a tarball on disk.
const TARBALL_VAR: &str = "PRIORIDADES_MAPLIBRE_TARBALL";

fn main() {
    println!("cargo:rerun-if-changed=migrations");
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed={TARBALL_VAR}");
    println!("cargo::rustc-check-cfg=cfg(maplibre_missing)");
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let dir = out.join("maplibre");
    std::fs::create_dir_all(&dir).expect("OUT_DIR is writable");
    if let Err(why) = vendor_maplibre(&out, &dir) {
        println!(
            "cargo:warning=MapLibre GL JS {MAPLIBRE_VERSION} is not embedded ({why}); \
             the map page will say so. See README.md, \"The web map\"."
        );
        println!("cargo:rustc-cfg=maplibre_missing");
        for name in MAPLIBRE_FILES {
            std::fs::write(dir.join(name), b"").expect("OUT_DIR is writable");
        }
    }
}

/// Fetches, checks and unpacks the tarball into `dir`.
fn vendor_maplibre(out: &Path, dir: &Path) -> Result<(), String> {
    let tarball = match std::env::var_os(TARBALL_VAR) {
        Some(path) => std::fs::read(&path).map_err(|e| format!("{TARBALL_VAR}: {e}"))?,
        None => download(out)?,
    };
    let digest = Sha512::digest(&tarball);
    let integrity = format!(
        "sha512-{}",
        base64::engine::general_purpose::STANDARD.encode(digest)
    );
    if integrity != MAPLIBRE_INTEGRITY {
        let _ = std::fs::remove_file(kept_tarball(out));
        return Err(format!(
            "the tarball's digest {integrity} is not the pinned {MAPLIBRE_INTEGRITY}"
        ));
    }
    let gz = flate2::read::GzDecoder::new(tarball.as_slice());
    let mut archive = tar::Archive::new(gz);
    let mut found = 0;
    for entry in archive.entries().map_err(|e| e.to_string())? {
        let mut entry = entry.map_err(|e| e.to_string())?;
        let path = entry.path().map_err(|e| e.to_string())?.into_owned();
        let Some(name) = MAPLIBRE_FILES
            .iter()
            .find(|name| path == Path::new("package/dist").join(name))
        else {
            continue;
        };
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes).map_err(|e| e.to_string())?;
        std::fs::write(dir.join(name), bytes).map_err(|e| e.to_string())?;
        found += 1;
    }
    if found != MAPLIBRE_FILES.len() {
        return Err(format!(
            "the tarball holds {found} of the {} files",
            MAPLIBRE_FILES.len()
        ));
    }
    Ok(())
}

/// Where a downloaded tarball is kept between builds.
fn kept_tarball(out: &Path) -> PathBuf {
    out.join(format!("maplibre-gl-{MAPLIBRE_VERSION}.tgz"))
}

/// The tarball from the npm registry, kept in `out` for the next build.
fn download(out: &Path) -> Result<Vec<u8>, String> {
    let kept = kept_tarball(out);
    if let Ok(bytes) = std::fs::read(&kept) {
        return Ok(bytes);
    }
    let url =
        format!("https://registry.npmjs.org/maplibre-gl/-/maplibre-gl-{MAPLIBRE_VERSION}.tgz");
    let partial = out.join("maplibre-gl.tgz.part");
    let status = Command::new("curl")
        .args(["--fail", "--silent", "--show-error", "--location"])
        .args(["--connect-timeout", "10", "--max-time", "120", "--output"])
        .arg(&partial)
        .arg(&url)
        .status()
        .map_err(|e| format!("curl could not run: {e}"))?;
    if !status.success() {
        return Err(format!("curl could not fetch {url} ({status})"));
    }
    std::fs::rename(&partial, &kept).map_err(|e| e.to_string())?;
    std::fs::read(&kept).map_err(|e| e.to_string())
}
