//! The node's log: one line per record on stderr.

use lightning::util::logger::{Level, Logger, Record};

/// Prints records at or above a level to stderr, one line each.
pub struct StderrLogger {
    min: Level,
}

impl StderrLogger {
    /// A logger printing `min` and above.
    pub fn new(min: Level) -> Self {
        StderrLogger { min }
    }
}

impl Logger for StderrLogger {
    fn log(&self, record: &Record<'_>) {
        if record.level >= self.min {
            match record.peer {
                Some(peer) => eprintln!("{} [{peer}] {}", record.level, record.args),
                None => eprintln!("{} {}", record.level, record.args),
            }
        }
    }
}

/// The level from `NODE_LOG` (`trace`, `debug`, `info`, `warn`, `error`; default `info`).
pub fn log_level_from_env() -> Level {
    match std::env::var("NODE_LOG").as_deref() {
        Ok("trace") => Level::Trace,
        Ok("debug") => Level::Debug,
        Ok("warn") => Level::Warn,
        Ok("error") => Level::Error,
        _ => Level::Info,
    }
}
