//! Command line and environment configuration. Every flag has an
//! environment variable; flags win over the environment.

use std::num::NonZeroUsize;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};

use crate::domain::duplicates::{DEFAULT_DUPLICATE_DISTANCE_M, MAX_DUPLICATE_DISTANCE_M};
use crate::server::ConnectionLimits;
use crate::service::{IMPORT_BATCH, WebhookSettings};

/// The default of `--ready-max-lag`: a replica following by notification
/// is a few changes behind; one batch of a bulk import elsewhere (10,000 by
/// default) puts it that far behind for the moment it takes to read it, which
/// should not take it out of a load balancer.
pub const READY_MAX_LAG: i64 = 10_000;
/// Default zoom from which vector tiles draw priorities one by one.
pub const CLUSTER_BELOW_ZOOM: u8 = 14;

/// The default SQLite file, created in the working directory on first start.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://prioridades.db";

#[derive(Debug, Parser)]
#[command(
    name = "prioridades",
    version,
    about = "Geolocated priorities of communal councils, served as GeoJSON (OGC API – Features)"
)]
/// The command line: a subcommand (`serve` when none is given) and the
/// logging options every subcommand takes.
pub struct Cli {
    #[command(subcommand)]
    /// The subcommand; `None` serves.
    pub command: Option<Command>,

    /// Options of `serve`, the default command.
    #[command(flatten)]
    pub serve: ServeArgs,

    /// Log filter: a level (error, warn, info, debug, trace) or a tracing directive list.
    #[arg(long, global = true, env = "PRIORIDADES_LOG", default_value = "info")]
    pub log_level: String,

    /// Log format.
    #[arg(
        long,
        global = true,
        env = "PRIORIDADES_LOG_FORMAT",
        value_enum,
        default_value = "text"
    )]
    pub log_format: LogFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
/// How log events are written.
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per event.
    Json,
}

#[derive(Debug, Subcommand)]
/// The subcommands.
pub enum Command {
    /// Serve the HTTP API (the default).
    Serve(ServeArgs),
    /// Import a GeoJSON FeatureCollection or newline-delimited Features into the store.
    Import(ImportArgs),
    /// Import territorial boundaries (a FeatureCollection of Polygons or
    /// MultiPolygons) for one level, replacing that level's boundaries.
    ImportTerritories(ImportTerritoriesArgs),
    /// Create, list and revoke bearer tokens.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Write a synthetic national dataset for benchmarks: priorities as
    /// newline-delimited GeoJSON Features on standard output and, with
    /// `--database-url`, first the territories and councils they refer to
    /// into that store.
    Generate(GenerateArgs),
    /// Regenerate the demo dataset files (fixtures/demo).
    DemoFixtures {
        /// Directory to write into.
        #[arg(long, default_value = "fixtures/demo")]
        out: PathBuf,
    },
}

#[derive(Debug, Clone, Args)]
/// Which database to open.
pub struct DatabaseArgs {
    /// Database URL: `sqlite://FILE` (created when missing), a file path, or
    /// `postgres://USER@HOST:PORT/DB` (the shared store of several replicas).
    #[arg(long, env = "DATABASE_URL", default_value = DEFAULT_DATABASE_URL)]
    pub database_url: String,
}

/// The priorities of the national demo by default: start-up within seconds.
pub const NATIONAL_DEMO_PRIORITIES: u64 = 30_000;

/// Which demo dataset an empty store gets (`--demo`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DemoKind {
    /// The committed demo: 2,000 priorities in five small areas.
    Default,
    /// The national dataset of `prioridades generate`: every state.
    National,
}

#[derive(Debug, Clone, Args)]
/// Options of `serve`.
pub struct ServeArgs {
    /// Address to listen on; port 0 picks a free port.
    #[arg(long, env = "PRIORIDADES_BIND", default_value = "127.0.0.1:8080")]
    pub bind: String,

    #[command(flatten)]
    /// The database to serve.
    pub database: DatabaseArgs,

