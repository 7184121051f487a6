//! WebRTC signaling for w3bstreaming: introduces a broadcaster to the viewers the
//! program says follow it, over socket.io, wire-compatible with the existing frontend.
//!
//! From the top: [`app`] puts the server together. [`events`] handles each socket.io
//! event ([`wire`] has their shapes, [`refusal`] every reason to refuse one) and
//! [`http`] the HTTP routes. [`server`] holds the state they share and the one way
//! the hub changes, which [`cluster`] carries to the other instances through Redis.
//! Below them: [`hub`], who is live and who watches whom; [`media`], this instance's
//! publishers and subscribers on the media server (Janus); [`auth`], who is on a
//! connection; [`chain`], what the program says (through a node's JSON-RPC);
//! [`conn`], one connection's own state, and [`outgoing`], what waits to be sent to
//! it; [`connections`] and [`rates`], what clients may hold, per [`address`] range; [`metrics`], what the
//! operator is told; [`roles`], the channel roles the program keeps.
pub mod address;
pub mod app;
pub mod auth;
pub mod chain;
pub mod chat;
pub mod cluster;
pub mod config;
mod conn;
pub mod connections;
pub mod echo;
mod events;
pub mod http;
pub mod hub;
pub mod media;
pub mod metrics;
pub mod outgoing;
pub mod rates;
pub mod refusal;
pub mod roles;
mod server;
pub mod stream_keys;
pub mod turn;
pub mod whip;
pub mod wire;
