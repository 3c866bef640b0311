//! Assembling the service: store → index → HTTP, and serving until stopped.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use tokio::net::TcpListener;

use crate::config::{DemoKind, ServeArgs};
use crate::http::{self, AppState, HttpConfig};
use crate::index::SharedIndex;
use crate::server::{self, ConnectionLimits};
use crate::service::{DispatcherHandle, Service, load_index};
use crate::store::{Store, StoreError};

/// Why the service could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error("database: {0}")]
    /// The store could not be opened or loaded.
    Store(#[from] StoreError),
    #[error("cannot listen on {addr}: {source}")]
    /// The listening socket could not be bound.
    Bind {
        /// The address asked for.
        addr: String,
        /// The system's reason.
        source: std::io::Error,
    },
}

/// A built service, listening, ready to run.
pub struct Application {
    listener: TcpListener,
    /// Keeps the index current with other processes' writes.
    follower: Follower,
    /// Delivers committed changes to webhooks.
    dispatcher: DispatcherHandle,
    /// The longest a delivery attempt takes (the dispatcher's stop waits for one).
    webhook_timeout: std::time::Duration,
    router: Router,
    limits: ConnectionLimits,
    address: SocketAddr,
    service: Arc<Service>,
}

/// The follower task, stopped with the application that started it.
struct Follower(tokio::task::JoinHandle<()>);

impl Drop for Follower {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// The demo dataset an empty store gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Demo {
    /// The committed demo (`fixtures/demo/`).
    Default,
    /// The generator's national dataset with this many priorities.
    National(u64),
}

impl Demo {
    /// The demo `serve`'s options ask for, if any.
    pub fn from_args(args: &ServeArgs) -> Option<Demo> {
        match args.demo {
            _ if args.no_demo => None,
            DemoKind::Default => Some(Demo::Default),
            DemoKind::National => Some(Demo::National(args.demo_priorities)),
        }
    }
}

/// Opens the store, loads the demo when asked and the store is empty, and
/// builds the index and the service.
pub async fn open_service(database_url: &str, demo: Option<Demo>) -> Result<Service, StoreError> {
    let store = Store::connect(database_url).await?;
    if let Some(demo) = demo
        && store.is_empty().await?
    {
        let loaded = match demo {
            Demo::Default => crate::demo::load(&store).await,
            Demo::National(count) => crate::demo::load_national(&store, count).await,
        };
        match loaded {
            Ok(n) => tracing::info!(
                priorities = n,
                ?demo,
                "empty store: loaded the demo dataset"
            ),
            // Replicas started together on an empty database race to load
            // it; the loser finds the winner's rows (the load is all or none).
            Err(StoreError::Conflict(_)) if !store.is_empty().await? => {
                tracing::info!("another process loaded the demo dataset first");
            }
            Err(e) => return Err(e),
        }
    }
    let started = std::time::Instant::now();
    // Read before loading, so what commits during the load is read again by
    // the first catch-up rather than missed.
    let applied = store.change_state().await?;
    let index = load_index(&store).await?;
    tracing::info!(
        priorities = index.priorities.len(),
        elapsed_ms = started.elapsed().as_millis() as u64,
        seq = applied.last_seq,
        "index built"
    );
    Ok(Service::new(store, SharedIndex::new(index), applied))
}

impl Application {
    /// Opens everything and binds the listener (port 0 picks a free port).
    pub async fn build(args: &ServeArgs) -> Result<Application, StartupError> {
        let service = open_service(&args.database.database_url, Demo::from_args(args)).await?;
        let service = Arc::new(
            service
                .with_import_batch(args.import.import_batch)
                .with_duplicate_distance(args.duplicate_distance),
        );
        let config = HttpConfig {
            max_body_bytes: args.max_body_bytes,
            max_import_bytes: args.max_import_bytes,
            cors_origins: args.cors_origins.clone(),
            public_url: args.public_url.clone(),
            private_reads: args.private_reads,
            ready_max_lag: args.ready_max_lag,
            cluster_below_zoom: args.cluster_below_zoom,
            basemap: args.basemap_url.clone(),
        };
        let router = http::router(AppState::new(service.clone(), config));
        let bind_error = |source| StartupError::Bind {
            addr: args.bind.clone(),
            source,
        };
        let listener = TcpListener::bind(&args.bind).await.map_err(bind_error)?;
        let address = listener.local_addr().map_err(bind_error)?;
        Ok(Application {
            follower: Follower(service.spawn_follower()),
            dispatcher: service
                .spawn_dispatcher(args.webhooks.settings(), http::webhooks::filter_parser()),
            webhook_timeout: args.webhooks.webhook_timeout,
            listener,
            router,
            limits: args.connections.limits(),
            address,
            service,
        })
    }

    /// The address actually bound.
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// The service behind the router (tokens can be made before serving).
    pub fn service(&self) -> Arc<Service> {
        self.service.clone()
    }

    /// The router, for in-process tests.
    pub fn router(&self) -> Router {
        self.router.clone()
    }

    /// Serves until `shutdown` completes, then finishes in-flight requests
    /// and closes the store. Connections are bounded and timed as
    /// `ServeArgs::connections` says (see [`server::serve`]).
    pub async fn run_until(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        tracing::info!(address = %self.address, "listening on http://{}", self.address);
        server::serve(self.listener, self.router, self.limits, shutdown).await;
        drop(self.follower);
        // Attempts in progress finish (and are recorded) before the store closes.
        self.dispatcher
            .stop(self.webhook_timeout + std::time::Duration::from_secs(1))
            .await;
        self.service.store().close().await;
        tracing::info!("stopped");
        Ok(())
    }
}

/// Completes on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutdown signal received; finishing requests in flight");
}
