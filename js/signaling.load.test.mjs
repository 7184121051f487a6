// A bounded load on loopback: one broadcaster and 200 followers joining its stream at
// once, each through the whole signaling path (challenge, signature, chain check on
// the local chain, `watch` to the broadcaster, its offer and ICE candidates back, the viewer's
// answer and candidates to the broadcaster), with the server's default limits: once
// with one server, once with two instances sharing their hub through redis-server,
// the broadcaster on the first and the viewers on both in turn.
// Reports the join latency and each server's memory; asserts only that every viewer got
// in and every relay arrived (speed limits belong in a benchmark, not in a test).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import {
  startDevnode, startServer, startRedis, devKey, connect, next, join, receivedOf, memory,
} from 'w3bstreaming-testkit/signaling';

const VIEWERS = Number(process.env.SIGNALING_LOAD_VIEWERS ?? 200);
// What a browser gathers per connection on a typical host: a few host, srflx and
// relay candidates.
const CANDIDATES = 4;
const WAIT_MS = 60_000;

const round = (value) => Math.round(value * 10) / 10;
const candidate = (i) => ({ candidate: `candidate:${i} 1 udp 2122260223 127.0.0.1 ${50_000 + i} typ host`, sdpMid: '0' });

/// Resolves once `socket` is told that all the viewers are in.
function everyone(socket) {
  const told = ({ event, args }) => event === 'watchersCount' && args[0] === VIEWERS;
  if (socket.received.some(told)) return Promise.resolve();
  return new Promise((resolve) => {
    socket.on('watchersCount', (count) => { if (count === VIEWERS) resolve(); });
  });
}

/// Resolves once `count` events of `event` have reached `socket`.
function collect(socket, event, count) {
  const received = [];
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${received.length} of ${count} ${event} within ${WAIT_MS} ms`)), WAIT_MS);
    socket.on(event, (...args) => {
      received.push(args);
      if (received.length === count) {
        clearTimeout(timer);
        resolve(received);
      }
    });
  });
}

async function load(t, instances) {
  const devnode = await startDevnode(['--demo', '--demo-viewers', String(VIEWERS)]);
  const redis = instances > 1 ? await startRedis() : null;
  const shared = redis ? ['--redis-url', redis.url] : [];
  const servers = [];
  for (let i = 0; i < instances; i += 1) servers.push(await startServer(shared, devnode));
  const sockets = [];
  try {
    const { streamId } = devnode.demo;
    const idle = servers.map((server) => memory(server.pid));
    const broadcaster = devKey('//Alice');
    const live = await connect(servers[0].url);
    sockets.push(live);
    join(live, 'broadcast', broadcaster, streamId);
    await next(live, 'isStreaming');
    live.on('watch', (viewer) => {
      live.emit('offer', broadcaster.id, { description: { type: 'offer', sdp: 'v=0' }, userId: viewer, streamId });
      for (let i = 0; i < CANDIDATES; i += 1) live.emit('candidate', viewer, { candidate: candidate(i) });
    });
    const answers = collect(live, 'answer', VIEWERS);
    const viewerCandidates = collect(live, 'candidate', VIEWERS * CANDIDATES);

    const keys = Array.from({ length: VIEWERS }, (_, i) => devKey(`//viewer-${i}`));
    const started = performance.now();
    const joins = await Promise.all(keys.map(async (key, i) => {
      // Each viewer from an address of its own, as a crowd comes (one address may
      // hold 64 connections and send 100 joins at once).
      const localAddress = `127.${10 + Math.floor(i / 250)}.0.${1 + (i % 250)}`;
      const socket = await connect(servers[i % instances].url, { localAddress });
      sockets.push(socket);
      const offered = next(socket, 'offer', WAIT_MS);
      const candidates = collect(socket, 'candidate', CANDIDATES);
      const sent = performance.now();
      join(socket, 'watch', key, streamId);
      const [from, { userId }] = await offered;
      const offerMs = performance.now() - sent;
      assert.equal(from, broadcaster.id);
      assert.equal(userId, key.id);
      socket.emit('answer', broadcaster.id, { description: { type: 'answer', sdp: 'v=0' } });
      for (let i = 0; i < CANDIDATES; i += 1) socket.emit('candidate', broadcaster.id, { candidate: candidate(i) });
      for (const [sender] of await candidates) assert.equal(sender, broadcaster.id);
      const connectedAt = performance.now();
      await everyone(socket);
      return { offerMs, connectedMs: connectedAt - sent, connectedAt };
    }));
    const answered = await answers;
    await viewerCandidates;
    const total = performance.now() - started;
    const loaded = servers.map((server) => memory(server.pid));

    assert.deepEqual(new Set(answered.map(([, { userId }]) => userId)), new Set(keys.map(({ id }) => id)));
    assert.deepEqual(receivedOf(live, 'watchersCount').at(-1).args, [VIEWERS]);
    // Each viewer hears its own join's count, then the changed count at most once a
    // second: a few notices each, not one per later join.
    const counts = sockets.slice(1).map((socket) => socket.received.filter(({ event }) => event === 'watchersCount').length);
    assert.ok(Math.max(...counts) <= 5, `a viewer was told the count ${Math.max(...counts)} times`);
    const errors = sockets.flatMap((socket) => socket.received.filter(({ event }) => event === 'error'));
    assert.deepEqual(errors, [], 'no event was refused');

    const stats = (values) => {
      values.sort((a, b) => a - b);
      return {
        median: round(values[Math.floor(values.length / 2)]),
        p95: round(values[Math.floor(values.length * 0.95)]),
        worst: round(values[values.length - 1]),
      };
    };
    const report = {
      instances,
      viewers: VIEWERS,
      candidatesEachWay: CANDIDATES,
      watchToOfferMs: stats(joins.map(({ offerMs }) => offerMs)),
      watchToAllCandidatesMs: stats(joins.map(({ connectedMs }) => connectedMs)),
      // From the first connect until every viewer had its offer and candidates, and
      // until every viewer was told the full count.
      allConnectedMs: round(Math.max(...joins.map(({ connectedAt }) => connectedAt)) - started),
      allCountedMs: round(total),
      countNoticesPerViewer: { mean: round(counts.reduce((a, b) => a + b, 0) / counts.length), max: Math.max(...counts) },
      serverMiB: servers.map((_, i) => ({ idle: round(idle[i].rss), loaded: round(loaded[i].rss), peak: round(loaded[i].peak) })),
    };
    t.diagnostic(JSON.stringify(report));
  } finally {
    sockets.forEach((socket) => socket.close());
    for (const server of servers) assert.equal(await server.stop(), 0);
    await redis?.stop();
    await devnode.stop();
  }
}

test(`1 broadcaster and ${VIEWERS} viewers join`, (t) => load(t, 1));
test(`1 broadcaster and ${VIEWERS} viewers join through two instances sharing Redis`, (t) => load(t, 2));
