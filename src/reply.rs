//! A reply written in pieces.
use core::mem::MaybeUninit;
use gstd::{codec::Output, msg};

/// Bytes gathered on the stack before they go to the node's reply buffer.
const BUFFER_BYTES: usize = 512;

/// A reply that [`w3bstreaming_state::Schedule::answer`] writes into: its bytes gather
/// in a buffer on the stack and go to the reply a buffer at a time
/// (`msg::reply_push`), so that an answer, however long, writes no heap page (a
/// written page costs a message about 0.15 Ggas).
///
/// The buffer is small and left uninitialised: a message also pays for the stack it
/// uses, about 0.012 Ggas a KiB, and zeroing a 1 KiB buffer made every query 0.017
/// Ggas dearer (docs/benchmark.md).
pub struct Reply {
    buffer: [MaybeUninit<u8>; BUFFER_BYTES],
    len: usize,
    pushed: bool,
}

impl Reply {
    pub fn new() -> Self {
        Self {
            buffer: [MaybeUninit::uninit(); BUFFER_BYTES],
            len: 0,
            pushed: false,
        }
    }

    /// Sends the reply. One that fits the buffer goes in one call, which costs less
    /// than a push and a commit.
    pub fn commit(mut self) {
        if self.pushed {
            self.flush();
            msg::reply_commit(0).expect("commit the reply");
        } else {
            msg::reply_bytes(self.written(), 0).expect("reply");
        }
    }

    fn written(&self) -> &[u8] {
        // SAFETY: `write` initialised the first `len` bytes.
        unsafe { &*(&self.buffer[..self.len] as *const [MaybeUninit<u8>] as *const [u8]) }
    }

    fn flush(&mut self) {
        msg::reply_push(self.written()).expect("push to the reply");
        self.len = 0;
        self.pushed = true;
    }
}

impl Output for Reply {
    fn write(&mut self, mut bytes: &[u8]) {
        while !bytes.is_empty() {
            if self.len == BUFFER_BYTES {
                self.flush();
            }
            let taken = bytes.len().min(BUFFER_BYTES - self.len);
            // SAFETY: `taken` bytes fit from `len` on, and `bytes` is not the buffer.
            unsafe {
                let to = self.buffer.as_mut_ptr().add(self.len).cast::<u8>();
                core::ptr::copy_nonoverlapping(bytes.as_ptr(), to, taken);
            }
            self.len += taken;
            bytes = &bytes[taken..];
        }
    }
}
