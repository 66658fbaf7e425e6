//! A client of Kuaidi100's documented real-time query API, and nothing more.
//!
//! Signed requests (`param`, `sign`), the answer types, push subscriptions and their callbacks, one error type that knows whether a failure is
//! transient and what a person should be told, the state table, and credentials that cannot leak. It
//! knows nothing of chats, caches or the lock rule: that is `tracking`'s business.

pub mod client;
pub mod credentials;
pub mod error;
pub mod param;
#[cfg(test)]
mod properties;
pub mod push;
pub mod response;
pub mod sign;
pub mod state;

pub use client::{AutoCandidate, Client, ClientConfig, DEFAULT_API_URL, DEFAULT_AUTONUMBER_URL};
pub use credentials::Credentials;
pub use error::{Advice, Error, ReturnCode};
pub use param::{Lang, Order, QueryRequest, ResultV2};
pub use push::{Push, PushRefusal, PushStatus, Salt, SubscribeAnswer, SubscribeOutcome, SubscribeRequest};
pub use response::{ArrivalEstimate, NodeStage, PredictedNode, QueryResult, RouteInfo, RoutePoint, TraceLine};
pub use state::{Family, State};
