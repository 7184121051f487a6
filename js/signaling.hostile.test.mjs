// The signaling server under attack: one test for each way a stranger without a wallet
// could freeze it, exhaust its memory or lock others out (docs/signaling.md, "Hostile
// clients"). Each attack is bounded and on loopback, from addresses 127.0.0.2 and up;
// during each, an honest follower on 127.0.0.1 still joins and gets its broadcaster's
// offer, and the server's memory grows by less than a stated bound.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import {
  startDevnode, startServer, devKey, connect, next, join, settle, memory, rawSocket, closeOf, receivedOf, signRaw,
} from 'w3bstreaming-testkit/signaling';

const PER_ADDRESS = 20;
let devnode;
let server;
let broadcaster;
let follower;
let stranger;
let streamId;

before(async () => {
  devnode = await startDevnode(['--demo']);
  [broadcaster, follower, stranger] = ['//Alice', '//Bob', '//Ferdie'].map(devKey);
  streamId = devnode.demo.streamId;
  server = await startServer([
    '--max-connections-per-address', String(PER_ADDRESS),
    '--header-timeout-ms', '1000', '--body-timeout-ms', '1000',
    '--sign-in-deadline-ms', '1000', '--idle-timeout-ms', '2000', '--ping-interval-ms', '1000', '--ping-timeout-ms', '1000',
  ], devnode);
});

after(async () => {
  await server?.stop();
  await devnode?.stop();
});

const offer = { type: 'offer', sdp: 'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n' };

/// The broadcaster goes live, the follower joins and gets her offer; both leave.
async function honestJoin(url = server.url) {
  const live = await connect(url);
  const viewer = await connect(url);
  try {
    join(live, 'broadcast', broadcaster, streamId);
    assert.deepEqual(await next(live, 'isStreaming'), [true]);
    join(viewer, 'watch', follower, streamId);
    assert.deepEqual(await next(live, 'watch'), [follower.id, { streamId }]);
    live.emit('offer', broadcaster.id, { userId: follower.id, description: offer });
    assert.equal((await next(viewer, 'offer'))[1].description.sdp, offer.sdp);
  } finally {
    live.close();
    viewer.close();
  }
}

/// Asserts the resident memory of `of` (a server) grew by less than `mib` since `before`.
function grewLessThan(t, before, mib, of = server) {
  const grown = memory(of.pid).rss - before;
  t.diagnostic(`server RSS ${before.toFixed(1)} MiB, grew by ${grown.toFixed(1)} MiB`);
  assert.ok(grown < mib, `the server grew by ${grown.toFixed(1)} MiB`);
}

/// The sum of the counters of `of` (a server) whose name (with labels) starts with
/// `prefix`.
const counted = async (prefix, of = server) => Object.entries(await of.metrics())
  .filter(([name]) => name.startsWith(prefix)).reduce((sum, [, value]) => sum + value, 0);

/// A raw websocket to `url` from `localAddress`, or the error that refused it.
const rawSocketOrError = (url, localAddress) => rawSocket(url, { localAddress }).catch((error) => error);

/// A raw websocket from `localAddress` that listens (so the sign-in deadline leaves it
/// open), or the error that refused it.
async function listening(localAddress) {
  const ws = await rawSocketOrError(server.url, localAddress);
  if (!(ws instanceof Error)) ws.send('42["listen","",{"streamIds":[]}]');
  return ws;
}

test('websocket frames over the packet limit close their connection, and honest joins go on', async (t) => {
  const before = memory(server.pid).rss;
  // Four clients each send one frame just under 16 MiB (the library's default limit): a
  // watch whose user id is that long.
  const attackers = await Promise.all([1, 2, 3, 4].map(() => rawSocket(server.url, { localAddress: '127.0.0.2' })));
  const closed = attackers.map((ws) => closeOf(ws));
  const frame = `42["watch","${'x'.repeat((16 << 20) - 64)}",{}]`;
  attackers.forEach((ws) => ws.send(frame));
  await honestJoin();
  const codes = await Promise.all(closed);
  grewLessThan(t, before, 32);
  // Dropped as the oversized frame's header arrives, with no close frame or an empty
  // one (1006 or 1005, as the race between the two ends goes).
  assert.ok(codes.every((code) => code === 1005 || code === 1006), `closed: ${codes}`);
});

