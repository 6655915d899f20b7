//! `payrules serve`: the ledger over HTTP — axum on hyper and tokio, one ledger per sandbox.
//!
//! Each profile lives under `/{profile}` + the vendor's path; a request names its sandbox with the
//! `Payrules-Sandbox` header (absent: `default`), created from the sample world on first use. The
//! server's own endpoints are under `/_payrules/` (health, the console's world, the sandboxes, and
//! per sandbox its test clock, request log and fault rules). Vendor writes may carry an
//! `Idempotency-Key`. `--store FILE` keeps every sandbox in SQLite (`database.rs`: a journal of
//! requests with their clock readings on a base snapshot); without it everything is in memory.
//!
//! Policies are layers (`routes::router`): CORS open, a body limit (413), a per-request timeout
//! (408), one log line per request, and the problem shape for every refusal. The HTTP/1.1
//! connection itself is hyper's (`serve`): keep-alive, a head limit (431 past [`MAX_HEAD`] bytes
//! or 100 fields, hyper's default: set explicitly, hyper puts its field array on the heap for every
//! request), 400 for a malformed head, and a deadline for each head ([`HEAD_TIMEOUT`]); every
//! connection is its own task, so that no client delays another.
//! SIGTERM or Ctrl-C stops accepting, lets requests in flight finish, flushes the store, exits 0.

mod clock;
mod database;
mod faults;
mod problem;
mod routes;
mod sandboxes;
mod store;

pub(crate) use clock::machine_millis;
pub(crate) use routes::{body_text_limited, redact_target, split_target, vendor_request};

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use payrules::ledger::Timestamp;
use tokio::net::TcpListener;
use tracing_subscriber::filter::LevelFilter;

use routes::App;
use sandboxes::{Clocks, Sandboxes};

/// The most bytes of a request head (request line and header fields); past it, 431.
pub const MAX_HEAD: usize = 64 * 1024;
/// How long a client may take to send a request head (and how long a keep-alive connection may
/// stay idle); then the connection is closed.
pub const HEAD_TIMEOUT: Duration = Duration::from_secs(30);
/// How long shutdown waits for requests in flight.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

/// The options of `payrules serve`.
#[derive(Debug, clap::Args)]
#[command(args_override_self = true)]
pub struct ServeArgs {
    /// The address to listen on (port 0: any free port; the listening line says which).
    #[arg(long, value_name = "HOST:PORT", default_value = "127.0.0.1:8080")]
    addr: String,
    /// Keep every sandbox in the SQLite database FILE (created when missing): each change is
    /// committed (journaled, fsync) before its answer; a restart restores every sandbox exactly.
    #[arg(long, value_name = "FILE", conflicts_with = "state")]
    store: Option<PathBuf>,
    /// Keep only the `default` sandbox, as one snapshot file: read at start when it exists,
    /// rewritten (write-then-rename) after every change, before the response.
    #[arg(long, value_name = "FILE")]
    state: Option<PathBuf>,
    /// A snapshot that replaces the sample world as the start of every new sandbox.
    #[arg(long, value_name = "FILE")]
    world: Option<PathBuf>,
    /// Give each sandbox a stepping clock from this RFC 3339 time (one second per request) instead
    /// of the machine's clock.
    #[arg(long, value_name = "RFC3339")]
    now: Option<String>,
    /// The largest request body, in bytes (413 past it).
    #[arg(long, value_name = "BYTES", default_value_t = 16 * 1024 * 1024)]
    max_body: usize,
    /// The most seconds one request may take, its body included (408 past it).
    #[arg(long, value_name = "SECONDS", default_value_t = 30)]
    request_timeout: u64,
    /// The log level on stderr: off, error, warn, info (one line per request), debug, trace.
    #[arg(long, value_name = "LEVEL", default_value = "info")]
    log: LevelFilter,
}

/// The limits the layers apply.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub max_body: usize,
    pub request_timeout: Duration,
}

