//! `kuaidi-bot sandbox`: the simulator as a stand-alone HTTP server.

use std::process::ExitCode;
use std::sync::Arc;

use super::{SandboxArgs, exit, fail};
use crate::app::Config;
use crate::app::shutdown;
use crate::clock::ScaledClock;
use crate::sandbox::{self, SandboxConfig};

pub async fn run(args: SandboxArgs) -> ExitCode {
    if !(args.speed.is_finite() && args.speed > 0.0) {
        return fail(exit::BAD_INPUT, "--speed must be a positive number");
    }
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(error) => return fail(exit::BAD_INPUT, error),
    };
    let credentials = config.credentials.clone().unwrap_or_else(sandbox::sandbox_credentials);
    let sandbox_config = SandboxConfig::new(credentials, Arc::new(ScaledClock::new(args.speed)));
    let listener = match tokio::net::TcpListener::bind(args.listen).await {
        Ok(listener) => listener,
        Err(error) => return fail(exit::OTHER, format!("cannot listen on {}: {error}", args.listen)),
    };
    let which =
        if config.is_sandbox() { "the built-in sandbox credentials" } else { "KUAIDI100_CUSTOMER/KUAIDI100_KEY" };
    tracing::info!(listen = %args.listen, speed = args.speed, "Kuaidi100 simulator listening; signatures are checked against {which}");
    eprintln!("Kuaidi100 simulator on http://{} (speed {}x); stats at /sandbox/stats", args.listen, args.speed);
    match sandbox::serve(listener, sandbox_config, shutdown::signal()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => fail(exit::OTHER, error),
    }
}
