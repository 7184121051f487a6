//! A local chain for w3bstreaming: the built program on gtest (Gear's own runtime),
//! a block every 3 s with the block time following the wall clock, behind JSON-RPC
//! over HTTP on loopback. `gear_readState` and `gear_calculateReplyForHandle` answer in
//! a Vara node's JSON, so the signaling server and the web app read them unchanged;
//! messages, which a Vara node takes as signed extrinsics, come as `dev_sendMessage`
//! with the sender's signature of a canonical text ([`signing`]).
//!
//! [`chain`] runs the program and produces blocks, [`rpc`] holds the methods,
//! [`server`] serves them over HTTP, [`demo`] fills a demo world, and [`node`] runs it
//! all as a process.
pub mod chain;
pub mod demo;
pub mod node;
pub mod request;
pub mod rpc;
pub mod server;
pub mod signing;