test('connections that sign in to nothing are closed: at the sign-in deadline, or idle', async (t) => {
  const sockets = [];
  try {
    const [idle, signedIn, listener, live, viewer, lapsed] = await Promise.all([1, 2, 3, 4, 5, 6].map(async () => {
      const socket = await connect(server.url);
      sockets.push(socket);
      return socket;
    }));
    const idleClosed = closeOf(idle, { event: 'disconnect' });
    const signedInClosed = closeOf(signedIn, { event: 'disconnect' });
    const lapsedClosed = closeOf(lapsed, { event: 'disconnect' });
    // Signed in, but let into nothing: the stream is not the stranger's.
    join(signedIn, 'broadcast', stranger, streamId);
    await next(signedIn, 'error');
    // A listener renews its listen within the idle timeout; another lets it lapse.
    const renew = () => listener.emit('listen', '', { streamIds: [streamId] });
    renew();
    const renewal = setInterval(renew, 500);
    t.after(() => clearInterval(renewal));
    lapsed.emit('listen', '', { streamIds: [streamId] });
    join(live, 'broadcast', broadcaster, streamId);
    assert.deepEqual(await next(live, 'isStreaming'), [true]);
    join(viewer, 'watch', follower, streamId);
    assert.deepEqual(await next(live, 'watch'), [follower.id, { streamId }]);
    assert.equal(await idleClosed, 'io server disconnect');
    assert.equal(await signedInClosed, 'io server disconnect');
    assert.equal(await lapsedClosed, 'io server disconnect');
    // Past the idle timeout, the broadcaster and the viewer, silent, stay, and so does
    // the listener that renews.
    await settle(2_500);
    assert.deepEqual([listener, live, viewer].map((socket) => socket.connected), [true, true, true]);
    assert.ok(await counted('signaling_closed_total{reason="neither signed in nor listening in time"}') >= 1);
    assert.ok(await counted('signaling_closed_total{reason="idle"}') >= 1);
  } finally {
    sockets.forEach((socket) => socket.close());
  }
});

/// One HTTP request on a connection of its own from `localAddress`: its status and body.
function request(url, { method = 'GET', body, localAddress }) {
  return new Promise((resolve, reject) => {
    const headers = body === undefined ? {} : { 'Content-Type': 'text/plain', 'Content-Length': Buffer.byteLength(body) };
    const sent = http.request(url, { method, headers, localAddress, agent: false }, (response) => {
      let text = '';
      response.on('data', (chunk) => { text += chunk; });
      response.on('end', () => resolve({ status: response.statusCode, text }));
    });
    sent.on('error', reject);
    sent.end(body);
  });
}

test('clients that do not read what they are sent are closed, and what waited for them freed', async (t) => {
  // A server of its own whose connections may send as fast as they like, so that one
  // can ask for far more than it reads.
  const own = await startServer([
    '--rate-per-sec', '1000000', '--rate-burst', '1000000', '--ping-interval-ms', '1000', '--ping-timeout-ms', '1000',
  ], devnode);
  try {
    const before = memory(own.pid).rss;
    const polling = `${own.url}/socket.io/?EIO=4&transport=polling`;
    // Twenty long-polling sessions, each from an address of its own, that ask whether
    // the stream is live 8,000 times, 200 questions to a post, and never poll for
    // the answers.
    const question = `42${JSON.stringify(['getIsStreaming', '', { streamId }])}`;
    const sessions = await Promise.all(Array.from({ length: 20 }, async (_, n) => {
      const localAddress = `127.0.2.${n + 1}`;
      const { sid } = JSON.parse((await request(polling, { localAddress })).text.slice(1));
      const post = (body) => request(`${polling}&sid=${sid}`, { method: 'POST', body, localAddress });
      await post('40');
      for (let k = 0; k < 40; k += 1) await post(Array(200).fill(question).join('\x1e'));
      return { sid, localAddress };
    }));
    await honestJoin(own.url);
    assert.equal(await counted('signaling_closed_total{reason="not reading what it is sent"}', own), 20);
    grewLessThan(t, before, 16, own);
    // engine.io ends each session when its ping goes unanswered (within 2 s here): a
    // poll finds none.
    await settle(3_000);
    const polls = await Promise.all(sessions.map(async ({ sid, localAddress }) => (await request(`${polling}&sid=${sid}`, { localAddress })).status));
    assert.ok(polls.every((status) => status === 400), `polls answered ${polls}`);
  } finally {
    await own.stop();
  }
});

