//! What a load balancer asks before sending traffic: is the store
//! reachable, and how far behind the store's change sequence is the index.

use std::time::{Duration, Instant};

use super::Service;

/// How long the store may take to answer the health check's query before
/// it counts as unreachable: a load balancer's probe is short.
pub const STORE_CHECK_TIMEOUT: Duration = Duration::from_secs(2);

/// The state of one process, as the health endpoints report it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Health {
    /// The store answered, and how long it took; `Err` with why when not.
    pub store: Result<Duration, String>,
    /// The last change number committed to the store (when reachable).
    pub store_seq: Option<i64>,
    /// The change number up to which the index reflects every change.
    pub applied_seq: i64,
    /// Whether the last write failed because the store was out of space.
    pub storage_full: bool,
}

impl Health {
    /// Changes committed to the store that the index does not reflect yet
    /// (`None` when the store is unreachable).
    pub fn lag(&self) -> Option<i64> {
        self.store_seq.map(|seq| (seq - self.applied_seq).max(0))
    }

    /// Ready to serve: the store answers, and the index is at most `max_lag`
    /// changes behind it. A full disk leaves the process ready: reads still
    /// work, and writes are refused with 507 until there is space.
    pub fn ready(&self, max_lag: i64) -> bool {
        self.store.is_ok() && self.lag().is_some_and(|lag| lag <= max_lag)
    }
}

impl Service {
    /// Checks the store (one query, bounded by `STORE_CHECK_TIMEOUT`) and
    /// compares its change sequence with the index's. The index is loaded
    /// before the process serves, so a process that answers has one.
    pub async fn health(&self) -> Health {
        let applied_seq = self.applied_seq();
        let started = Instant::now();
        let checked = tokio::time::timeout(STORE_CHECK_TIMEOUT, self.store.change_state()).await;
        let (store, store_seq) = match checked {
            Ok(Ok(state)) => (Ok(started.elapsed()), Some(state.last_seq)),
            Ok(Err(e)) => (Err(e.to_string()), None),
            Err(_) => (
                Err(format!(
                    "no answer within {} s",
                    STORE_CHECK_TIMEOUT.as_secs()
                )),
                None,
            ),
        };
        Health {
            store,
            store_seq,
            applied_seq,
            storage_full: self.store.storage_full(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn health(store_seq: Option<i64>, applied_seq: i64) -> Health {
        Health {
            store: store_seq
                .map(|_| Duration::ZERO)
                .ok_or_else(|| "down".into()),
            store_seq,
            applied_seq,
            storage_full: false,
        }
    }

    #[test]
    fn ready_only_when_the_store_answers_and_the_index_is_close_behind() {
        assert!(health(Some(10), 10).ready(0));
        assert!(health(Some(15), 10).ready(5));
        assert!(!health(Some(16), 10).ready(5));
        assert!(!health(None, 10).ready(1_000));
        assert_eq!(health(Some(16), 10).lag(), Some(6));
        assert_eq!(health(None, 10).lag(), None);
    }
}