pub fn run(args: &ServeArgs) -> Result<ExitCode, String> {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_max_level(args.log)
        .init();
    let clocks = match &args.now {
        None => Clocks::System,
        Some(text) => Clocks::SteppingFrom(
            Timestamp::parse(text).ok_or_else(|| format!("--now `{text}` is not an RFC 3339 date-time"))?,
        ),
    };
    let sample = args.world.as_deref().map(crate::replay::read_snapshot).transpose()?;
    let store: Box<dyn store::Store> = match (&args.store, &args.state) {
        (Some(file), _) => Box::new(database::Database::open(file)?),
        (None, Some(file)) => Box::new(store::StateFile::new(file.clone())),
        (None, None) => Box::new(store::Memory),
    };
    let sandboxes = Sandboxes::open(sample, clocks, store)?;
    let limits = Limits { max_body: args.max_body, request_timeout: Duration::from_secs(args.request_timeout) };
    let app = Arc::new(App { sandboxes, limits });
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the runtime: {e}"))?;
    runtime.block_on(serve(&args.addr, app))
}

async fn serve(addr: &str, app: Arc<App>) -> Result<ExitCode, String> {
    let listener = TcpListener::bind(addr).await.map_err(|e| format!("cannot listen on {addr}: {e}"))?;
    let local = listener.local_addr().map_err(|e| e.to_string())?;
    let mounts: Vec<String> = payrules::Profile::ALL.iter().map(|p| format!("/{}", p.id())).collect();
    // The one line on stdout (tests and the console's e2e read it); everything else goes to stderr.
    let mut out = std::io::stdout().lock();
    writeln!(out, "payrules serve: listening on http://{local} (profiles under {})", mounts.join(", ")).ok();
    out.flush().ok();
    drop(out);
    tracing::info!(store = %app.sandboxes.describe_store(), "listening on http://{local}");

    let service = routes::router(Arc::clone(&app));
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(HEAD_TIMEOUT)
        .max_header_size(MAX_HEAD)
        .title_case_headers(true)
        .keep_alive(true);
    let graceful = GracefulShutdown::new();
    let mut stop = std::pin::pin!(shutdown_signal());
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let tcp = match accepted {
                    Ok((tcp, _)) => tcp,
                    Err(e) => {
                        // Out of file descriptors and the like: wait a moment rather than spin.
                        tracing::warn!("cannot accept a connection: {e}");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                };
                tcp.set_nodelay(true).ok();
                let router = service.clone();
                // A response marked by a `drop` fault ends the connection without being written
                // (hyper closes a connection whose service fails).
                let per_request = hyper::service::service_fn(move |request: hyper::Request<hyper::body::Incoming>| {
                    let mut router = router.clone();
                    async move {
                        let response = tower_service::Service::call(&mut router, request)
                            .await
                            .unwrap_or_else(|never| match never {});
                        if response.extensions().get::<routes::DropConnection>().is_some() {
                            return Err(routes::DropConnection);
                        }
                        Ok(response)
                    }
                });
                let connection = http.serve_connection(TokioIo::new(tcp), per_request);
                let connection = graceful.watch(connection);
                tokio::spawn(async move {
                    if let Err(e) = connection.await {
                        tracing::debug!("connection closed: {e}");
                    }
                });
            }
            () = &mut stop => break,
        }
    }
    drop(listener);
    tracing::info!("shutting down: requests in flight finish, idle connections close");
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(SHUTDOWN_GRACE) => {
            tracing::warn!("connections still open after {} s are dropped", SHUTDOWN_GRACE.as_secs());
        }
    }
    // Flushing waits for the store's writer: off the async workers.
    let flushing = Arc::clone(&app);
    tokio::task::spawn_blocking(move || flushing.sandboxes.flush())
        .await
        .map_err(|e| format!("flushing the store failed: {e}"))??;
    tracing::info!("stopped");
    Ok(ExitCode::SUCCESS)
}

/// Resolves on Ctrl-C or SIGTERM.
pub(crate) async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
}