test('one address cannot hold more than its share of connections', async (t) => {
  const before = memory(server.pid).rss;
  const attempts = await Promise.all(Array.from({ length: PER_ADDRESS + 10 }, () => listening('127.0.0.3')));
  const open = attempts.filter((ws) => !(ws instanceof Error));
  try {
    assert.equal(open.length, PER_ADDRESS, 'the cap admits exactly its number');
    assert.equal(attempts.length - open.length, 10);
    await honestJoin();
    // A closed connection gives its place back.
    open.pop().close();
    await settle();
    const again = await listening('127.0.0.3');
    assert.ok(!(again instanceof Error), `refused after a place was freed: ${again}`);
    open.push(again);
    grewLessThan(t, before, 16);
    assert.ok(await counted('signaling_refused_connections_total{cap="address"}') >= 10);
  } finally {
    open.forEach((ws) => ws.close());
  }
});

/// A raw websocket from `localAddress` that answers engine.io's pings, as a browser
/// does, so that only the server's own rules close it.
async function pingAnswering(url, localAddress) {
  const ws = await rawSocket(url, { localAddress });
  ws.on('message', (data) => { if (String(data) === '2') ws.send('3'); });
  return ws;
}

/// `count` ids of the longest kind a stream can have, none of them a stream's.
const madeUpIds = (prefix, count = 200) => Array.from({ length: count }, (_, k) => `${prefix} ${k} `.padEnd(128, 'x'));

test('anonymous listeners cost little, and are closed once they stop renewing', async (t) => {
  const own = await startServer(['--sign-in-deadline-ms', '2000', '--idle-timeout-ms', '6000', '--max-connections-per-address', '64'], devnode);
  const sockets = [];
  try {
    const before = memory(own.pid).rss;
    // 600 listeners on 20 addresses, each naming the most streams with the longest ids
    // (all different, none a stream), answering pings, never renewing.
    const LISTENERS = 600;
    const closed = [];
    for (let n = 0; n < LISTENERS; n += 50) {
      const batch = await Promise.all(Array.from({ length: 50 }, (_, i) => pingAnswering(own.url, `127.0.6.${1 + ((n + i) % 20)}`)));
      batch.forEach((ws, i) => {
        ws.send(`42${JSON.stringify(['listen', '', { streamIds: madeUpIds(n + i) }])}`);
        closed.push(closeOf(ws, { ms: 20_000 }));
        sockets.push(ws);
      });
    }
    await settle(500);
    const perListener = ((memory(own.pid).rss - before) * 1024) / LISTENERS;
    t.diagnostic(`${perListener.toFixed(1)} KiB of server memory per listener`);
    await honestJoin(own.url);
    // 313 KiB each before (200 statuses sent, 256-byte ids, every id held twice).
    assert.ok(perListener < 160, `${perListener.toFixed(1)} KiB per listener`);
    const reasons = await Promise.all(closed);
    assert.equal(reasons.filter((reason) => reason === 'open').length, 0, 'all closed at the idle timeout');
    assert.equal(await counted('signaling_closed_total{reason="idle"}', own), LISTENERS);
  } finally {
    sockets.forEach((ws) => ws.close());
    await own.stop();
  }
});

/// A TCP connection from `localAddress` to the server at `url` that never sends a byte:
/// a request head that never comes. Resolves once connected.
function silentConnection(url, localAddress) {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port: Number(new URL(url).port), localAddress }, () => resolve(socket));
    socket.on('error', () => {});
  });
}

