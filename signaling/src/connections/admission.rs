//! How many connections may be open at once, in all and from one address range, and
//! who gives up a place when all are taken: a stranger can fill the server's places,
//! but not keep them from anyone holding fewer than it does.
use crate::{address::AddressRange, metrics::Label};
use prometheus_client::metrics::{counter::Counter, family::Family};
use std::{
    cmp::Reverse,
    collections::{BTreeMap, HashMap},
    io,
    net::IpAddr,
    pin::Pin,
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc, Mutex, MutexGuard,
    },
    task::{Context, Poll, Waker},
};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tracing::debug;

/// How many connections may be open at once.
#[derive(Debug, Clone, Copy)]
pub struct Caps {
    pub total: usize,
    /// From one address range (an IPv4 address, an IPv6 /64).
    pub per_address: usize,
}

/// Why a connection was not admitted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Full {
    /// Every place is taken, and no range holds more than the newcomer's would.
    Total,
    Address,
}

impl Full {
    /// Its label in the metrics.
    pub fn label(self) -> &'static str {
        match self {
            Self::Total => "total",
            Self::Address => "address",
        }
    }
}

/// One admitted connection's place. A place the chain has not let in (a listener, a
/// connection that has not joined yet, an HTTP request) may be given to a newcomer
/// when every place is taken; its connection is then cut.
#[derive(Debug, Default)]
pub struct Place {
    entered: AtomicBool,
    evicted: AtomicBool,
    reader: Mutex<Option<Waker>>,
}

impl Place {
    /// The chain let this connection's client in to broadcast or watch: it keeps its
    /// place for as long as it is open.
    pub fn enter(&self) {
        self.entered.store(true, Ordering::Relaxed);
    }

    fn entered(&self) -> bool {
        self.entered.load(Ordering::Relaxed)
    }

    fn evicted(&self) -> bool {
        self.evicted.load(Ordering::Acquire)
    }

    /// Ends the TCP connection in this place: its next read or write fails, and a read
    /// it waits on fails at once.
    pub fn cut(&self) {
        self.evicted.store(true, Ordering::Release);
        if let Some(reader) = self.reader().take() {
            reader.wake();
        }
    }

    fn reader(&self) -> MutexGuard<'_, Option<Waker>> {
        self.reader.lock().expect("place lock")
    }
}

/// Open connections by address range, oldest first.
#[derive(Debug)]
struct Open {
    caps: Caps,
    total: usize,
    next: u64,
    by_range: HashMap<AddressRange, BTreeMap<u64, Arc<Place>>>,
}

impl Open {
    /// A place for a connection from `range`, its number, and the place evicted to
    /// make room for it, if one was.
    fn admit(&mut self, range: AddressRange) -> Result<Admitted, Full> {
        let mine = self.by_range.get(&range).map_or(0, BTreeMap::len);
        if mine >= self.caps.per_address {
            return Err(Full::Address);
        }
        let evicted = if self.total >= self.caps.total {
            Some(self.evict_for(mine).ok_or(Full::Total)?)
        } else {
            None
        };
        let number = self.next;
        self.next += 1;
        let place = Arc::new(Place::default());
        self.by_range
            .entry(range)
            .or_default()
            .insert(number, place.clone());
        self.total += 1;
        Ok(Admitted {
            number,
            place,
            evicted,
        })
    }

    /// Frees a place for a newcomer whose range holds `mine` connections: the oldest
    /// connection the chain has not let in, of the range holding the most, if that
    /// range would still hold more than the newcomer's after giving it up.
    fn evict_for(&mut self, mine: usize) -> Option<Arc<Place>> {
        let (_, range, number) = self
            .by_range
            .iter()
            .filter(|(_, places)| places.len() > mine + 1)
            .filter_map(|(range, places)| {
                let (number, _) = places.iter().find(|(_, place)| !place.entered())?;
                Some((places.len(), *range, *number))
            })
            .max_by_key(|&(held, _, number)| (held, Reverse(number)))?;
        self.release(range, number)
    }

    /// Gives up the place `number` of `range`, unless it was given up already.
    fn release(&mut self, range: AddressRange, number: u64) -> Option<Arc<Place>> {
        let places = self.by_range.get_mut(&range)?;
        let place = places.remove(&number)?;
        if places.is_empty() {
            self.by_range.remove(&range);
        }
        self.total -= 1;
        Some(place)
    }
}

struct Admitted {
    number: u64,
    place: Arc<Place>,
    evicted: Option<Arc<Place>>,
}

/// The connections admitted so far and still open, with counts of those refused and
/// evicted.
#[derive(Debug, Clone)]
pub struct Admission {
    open: Arc<Mutex<Open>>,
    refused: Family<Label, Counter>,
    evicted: Counter,
}

impl Admission {
    pub fn new(caps: Caps, refused: Family<Label, Counter>, evicted: Counter) -> Self {
        Self {
            open: Arc::new(Mutex::new(Open {
                caps,
                total: 0,
                next: 0,
                by_range: HashMap::new(),
            })),
            refused,
            evicted,
        }
    }

    /// `stream` from `address`, counted until it is dropped or evicted, or why it may
    /// not open.
    pub fn admit<S>(&self, stream: S, address: IpAddr) -> Result<Counted<S>, Full> {
        let range = AddressRange::from(address);
        let admitted = self.lock().admit(range).inspect_err(|full| {
            self.refused.get_or_create(&[("cap", full.label())]).inc();
        })?;
        if let Some(evicted) = admitted.evicted {
            debug!(%range, "a connection was evicted to make room");
            self.evicted.inc();
            evicted.cut();
        }
        Ok(Counted {
            stream,
            range,
            number: admitted.number,
            place: admitted.place,
            admission: self.clone(),
        })
    }

