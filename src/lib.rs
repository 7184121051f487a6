//! The w3bstreaming program: an on-chain schedule of live streams and broadcaster
//! profiles for Vara.
//!
//! [`actions`] holds what each action does, as plain functions over a
//! [`w3bstreaming_state::Schedule`]; [`validation`] holds the limits they enforce;
//! [`payload`] reads actions as views into the message bytes. On
//! wasm, a thin `entry` module exports `init`, `handle`, `state` and `metahash` around
//! them. Built natively with the default `std` feature, the crate also exposes the
//! artifacts the build produced, for tests and tools.
#![no_std]

extern crate alloc;

pub mod actions;
pub mod payload;
pub mod validation;

#[cfg(target_arch = "wasm32")]
mod entry;
#[cfg(target_arch = "wasm32")]
mod reply;

#[cfg(feature = "std")]
mod artifacts {
    include!(concat!(env!("OUT_DIR"), "/wasm_binary.rs"));
    include!(concat!(env!("OUT_DIR"), "/artifacts.rs"));
}
#[cfg(feature = "std")]
pub use artifacts::{META_TXT_PATH, OPT_WASM_PATH, WASM_BINARY, WASM_BINARY_OPT};
