//! Several instances of the server (processes behind one address) sharing one hub
//! through Redis. Every change to the hub ([`Op`]) goes into one Redis stream, the
//! log, and every instance applies the whole log, in its order, to its own copy: so
//! all copies agree on who is live, who watches and how many, and each instance tells
//! its own connections what the log's changes say to them. A relay goes through the
//! log too, so it reaches a viewer after the join it answers, wherever either is.
//!
//! An instance proves it is alive with a key that expires ([`ALIVE_FOR`]), renewed
//! every [`BEAT`]; once an instance's key has been missing for [`ALIVE_FOR`] more
//! (a restarted Redis has lost every key, and live instances set theirs again within
//! a beat), any other appends [`Change::InstanceGone`] and every copy disconnects its
//! connections: their streams end and their viewers leave. An instance told it is
//! gone while it runs closes its connections that took part, which come back and
//! join again. A new instance announces itself
//! ([`Change::Hello`]); those already up write the hub as it stands at that point of
//! the log, and the newcomer starts from that snapshot.
//!
//! [`log`] is this instance's end of the log in Redis, [`replica`] what an instance
//! does with it: apply it, give newcomers the hub, and keep itself counted alive.
pub mod log;
pub mod replica;

pub use log::Log;
pub use replica::Replica;

use crate::hub::Op;
use serde::{Deserialize, Serialize};
use socketioxide::socket::Sid;
use std::{fmt, str::FromStr, time::Duration};

/// How often an instance renews its alive key.
pub const BEAT: Duration = Duration::from_secs(1);
/// How long an alive key lasts unless renewed, and then how long it must stay missing:
/// an instance that dies is known to be gone twice this long after its last beat, and
/// its streams end within a beat more.
pub const ALIVE_FOR: Duration = Duration::from_secs(3);

/// One instance of the server, named at random when it starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct InstanceId(pub u64);

impl InstanceId {
    pub fn random() -> Self {
        let mut bytes = [0; 8];
        getrandom::getrandom(&mut bytes).expect("the OS has a random source");
        Self(u64::from_le_bytes(bytes))
    }
}

impl fmt::Display for InstanceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:016x}", self.0)
    }
}

/// A connection, on whichever instance holds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ConnId {
    pub instance: InstanceId,
    pub sid: Sid,
}

impl fmt::Display for ConnId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.instance, self.sid)
    }
}

impl FromStr for ConnId {
    type Err = String;
    fn from_str(text: &str) -> Result<Self, String> {
        let bad = || format!("{text:?} is not a connection id");
        let (instance, sid) = text.split_once('/').ok_or_else(bad)?;
        Ok(Self {
            instance: InstanceId(u64::from_str_radix(instance, 16).map_err(|_| bad())?),
            sid: sid.parse().map_err(|_| bad())?,
        })
    }
}

// As text, so that it can key a JSON object (a snapshot's map of connections).
impl Serialize for ConnId {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for ConnId {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// What the log holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Change {
    Op(Op<ConnId>),
    /// The instance stopped renewing its alive key: its connections are gone.
    InstanceGone(InstanceId),
    /// The instance started: write the hub as it stands here for it (for the attempt
    /// the entry's ticket numbers).
    Hello(InstanceId),
}

/// One entry of the log: a change, from which instance, and its number there (so the
/// instance that appended it can answer its sender once it is applied).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    pub from: InstanceId,
    pub ticket: u64,
    pub change: Change,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hub::Hub;
    use w3bstreaming_keys::AccountId;

    fn conn(instance: u64, sid: &str) -> ConnId {
        ConnId {
            instance: InstanceId(instance),
            sid: sid.parse().unwrap(),
        }
    }

    #[test]
    fn entries_and_snapshots_read_back_as_written() {
        let broadcaster = conn(0xab, "AAAAAAAAAAAAAAAB");
        let viewer = conn(7, "AAAAAAAAAAAAAAAC");
        assert_eq!(broadcaster.to_string(), "00000000000000ab/AAAAAAAAAAAAAAAB");
        let entry = Entry {
            from: InstanceId(7),
            ticket: 3,
            change: Change::Op(Op::Join {
                conn: viewer,
                viewer: AccountId([2; 32]),
                stream_id: "s".into(),
                broadcaster: AccountId([1; 32]),
            }),
        };
        let text = serde_json::to_string(&entry).unwrap();
        assert_eq!(serde_json::from_str::<Entry>(&text).unwrap(), entry);

        let mut hub = Hub::new(10);
        let ops = [
            Op::Broadcast {
                conn: broadcaster,
                broadcaster: AccountId([1; 32]),
                stream_id: "s".into(),
                via: crate::hub::Via::Peers,
            },
            match entry.change {
                Change::Op(op) => op,
                _ => unreachable!(),
            },
        ];
        for op in ops {
            hub.apply(op).unwrap();
        }
        // A listener is this instance's own: not in what it shares.
        hub.listen(conn(7, "AAAAAAAAAAAAAAAD"), vec!["s".into()])
            .unwrap();
        assert_eq!(hub.conns().count(), 3);
        let snapshot = serde_json::to_string(&hub).unwrap();
        let mut copy: Hub<ConnId> = serde_json::from_str(&snapshot).unwrap();
        copy.set_max_viewers(10);
        assert_eq!(copy.viewers("s"), 1);
        assert_eq!(copy.peers(broadcaster), 1);
        assert_eq!(copy.conns().count(), 2);
        let outbox = copy.disconnect_where(|conn| conn.instance == InstanceId(0xab));
        assert!(outbox.iter().any(|(to, _)| *to == viewer), "{outbox:?}");
        assert!(!copy.is_streaming("s") && copy.conns().next().is_none());
        assert!("nope".parse::<ConnId>().is_err());
    }
}