test('when every place is taken, strangers give theirs up to newcomers, and those the chain let in keep theirs', async (t) => {
  const own = await startServer(['--max-connections', '120', '--max-connections-per-address', '64', '--header-timeout-ms', '60000'], devnode);
  const held = [];
  const live = [];
  try {
    // Strangers take every place from six addresses: listeners, and connections that
    // never send a request.
    for (let n = 0; n < 120; n += 1) {
      const localAddress = `127.0.7.${1 + (n % 6)}`;
      if (n % 2) {
        const ws = await pingAnswering(own.url, localAddress);
        ws.send('42["listen","",{"streamIds":[]}]');
        held.push(ws);
      } else {
        held.push(await silentConnection(own.url, localAddress));
      }
    }
    await settle();
    assert.ok(await rawSocketOrError(own.url, '127.0.7.1') instanceof Error, 'full: nobody holds more than a stranger would');
    // The honest broadcaster and follower come in, go live and watch.
    const [alice, bob] = [await connect(own.url), await connect(own.url)];
    live.push(alice, bob);
    join(alice, 'broadcast', broadcaster, streamId);
    assert.deepEqual(await next(alice, 'isStreaming'), [true]);
    join(bob, 'watch', follower, streamId);
    assert.deepEqual(await next(alice, 'watch'), [follower.id, { streamId }]);
    assert.equal((await fetch(`${own.url}/healthz`)).status, 200);
    // Forty more strangers from new addresses take strangers' places, not theirs.
    const more = await Promise.all(Array.from({ length: 40 }, (_, n) => rawSocketOrError(own.url, `127.0.8.${1 + n}`)));
    held.push(...more.filter((ws) => !(ws instanceof Error)));
    assert.equal(more.filter((ws) => ws instanceof Error).length, 0);
    await settle(500);
    assert.deepEqual([alice.connected, bob.connected], [true, true]);
    alice.emit('offer', broadcaster.id, { userId: follower.id, description: offer });
    assert.equal((await next(bob, 'offer'))[1].description.sdp, offer.sdp);
    const evicted = await counted('signaling_evicted_connections_total', own);
    t.diagnostic(`${evicted} connections evicted`);
    assert.ok(evicted >= 43, `${evicted} evicted`);
  } finally {
    live.forEach((socket) => socket.close());
    held.forEach((connection) => connection.destroy?.() ?? connection.close());
    await own.stop();
  }
});

