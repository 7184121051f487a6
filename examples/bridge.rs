//! The program on the embedded gtest runtime behind a line protocol on stdin and
//! stdout, so that a client in another language (the `@gear-js/api` tests in `js/`)
//! can send it the exact bytes it encodes and decode exactly what it replies.
//!
//! One request per line, one answer line per request:
//!
//! | request | answer |
//! |---|---|
//! | `handle <sender> <payload hex>` | the reply to that message, run in a block of its own |
//! | `state <payload hex>` | the `state` export's reply to that payload |
//! | `metahash` | the `metahash` export's reply |
//!
//! `<sender>` is a `u64` account (gtest's way of naming test accounts); the answer is
//! `ok <reply hex>`, or `err <error text hex>` when the program rejects the message.
#[path = "../tests/support/export.rs"]
mod export;
#[path = "../tests/support/reply.rs"]
mod reply;

use gtest::{constants::UNITS, Program, System};
use reply::reply;
use std::io::{self, BufRead, Write};

const PROGRAM_ID: u64 = 1;
const DEPLOYER: u64 = 1_000;

fn main() {
    // The export runs on a runtime of its own, which must be gone before the program's.
    let metahash = export::call_export("metahash");
    let system = System::new();
    system.mint_to(DEPLOYER, 1_000 * UNITS);
    let program = Program::from_binary_with_id(&system, PROGRAM_ID, w3bstreaming::WASM_BINARY_OPT);
    let init = program.send_bytes(DEPLOYER, []);
    assert!(
        system.run_next_block().succeed.contains(&init),
        "init failed"
    );

    let mut out = io::stdout().lock();
    for line in io::stdin().lock().lines() {
        let line = line.expect("stdin is readable");
        let answer = match line.split_whitespace().collect::<Vec<_>>()[..] {
            ["handle", sender, payload] => {
                let sender: u64 = sender.parse().expect("sender is a u64");
                if system.balance_of(sender) < 100 * UNITS {
                    system.mint_to(sender, 1_000 * UNITS);
                }
                let id = program.send_bytes(sender, payload_bytes(payload));
                reply(&system.run_next_block(), id)
            }
            ["state", payload] => program
                .read_state_bytes(payload_bytes(payload))
                .map_err(|error| error.to_string()),
            ["metahash"] => Ok(metahash.clone()),
            _ => panic!("unknown request {line:?}"),
        };
        let answer = match answer {
            Ok(bytes) => format!("ok {}", hex::encode(bytes)),
            Err(text) => format!("err {}", hex::encode(text)),
        };
        writeln!(out, "{answer}").expect("stdout is writable");
        out.flush().expect("stdout is writable");
    }
}

fn payload_bytes(payload: &str) -> Vec<u8> {
    hex::decode(payload.trim_start_matches("0x")).expect("payload is hex")
}
