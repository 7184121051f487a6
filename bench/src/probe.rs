//! What core-processor logs about the executions that ran: the gas a `state` read
//! burned (gtest's `read_state` returns only the reply) and the memory pages each
//! message wrote (each one costs about 0.15 Ggas, which is what decides gas here).
use log::{LevelFilter, Log, Metadata, Record};
use std::sync::Mutex;

const READ_GAS: &str = "[execute_for_reply] Gas burned: ";
const WRITTEN_PAGES: &str = "accessed pages numbers = ";

#[derive(Default)]
struct Last {
    read_gas: Option<u64>,
    /// The pages each execution wrote, in the order they ran.
    written_pages: Vec<Vec<u32>>,
}

static LAST: Mutex<Last> = Mutex::new(Last {
    read_gas: None,
    written_pages: Vec::new(),
});

struct Probe;

impl Log for Probe {
    fn enabled(&self, metadata: &Metadata) -> bool {
        matches!(
            metadata.target(),
            "core_processor::executor" | "core_processor::ext"
        )
    }

    fn log(&self, record: &Record) {
        if !self.enabled(record.metadata()) {
            return;
        }
        let message = record.args().to_string();
        let mut last = LAST.lock().expect("probe lock");
        if let Some(gas) = message.strip_prefix(READ_GAS) {
            last.read_gas = Some(gas.parse().expect("a gas figure"));
        } else if let Some(pages) = message.strip_prefix(WRITTEN_PAGES) {
            let numbers = pages.split("Page(").skip(1).map(|rest| {
                rest.split(')')
                    .next()
                    .unwrap()
                    .parse()
                    .expect("a page number")
            });
            last.written_pages.push(numbers.collect());
        }
    }

    fn flush(&self) {}
}

pub fn install() {
    log::set_logger(&Probe).expect("no other logger is installed");
    log::set_max_level(LevelFilter::Trace);
}

/// The gas of the `state` read that ran since the last call; `None` if it failed
/// (core-processor logs the gas of successful reads only).
pub fn take_read_gas() -> Option<u64> {
    LAST.lock().expect("probe lock").read_gas.take()
}

/// The 16 KiB pages each message that ran since the last call wrote, in the order
/// they ran.
pub fn take_written_pages() -> Vec<Vec<u32>> {
    std::mem::take(&mut LAST.lock().expect("probe lock").written_pages)
}