    /// Do not load the demo dataset into an empty store
    /// (the variable takes true/false, 1/0, yes/no, on/off).
    #[arg(
        long,
        env = "PRIORIDADES_NO_DEMO",
        action = clap::ArgAction::SetTrue,
        value_parser = clap::builder::BoolishValueParser::new()
    )]
    pub no_demo: bool,

    /// Which demo an empty store gets: `default` (2,000 priorities in five
    /// areas) or `national` (the generator's country, `--demo-priorities`
    /// priorities).
    #[arg(long, env = "PRIORIDADES_DEMO", value_enum, default_value_t = DemoKind::Default)]
    pub demo: DemoKind,

    /// How many priorities the national demo generates.
    #[arg(long, env = "PRIORIDADES_DEMO_PRIORITIES", default_value_t = NATIONAL_DEMO_PRIORITIES)]
    pub demo_priorities: u64,

    /// Largest request body for single-feature writes, in bytes.
    #[arg(long, env = "PRIORIDADES_MAX_BODY_BYTES", default_value_t = 1024 * 1024)]
    pub max_body_bytes: usize,

    /// Largest request body for the bulk import endpoint, in bytes.
    #[arg(long, env = "PRIORIDADES_MAX_IMPORT_BYTES", default_value_t = 256 * 1024 * 1024)]
    pub max_import_bytes: usize,

    #[command(flatten)]
    /// The batch size of bulk imports.
    pub import: ImportBatchArgs,

    /// Metres within which an open priority of a related category is listed
    /// as a possible duplicate of a proposal (0 to 5,000; geometry to
    /// geometry).
    #[arg(long, env = "PRIORIDADES_DUPLICATE_DISTANCE",
          default_value_t = DEFAULT_DUPLICATE_DISTANCE_M, value_parser = parse_duplicate_distance)]
    pub duplicate_distance: f64,

    /// Most changes the index may lag behind the database's change sequence
    /// while `/health/ready` still answers 200 (replicas catching up).
    #[arg(long, env = "PRIORIDADES_READY_MAX_LAG", default_value_t = READY_MAX_LAG)]
    pub ready_max_lag: i64,

    /// Vector tiles of priorities below this zoom (0 to 25) hold clusters
    /// with their counts; from it on, the priorities themselves (a tile with
    /// more than 4,000 matches is clustered at any zoom).
    #[arg(long, env = "PRIORIDADES_CLUSTER_BELOW_ZOOM", default_value_t = CLUSTER_BELOW_ZOOM,
          value_parser = clap::value_parser!(u8).range(0..=25))]
    pub cluster_below_zoom: u8,

    #[command(flatten)]
    /// Connection limits and timeouts.
    pub connections: ConnectionArgs,

    #[command(flatten)]
    /// How webhooks are delivered.
    pub webhooks: WebhookArgs,

    /// Origins browsers may call the API from, comma separated; `*` for any.
    #[arg(
        long,
        env = "PRIORIDADES_CORS_ORIGINS",
        value_delimiter = ',',
        default_value = "*"
    )]
    pub cors_origins: Vec<String>,

    /// Public base URL for links (e.g. behind a proxy); taken from `Host` when unset.
    #[arg(long, env = "PRIORIDADES_PUBLIC_URL")]
    pub public_url: Option<String>,

    /// Reads need a bearer token too (by default anyone may read).
    #[arg(
        long,
        env = "PRIORIDADES_PRIVATE_READS",
        action = clap::ArgAction::SetTrue,
        value_parser = clap::builder::BoolishValueParser::new()
    )]
    pub private_reads: bool,

    /// A raster XYZ tile template drawn under the web map
    /// (`https://tile.openstreetmap.org/{z}/{x}/{y}.png`); none by default.
    /// Its origin is added to the map page's CSP `img-src` and `connect-src`.
    #[arg(long, env = "PRIORIDADES_BASEMAP_URL", value_parser = crate::http::basemap::Basemap::parse)]
    pub basemap_url: Option<crate::http::basemap::Basemap>,
}