/// A TCP connection from `localAddress` to `url` (the shared server's by default) that
/// sends `head` a byte every 200 ms; resolves with how many bytes it sent before the
/// server closed it, or `open` after 10 s.
function slowly(head, localAddress, url = server.url) {
  return new Promise((resolve) => {
    let sent = 0;
    const socket = net.connect({ host: '127.0.0.1', port: Number(new URL(url).port), localAddress });
    const drip = setInterval(() => {
      if (sent < head.length) socket.write(head[sent]);
      sent += 1;
    }, 200);
    const done = (result) => {
      clearInterval(drip);
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(() => done('open'), 10_000);
    socket.on('close', () => done(sent));
    socket.on('error', () => done(sent));
  });
}

test('requests that arrive too slowly are dropped', async (t) => {
  const before = memory(server.pid).rss;
  const head = 'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: yes\r\n\r\n';
  const heads = Array.from({ length: 10 }, () => slowly(head, '127.0.0.4'));
  // A long-polling session whose post sends 10 of the 1,000 bytes it announces.
  const handshake = await fetch(`${server.url}/socket.io/?EIO=4&transport=polling`);
  const { sid } = JSON.parse((await handshake.text()).slice(1));
  const body = slowly(
    `POST /socket.io/?EIO=4&transport=polling&sid=${sid} HTTP/1.1\r\nHost: 127.0.0.1\r\n`
    + `Content-Type: text/plain\r\nContent-Length: 1000\r\n\r\n${'4'.repeat(10)}`,
    '127.0.0.5',
  );
  await honestJoin();
  const sent = await Promise.all(heads);
  // Closed about 1 s in, 5 or so bytes into a 55-byte head: long before it ends.
  assert.ok(sent.every((bytes) => bytes !== 'open' && bytes < head.length), `bytes sent before closing: ${sent}`);
  assert.notEqual(await body, 'open', 'the slow body is dropped');
  grewLessThan(t, before, 16);
});

test('the operator’s listener holds a few connections, and drops slow heads', async () => {
  const own = await startServer(['--header-timeout-ms', '1000'], devnode);
  try {
    // Twenty heads that never end: eight are held (the operator's share of the files
    // kept), the others closed as they come, and the eight dropped a second in.
    const heads = Array.from({ length: 20 }, () => slowly('GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n', '127.0.0.2', own.metricsUrl));
    const sent = await Promise.all(heads);
    assert.ok(sent.every((bytes) => bytes !== 'open'), `bytes sent before closing: ${sent}`);
    assert.ok(Object.keys(await own.metrics()).length > 0, 'the metrics are still served');
  } finally {
    await own.stop();
  }
});

test('the cap on connections stays below the open-file limit', async () => {
  const limited = await startServer([], devnode, { wrapper: ['prlimit', '--nofile=200:200'] });
  const sockets = [];
  try {
    while (!/max_connections=/.test(limited.logs())) await settle(50);
    assert.match(limited.logs(), /max_connections=136\b/);
    // More than the files allow, from seven addresses (the per-address cap is 64).
    const addresses = Array.from({ length: 150 }, (_, i) => `127.0.1.${1 + (i % 7)}`);
    const attempts = await Promise.all(addresses.map((localAddress) => rawSocketOrError(limited.url, localAddress)));
    sockets.push(...attempts.filter((ws) => !(ws instanceof Error)));
    await settle(500);
    assert.equal(sockets.filter((ws) => ws.readyState === ws.OPEN).length, 136);
    sockets.forEach((ws) => ws.close());
    await settle(500);
    await honestJoin(limited.url);
    assert.doesNotMatch(limited.logs(), /cannot accept a connection/, 'never out of files');
  } finally {
    sockets.forEach((ws) => ws.close());
    await limited.stop();
  }
});

/// A JSON-RPC node in front of the local chain that forwards every request, `delayMs`
/// late, or, once `hang` is set, holds each one open without answering; it counts
/// requests, and the most it held at once, and keeps their bodies in `arrived`.
async function hangingNode(target) {
  const node = { hang: false, delayMs: 0, requests: 0, open: 0, mostOpen: 0, held: [], arrived: [] };
  const proxy = http.createServer(async (request, response) => {
    const body = [];
    for await (const chunk of request) body.push(chunk);
    node.requests += 1;
    node.arrived.push(Buffer.concat(body).toString());
    node.open += 1;
    node.mostOpen = Math.max(node.mostOpen, node.open);
    response.on('close', () => { node.open -= 1; });
    if (node.hang) {
      node.held.push(response);
      return;
    }
    if (node.delayMs) await settle(node.delayMs);
    try {
      const answer = await fetch(target, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: Buffer.concat(body) });
      response.writeHead(answer.status, { 'Content-Type': 'application/json' });
      response.end(await answer.text());
    } catch {
      // The chain stopped with the test while the answer was delayed.
      response.destroy();
    }
  });
  await new Promise((resolve) => { proxy.listen(0, '127.0.0.1', resolve); });
  node.url = `http://127.0.0.1:${proxy.address().port}/`;
  node.close = () => {
    node.held.forEach((response) => response.destroy());
    proxy.close();
  };
  return node;
}

/// The broadcaster, live on the server at `url`; her socket joins `sockets`.
async function liveOn(url, sockets) {
  const live = await connect(url);
  sockets.push(live);
  join(live, 'broadcast', broadcaster, streamId);
  assert.deepEqual(await next(live, 'isStreaming'), [true]);
  return live;
}

