//! Command line and environment configuration. Every flag has an
//! environment variable; flags win over the environment.

use std::num::NonZeroUsize;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::service::IMPORT_BATCH;

/// The default of `--ready-max-lag`: a replica following by notification
/// is a few changes behind; one batch of a bulk import elsewhere (10,000 by
/// default) puts it that far behind for the moment it takes to read it, which
/// should not take it out of a load balancer.
pub const READY_MAX_LAG: i64 = 10_000;

/// The default SQLite file, created in the working directory on first start.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://prioridades.db";

#[derive(Debug, Parser)]
#[command(
    name = "prioridades",
    version,
    about = "Geolocated priorities of communal councils, served as GeoJSON (OGC API – Features)"
)]
pub struct Cli {
    #[command(subcommand)]
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
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per event.
    Json,
}

#[derive(Debug, Subcommand)]
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
pub struct DatabaseArgs {
    /// Database URL: `sqlite://FILE` (created when missing), a file path, or
    /// `postgres://USER@HOST:PORT/DB` (the shared store of several replicas).
    #[arg(long, env = "DATABASE_URL", default_value = DEFAULT_DATABASE_URL)]
    pub database_url: String,
}

#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Address to listen on; port 0 picks a free port.
    #[arg(long, env = "PRIORIDADES_BIND", default_value = "127.0.0.1:8080")]
    pub bind: String,

    #[command(flatten)]
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

    /// Largest request body for single-feature writes, in bytes.
    #[arg(long, env = "PRIORIDADES_MAX_BODY_BYTES", default_value_t = 1024 * 1024)]
    pub max_body_bytes: usize,

    /// Largest request body for the bulk import endpoint, in bytes.
    #[arg(long, env = "PRIORIDADES_MAX_IMPORT_BYTES", default_value_t = 256 * 1024 * 1024)]
    pub max_import_bytes: usize,

    #[command(flatten)]
    pub import: ImportBatchArgs,

    /// Most changes the index may lag behind the database's change sequence
    /// while `/health/ready` still answers 200 (replicas catching up).
    #[arg(long, env = "PRIORIDADES_READY_MAX_LAG", default_value_t = READY_MAX_LAG)]
    pub ready_max_lag: i64,

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
}

#[derive(Debug, Clone, Args)]
pub struct ImportArgs {
    /// The file: a FeatureCollection or newline-delimited Features.
    pub file: PathBuf,

    #[command(flatten)]
    pub database: DatabaseArgs,

    #[command(flatten)]
    pub import: ImportBatchArgs,
}

#[derive(Debug, Clone, Args)]
pub struct ImportBatchArgs {
    /// Priorities written per transaction by a bulk import. Larger batches
    /// import faster; smaller ones keep other writers waiting less.
    #[arg(long, env = "PRIORIDADES_IMPORT_BATCH", default_value_t = IMPORT_BATCH)]
    pub import_batch: NonZeroUsize,
}

#[derive(Debug, Clone, Args)]
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
        database: DatabaseArgs,
    },
    /// List tokens (never their secrets).
    List {
        #[command(flatten)]
        database: DatabaseArgs,
    },
    /// Revoke a token by its id.
    Revoke {
        id: String,
        #[command(flatten)]
        database: DatabaseArgs,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LevelArg {
    State,
    Municipality,
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
            max_body_bytes: 1024 * 1024,
            max_import_bytes: 256 * 1024 * 1024,
            import: ImportBatchArgs {
                import_batch: IMPORT_BATCH,
            },
            ready_max_lag: READY_MAX_LAG,
            cors_origins: vec!["*".into()],
            public_url: None,
            private_reads: false,
        }
    }
}