/// How the webhook dispatcher delivers changes (`/webhooks`).
#[derive(Debug, Clone, Args)]
pub struct WebhookArgs {
    /// Attempts per delivery before it is marked `failed` (at least 1).
    #[arg(long, env = "PRIORIDADES_WEBHOOK_MAX_ATTEMPTS", default_value_t = 8,
          value_parser = clap::value_parser!(u32).range(1..))]
    pub webhook_max_attempts: u32,

    /// The wait after a delivery's first failed attempt; doubled after each
    /// later one (`ms`, `s` or `m`).
    #[arg(long, env = "PRIORIDADES_WEBHOOK_BACKOFF", default_value = "1s", value_parser = parse_duration)]
    pub webhook_backoff: Duration,

    /// The longest wait between a delivery's attempts.
    #[arg(long, env = "PRIORIDADES_WEBHOOK_BACKOFF_MAX", default_value = "10m", value_parser = parse_duration)]
    pub webhook_backoff_max: Duration,

    /// How often the dispatcher looks for new changes and due deliveries.
    #[arg(long, env = "PRIORIDADES_WEBHOOK_POLL", default_value = "1s", value_parser = parse_duration)]
    pub webhook_poll: Duration,

    /// Time a receiver has to accept the connection, and to answer an
    /// attempt (its status line and headers).
    #[arg(long, env = "PRIORIDADES_WEBHOOK_TIMEOUT", default_value = "10s", value_parser = parse_duration)]
    pub webhook_timeout: Duration,
}

impl WebhookArgs {
    /// The settings the dispatcher runs with.
    pub fn settings(&self) -> WebhookSettings {
        WebhookSettings {
            max_attempts: self.webhook_max_attempts,
            backoff: self.webhook_backoff,
            backoff_max: self.webhook_backoff_max,
            poll: self.webhook_poll,
            timeout: self.webhook_timeout,
        }
    }
}

impl Default for WebhookArgs {
    /// The command line's defaults.
    fn default() -> Self {
        let d = WebhookSettings::default();
        WebhookArgs {
            webhook_max_attempts: d.max_attempts,
            webhook_backoff: d.backoff,
            webhook_backoff_max: d.backoff_max,
            webhook_poll: d.poll,
            webhook_timeout: d.timeout,
        }
    }
}

/// How long a client may take, and how many may connect at once: slow or
/// idle clients must not hold the server's sockets.
#[derive(Debug, Clone, Args)]
pub struct ConnectionArgs {
    /// Time a client has to send a request's head (request line and
    /// headers), from the connection's opening or from the first byte of a
    /// later request; late heads are answered 408 and closed. Durations take
    /// `ms`, `s` or `m` (a bare number is seconds).
    #[arg(long, env = "PRIORIDADES_HEADER_TIMEOUT", default_value = "10s", value_parser = parse_duration)]
    pub header_timeout: Duration,

    /// Time a client has to send a request's body, from the end of its
    /// head; a later body is answered 408 and the connection closed.
    #[arg(long, env = "PRIORIDADES_BODY_TIMEOUT", default_value = "60s", value_parser = parse_duration)]
    pub body_timeout: Duration,

    /// Time a kept-alive connection may wait for its next request before
    /// it is closed. Keep it longer than a proxy's own idle timeout.
    #[arg(long, env = "PRIORIDADES_IDLE_TIMEOUT", default_value = "75s", value_parser = parse_duration)]
    pub idle_timeout: Duration,

    /// Connections served at once; more are answered 503 at once and
    /// closed. Keep it below the file-descriptor limit (`ulimit -n`).
    #[arg(long, env = "PRIORIDADES_MAX_CONNECTIONS", default_value_t = NonZeroUsize::new(512).expect("512 > 0"))]
    pub max_connections: NonZeroUsize,
}

impl ConnectionArgs {
    /// The limits the server applies.
    pub fn limits(&self) -> ConnectionLimits {
        ConnectionLimits {
            header_timeout: self.header_timeout,
            body_timeout: self.body_timeout,
            idle_timeout: self.idle_timeout,
            max_connections: self.max_connections.get(),
        }
    }
}

