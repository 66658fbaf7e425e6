//! Update listeners of our own, around teloxide's: the webhook's updates as one nameable type that
//! ends when asked to, and a probe that learns which update kinds the handler tree wants.
//!
//! teloxide's webhook listener (`axum_no_setup`) has an opaque type, and its stream ends only when
//! the router that feeds it is dropped — but the router lives in the bot's HTTP server, which `app/`
//! stops last. [`WebhookUpdates`] therefore ends the stream itself once the dispatcher stops it, after
//! handing out the updates already received (Telegram was told 200 for them, so it will not send them
//! again); from then on teloxide answers 503 and Telegram keeps the update for later.
//!
//! teloxide also ignores the dispatcher's `allowed_updates` hint for webhooks, while `setWebhook`
//! must carry the same list long polling sends. [`allowed_updates`] runs a dispatcher of the real
//! handler tree over an empty listener that records the hint, so that both modes ask for exactly the
//! kinds the tree handles (a `getMe` answered from `CacheMe`, nothing else).

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};

use futures::FutureExt;
use futures::stream::{self, BoxStream, StreamExt};
use teloxide::RequestError;
use teloxide::dispatching::{DefaultKey, Dispatcher};
use teloxide::error_handlers::IgnoringErrorHandler;
use teloxide::stop::{StopToken, mk_stop_token};
use teloxide::types::{AllowedUpdate, Update};
use teloxide::update_listeners::{AsUpdateStream, UpdateListener};

use super::bot::Api;

type Item = Result<Update, Infallible>;

/// The webhook's updates, until the dispatcher stops them.
pub struct WebhookUpdates {
    stream: BoxStream<'static, Item>,
    stop: StopToken,
}

impl WebhookUpdates {
    /// Wraps teloxide's listener and its stop-future (resolved when its stop token is used).
    pub(super) fn new<L, F>(mut listener: L, stopped: F) -> Self
    where
        L: UpdateListener<Err = Infallible> + Send + 'static,
        F: Future<Output = ()> + Send + 'static,
    {
        let stop = listener.stop_token();
        let state = (listener, Box::pin(stopped), false);
        let stream = stream::unfold(state, |(mut listener, mut stopped, mut done)| async move {
            let next = next_update(&mut listener, &mut stopped, &mut done).await;
            next.map(|update| (update, (listener, stopped, done)))
        });
        Self { stream: stream.boxed(), stop }
    }
}

/// The next update; once stopped, only those already received, then the end.
async fn next_update<L>(
    listener: &mut L,
    stopped: &mut Pin<Box<impl Future<Output = ()>>>,
    done: &mut bool,
) -> Option<Item>
where
    L: UpdateListener<Err = Infallible>,
{
    let updates = listener.as_stream();
    let mut updates = std::pin::pin!(updates);
    if !*done {
        tokio::select! {
            biased;
            update = updates.next() => return update,
            () = stopped.as_mut() => *done = true,
        }
    }
    updates.next().now_or_never().flatten()
}

impl<'a> AsUpdateStream<'a> for WebhookUpdates {
    type StreamErr = Infallible;
    type Stream = &'a mut BoxStream<'static, Item>;

    fn as_stream(&'a mut self) -> Self::Stream {
        &mut self.stream
    }
}

impl UpdateListener for WebhookUpdates {
    type Err = Infallible;

    fn stop_token(&mut self) -> StopToken {
        self.stop.clone()
    }
}

/// A listener with no updates that records the dispatcher's hint.
struct Probe {
    hint: Arc<Mutex<Vec<AllowedUpdate>>>,
    stop: StopToken,
}

impl<'a> AsUpdateStream<'a> for Probe {
    type StreamErr = Infallible;
    type Stream = stream::Empty<Item>;

    fn as_stream(&'a mut self) -> Self::Stream {
        stream::empty()
    }
}

impl UpdateListener for Probe {
    type Err = Infallible;

    fn stop_token(&mut self) -> StopToken {
        self.stop.clone()
    }

    fn hint_allowed_updates(&mut self, hint: &mut dyn Iterator<Item = AllowedUpdate>) {
        self.hint.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).extend(hint);
    }
}

/// The update kinds `dispatcher`'s handler tree asks for, as long polling would send them.
pub(super) async fn allowed_updates<B: Api>(
    mut dispatcher: Dispatcher<B, RequestError, DefaultKey>,
) -> Result<Vec<AllowedUpdate>, RequestError> {
    let hint = Arc::new(Mutex::new(Vec::new()));
    let (stop, _flag) = mk_stop_token();
    let probe = Probe { hint: hint.clone(), stop };
    dispatcher.try_dispatch_with_listener(probe, IgnoringErrorHandler::new()).await?;
    let mut kinds = std::mem::take(&mut *hint.lock().unwrap_or_else(|poisoned| poisoned.into_inner()));
    kinds.sort_by_key(|kind| format!("{kind:?}"));
    kinds.dedup();
    Ok(kinds)
}
