//! Webhooks: a receiver's URL checked, a hook's secret made, a delivery's
//! body signed, and the wait before the next attempt.
//!
//! A hook's secret is kept in the store as is, not hashed like a token's:
//! every delivery's signature is computed from it.

use std::time::Duration;

use hmac::{Hmac, KeyInit, Mac};
use rand::Rng;
use sha2::Sha256;
use uuid::Uuid;

use super::time::Micros;

string_enum! {
    /// Where a delivery stands.
    DeliveryStatus {
        /// Waiting for its next attempt.
        Pending = "pending",
        /// Acknowledged by the receiver (a 2xx answer).
        Delivered = "delivered",
        /// Out of attempts.
        Failed = "failed",
    }
}

/// A registered hook, as the store keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Webhook {
    /// Its id (a UUID).
    pub id: Uuid,
    /// Where deliveries are POSTed (`http://host[:port]/path`).
    pub url: String,
    /// The items query string selecting the priorities it is told about
    /// (`""`: every priority).
    pub filter: String,
    /// What it is for, in the admin's words.
    pub description: Option<String>,
    /// The HMAC-SHA256 key of its signatures (64 hex digits).
    pub secret: String,
    /// When it was registered.
    pub created_at: Micros,
    /// The last change number examined for it: every change up to this one
    /// has its delivery enqueued, or did not match.
    pub cursor: i64,
}

/// One delivery of one change to one hook.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    /// Its id (a UUID), sent as `X-Prioridades-Delivery`.
    pub id: Uuid,
    /// The hook it is for.
    pub hook_id: Uuid,
    /// The change's number in the change sequence.
    pub seq: i64,
    /// The priority the change is about.
    pub priority_id: Uuid,
    /// `created`, `updated` or `deleted`.
    pub event: String,
    /// The JSON body POSTed.
    pub payload: String,
    /// Where it stands.
    pub status: DeliveryStatus,
    /// Attempts made so far.
    pub attempts: i64,
    /// When the next attempt is due (for a pending delivery).
    pub next_attempt_at: Micros,
    /// The HTTP status of the last attempt's answer, if one came.
    pub last_status: Option<i64>,
    /// Why the last attempt failed, if it did.
    pub last_error: Option<String>,
    /// When the receiver acknowledged it.
    pub delivered_at: Option<Micros>,
}

/// Checks a receiver's URL: `http://` with a host, an optional port and
/// path, no user information or fragment. `https://` is refused: the
/// dispatcher's client speaks plain HTTP only (put a TLS-terminating proxy
/// in front of a receiver that needs it). Returns the URL as given.
pub fn check_url(url: &str) -> Result<String, String> {
    let uri: axum::http::Uri = url
        .parse()
        .map_err(|e| format!("not a URL ({e}); expected http://host[:port]/path"))?;
    match uri.scheme_str() {
        Some("http") => {}
        Some("https") => {
            return Err(
                "https is not supported: deliveries are sent over plain http \
                        (put a TLS-terminating proxy in front of the receiver)"
                    .into(),
            );
        }
        _ => return Err("must be an http:// URL with a host".into()),
    }
    let authority = uri.authority().ok_or("must name a host")?;
    if authority.host().is_empty() {
        return Err("must name a host".into());
    }
    if authority.as_str().contains('@') {
        return Err("must not hold user information".into());
    }
    if url.contains('#') {
        return Err("must not hold a fragment".into());
    }
    if url.len() > 2048 {
        return Err("must be at most 2048 characters".into());
    }
    Ok(url.to_owned())
}

/// A new hook secret: 32 bytes from the operating system's random source,
/// as 64 hex digits.
pub fn new_secret() -> String {
    let mut secret = [0u8; 32];
    rand::rng().fill_bytes(&mut secret);
    hex(&secret)
}

/// The `X-Prioridades-Signature` of `body` under `secret`:
/// `sha256=` and the hex HMAC-SHA256 of the body's bytes, keyed by the
/// secret's text (its 64 hex digits as ASCII).
pub fn signature(secret: &str, body: &[u8]) -> String {
    // HMAC takes a key of any length.
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(secret.as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC accepts keys of any length"));
    mac.update(body);
    format!("sha256={}", hex(&mac.finalize().into_bytes()))
}

/// The wait after failed attempt number `attempts` (1 for the first):
/// `base` doubled after each failure, at most `cap`.
pub fn backoff(attempts: i64, base: Duration, cap: Duration) -> Duration {
    let doublings = u32::try_from(attempts.saturating_sub(1).clamp(0, 30)).unwrap_or(30);
    base.saturating_mul(1u32 << doublings).min(cap)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_receiver_url_is_plain_http_with_a_host() {
        assert!(check_url("http://127.0.0.1:8080/hook").is_ok());
        assert!(check_url("http://example.org").is_ok());
        for bad in [
            "",
            "example.org/hook",
            "ftp://example.org/",
            "https://example.org/",
            "http:///path",
            "http://user:pw@example.org/",
            "http://example.org/#x",
            "/relative",
        ] {
            assert!(check_url(bad).is_err(), "{bad:?} was accepted");
        }
    }

    #[test]
    fn a_secret_is_64_random_hex_digits() {
        let (a, b) = (new_secret(), new_secret());
        assert_eq!(a.len(), 64);
        assert!(a.bytes().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(a, b);
    }

    #[test]
    fn the_signature_is_rfc_4231s_hmac_sha256() {
        // RFC 4231, test case 2: key "Jefe".
        assert_eq!(
            signature("Jefe", b"what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn backoff_doubles_up_to_its_cap() {
        let (base, cap) = (Duration::from_secs(1), Duration::from_secs(60));
        let waits: Vec<u64> = (1..=8).map(|n| backoff(n, base, cap).as_secs()).collect();
        assert_eq!(waits, [1, 2, 4, 8, 16, 32, 60, 60]);
        assert_eq!(backoff(1000, base, cap), cap);
    }
}