impl Default for ConnectionArgs {
    /// The command line's defaults.
    fn default() -> Self {
        ConnectionArgs {
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(60),
            idle_timeout: Duration::from_secs(75),
            max_connections: NonZeroUsize::new(512).expect("512 > 0"),
        }
    }
}

/// A positive duration: `500ms`, `10s`, `2m`, or a bare number of seconds.
fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let number: f64 = number
        .parse()
        .map_err(|_| format!("{text:?} is not a duration such as 10s, 500ms or 2m"))?;
    let seconds = match unit.trim() {
        "" | "s" => number,
        "ms" => number / 1000.0,
        "m" => number * 60.0,
        other => return Err(format!("unknown unit {other:?}: use ms, s or m")),
    };
    match Duration::try_from_secs_f64(seconds) {
        Ok(d) if !d.is_zero() => Ok(d),
        _ => Err(format!("{text:?} is not a positive duration")),
    }
}

#[derive(Debug, Clone, Args)]
/// Options of `import`.
pub struct ImportArgs {
    /// The file: a FeatureCollection or newline-delimited Features.
    pub file: PathBuf,

    #[command(flatten)]
    /// The database to import into.
    pub database: DatabaseArgs,

    #[command(flatten)]
    /// The batch size.
    pub import: ImportBatchArgs,
}

#[derive(Debug, Clone, Args)]
/// The batch size of bulk imports.
pub struct ImportBatchArgs {
    /// Priorities written per transaction by a bulk import. Larger batches
    /// import faster; smaller ones keep other writers waiting less.
    #[arg(long, env = "PRIORIDADES_IMPORT_BATCH", default_value_t = IMPORT_BATCH)]
    pub import_batch: NonZeroUsize,
}

#[derive(Debug, Clone, Args)]
/// Options of `generate`.
pub struct GenerateArgs {
    /// How many priorities to write.
    #[arg(long)]
    pub count: u64,

    /// Seed of the priorities: the same seed (and count and councils) gives
    /// the same bytes, unless the store named by `--database-url` already
    /// holds priorities whose ranks must be left free.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,

    /// How many councils the catalog has (at least one per parish); the
    /// catalog depends only on this number.
    #[arg(long, default_value_t = crate::generate::DEFAULT_COUNCILS)]
    pub councils: usize,

    /// Write the catalog (territories with boundaries, and councils) into
    /// this database first: `sqlite://FILE` or a path. It must be empty or
    /// already hold this same catalog. Not read from `DATABASE_URL`: without
    /// this flag nothing is written to any database.
    #[arg(long)]
    pub database_url: Option<String>,
}