test('a node that hangs holds a bounded number of queries, and joins resume when it answers', async (t) => {
  const node = await hangingNode(devnode.url);
  const guarded = await startServer([
    '--rpc-url', node.url, '--program-id', devnode.programId,
    '--max-chain-queries', '8', '--max-chain-queries-per-address', '2', '--rpc-timeout-ms', '1000',
  ]);
  const sockets = [];
  let flood;
  try {
    const before = memory(guarded.pid).rss;
    const live = await liveOn(guarded.url, sockets);

    node.hang = true;
    // 100 signed-in strangers from five addresses ask to watch, ten times a second each.
    const attackers = await Promise.all(Array.from({ length: 100 }, async (_, i) => {
      const socket = await connect(guarded.url, { localAddress: `127.0.2.${1 + (i % 5)}` });
      sockets.push(socket);
      join(socket, 'watch', devKey(`//attacker-${i}`), streamId);
      return { socket, key: devKey(`//attacker-${i}`) };
    }));
    flood = setInterval(() => {
      attackers.forEach(({ socket, key }) => join(socket, 'watch', key, streamId));
    }, 100);
    await settle(3_000);
    const held = node.mostOpen;
    // The flood stops with the hang: on a slow machine this process, which also runs
    // the node in front of the chain, cannot keep sending 1,000 joins a second and
    // still answer the server's queries in time.
    clearInterval(flood);
    node.hang = false;
    const viewer = await connect(guarded.url);
    sockets.push(viewer);
    // Refused while a turn is taken, or answered by a query that timed out before:
    // asked again, in turn.
    let joined = false;
    viewer.on('error', () => { if (!joined) setTimeout(() => join(viewer, 'watch', follower, streamId), 200); });
    join(viewer, 'watch', follower, streamId);
    assert.deepEqual(await next(live, 'watch'), [follower.id, { streamId }]);
    joined = true;
    live.emit('offer', broadcaster.id, { userId: follower.id, description: offer });
    assert.equal((await next(viewer, 'offer'))[1].description.sdp, offer.sdp);

    t.diagnostic(`the node got ${node.requests} requests, at most ${held} open at once`);
    assert.ok(held <= 8, `${held} queries held at once`);
    const refusals = attackers.flatMap(({ socket }) => socket.received)
      .filter(({ event }) => event === 'error').map(({ args }) => args[0].message);
    assert.ok(refusals.some((text) => text.startsWith('Too many chain checks from your address at once')));
    assert.ok(refusals.some((text) => text.startsWith('Cannot check the chain right now')));
    grewLessThan(t, before, 32, guarded);
  } finally {
    clearInterval(flood);
    sockets.forEach((socket) => socket.close());
    node.close();
    await guarded.stop();
  }
});

test('strangers keeping a slow node busy do not take the honest join’s turn', async (t) => {
  const node = await hangingNode(devnode.url);
  const guarded = await startServer([
    '--rpc-url', node.url, '--program-id', devnode.programId,
    '--max-chain-queries', '8', '--rpc-timeout-ms', '2500',
  ]);
  const sockets = [];
  let flood;
  try {
    const live = await liveOn(guarded.url, sockets);

    // The node takes a second a question; 128 signed-in strangers on 32 addresses (four
    // questions in flight each, the default share) ask to watch, ten times a second:
    // eight turns serve 8 questions a second, and they keep 128 asked.
    node.delayMs = 1_000;
    const attackers = await Promise.all(Array.from({ length: 128 }, async (_, i) => {
      const socket = await connect(guarded.url, { localAddress: `127.0.9.${1 + (i % 32)}` });
      sockets.push(socket);
      const key = devKey(`//asker-${i}`);
      // Signed once: signing a thousand times a second would slow this process, which
      // also runs the node, more than the server.
      return { socket, key, signedMsg: signRaw(key, socket.challenge.text) };
    }));
    const ask = () => attackers.forEach(({ socket, key, signedMsg }) => join(socket, 'watch', key, streamId, { signedMsg }));
    ask();
    flood = setInterval(ask, 100);
    await settle(2_000);

    const viewer = await connect(guarded.url);
    sockets.push(viewer);
    const asked = Date.now();
    const before = node.arrived.length;
    join(viewer, 'watch', follower, streamId);
    assert.deepEqual(await next(live, 'watch'), [follower.id, { streamId }]);
    const took = Date.now() - asked;
    // The honest question is the one naming the follower.
    const ahead = node.arrived.slice(before).findIndex((body) => body.includes(follower.id.slice(2)));
    const waited = attackers.flatMap(({ socket }) => socket.received)
      .filter(({ event, args }) => event === 'error' && args[0].message.includes('too many queries are waiting')).length;
    t.diagnostic(`the honest join took ${took} ms; ${ahead} strangers' questions reached the node before it; ${waited} strangers' joins were refused for want of a turn`);
    assert.deepEqual(receivedOf(viewer, 'error'), [], 'let in on its first try');
    assert.ok(waited > 0, 'the strangers did wait for turns');
    // The first turn to free after it asked is the honest join's: at most the eight
    // granted while its signature was checked go ahead of it, not the strangers queued
    // before it (16 went ahead with the turns handed out first come, first served).
    assert.ok(ahead >= 0 && ahead <= 8, `${ahead} strangers' questions went first`);
    live.emit('offer', broadcaster.id, { userId: follower.id, description: offer });
    assert.equal((await next(viewer, 'offer'))[1].description.sdp, offer.sdp);
  } finally {
    clearInterval(flood);
    sockets.forEach((socket) => socket.close());
    node.close();
    await guarded.stop();
  }
});

