//! Measures how long a write acknowledged by one replica takes to be served
//! by another: writes priorities on replica A one at a time and, after each
//! acknowledgement, polls replica B for it until it answers 200.
//!
//! ```sh
//! cargo run --release --example replica_visibility -- A_URL B_URL TOKEN COUNCIL [WRITES]
//! ```
//! `scripts/bench-replicas` starts PostgreSQL and two replicas and runs it.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [a, b, token, council, rest @ ..] = args.as_slice() else {
        eprintln!("usage: replica_visibility A_URL B_URL TOKEN COUNCIL [WRITES]");
        std::process::exit(2);
    };
    let writes: usize = rest.first().map_or(Ok(200), |w| w.parse())?;
    let client = reqwest::Client::new();
    let mut lags = Vec::with_capacity(writes);
    for i in 0..writes {
        let feature = json!({
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [-66.9146, 10.5061]},
            "properties": {"council": council, "title": format!("Visibilidad {i}"), "category": "water"},
        });
        let r = client
            .post(format!("{a}/collections/priorities/items"))
            .bearer_auth(token)
            .json(&feature)
            .send()
            .await?;
        if !r.status().is_success() {
            return Err(format!("write {i} refused: {} {}", r.status(), r.text().await?).into());
        }
        let acknowledged = Instant::now();
        let body: Value = r.json().await?;
        let id = body["id"].as_str().ok_or("no id")?.to_owned();
        let item = format!("{b}/collections/priorities/items/{id}");
        loop {
            if client.get(&item).send().await?.status().is_success() {
                lags.push(acknowledged.elapsed());
                break;
            }
            if acknowledged.elapsed() > Duration::from_secs(10) {
                return Err(format!("write {i} not visible on B after 10 s").into());
            }
        }
    }
    lags.sort();
    let at = |q: f64| lags[((lags.len() - 1) as f64 * q).round() as usize];
    println!(
        "{} writes on A; visible on B after: median {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        lags.len(),
        at(0.5).as_secs_f64() * 1e3,
        at(0.99).as_secs_f64() * 1e3,
        at(1.0).as_secs_f64() * 1e3
    );
    Ok(())
}
