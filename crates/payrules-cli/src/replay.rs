//! `payrules replay`: JSON Lines of requests applied in order to a ledger; one response per line.

use std::io::{self, BufRead, BufWriter, Write};

use payrules::ledger::{Clock, Ledger, SteppingClock, Timestamp};

use crate::args::Args;

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
pub fn ledger(world: Option<&str>, clock: Box<dyn Clock>) -> Result<Ledger, String> {
    match world {
        None => Ok(Ledger::sample(clock)),
        Some(file) => {
            let text = std::fs::read_to_string(file).map_err(|e| format!("cannot read {file}: {e}"))?;
            Ledger::restore(&text, clock).map_err(|e| format!("{file}: {e}"))
        }
    }
}

/// Writes `text` to `file` so that a crash leaves either the old or the new content, never a mix.
pub fn write_atomically(file: &str, text: &str) -> io::Result<()> {
    let path = std::path::Path::new(file);
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

pub fn run(args: &[&str]) -> Result<std::process::ExitCode, String> {
    let args = Args::parse(args, &["world", "now", "save"])?;
    let mut ledger = ledger(args.get("world"), clock(args.get("now"))?)?;
    let input: Box<dyn BufRead> = match args.positional.as_slice() {
        [] | ["-"] => Box::new(io::stdin().lock()),
        [file] => {
            Box::new(io::BufReader::new(std::fs::File::open(file).map_err(|e| format!("cannot read {file}: {e}"))?))
        }
        more => return Err(format!("replay takes one input file, not {}", more.len())),
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
    if let Some(file) = args.get("save") {
        write_atomically(file, &ledger.snapshot()).map_err(|e| format!("cannot save {file}: {e}"))?;
    }
    Ok(std::process::ExitCode::SUCCESS)
}