test('a viewer that leaves while the chain is asked about it holds no seat', async () => {
  const node = await hangingNode(devnode.url);
  const guarded = await startServer(['--rpc-url', node.url, '--program-id', devnode.programId]);
  const sockets = [];
  try {
    const live = await liveOn(guarded.url, sockets);
    // The follow check takes a second; the viewer is gone after a fifth of it.
    node.delayMs = 1_000;
    const leaving = await connect(guarded.url);
    join(leaving, 'watch', follower, streamId);
    await settle(200);
    leaving.close();
    await settle(2_000);
    assert.equal((await guarded.metrics()).signaling_viewers, 0, 'no seat held by nobody');
    const told = receivedOf(live, 'watch', 'stopWatching').map(({ event }) => event);
    assert.ok(told.length === 0 || told.join() === 'watch,stopWatching', `the broadcaster was told ${told}`);
    // The follower comes back and is let in.
    node.delayMs = 0;
    const back = await connect(guarded.url);
    sockets.push(back);
    join(back, 'watch', follower, streamId);
    assert.deepEqual(await next(back, 'isStreaming'), [true]);
    assert.equal((await guarded.metrics()).signaling_viewers, 1);
  } finally {
    sockets.forEach((socket) => socket.close());
    node.close();
    await guarded.stop();
  }
});

test('floods of joins with wrong signatures and of long addresses are cut off per address', async (t) => {
  const before = memory(server.pid).rss;
  // 50 connections from five addresses send `watch` with a wrong signature, 30 times
  // a second each (within the per-connection burst), half of them with a 20 KB user
  // id, until the sign-in deadline closes them a second in.
  const attackers = await Promise.all(Array.from({ length: 50 }, (_, i) => connect(server.url, { localAddress: `127.0.4.${1 + (i % 5)}` })));
  const flood = setInterval(() => {
    attackers.forEach((socket, i) => {
      const claimed = i % 2 ? stranger.id : 'x'.repeat(20_000);
      for (let n = 0; n < 3; n += 1) socket.emit('watch', claimed, { streamId, signedMsg: `0x${'ab'.repeat(64)}` });
    });
  }, 100);
  // Eight loops of requests naming a 60 KB address (hyper answers 414 to a URI of 64 KiB).
  let looping = true;
  const statuses = [];
  const loops = Array.from({ length: 8 }, async () => {
    while (looping) {
      const response = await fetch(`${server.url}/is-already-having-stream?address=${'5'.repeat(60_000)}`);
      statuses.push(response.status);
      await response.text();
    }
  });
  try {
    await settle(500);
    await honestJoin();
  } finally {
    clearInterval(flood);
    looping = false;
    await Promise.all(loops);
    attackers.forEach((socket) => socket.close());
  }
  const refusals = new Set(attackers.flatMap((socket) => socket.received)
    .filter(({ event }) => event === 'error').map(({ args }) => args[0].message));
  assert.ok(refusals.has('Too many joins from your address: wait a moment'), [...refusals].join('\n'));
  assert.ok(refusals.has("Signature isn't valid: sign this connection's latest challenge with the claimed account"));
  assert.ok(statuses.includes(400) && statuses.includes(429), `statuses: ${[...new Set(statuses)]} of ${statuses.length}`);
  grewLessThan(t, before, 32);
});

