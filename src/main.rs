//! The `prioridades` command: parse configuration, set up logging, run.

use std::process::ExitCode;

use anyhow::{Context, anyhow};
use clap::Parser;
use prioridades::config::{
    Cli, Command, GenerateArgs, ImportArgs, ImportTerritoriesArgs, TokenCommand,
};
use prioridades::domain::auth::{Actor, Role};
use prioridades::generate::{self, CatalogWrite};
use prioridades::service::ServiceError;
use prioridades::startup::{Application, open_service, shutdown_signal};
use prioridades::store::Store;
use prioridades::{demo, import, telemetry};

/// mimalloc instead of glibc's allocator: start-up parses and builds a
/// million priorities on every core, allocating small strings and vectors
/// by the million, and glibc's arenas spent much of that time on locks.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    telemetry::init(&cli.log_level, cli.log_format);
    let result = match cli.command {
        None => serve(cli.serve).await,
        Some(Command::Serve(args)) => serve(args).await,
        Some(Command::Import(args)) => import_file(args).await,
        Some(Command::ImportTerritories(args)) => import_territories(args).await,
        Some(Command::Token(command)) => token(command).await,
        Some(Command::Generate(args)) => generate_dataset(args).await,
        Some(Command::DemoFixtures { out }) => write_fixtures(&out),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // `{:#}`: the error and its causes, "context: cause".
            eprintln!("prioridades: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn serve(args: prioridades::config::ServeArgs) -> anyhow::Result<()> {
    let app = Application::build(&args).await?;
    Ok(app.run_until(shutdown_signal()).await?)
}

async fn import_file(args: ImportArgs) -> anyhow::Result<()> {
    let bytes = std::fs::read(&args.file).with_context(|| args.file.display().to_string())?;
    let features = import::parse_features(&bytes)?;
    let service = open_service(&args.database.database_url, None)
        .await?
        .with_import_batch(args.import.import_batch);
    let started = std::time::Instant::now();
    let report = service.import(Actor::CommandLine, features).await?;
    let seconds = started.elapsed().as_secs_f64();
    report.errors.iter().for_each(|e| eprintln!("{e}"));
    println!(
        "{} received, {} created, {} updated, {} refused in {seconds:.2} s",
        report.received,
        report.created,
        report.updated,
        report.errors.len()
    );
    service.store().close().await;
    if report.errors.is_empty() {
        Ok(())
    } else {
        Err(anyhow!("{} features were refused", report.errors.len()))
    }
}

async fn import_territories(args: ImportTerritoriesArgs) -> anyhow::Result<()> {
    let bytes = std::fs::read(&args.file).with_context(|| args.file.display().to_string())?;
    let columns = import::BoundaryColumns {
        code: args.code,
        name: args.name,
        parent: args.parent,
    };
    let print_errors = |errors: &[prioridades::service::ImportError]| {
        errors.iter().for_each(|e| eprintln!("{e}"));
        format!("{} problems; nothing was changed", errors.len())
    };
    let features = import::parse_boundaries(&bytes, &columns).map_err(|e| match e {
        import::BoundaryFileError::Features(errors) => anyhow!(print_errors(&errors)),
        other => anyhow!(other.to_string()),
    })?;
    let service = open_service(&args.database.database_url, None).await?;
    let started = std::time::Instant::now();
    let result = service
        .import_boundaries(Actor::CommandLine, args.level.into(), features)
        .await;
    service.store().close().await;
    let report = match result {
        Ok(report) => report,
        Err(ServiceError::InvalidFile(errors)) => return Err(anyhow!(print_errors(&errors))),
        Err(e) => return Err(e.into()),
    };
    println!(
        "{} {} boundaries imported ({} new territories, {} boundaries dropped) in {:.2} s; {} priorities placed, {} moved, {} outside their council's parish, {} outside every parish",
        report.territories,
        report.level,
        report.created,
        report.boundaries_dropped,
        started.elapsed().as_secs_f64(),
        report.priorities_placed,
        report.priorities_moved,
        report.outside_council_parish,
        report.outside_every_parish
    );
    Ok(())
}

async fn token(command: TokenCommand) -> anyhow::Result<()> {
    let url = match &command {
        TokenCommand::Create { database, .. }
        | TokenCommand::List { database }
        | TokenCommand::Revoke { database, .. } => database.database_url.clone(),
    };
    let service = open_service(&url, None).await?;
    let result = match command {
        TokenCommand::Create {
            role, scope, label, ..
        } => {
            let role = Role::parse(&role, scope.as_deref()).map_err(|e| anyhow!(e))?;
            let (token, secret) = service
                .create_token(Actor::CommandLine, role, label)
                .await?;
            // The secret goes to standard output once, never to the log.
            println!("{secret}");
            eprintln!(
                "token {} ({}) created; keep the secret above: it is not stored",
                token.id, token.role
            );
            Ok(())
        }
        TokenCommand::List { .. } => {
            let tokens = service.tokens(Actor::CommandLine).await?;
            for t in tokens {
                println!("{}", prioridades::http::token_json(&t));
            }
            Ok(())
        }
        TokenCommand::Revoke { id, .. } => {
            Ok(service.revoke_token(Actor::CommandLine, &id).await?)
        }
    };
    service.store().close().await;
    result
}

async fn generate_dataset(args: GenerateArgs) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    let catalog = generate::Catalog::build(args.councils)?;
    let mut generator = generate::Generator::new(&catalog, args.seed);
    if let Some(url) = &args.database_url {
        let store = Store::connect(url).await?;
        let written = generate::store_catalog(&catalog, &store).await;
        let held = match written {
            Ok(CatalogWrite::Written) => {
                eprintln!(
                    "catalog written to {url}: {} territories with boundaries ({} parishes), {} councils",
                    catalog.territories.len(),
                    catalog.parish_count(),
                    catalog.councils.len()
                );
                Ok(Vec::new())
            }
            Ok(CatalogWrite::AlreadyPresent) => generate::held_ranks(&store)
                .await
                .with_context(|| url.clone())
                .inspect(|held| {
                    eprintln!(
                        "{url} already holds this catalog; nothing written to it; its {} held ranks are left to their holders",
                        held.len()
                    )
                }),
            Err(e) => Err(anyhow::Error::from(e).context(url.clone())),
        };
        store.close().await;
        generator.hold_ranks(held?);
    }
    let out = std::io::BufWriter::with_capacity(1 << 20, std::io::stdout().lock());
    generator
        .write(args.count, out)
        .context("standard output")?;
    eprintln!(
        "{} priorities written in {:.2} s",
        args.count,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

fn write_fixtures(out: &std::path::Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(out).with_context(|| out.display().to_string())?;
    for (name, text) in demo::generate() {
        let path = out.join(name);
        std::fs::write(&path, text).with_context(|| path.display().to_string())?;
        println!("wrote {}", path.display());
    }
    Ok(())
}
