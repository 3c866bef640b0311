// `sqlx::migrate!` embeds the migrations when the crate is compiled; this
// makes cargo compile it again when one is added or changed.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
