//! The command line: `kuaidi-bot [run]`, `console`, `query` and `sandbox`.
//!
//! Each subcommand lives in its own file and returns an [`ExitCode`]-worthy outcome; this file only
//! declares the arguments (clap derive) and dispatches. Exit codes: 0 success, 2 bad input or bad
//! configuration, 3 an upstream (Kuaidi100) error, 1 anything else — always with a one-line reason.

mod console;
mod query;
mod run;
mod sandbox;

use std::net::SocketAddr;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use crate::kuaidi100::Lang;

#[derive(Debug, Parser)]
#[command(
    name = "kuaidi-bot",
    version,
    about = "Tracks Chinese parcels through Kuaidi100, frugally and in two languages"
)]
pub struct Cli {
    /// What to do; without one, `run`.
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// The Telegram bot (long polling). The default.
    Run,
    /// Talk to the bot in this terminal: same commands, same replies, no Telegram needed.
    Console(ConsoleArgs),
    /// One real-time query from the shell, through the same engine and rules as the bot.
    Query(QueryArgs),
    /// Run the built-in Kuaidi100 simulator as an HTTP server.
    Sandbox(SandboxArgs),
}

#[derive(Debug, clap::Args)]
pub struct QueryArgs {
    /// Courier (code, Chinese or English name, alias; `auto` or omitted to detect), then the number.
    #[arg(value_name = "COURIER] [NUMBER", num_args = 1..=2, required = true)]
    pub words: Vec<String>,
    /// Phone number or its last 4 digits (required by SF Express, ZTO and a few others).
    #[arg(long)]
    pub phone: Option<String>,
    /// Language of the output and of the trajectory text (default: DEFAULT_LANG).
    #[arg(long, value_enum)]
    pub lang: Option<LangArg>,
    /// Time zone of the times shown: an IANA name (`Europe/Berlin`) or an offset (`UTC+1`, `+05:30`);
    /// default Beijing time, Kuaidi100's own clock.
    #[arg(long, value_name = "ZONE")]
    pub tz: Option<String>,
    /// Print a normalized JSON document instead of text.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum LangArg {
    Zh,
    En,
}

impl From<LangArg> for Lang {
    fn from(value: LangArg) -> Self {
        match value {
            LangArg::Zh => Lang::Zh,
            LangArg::En => Lang::En,
        }
    }
}

#[derive(Debug, clap::Args)]
pub struct ConsoleArgs {
    /// Simulated seconds per real second, in sandbox mode: at 600 a parcel moves about a day in
    /// 2.5 minutes and a subscription's pushes show up within seconds.
    #[arg(long, default_value_t = 1.0)]
    pub speed: f64,
}

impl Default for ConsoleArgs {
    fn default() -> Self {
        Self { speed: 1.0 }
    }
}

#[derive(Debug, clap::Args)]
pub struct SandboxArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8100")]
    pub listen: SocketAddr,
    /// Simulated seconds per real second (parcels move faster when higher).
    #[arg(long, default_value_t = 1.0)]
    pub speed: f64,
}

/// Exit codes of the command line.
pub mod exit {
    pub const BAD_INPUT: u8 = 2;
    pub const UPSTREAM: u8 = 3;
    pub const OTHER: u8 = 1;
}

/// Parses the arguments and runs the chosen subcommand.
pub async fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        None => run::run(true).await,
        Some(Command::Run) => run::run(false).await,
        Some(Command::Console(args)) => console::run(args).await,
        Some(Command::Query(args)) => query::run(args).await,
        Some(Command::Sandbox(args)) => sandbox::run(args).await,
    }
}

/// Prints a one-line reason on stderr and returns the exit code.
fn fail(code: u8, reason: impl std::fmt::Display) -> ExitCode {
    eprintln!("kuaidi-bot: {reason}");
    ExitCode::from(code)
}
