//! One shutdown for the whole process: a cancellation token that SIGINT or SIGTERM cancels.
//!
//! Every task of the process (the adapter, the watcher, the outbox) watches the same token and, when it
//! is cancelled, finishes the step in hand — an update, a check, a message — and returns; `app/` then
//! joins them all and closes the store. Tests cancel the token themselves.

use tokio_util::sync::CancellationToken;

/// A token cancelled on the first SIGINT or SIGTERM (`docker stop` sends SIGTERM).
pub fn on_signal() -> CancellationToken {
    let token = CancellationToken::new();
    let cancel = token.clone();
    tokio::spawn(async move {
        signal().await;
        tracing::info!("signal received: stopping");
        cancel.cancel();
    });
    token
}

/// Resolves on SIGINT or SIGTERM.
pub async fn signal() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut terminate = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(signal) => signal,
            Err(_) => {
                let _ = interrupt.await;
                return;
            }
        };
        tokio::select! {
            _ = interrupt => {}
            _ = terminate.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = interrupt.await;
}
