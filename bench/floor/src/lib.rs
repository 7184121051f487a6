//! The benchmark's floor: decodes the same payloads as w3bstreaming and replies, with
//! no storage. What w3bstreaming burns above it is the cost of its own work.
#![no_std]

#[cfg(target_arch = "wasm32")]
mod entry {
    use gstd::{codec::DecodeAll, msg, prelude::*};
    use w3bstreaming_io::{Action, Event, StateQuery, StateReply};

    /// Leaves a free chunk at the start of the heap, as a program with a few records
    /// has, so that decoding a payload does not reach the heap's top: without it the
    /// floor would write one page more than the program does at N=0.
    #[no_mangle]
    extern "C" fn init() {
        let hole = Vec::<u8>::with_capacity(4096);
        let guard = Box::new(0u8);
        drop(hole);
        core::mem::forget(guard);
    }

    #[no_mangle]
    extern "C" fn handle() {
        let payload = msg::load_bytes().expect("load payload");
        Action::decode_all(&mut payload.as_slice()).expect("payload is an Action");
        msg::reply(Event::StreamEdited, 0).expect("reply");
    }

    #[no_mangle]
    extern "C" fn state() {
        let payload = msg::load_bytes().expect("load payload");
        StateQuery::decode_all(&mut payload.as_slice()).expect("payload is a StateQuery");
        msg::reply(StateReply::Streams(Vec::new()), 0).expect("reply");
    }
}

#[cfg(feature = "std")]
mod artifacts {
    include!(concat!(env!("OUT_DIR"), "/wasm_binary.rs"));
}
#[cfg(feature = "std")]
pub use artifacts::WASM_BINARY_OPT;
