//! The [`Logger`] every component logs through.
//!
//! The library never prints: it hands [`Record`]s to the caller's [`Logger`]. Components hold it
//! as a [`SharedLogger`] (an `Arc`), so one logger serves the whole node. Under `std`,
//! [`LogCrateLogger`] forwards records to the `log` crate's facade.

use alloc::sync::Arc;
use core::fmt;

use secp256k1::PublicKey;

use crate::wire::ChannelId;

/// How important a [`Record`] is, least to most.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    /// Every message and state change; very verbose.
    Trace,
    /// Details useful when debugging a peer or channel.
    Debug,
    /// Normal operation worth noting (a channel opened, a payment sent).
    Info,
    /// Something went wrong that the library handled (a peer misbehaved, a message was bad).
    Warn,
    /// Something went wrong that needs the user's attention (a channel force-closed).
    Error,
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Level::Trace => "TRACE",
            Level::Debug => "DEBUG",
            Level::Info => "INFO",
            Level::Warn => "WARN",
            Level::Error => "ERROR",
        })
    }
}

/// One log line, with the peer and channel it concerns where known.
#[derive(Clone, Copy, Debug)]
pub struct Record<'a> {
    /// How important it is.
    pub level: Level,
    /// The module that logged it (`module_path!()`).
    pub module: &'static str,
    /// The message; format it with `{}`.
    pub args: fmt::Arguments<'a>,
    /// The peer it concerns, if any.
    pub peer: Option<PublicKey>,
    /// The channel it concerns, if any.
    pub channel: Option<ChannelId>,
}

/// Receives the library's log records. Implement it to route them wherever you like.
///
/// It takes `&self` so that one logger can be shared by every component; an implementation
/// that needs to mutate state uses its own interior mutability.
pub trait Logger: Send + Sync {
    /// Handles one record. Called synchronously from inside library calls: keep it cheap.
    fn log(&self, record: &Record<'_>);
}

/// The handle components hold on the caller's logger.
pub type SharedLogger = Arc<dyn Logger>;

/// A logger that drops everything.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoopLogger;

impl Logger for NoopLogger {
    fn log(&self, _record: &Record<'_>) {}
}

/// Forwards records to the `log` crate's facade (target = the logging module), adding the peer
/// and channel to the message.
#[cfg(feature = "std")]
#[derive(Clone, Copy, Debug, Default)]
pub struct LogCrateLogger;

#[cfg(feature = "std")]
impl Logger for LogCrateLogger {
    fn log(&self, record: &Record<'_>) {
        let level = match record.level {
            Level::Trace => log::Level::Trace,
            Level::Debug => log::Level::Debug,
            Level::Info => log::Level::Info,
            Level::Warn => log::Level::Warn,
            Level::Error => log::Level::Error,
        };
        log::log!(target: record.module, level, "{}", Context(record));
    }
}

/// Formats a record as `[peer …] [channel …] message`.
#[cfg(feature = "std")]
struct Context<'a, 'b>(&'a Record<'b>);

#[cfg(feature = "std")]
impl fmt::Display for Context<'_, '_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(peer) = self.0.peer {
            write!(f, "[peer {peer}] ")?;
        }
        if let Some(channel) = self.0.channel {
            write!(f, "[channel {channel}] ")?;
        }
        self.0.args.fmt(f)
    }
}

/// Logs through a [`Logger`]: `log_at!(logger, Level::Info, peer, channel, "fmt", args...)`,
/// where `peer` and `channel` are `Option`s. Components use the shorter wrappers below.
#[macro_export]
#[doc(hidden)]
macro_rules! log_at {
    ($logger:expr, $level:expr, $peer:expr, $channel:expr, $($arg:tt)+) => {
        $crate::util::logger::Logger::log(
            &*$logger,
            &$crate::util::logger::Record {
                level: $level,
                module: module_path!(),
                args: format_args!($($arg)+),
                peer: $peer,
                channel: $channel,
            },
        )
    };
}