    fn lock(&self) -> MutexGuard<'_, Open> {
        self.open.lock().expect("admission lock")
    }
}

/// An admitted stream. It is counted for as long as it lives, which for a websocket is
/// past the HTTP upgrade, until the socket closes, unless its place is given to a
/// newcomer: from then on every read and write fails.
pub struct Counted<S> {
    stream: S,
    range: AddressRange,
    number: u64,
    place: Arc<Place>,
    admission: Admission,
}

impl<S> Counted<S> {
    /// Its place, which the connection's client keeps once the chain lets it in.
    pub fn place(&self) -> &Arc<Place> {
        &self.place
    }

    fn check(&self) -> io::Result<()> {
        if self.place.evicted() {
            Err(io::Error::new(
                io::ErrorKind::ConnectionAborted,
                "evicted to make room",
            ))
        } else {
            Ok(())
        }
    }
}

impl<S> Drop for Counted<S> {
    fn drop(&mut self) {
        self.admission.lock().release(self.range, self.number);
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Counted<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        self.check()?;
        let read = Pin::new(&mut self.stream).poll_read(cx, buf);
        if read.is_pending() {
            *self.place.reader() = Some(cx.waker().clone());
            // Evicted between the check and the waker's registration: nobody wakes it.
            self.check()?;
        }
        read
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Counted<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.check()?;
        Pin::new(&mut self.stream).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.check()?;
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn admission(total: usize, per_address: usize) -> (Admission, Family<Label, Counter>, Counter) {
        let refused = Family::<Label, Counter>::default();
        let evicted = Counter::default();
        let caps = Caps { total, per_address };
        (
            Admission::new(caps, refused.clone(), evicted.clone()),
            refused,
            evicted,
        )
    }

    fn address(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn caps_count_per_range_and_in_all_until_the_stream_is_dropped() {
        let (admission, refused, _) = admission(3, 2);
        let [a, b, c, d] = ["127.0.0.1", "127.0.0.2", "127.0.0.3", "127.0.0.4"].map(address);
        let _first = admission.admit((), a).unwrap();
        let second = admission.admit((), a).unwrap();
        assert_eq!(admission.admit((), a).err(), Some(Full::Address));
        let _third = admission.admit((), b).unwrap();
        let _fourth = admission.admit((), c).unwrap();
        assert_eq!(
            admission.admit((), d).err(),
            Some(Full::Total),
            "one each: nobody holds more than the newcomer would"
        );
        let count = |cap| refused.get_or_create(&[("cap", cap)]).get();
        assert_eq!((count("address"), count("total")), (1, 1));
        drop(second);
        assert_eq!(admission.lock().total, 2);
        assert!(
            admission.admit((), d).is_ok(),
            "a closed one frees its place"
        );
    }

    #[test]
    fn an_ipv6_client_gets_one_share_for_its_whole_64() {
        let (admission, _, _) = admission(10, 2);
        let _held = [
            admission.admit((), address("2001:db8::1")).unwrap(),
            admission.admit((), address("2001:db8::ffff:2")).unwrap(),
        ];
        assert_eq!(
            admission.admit((), address("2001:db8::3:3")).err(),
            Some(Full::Address)
        );
        assert!(admission.admit((), address("2001:db8:0:1::1")).is_ok());
    }

    #[test]
    fn when_every_place_is_taken_the_range_holding_most_gives_up_its_oldest_not_let_in() {
        let (admission, _, evicted) = admission(5, 4);
        let [stranger, other, newcomer] = ["127.0.0.2", "127.0.0.3", "127.0.0.4"].map(address);
        let strangers: Vec<_> = (0..4)
            .map(|_| admission.admit((), stranger).unwrap())
            .collect();
        strangers[0].place().enter();
        let _other = admission.admit((), other).unwrap();

        let _first = admission.admit((), newcomer).unwrap();
        let places =
            |held: &[Counted<()>]| held.iter().map(|c| c.place().evicted()).collect::<Vec<_>>();
        assert_eq!(
            places(&strangers),
            [false, true, false, false],
            "the oldest of the stranger's that the chain did not let in"
        );
        assert_eq!(evicted.get(), 1);
        let _second = admission.admit((), newcomer).unwrap();
        assert_eq!(places(&strangers), [false, true, true, false]);
        // Two each, and the other's one: nobody holds more than a third would.
        assert_eq!(admission.admit((), newcomer).err(), Some(Full::Total));
        let _fifth = admission.admit((), address("127.0.0.5")).unwrap();
        assert_eq!(places(&strangers), [false, true, true, true]);
        assert_eq!(evicted.get(), 3);
        drop(strangers);
        assert_eq!(
            admission.lock().total,
            4,
            "evicted places are not given back twice"
        );
    }

    #[tokio::test]
    async fn an_evicted_connection_fails_the_read_it_waits_on() {
        use tokio::io::{duplex, AsyncReadExt};
        let (admission, _, _) = admission(2, 2);
        let (stream, _peer) = duplex(64);
        let mut oldest = admission.admit(stream, address("127.0.0.2")).unwrap();
        let _newer = admission.admit((), address("127.0.0.2")).unwrap();
        let read = tokio::spawn(async move { oldest.read(&mut [0u8; 1]).await });
        tokio::task::yield_now().await;
        assert!(!read.is_finished(), "nothing to read yet");
        let _newcomer = admission.admit((), address("127.0.0.3")).unwrap();
        let error = read.await.unwrap().unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::ConnectionAborted);
    }
}