test("an account's joins are limited on all its connections together", async () => {
  const sockets = await Promise.all(Array.from({ length: 4 }, (_, i) => connect(server.url, { localAddress: `127.0.5.${i + 1}` })));
  try {
    // An account of its own, whose allowance no other test spent. The demo stream is
    // not live: each join is refused once signed in, and counted.
    const account = devKey('//account-limit');
    sockets.forEach((socket) => {
      for (let n = 0; n < 5; n += 1) join(socket, 'watch', account, streamId);
    });
    await settle(500);
    const refusals = sockets.flatMap((socket) => socket.received)
      .filter(({ event }) => event === 'error').map(({ args }) => args[0].message);
    const limited = refusals.filter((text) => text === 'Too many joins by this account: wait a moment');
    // A burst of 10 of the 20, and a few more as the allowance refills at 2 a second.
    assert.ok(limited.length >= 8 && limited.length <= 10, `${limited.length} of 20 limited`);
  } finally {
    sockets.forEach((socket) => socket.close());
  }
});

test('the sign-in text names the server the client reached, among its own', async () => {
  const named = await startServer(['--public-url', 'https://signal.example/,https://backup.example'], devnode);
  try {
    const textOf = async (headers) => {
      const socket = await connect(named.url, headers ? { extraHeaders: { Origin: 'http://localhost:3000', ...headers } } : {});
      socket.close();
      return socket.challenge;
    };
    const direct = await textOf();
    assert.match(direct.text, new RegExp(`^Sign in to the w3bstreaming signaling server at ${named.url}\nNonce: ${direct.nonce}\nExpires: \\w{3}, \\d\\d \\w{3} \\d{4} \\d\\d:\\d\\d:\\d\\d GMT$`));
    assert.ok(direct.text.endsWith(new Date(direct.expiresAt - (direct.expiresAt % 1000)).toUTCString()));
    const backup = await textOf({ Host: 'backup.example' });
    assert.match(backup.text, /^Sign in to the w3bstreaming signaling server at https:\/\/backup\.example\n/);
    // A host that is not the server's gets its first URL, never the one it named.
    const other = await textOf({ Host: 'evil.example' });
    assert.match(other.text, /^Sign in to the w3bstreaming signaling server at https:\/\/signal\.example\n/);
  } finally {
    await named.stop();
  }
  await honestJoin();
});

test('refusals are counted, not logged: a flood of them writes almost nothing', async (t) => {
  // A server of its own, with the default limits, so that what earlier attacks left
  // on the shared one does not decide what this one counts.
  const own = await startServer(['--max-connections-per-address', String(PER_ADDRESS)], devnode);
  const sockets = [];
  try {
    const logged = own.logs().length;
    // Ten addresses, two connections each, refused at every event: not signed in, not
    // broadcasting, not a peer, too fast. One address opens more than its share.
    for (let n = 0; n < 20; n += 1) sockets.push(await rawSocketOrError(own.url, `127.0.5.${1 + (n % 10)}`));
    for (let n = 0; n < PER_ADDRESS + 5; n += 1) sockets.push(await rawSocketOrError(own.url, '127.0.5.20'));
    const open = sockets.filter((ws) => !(ws instanceof Error));
    assert.equal(open.length, 20 + PER_ADDRESS);
    let sent = 0;
    const flood = setInterval(() => {
      for (const ws of open.slice(0, 20)) {
        ws.send('42["stopBroadcasting","",{"streamId":"x"}]');
        ws.send(`42["offer","${broadcaster.id}",{"userId":"${follower.id}","description":{"type":"offer","sdp":"v=0"}}]`);
        ws.send('42["watch","",{"streamId":"x"}]');
        sent += 3;
      }
    }, 10);
    await honestJoin(own.url);
    await settle(2000);
    clearInterval(flood);
    await settle(500);

    const written = own.logs().length - logged;
    const refused = await counted('signaling_refusals_total', own);
    const closedAtAccept = await counted('signaling_refused_connections_total{cap="address"}', own);
    t.diagnostic(`${sent} events sent, ${refused} refusals and ${closedAtAccept} connections refused counted; ${written} bytes logged`);
    assert.ok(refused > 1000, `refusals counted: ${refused}`);
    assert.equal(closedAtAccept, 5);
    assert.ok(written < 2048, `${written} bytes logged:\n${own.logs().slice(logged, logged + 600)}`);
  } finally {
    sockets.forEach((ws) => { if (!(ws instanceof Error)) ws.close(); });
    await own.stop();
  }
});
