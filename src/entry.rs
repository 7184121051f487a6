//! The wasm exports: decode, call the plain functions of this crate, reply.
use crate::{
    actions,
    payload::{decode_query, Request},
    reply::Reply,
};
use gstd::{codec::Output, exec, ext, msg, prelude::*};
use w3bstreaming_io::{Error, ErrorText, QUERY_INDEX};
use w3bstreaming_state::Schedule;

/// The program's whole state. It starts empty and grows with use, so `init` has
/// nothing to do (the program exports none: Gear then runs no code for the init
/// message). Gear runs one message at a time per program, and each export below takes
/// the only reference for its duration.
static mut SCHEDULE: Schedule = Schedule::new();

#[no_mangle]
extern "C" fn handle() {
    // SAFETY: the only reference to SCHEDULE during this message.
    let schedule = unsafe { static_mut!(SCHEDULE) };
    msg::with_read_on_stack_or_heap(|payload| {
        let payload: &[u8] = payload.unwrap_or_else(|_| reject(Error::MalformedAction));
        let request = Request::decode(payload).unwrap_or_else(|| reject(Error::MalformedAction));
        let value = msg::value();
        if value != 0 && !request.takes_value() {
            reject(Error::UnexpectedValue);
        }
        match request {
            Request::Action(action) => {
                let (sender, now) = (msg::source(), exec::block_timestamp());
                match actions::apply(schedule, sender, now, value, action) {
                    Ok(applied) => {
                        if let Some(payout) = applied.payout {
                            // A gas limit of 0, below the mailbox threshold: Gear
                            // credits the value to the account at once.
                            msg::send_bytes_with_gas(payout.to, [], 0, payout.value)
                                .expect("pass the tip on");
                        }
                        msg::reply(applied.event, 0).expect("reply to handle");
                    }
                    Err(error) => reject(error),
                }
            }
            Request::Query(query) => {
                // `Event::QueryReply`'s index, then the answer; a refused query has
                // written nothing, and pushed nothing to the reply.
                let mut reply = Reply::new();
                reply.push_byte(QUERY_INDEX);
                match schedule.answer(query, &mut reply) {
                    Ok(()) => reply.commit(),
                    Err(error) => reject(error),
                }
            }
        };
    });
}

#[no_mangle]
extern "C" fn state() {
    // SAFETY: the only reference to SCHEDULE during this call.
    let schedule = unsafe { static_ref!(SCHEDULE) };
    msg::with_read_on_stack_or_heap(|payload| {
        let payload: &[u8] = payload.unwrap_or_else(|_| reject(Error::MalformedQuery));
        let query = decode_query(payload).unwrap_or_else(|| reject(Error::MalformedQuery));
        let mut reply = Reply::new();
        match schedule.answer(query, &mut reply) {
            Ok(()) => reply.commit(),
            Err(error) => reject(error),
        }
    });
}

/// Replies with the blake2b-256 hash of `.meta.txt`'s metadata, so Gear IDEA can
/// match the two.
#[no_mangle]
extern "C" fn metahash() {
    msg::reply_bytes(include_bytes!(concat!(env!("OUT_DIR"), "/metahash")), 0)
        .expect("reply to metahash");
}

/// Rejects the message: the error reply carries the error's text, and Gear discards
/// every change the message made. The text is framed as gstd's panic handler frames a
/// panic's message, which clients read; that handler is built without the message
/// (gstd's `panic-handler` feature alone) so that the program carries no `core::fmt`,
/// and a panic that is a bug replies `panicked with '<unknown>'`.
fn reject(error: Error) -> ! {
    const BEFORE: &[u8] = b"panicked with '";
    let text = error.text();
    let text = text.as_str().as_bytes();
    let mut reply = [0; BEFORE.len() + ErrorText::CAPACITY + 1];
    let end = BEFORE.len() + text.len();
    reply[..BEFORE.len()].copy_from_slice(BEFORE);
    reply[BEFORE.len()..end].copy_from_slice(text);
    reply[end] = b'\'';
    ext::panic_bytes(&reply[..=end])
}
