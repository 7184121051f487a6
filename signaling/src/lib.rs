//! WebRTC signaling for w3bstreaming: introduces a broadcaster to the viewers the
//! program says follow it, over socket.io, wire-compatible with the existing frontend.
//!
//! [`auth`] proves who is on a connection, [`chain`] asks the program (through a
//! node's JSON-RPC), [`hub`] holds who is live and who watches whom, [`server`]
//! ties them to socket.io events and HTTP routes ([`wire`] has the event shapes).
pub mod auth;
pub mod chain;
pub mod config;
pub mod connections;
pub mod echo;
pub mod hub;
pub mod limits;
pub mod server;
pub mod turn;
pub mod wire;
