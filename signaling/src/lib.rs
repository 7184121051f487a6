//! WebRTC signaling for w3bstreaming: introduces a broadcaster to the viewers the
//! program says follow it, over socket.io, wire-compatible with the existing frontend.
//!
//! [`auth`] proves who is on a connection, [`chain`] asks the program (through a
//! node's JSON-RPC), [`hub`] holds who is live and who watches whom, [`server`]
//! ties them to socket.io events ([`wire`] has the event shapes, [`refusal`] every
//! reason to refuse one, [`outgoing`] what waits to be sent) and [`http`] to HTTP
//! routes; [`connections`] and [`limits`] bound what clients may hold, [`metrics`]
//! tells the operator, and [`cluster`] lets several instances share one hub.
pub mod auth;
pub mod chain;
pub mod cluster;
pub mod config;
pub mod connections;
pub mod echo;
pub mod http;
pub mod hub;
pub mod limits;
pub mod metrics;
pub mod outgoing;
pub mod refusal;
pub mod server;
pub mod turn;
pub mod wire;
