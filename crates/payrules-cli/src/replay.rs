//! `payrules replay`: JSON Lines of requests applied in order to a ledger; one response per line.

use std::io::{self, BufRead, BufWriter, Write};
use std::path::{Path, PathBuf};

use payrules::ledger::{Clock, Ledger, SteppingClock, Timestamp};

/// The options of `payrules replay`.
#[derive(Debug, clap::Args)]
#[command(args_override_self = true)]
pub struct ReplayArgs {
    /// Start from this snapshot instead of the sample world.
    #[arg(long, value_name = "FILE")]
    world: Option<PathBuf>,
    /// The clock's start, RFC 3339 (default 2024-01-01T09:00:00Z).
    #[arg(long, value_name = "RFC3339")]
    now: Option<String>,
    /// Write the resulting snapshot to FILE (write-then-rename).
    #[arg(long, value_name = "FILE")]
    save: Option<PathBuf>,
    /// The JSON Lines of requests; `-` or none reads stdin.
    #[arg(value_name = "FILE")]
    input: Option<PathBuf>,
}

/// The clock of a run: a stepping clock from `--now` (or the default start), one second per request.
pub fn clock(now: Option<&str>) -> Result<Box<dyn Clock>, String> {
    match now {
        None => Ok(Box::new(SteppingClock::default())),
        Some(text) => {
            let start = Timestamp::parse(text).ok_or_else(|| format!("--now `{text}` is not an RFC 3339 date-time"))?;
            Ok(Box::new(SteppingClock::new(start, 1000)))
        }
    }
}

/// A ledger from `--world FILE` (a snapshot), or the sample world.
pub fn ledger(world: Option<&Path>, clock: Box<dyn Clock>) -> Result<Ledger, String> {
    match world {
        None => Ok(Ledger::sample(clock)),
        Some(file) => Ledger::restore(&read_snapshot(file)?, clock).map_err(|e| format!("{}: {e}", file.display())),
    }
}

/// The text of a snapshot file.
pub fn read_snapshot(file: &Path) -> Result<String, String> {
    std::fs::read_to_string(file).map_err(|e| format!("cannot read {}: {e}", file.display()))
}

/// Writes `text` to `file` so that a crash leaves either the old or the new content, never a mix.
pub fn write_atomically(path: &Path, text: &str) -> io::Result<()> {
    let tmp = path.with_extension(format!(
        "{}.tmp",
        path.extension().map(|e| e.to_string_lossy().into_owned()).unwrap_or_default()
    ));
    {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(text.as_bytes())?;
        f.sync_all()?;
    }
    std::fs::rename(&tmp, path)?;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        // Make the rename itself durable.
        std::fs::File::open(dir)?.sync_all()?;
    }
    Ok(())
}

pub fn run(args: &ReplayArgs) -> Result<std::process::ExitCode, String> {
    let mut ledger = ledger(args.world.as_deref(), clock(args.now.as_deref())?)?;
    let input: Box<dyn BufRead> = match &args.input {
        Some(file) if file.as_os_str() != "-" => Box::new(io::BufReader::new(
            std::fs::File::open(file).map_err(|e| format!("cannot read {}: {e}", file.display()))?,
        )),
        _ => Box::new(io::stdin().lock()),
    };
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    for line in input.lines() {
        let line = line.map_err(|e| format!("cannot read input: {e}"))?;
        if line.trim().is_empty() {
            continue;
        }
        let response = ledger.handle_json(&line);
        serde_json::to_writer(&mut out, &response).map_err(|e| format!("cannot write: {e}"))?;
        out.write_all(b"\n").map_err(|e| format!("cannot write: {e}"))?;
    }
    out.flush().map_err(|e| format!("cannot write: {e}"))?;
    if let Some(file) = &args.save {
        write_atomically(file, &ledger.snapshot()).map_err(|e| format!("cannot save {}: {e}", file.display()))?;
    }
    Ok(std::process::ExitCode::SUCCESS)
}
