//! The encoders this instance receives streams from over WHIP, by the name each has in
//! the hub, which no socket holds (`events::encoders` ends their streams).
use socketioxide::socket::Sid;
use std::{
    collections::HashMap,
    sync::{Mutex, MutexGuard},
};

/// By the name each has in the hub: whether no video arrives from it now.
#[derive(Default)]
pub struct Encoders(Mutex<HashMap<Sid, bool>>);

impl Encoders {
    /// `sid` is an encoder's, not a socket's.
    pub fn add(&self, sid: Sid) {
        self.lock().insert(sid, false);
    }

    /// Whether `sid` is an encoder's.
    pub fn holds(&self, sid: Sid) -> bool {
        self.lock().contains_key(&sid)
    }

    /// The encoder `sid` publishes no more.
    pub fn forget(&self, sid: Sid) {
        self.lock().remove(&sid);
    }

    /// Notes whether video arrives from `sid`; whether it is an encoder's.
    pub fn hear(&self, sid: Sid, receiving: bool) -> bool {
        match self.lock().get_mut(&sid) {
            Some(silent) => {
                *silent = !receiving;
                true
            }
            None => false,
        }
    }

    /// Whether no video arrives from the encoder `sid` now.
    pub fn silent(&self, sid: Sid) -> bool {
        self.lock().get(&sid).copied().unwrap_or(false)
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<Sid, bool>> {
        self.0.lock().expect("encoders lock")
    }
}
