//! What an operator watches, in the Prometheus text format, served on its own
//! listener (`--metrics-listen`) so that strangers reaching the public address cannot
//! read it.
use crate::chain::{BoxFuture, Chain, ChainError};
use prometheus_client::{
    encoding::text::encode,
    metrics::{
        counter::Counter,
        family::Family,
        gauge::Gauge,
        histogram::{exponential_buckets, Histogram},
    },
    registry::{Metric, Registry},
};
use std::{sync::Arc, time::Instant};

/// One label: its name and its value.
pub type Label = [(&'static str, &'static str); 1];
/// A media server's label: `server`, its number in `--janus-url`.
pub type ServerLabel = [(&'static str, String); 1];

/// The server's counters and gauges.
pub struct Metrics {
    registry: Registry,
    /// socket.io connections open now.
    pub connections: Gauge,
    /// Connections the server closed, by reason.
    pub closed: Family<Label, Counter>,
    /// TCP connections closed as they were accepted, by the cap they met (`total`,
    /// `address`).
    pub refused_connections: Family<Label, Counter>,
    /// Connections the chain had not let in, closed to make room for a newcomer when
    /// every place was taken.
    pub evicted_connections: Counter,
    /// Connections that proved an account.
    pub sign_ins: Counter,
    /// Events refused, by [`Refusal::reason`](crate::refusal::Refusal::reason).
    pub refusals: Family<Label, Counter>,
    /// Joins let in, by role (`broadcaster`, `viewer`).
    pub joins: Family<Label, Counter>,
    /// Offers, answers and candidates relayed, by kind.
    pub relays: Family<Label, Counter>,
    /// Queries sent to the node, by outcome (`ok`, `failed`).
    pub chain_queries: Family<Label, Counter>,
    /// How long the node took to answer.
    pub chain_seconds: Histogram,
    /// Streams live now.
    pub live_streams: Gauge,
    /// Viewers of all live streams now.
    pub viewers: Gauge,
    /// Broadcasters this instance has publishing to the media server now.
    pub media_publishers: Gauge,
    /// Viewers this instance has receiving from the media server now.
    pub media_subscribers: Gauge,
    /// Relays of its publishers into other media servers this instance holds now.
    pub media_relays: Gauge,
    /// By media server (its number in `--janus-url`): 1 while it is up, 0 once found
    /// down, as the hub says.
    pub media_server_up: Family<ServerLabel, Gauge>,
    /// By media server: the viewers it serves and the streams published to it, in
    /// every instance, as the hub counts them.
    pub media_server_load: Family<ServerLabel, Gauge>,
    /// By media server: how often it was found down.
    pub media_servers_lost: Family<ServerLabel, Counter>,
    /// What this instance asked the media server, by kind (`publish`, `relay`,
    /// `subscribe`, `answer`, `candidate`, `quality`) and outcome (`ok`, `failed`).
    pub media_requests: Family<[(&'static str, &'static str); 2], Counter>,
    /// Streams that went peer to peer because the media server did not answer.
    pub media_fallbacks: Counter,
    /// Peer connections with the media server that did not come up in time, by kind
    /// (`publisher`, `subscriber`).
    pub media_timeouts: Family<Label, Counter>,
    /// Requests to the WHIP endpoint, by kind (`publish`, `end`, `trickle`) and
    /// outcome (`ok`, or the reason it was turned down).
    pub whip_requests: Family<[(&'static str, &'static str); 2], Counter>,
}

/// `metric`, registered in `registry` as `name` with `help`.
fn registered<M: Metric + Clone>(registry: &mut Registry, name: &str, help: &str, metric: M) -> M {
    registry.register(name, help, metric.clone());
    metric
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::with_prefix("signaling");
        let r = &mut registry;
        let connections = registered(
            r,
            "connections",
            "socket.io connections open",
            Gauge::default(),
        );
        let closed = registered(
            r,
            "closed",
            "Connections the server closed, by reason",
            Family::default(),
        );
        let refused_connections = registered(
            r,
            "refused_connections",
            "TCP connections closed as they were accepted, by the cap they met",
            Family::default(),
        );
        let evicted_connections = registered(
            r,
            "evicted_connections",
            "Connections closed to make room for a newcomer when every place was taken",
            Counter::default(),
        );
        let sign_ins = registered(
            r,
            "sign_ins",
            "Connections that proved an account",
            Counter::default(),
        );
        let refusals = registered(
            r,
            "refusals",
            "Events refused, by reason",
            Family::default(),
        );
        let joins = registered(r, "joins", "Joins let in, by role", Family::default());
        let relays = registered(
            r,
            "relays",
            "Offers, answers and candidates relayed",
            Family::default(),
        );
        let chain_queries = registered(
            r,
            "chain_queries",
            "Queries sent to the node, by outcome",
            Family::default(),
        );
        let buckets = exponential_buckets(0.001, 2.0, 14);
        let chain_seconds = registered(
            r,
            "chain_query_seconds",
            "Time the node took to answer a query",
            Histogram::new(buckets),
        );
        let live_streams = registered(r, "live_streams", "Streams live now", Gauge::default());
        let viewers = registered(
            r,
            "viewers",
            "Viewers of all live streams now",
            Gauge::default(),
        );
        let media_publishers = registered(
            r,
            "media_publishers",
            "Broadcasters publishing to the media server through this instance",
            Gauge::default(),
        );
        let media_subscribers = registered(
            r,
            "media_subscribers",
            "Viewers receiving from the media server through this instance",
            Gauge::default(),
        );
        let media_relays = registered(
            r,
            "media_relays",
            "Relays into other media servers of the streams published through this instance",
            Gauge::default(),
        );
        let media_server_up = registered(
            r,
            "media_server_up",
            "Whether each media server is up (1) or found down (0)",
            Family::default(),
        );
        let media_server_load = registered(
            r,
            "media_server_load",
            "Viewers each media server serves and streams published to it, in every instance",
            Family::default(),
        );
        let media_servers_lost = registered(
            r,
            "media_servers_lost",
            "Times each media server was found down",
            Family::default(),
        );
        let media_requests = registered(
            r,
            "media_requests",
            "Requests to the media server, by kind and outcome",
            Family::default(),
        );
        let media_fallbacks = registered(
            r,
            "media_fallbacks",
            "Streams sent peer to peer because the media server did not answer",
            Counter::default(),
        );
        let media_timeouts = registered(
            r,
            "media_timeouts",
            "Peer connections with the media server that did not come up in time",
            Family::default(),
        );
        let whip_requests = registered(
            r,
            "whip_requests",
            "Requests to the WHIP endpoint, by kind and outcome",
            Family::default(),
        );
        Self {
            registry,
            connections,
            closed,
            refused_connections,
            evicted_connections,
            sign_ins,
            refusals,
            joins,
            relays,
            chain_queries,
            chain_seconds,
            live_streams,
            viewers,
            media_publishers,
            media_subscribers,
            media_relays,
            media_server_up,
            media_server_load,
            media_servers_lost,
            media_requests,
            media_fallbacks,
            media_timeouts,
            whip_requests,
        }
    }
}

impl Metrics {
    /// Counts a request of `kind` to the media server and how it ended.
    pub fn media_request<T, E>(&self, kind: &'static str, outcome: &Result<T, E>) {
        let outcome = if outcome.is_ok() { "ok" } else { "failed" };
        self.media_requests
            .get_or_create(&[("kind", kind), ("outcome", outcome)])
            .inc();
    }

    /// Counts a request of `kind` to the WHIP endpoint and its `outcome` (`ok`, or
    /// the reason it was turned down).
    pub fn whip_request(&self, kind: &'static str, outcome: &'static str) {
        self.whip_requests
            .get_or_create(&[("kind", kind), ("outcome", outcome)])
            .inc();
    }

    /// The metrics in the text format.
    pub fn encode(&self) -> String {
        let mut text = String::new();
        encode(&mut text, &self.registry).expect("writing to a String cannot fail");
        text
    }
}

/// A [`Chain`] whose queries are counted and timed.
pub struct Measured {
    pub chain: Arc<dyn Chain>,
    pub metrics: Arc<Metrics>,
}

impl Chain for Measured {
    fn answer(&self, query: Vec<u8>) -> BoxFuture<'_, Result<Vec<u8>, ChainError>> {
        Box::pin(async move {
            let start = Instant::now();
            let answer = self.chain.answer(query).await;
            self.metrics
                .chain_seconds
                .observe(start.elapsed().as_secs_f64());
            let outcome = if answer.is_ok() { "ok" } else { "failed" };
            self.metrics
                .chain_queries
                .get_or_create(&[("outcome", outcome)])
                .inc();
            answer
        })
    }
}
