//! The replicas' wall clock set to a Monday morning in Beijing, through libfaketime.
//!
//! Why: the watcher does not check parcels in transit at night in China (23:00–07:00 Beijing), so a
//! test run at that hour would wait for nothing. The binary reads the operating system's clock, so its
//! clock is moved with libfaketime (`LD_PRELOAD`), to [`start_time`](crate::sim::start_time) (09:00
//! Beijing) at the moment the harness starts, and runs at the normal pace from there.
//!
//! How, and why not as `faketime -f "@2026-11-02 01:00:00" kuaidi-bot run`:
//! - The `faketime` wrapper forks and waits for its child, so the process a test holds would be the
//!   wrapper: SIGKILL and SIGTERM would reach it and not the bot (which would be orphaned, still
//!   running). The library is preloaded into the binary itself instead; `FAKETIME` is what the wrapper
//!   would have set.
//! - A start-at time (`@…`) starts counting when each process starts, so replicas started a few
//!   milliseconds apart would disagree by those milliseconds about when the floor of a parcel passed.
//!   One relative offset (`-2653939`, in seconds) computed once for all of them keeps every replica on
//!   one clock, as servers on NTP are.
//! - `FAKETIME_DONT_FAKE_MONOTONIC=1` leaves `CLOCK_MONOTONIC` alone, so tokio's timers and `Instant`s
//!   (and governor's pacing) see real time.

use std::path::{Path, PathBuf};
use std::process::Command;

use chrono::{DateTime, Duration, Utc};

use crate::sim::start_time;

/// Set to the path of `libfaketime.so.1` to use that one.
pub const LIBRARY_VARIABLE: &str = "KUAIDI_TEST_LIBFAKETIME";

/// libfaketime, found once; and the offset every replica of one harness shares.
#[derive(Debug, Clone)]
pub struct Daytime {
    library: PathBuf,
    /// The replicas' clock minus the real one, whole seconds (`FAKETIME` is `-N` or `+N`).
    offset: Duration,
}

impl Daytime {
    /// A clock that shows [`start_time`] now; an error that says how to install libfaketime when it is
    /// not there.
    pub fn starting_now() -> Result<Daytime, String> {
        let library = library()?;
        let offset = Duration::seconds((start_time() - Utc::now()).num_seconds());
        Ok(Daytime { library, offset })
    }

    /// What the replicas' clock shows now.
    pub fn now(&self) -> DateTime<Utc> {
        Utc::now() + self.offset
    }

    /// Makes `command` run on this clock.
    pub fn apply(&self, command: &mut Command) {
        command
            .env("LD_PRELOAD", &self.library)
            .env("FAKETIME", format!("{:+}", self.offset.num_seconds()))
            .env("FAKETIME_DONT_FAKE_MONOTONIC", "1");
    }
}

/// `libfaketime.so.1`: [`LIBRARY_VARIABLE`], else where Debian's `faketime` package (and builds from
/// source) put it.
fn library() -> Result<PathBuf, String> {
    if let Some(path) = std::env::var_os(LIBRARY_VARIABLE) {
        let path = PathBuf::from(path);
        return match path.is_file() {
            true => Ok(path),
            false => Err(format!("{LIBRARY_VARIABLE}={} is not a file", path.display())),
        };
    }
    let mut candidates: Vec<PathBuf> = Vec::new();
    // Debian and Ubuntu: /usr/lib/<multiarch triple>/faketime/.
    if let Ok(entries) = std::fs::read_dir("/usr/lib") {
        candidates.extend(entries.flatten().map(|entry| entry.path().join("faketime/libfaketime.so.1")));
    }
    candidates.extend(
        ["/usr/lib/faketime", "/usr/local/lib/faketime", "/usr/lib64/faketime"]
            .iter()
            .map(|dir| Path::new(dir).join("libfaketime.so.1")),
    );
    candidates.into_iter().find(|path| path.is_file()).ok_or_else(|| {
        format!(
            "libfaketime is not installed: the replicas tests run the bot at a fixed Beijing daytime through it. \
             Install it with `apt-get install faketime` (or set {LIBRARY_VARIABLE} to libfaketime.so.1)"
        )
    })
}
