// A bounded chat load on loopback: 200 readers without an account and 20 posters on
// one live stream, 5 messages each as fast as the per-account burst allows, once with
// one server and once with two instances sharing their hub through redis-server (the
// readers and posters spread over both). Reports each message's delivery time from
// its post to each reader, and each server's memory (docs/signaling.md, "Load");
// asserts only that every reader got every message, in one order everywhere.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import {
  startDevnode, startServer, startRedis, devKey, connect, next, join, signRaw, memory,
} from 'w3bstreaming-testkit/signaling';

const READERS = Number(process.env.CHAT_LOAD_READERS ?? 200);
const POSTERS = 20;
const EACH = 5;
const WAIT_MS = 60_000;

const round = (value) => Math.round(value * 10) / 10;

/// Each reader, from an address of its own, as a crowd comes.
const addressOf = (i) => `127.${20 + Math.floor(i / 250)}.0.${1 + (i % 250)}`;

async function load(t, instances) {
  const devnode = await startDevnode(['--demo', '--demo-viewers', String(POSTERS)]);
  const redis = instances > 1 ? await startRedis() : null;
  const shared = redis ? ['--redis-url', redis.url] : [];
  const servers = [];
  for (let i = 0; i < instances; i += 1) servers.push(await startServer(shared, devnode));
  const sockets = [];
  const open = async (i, server) => {
    const socket = await connect(server.url, { localAddress: addressOf(i) });
    sockets.push(socket);
    return socket;
  };
  try {
    const { streamId } = devnode.demo;
    const idle = servers.map((server) => memory(server.pid));
    const live = await open(0, servers[0]);
    join(live, 'broadcast', devKey('//Alice'), streamId);
    await next(live, 'isStreaming');

    const total = POSTERS * EACH;
    const delays = [];
    const orders = await Promise.all(Array.from({ length: READERS }, async (_, i) => {
      const socket = await open(1 + i, servers[i % instances]);
      socket.emit('chatRead', '', { streamId });
      await next(socket, 'chatHistory');
      return socket;
    })).then((readers) => readers.map((socket) => new Promise((resolve, reject) => {
      const ids = [];
      const timer = setTimeout(() => reject(new Error(`${ids.length} of ${total} messages within ${WAIT_MS} ms`)), WAIT_MS);
      socket.on('chatMessage', ({ message }) => {
        delays.push(performance.now() - Number(message.text.split(' ')[1]));
        ids.push(message.id);
        if (ids.length === total) {
          clearTimeout(timer);
          resolve(ids);
        }
      });
    })));

    const posters = await Promise.all(Array.from({ length: POSTERS }, async (_, p) => {
      const socket = await open(1 + READERS + p, servers[p % instances]);
      return { socket, key: devKey(`//viewer-${p}`) };
    }));
    const started = performance.now();
    await Promise.all(posters.map(async ({ socket, key }, p) => {
      for (let n = 0; n < EACH; n += 1) {
        const proof = n === 0 ? { signedMsg: signRaw(key, socket.challenge.text), encodedId: key.address } : {};
        socket.emit('chatPost', key.id, { streamId, text: `${p}/${n} ${performance.now()}`, ...proof });
        await new Promise((resolve) => { setTimeout(resolve, 100); });
      }
    }));
    const received = await Promise.all(orders);
    const allDeliveredMs = performance.now() - started;
    const loaded = servers.map((server) => memory(server.pid));

    const errors = sockets.flatMap((socket) => socket.received.filter(({ event }) => event === 'error'));
    assert.deepEqual(errors, [], 'no post was refused');
    const expected = Array.from({ length: total }, (_, i) => i + 1);
    for (const ids of received) assert.deepEqual(ids, expected, 'every message, in the one order');

    delays.sort((a, b) => a - b);
    const at = (share) => round(delays[Math.min(delays.length - 1, Math.floor(delays.length * share))]);
    t.diagnostic(JSON.stringify({
      instances,
      readers: READERS,
      posters: POSTERS,
      messages: total,
      deliveries: delays.length,
      deliveryMs: { p50: at(0.5), p95: at(0.95), worst: round(delays.at(-1)) },
      allDeliveredMs: round(allDeliveredMs),
      serverMiB: servers.map((_, i) => ({ idle: round(idle[i].rss), loaded: round(loaded[i].rss), peak: round(loaded[i].peak) })),
    }));
  } finally {
    sockets.forEach((socket) => socket.close());
    for (const server of servers) assert.equal(await server.stop(), 0);
    await redis?.stop();
    await devnode.stop();
  }
}

test(`${READERS} readers and ${POSTERS} posters chat on one server`, (t) => load(t, 1));
test(`${READERS} readers and ${POSTERS} posters chat through two instances sharing Redis`, (t) => load(t, 2));
