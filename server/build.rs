// `sqlx::migrate!` embeds the migrations at compile time: a new or changed migration must
// rebuild the server (cargo does not know the macro reads the folder).
fn main() {
    println!("cargo:rerun-if-changed=../migrations");
}