#[derive(Debug, Subcommand)]
/// The `token` subcommands.
pub enum TokenCommand {
    /// Create a token and print its secret (shown this once only).
    Create {
        /// spokesperson, cabinet, planner or admin.
        #[arg(long)]
        role: String,
        /// A council code (spokesperson) or a state, municipality or parish code (cabinet).
        #[arg(long)]
        scope: Option<String>,
        /// A note on whom it is for.
        #[arg(long)]
        label: Option<String>,
        #[command(flatten)]
        /// The database holding the tokens.
        database: DatabaseArgs,
    },
    /// List tokens (never their secrets).
    List {
        #[command(flatten)]
        /// The database holding the tokens.
        database: DatabaseArgs,
    },
    /// Revoke a token by its id.
    Revoke {
        /// The token's public id, as `token list` shows it.
        id: String,
        #[command(flatten)]
        /// The database holding the tokens.
        database: DatabaseArgs,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
/// A territorial level, as the command line names it.
pub enum LevelArg {
    /// States (*estados*).
    State,
    /// Municipalities (*municipios*).
    Municipality,
    /// Parishes (*parroquias*).
    Parish,
}

impl From<LevelArg> for crate::domain::codes::Level {
    fn from(l: LevelArg) -> Self {
        match l {
            LevelArg::State => Self::State,
            LevelArg::Municipality => Self::Municipality,
            LevelArg::Parish => Self::Parish,
        }
    }
}

#[derive(Debug, Clone, Args)]
/// Options of `import-territories`.
pub struct ImportTerritoriesArgs {
    /// The level the file holds.
    #[arg(long, value_enum)]
    pub level: LevelArg,

    /// The property holding each territory's code: a full INE-style code
    /// (`010101`, prefixes such as `VE` are ignored), or its own two digits
    /// below a parent.
    #[arg(long, default_value = "code")]
    pub code: String,

    /// The property holding each territory's name.
    #[arg(long, default_value = "name")]
    pub name: String,

    /// The property holding the parent's code; without it, two-digit codes
    /// find their parent by which parent boundary holds them.
    #[arg(long)]
    pub parent: Option<String>,

    /// The GeoJSON file.
    pub file: PathBuf,

    #[command(flatten)]
    /// The database to import into.
    pub database: DatabaseArgs,
}

impl ServeArgs {
    /// Settings for tests and embedding: bind `127.0.0.1:0`, no demo.
    pub fn for_database(database_url: impl Into<String>) -> Self {
        ServeArgs {
            bind: "127.0.0.1:0".into(),
            database: DatabaseArgs {
                database_url: database_url.into(),
            },
            no_demo: true,
            demo: DemoKind::Default,
            demo_priorities: NATIONAL_DEMO_PRIORITIES,
            max_body_bytes: 1024 * 1024,
            max_import_bytes: 256 * 1024 * 1024,
            import: ImportBatchArgs {
                import_batch: IMPORT_BATCH,
            },
            duplicate_distance: DEFAULT_DUPLICATE_DISTANCE_M,
            ready_max_lag: READY_MAX_LAG,
            cluster_below_zoom: CLUSTER_BELOW_ZOOM,
            connections: ConnectionArgs::default(),
            webhooks: WebhookArgs::default(),
            cors_origins: vec!["*".into()],
            public_url: None,
            private_reads: false,
            basemap_url: None,
        }
    }
}

/// `--duplicate-distance`: metres, 0 to [`MAX_DUPLICATE_DISTANCE_M`].
fn parse_duplicate_distance(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(m) if (0.0..=MAX_DUPLICATE_DISTANCE_M).contains(&m) => Ok(m),
        _ => Err(format!(
            "expected metres from 0 to {MAX_DUPLICATE_DISTANCE_M}; got {s:?}"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_duplicate_distance_is_metres_within_range() {
        assert_eq!(parse_duplicate_distance("100"), Ok(100.0));
        assert_eq!(parse_duplicate_distance("0"), Ok(0.0));
        assert!(parse_duplicate_distance("5001").is_err());
        assert!(parse_duplicate_distance("-1").is_err());
        assert!(parse_duplicate_distance("NaN").is_err());
        let cli = Cli::try_parse_from(["prioridades", "--duplicate-distance", "250"]).unwrap();
        assert_eq!(cli.serve.duplicate_distance, 250.0);
    }

    #[test]
    fn durations_take_milliseconds_seconds_and_minutes() {
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("10s"), Ok(Duration::from_secs(10)));
        assert_eq!(parse_duration("10"), Ok(Duration::from_secs(10)));
        assert_eq!(parse_duration("1.5s"), Ok(Duration::from_millis(1500)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        assert!(parse_duration("0s").is_err());
        assert!(parse_duration("-1s").is_err());
        assert!(parse_duration("10h").is_err());
        assert!(parse_duration("soon").is_err());
    }

    #[test]
    fn the_connection_defaults_are_the_command_lines() {
        let cli = Cli::try_parse_from(["prioridades"]).unwrap();
        let parsed = cli.serve.connections.limits();
        let default = ConnectionArgs::default().limits();
        assert_eq!(parsed.header_timeout, default.header_timeout);
        assert_eq!(parsed.body_timeout, default.body_timeout);
        assert_eq!(parsed.idle_timeout, default.idle_timeout);
        assert_eq!(parsed.max_connections, default.max_connections);
    }

    #[test]
    fn the_webhook_defaults_are_the_command_lines() {
        let cli = Cli::try_parse_from(["prioridades"]).unwrap();
        assert_eq!(cli.serve.webhooks.settings(), WebhookSettings::default());
    }
}
