//! The encoders this instance receives streams from over WHIP, by the name each has in
//! the hub, which no socket holds (`events::encoders` ends their streams).
use crate::stream_keys::KeyDigest;
use socketioxide::socket::Sid;
use std::{
    collections::HashMap,
    sync::{Mutex, MutexGuard},
};

/// An encoder: the stream key it opened its stream with, and whether no video
/// arrives from it now.
struct Encoder {
    key: KeyDigest,
    silent: bool,
}

/// By the name each has in the hub.
#[derive(Default)]
pub struct Encoders(Mutex<HashMap<Sid, Encoder>>);

impl Encoders {
    /// `sid` is an encoder's, not a socket's, opened with `key`.
    pub fn add(&self, sid: Sid, key: KeyDigest) {
        self.lock().insert(sid, Encoder { key, silent: false });
    }

    /// Every encoder, with the key it opened its stream with.
    pub fn keys(&self) -> Vec<(Sid, KeyDigest)> {
        let encoders = self.lock();
        encoders
            .iter()
            .map(|(sid, encoder)| (*sid, encoder.key.clone()))
            .collect()
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
            Some(encoder) => {
                encoder.silent = !receiving;
                true
            }
            None => false,
        }
    }

    /// Whether no video arrives from the encoder `sid` now.
    pub fn silent(&self, sid: Sid) -> bool {
        self.lock().get(&sid).is_some_and(|encoder| encoder.silent)
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<Sid, Encoder>> {
        self.0.lock().expect("encoders lock")
    }
}
