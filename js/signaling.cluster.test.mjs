// Several signaling instances sharing one hub through a real redis-server (Debian's),
// all on loopback: a broadcaster on one instance and viewers on others meet, their
// counts agree, and an instance killed mid-stream has its streams ended, and its
// viewers removed, for everyone on the others (docs/signaling.md, "More than one
// instance").
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  startDevnode, startServer, startRedis, devKey, connect, next, nextError, join, rawSocket, settle, receivedOf,
} from 'w3bstreaming-testkit/signaling';
import { send } from 'w3bstreaming-testkit/devnode';

let devnode;
let redis;
let broadcaster;
let follower;
let second;
let streamId;
const servers = [];
const sockets = [];

const instance = async (args = []) => {
  const server = await startServer(['--redis-url', redis.url, '--count-interval-ms', '200', ...args], devnode);
  servers.push(server);
  return server;
};

const open = async (server, options) => {
  const socket = await connect(server.url, options);
  sockets.push(socket);
  return socket;
};

before(async () => {
  devnode = await startDevnode(['--demo', '--demo-viewers', '1']);
  [broadcaster, follower, second] = ['//Alice', '//Bob', '//viewer-0'].map(devKey);
  streamId = devnode.demo.streamId;
  redis = await startRedis();
});

after(async () => {
  sockets.forEach((socket) => socket.close());
  await Promise.all(servers.map((server) => server.stop()));
  await redis?.stop();
  await devnode?.stop();
});

const offer = { type: 'offer', sdp: 'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n' };
const answer = { type: 'answer', sdp: 'v=0\r\no=- 3 4 IN IP4 127.0.0.1\r\n' };
const candidate = { candidate: 'candidate:1 1 udp 2122260223 127.0.0.1 54321 typ host', sdpMid: '0' };

/// The arguments of the first `event` of `socket` not taken yet that `wanted` accepts.
async function until(socket, event, wanted) {
  for (;;) {
    const args = await next(socket, event);
    if (wanted(...args)) return args;
  }
}

/// Once `socket` is told the count is `count`.
const toldCount = (socket, count) => until(socket, 'watchersCount', (told) => told === count);

test('a broadcaster on one instance and viewers on two meet, and their counts agree', async () => {
  const [a, b] = await Promise.all([instance(), instance()]);
  const listener = await open(b);
  listener.emit('listen', '', { streamIds: [streamId] });

  const live = await open(a);
  join(live, 'broadcast', broadcaster, streamId);
  assert.deepEqual(await next(live, 'isStreaming'), [true]);
  assert.deepEqual(await next(listener, 'streamStatus'), [{ streamId, live: true, watchers: 0 }]);
  const asked = await fetch(`${b.url}/is-already-having-stream?address=${broadcaster.id}`);
  assert.equal(await asked.json(), true, 'the other instance knows she is live');

  const viewer = await open(b);
  join(viewer, 'watch', follower, streamId);
  assert.deepEqual(await next(live, 'watch'), [follower.id, { streamId }]);
  assert.deepEqual(await next(viewer, 'isStreaming'), [true]);
  const firstIn = viewer.received.findIndex(({ event }) => event === 'iceServers');
  assert.ok(firstIn >= 0 && firstIn < viewer.received.findIndex(({ event }) => event === 'isStreaming'), 'ICE servers first');

  live.emit('offer', broadcaster.id, { description: offer, userId: follower.id, streamId });
  assert.deepEqual(await next(viewer, 'offer'), [broadcaster.id, { streamId, userId: follower.id, description: offer }]);
  viewer.emit('answer', broadcaster.id, { description: answer });
  assert.equal((await next(live, 'answer'))[1].description.sdp, answer.sdp);
  viewer.emit('candidate', broadcaster.id, { candidate });
  assert.deepEqual(await next(live, 'candidate'), [follower.id, { streamId, candidate }]);
  live.emit('candidate', follower.id, { candidate });
  assert.deepEqual(await next(viewer, 'candidate'), [broadcaster.id, { streamId, candidate }]);

  // A second viewer, on the broadcaster's own instance: both instances count two.
  const other = await open(a);
  join(other, 'watch', second, streamId);
  await toldCount(other, 2);
  await toldCount(viewer, 2);
  for (const socket of [viewer, other]) socket.emit('getWatchersCount', '', { streamId });
  assert.deepEqual(await next(viewer, 'watchersCount'), [2]);
  assert.deepEqual(await next(other, 'watchersCount'), [2]);
  const metrics = await Promise.all([a, b].map((server) => server.metrics()));
  assert.deepEqual(metrics.map((m) => [m.signaling_live_streams, m.signaling_viewers]), [[1, 2], [1, 2]]);

  // A viewer on another instance leaves: the broadcaster hears it.
  viewer.emit('stopWatching', follower.id, { streamId });
  assert.deepEqual(await next(live, 'stopWatching'), [follower.id, { streamId }]);
  live.emit('stopBroadcasting', broadcaster.id, { streamId });
  assert.deepEqual(await next(other, 'stopBroadcasting'), [broadcaster.id, { streamId, userId: second.id }]);
  await until(listener, 'streamStatus', ({ live }) => !live);
  await Promise.all([a.stop(), b.stop()]);
});

test("an instance killed mid-stream: its stream ends for the viewers on the others, and its viewers leave", async (t) => {
  const [a, b, c] = await Promise.all([instance(), instance(), instance()]);
  const live = await open(a);
  join(live, 'broadcast', broadcaster, streamId);
  assert.deepEqual(await next(live, 'isStreaming'), [true]);
  const viewer = await open(b);
  join(viewer, 'watch', follower, streamId);
  await next(live, 'watch');
  const doomed = await open(c);
  join(doomed, 'watch', second, streamId);
  await toldCount(viewer, 2);

  // The viewers' instance dies: the broadcaster hears its viewer leave.
  let killed = Date.now();
  await c.kill();
  assert.deepEqual(await next(live, 'stopWatching'), [second.id, { streamId }]);
  t.diagnostic(`a dead viewer's instance: its viewer left ${Date.now() - killed} ms after the kill`);
  await toldCount(viewer, 1);

  // The broadcaster's instance dies: the viewer on the other hears the stream end.
  killed = Date.now();
  await a.kill();
  assert.deepEqual(await next(viewer, 'stopBroadcasting'), [broadcaster.id, { streamId, userId: follower.id }]);
  t.diagnostic(`a dead broadcaster's instance: its stream ended ${Date.now() - killed} ms after the kill`);
  await until(viewer, 'isStreaming', (live) => !live);

  // The broadcaster reconnects to the instance left and goes live again.
  const again = await open(b);
  join(again, 'broadcast', broadcaster, streamId);
  assert.deepEqual(await next(again, 'isStreaming'), [true]);
  again.emit('stopBroadcasting', broadcaster.id, { streamId });
  assert.deepEqual(await next(again, 'isStreaming'), [false]);
  await b.stop();
});

/// Asks the test's redis-server `command`; its answer as text.
const redisCli = (...command) => execFileSync('redis-cli', ['-p', String(redis.port), ...command]).toString().trim();
const LOG = 'w3bstreaming:signaling:log';

test('strangers write nothing to the shared log: what the hub would refuse is refused before it', async (t) => {
  const [a, b] = await Promise.all([instance(), instance()]);
  const entriesBefore = Number(redisCli('XLEN', LOG));
  const bytesBefore = Number(redisCli('MEMORY', 'USAGE', LOG, 'SAMPLES', '0') || 0);

  // Strangers on both instances from five addresses, none signed in: they listen (so
  // they stay), then leave, end and relay what they are not part of, with stream ids
  // short and far too long, and close. Two of them sign in with keys that follow
  // nobody (their watch is refused) and relay to the honest accounts.
  const long = 'x'.repeat(4096);
  const strangers = await Promise.all(Array.from({ length: 20 }, (_, n) => rawSocket(
    (n % 2 ? a : b).url, { localAddress: `127.0.0.${2 + (n % 5)}` },
  )));
  const packet = (event, ...args) => `42${JSON.stringify([event, ...args])}`;
  let sent = 0;
  const flood = setInterval(() => {
    strangers.forEach((ws, n) => {
      const id = n % 3 ? `stream-${sent}` : long;
      for (const frame of [
        packet('listen', '', { streamIds: [streamId] }),
        packet('stopWatching', '', { streamId: id }),
        packet('stopWatching', follower.id, { streamId }),
        packet('stopBroadcasting', broadcaster.id, { streamId: id }),
        packet('offer', broadcaster.id, { description: offer, userId: follower.id, streamId }),
        packet('answer', broadcaster.id, { description: answer }),
        packet('candidate', follower.id, { candidate }),
      ]) {
        ws.send(frame);
        sent += 1;
      }
    });
  }, 20);
  const signedIn = await Promise.all(['//stranger-0', '//stranger-1'].map(async (uri) => {
    const key = devKey(uri);
    const socket = await open(a);
    join(socket, 'watch', key, streamId);
    await nextError(socket);
    return socket;
  }));
  const signedInFlood = setInterval(() => {
    for (const socket of signedIn) {
      socket.emit('offer', broadcaster.id, { description: offer, userId: follower.id, streamId });
      socket.emit('answer', broadcaster.id, { description: answer });
      socket.emit('candidate', follower.id, { candidate });
    }
  }, 20);

  // Meanwhile a broadcaster on one instance and her follower on the other meet.
  const live = await open(a);
  join(live, 'broadcast', broadcaster, streamId);
  assert.deepEqual(await next(live, 'isStreaming'), [true]);
  const viewer = await open(b);
  join(viewer, 'watch', follower, streamId);
  assert.deepEqual(await next(live, 'watch'), [follower.id, { streamId }]);
  live.emit('offer', broadcaster.id, { description: offer, userId: follower.id, streamId });
  assert.deepEqual(await next(viewer, 'offer'), [broadcaster.id, { streamId, userId: follower.id, description: offer }]);
  await settle(2000);
  clearInterval(flood);
  clearInterval(signedInFlood);
  strangers.forEach((ws) => ws.close());
  signedIn.forEach((socket) => socket.close());
  await settle(500);

  // The honest ones wrote their broadcast, join and offer; nothing else is there.
  const entries = Number(redisCli('XLEN', LOG)) - entriesBefore;
  const grown = Number(redisCli('MEMORY', 'USAGE', LOG, 'SAMPLES', '0')) - bytesBefore;
  t.diagnostic(`strangers sent ${sent} packets and more; the log grew by ${entries} entries, ${grown} bytes`);
  assert.ok(sent > 5000, `the flood ran (${sent})`);
  assert.ok(entries <= 4, `${entries} entries in the log`);
  assert.ok(grown < 16 * 1024, `the log grew by ${grown} bytes`);
  live.emit('stopBroadcasting', broadcaster.id, { streamId });
  assert.deepEqual(await next(viewer, 'stopBroadcasting'), [broadcaster.id, { streamId, userId: follower.id }]);
  await Promise.all([a.stop(), b.stop()]);
});

test('the log stays within --log-max-bytes, however much peers relay to each other', async (t) => {
  const maxBytes = 2 * 1024 * 1024;
  const [a, b] = await Promise.all([1, 2].map(() => instance(['--log-max-bytes', String(maxBytes)])));
  const live = await open(a);
  join(live, 'broadcast', broadcaster, streamId);
  assert.deepEqual(await next(live, 'isStreaming'), [true]);
  const viewers = [];
  for (const key of [follower, second]) {
    const viewer = await open(b);
    join(viewer, 'watch', key, streamId);
    await next(live, 'watch');
    viewers.push(viewer);
  }
  // Answers as large as the server relays (16,384 bytes of JSON), as fast as the
  // event limit lets two viewers send them, for four seconds.
  const line = 'a=x-padding:0123456789abcdef0123456789abcdef\r\n';
  const big = { type: 'answer', sdp: `v=0\r\n${line.repeat(Math.floor(16_000 / (line.length + 2)))}` };
  assert.ok(JSON.stringify(big).length <= 16_384);
  const flood = setInterval(() => viewers.forEach((viewer) => viewer.emit('answer', broadcaster.id, { description: big })), 25);
  await settle(4000);
  clearInterval(flood);
  await settle(500);
  const relayed = live.received.filter(({ event }) => event === 'answer').length;
  const bytes = Number(redisCli('MEMORY', 'USAGE', LOG, 'SAMPLES', '0'));
  t.diagnostic(`${relayed} answers of 16 KB relayed through the log; it holds ${bytes} bytes (at most ${maxBytes})`);
  assert.ok(relayed * 16_000 > 2 * maxBytes, `the answers (${relayed}) were more than the log may hold`);
  assert.ok(bytes <= maxBytes, `the log holds ${bytes} bytes`);
  live.emit('stopBroadcasting', broadcaster.id, { streamId });
  await Promise.all(viewers.map((viewer) => next(viewer, 'stopBroadcasting')));
  await Promise.all([a.stop(), b.stop()]);
});

test('an instance refuses a log too small for a hundred entries', async () => {
  await assert.rejects(
    startServer(['--redis-url', redis.url, '--log-max-bytes', '100000'], devnode),
    /--log-max-bytes: 100000 bytes hold 5 entries of the log; it needs room for 100/,
  );
});

test('a new instance starts from the hub of those up', async () => {
  const a = await instance();
  const live = await open(a);
  join(live, 'broadcast', broadcaster, streamId);
  assert.deepEqual(await next(live, 'isStreaming'), [true]);
  const viewer = await open(a);
  join(viewer, 'watch', follower, streamId);
  await next(live, 'watch');

  const late = await instance();
  const listener = await open(late);
  listener.emit('listen', '', { streamIds: [streamId] });
  assert.deepEqual(await next(listener, 'streamStatus'), [{ streamId, live: true, watchers: 1 }]);
  const newcomer = await open(late);
  join(newcomer, 'watch', second, streamId);
  assert.deepEqual(await next(live, 'watch'), [second.id, { streamId }]);
  await toldCount(newcomer, 2);
  live.emit('stopBroadcasting', broadcaster.id, { streamId });
  assert.deepEqual(await next(newcomer, 'stopBroadcasting'), [broadcaster.id, { streamId, userId: second.id }]);
  await Promise.all([a.stop(), late.stop()]);
});

test('instances behind a proxy without sticky sessions serve websockets only', async () => {
  const a = await instance(['--websocket-only']);
  const polling = await fetch(`${a.url}/socket.io/?EIO=4&transport=polling`);
  assert.equal(polling.status, 400, 'no long-polling session, which would live on one instance');
  const socket = await open(a);
  assert.ok(socket.connected);
  await a.stop();
});

test('an instance that cannot reach Redis does not start', async () => {
  await assert.rejects(
    startServer(['--redis-url', 'redis://127.0.0.1:9/'], devnode),
    /cannot reach Redis at redis:\/\/127\.0\.0\.1:9\//,
  );
});

test('while Redis is out of reach changes are refused, and they go through once it is back', async () => {
  const own = await startRedis();
  const a = await startServer(['--redis-url', own.url], devnode);
  servers.push(a);
  const live = await open(a);
  join(live, 'broadcast', broadcaster, streamId);
  assert.deepEqual(await next(live, 'isStreaming'), [true]);
  await own.stop();
  const viewer = await open(a);
  join(viewer, 'watch', follower, streamId);
  assert.equal(await nextError(viewer), 'The signaling servers cannot reach each other right now, try again later');
  const back = await startRedis(own.port);
  try {
    join(viewer, 'watch', follower, streamId);
    assert.deepEqual(await next(live, 'watch'), [follower.id, { streamId }]);
    live.emit('stopBroadcasting', broadcaster.id, { streamId });
    assert.deepEqual(await next(viewer, 'stopBroadcasting'), [broadcaster.id, { streamId, userId: follower.id }]);
    await a.stop();
  } finally {
    await back.stop();
  }
});

test('a Redis restart ends no stream: live instances are not declared gone', async () => {
  // A second stream, Charlie's, which Bob follows.
  const charlie = devKey('//Charlie');
  const start = Date.now() + 60_000;
  const scheduled = await send(devnode, charlie, {
    NewStream: { title: 'Restart drill', description: null, start_time: start, end_time: start + 3_600_000, img_link: '' },
  });
  const drill = scheduled.event.streamIsScheduled.id;
  const followed = await send(devnode, follower, { Subscribe: { account_id: charlie.id } });
  assert.ok(followed.event || /already/.test(followed.error), JSON.stringify(followed));

  const own = await startRedis();
  const onOwn = () => startServer(['--redis-url', own.url, '--count-interval-ms', '200'], devnode);
  const [a, b] = [await onOwn(), await onOwn()];
  let back;
  try {
    // Alice live on a, Bob watching her from b; Charlie live on b, Bob watching him from a.
    const [alice, charlieLive] = [await open(a), await open(b)];
    join(alice, 'broadcast', broadcaster, streamId);
    join(charlieLive, 'broadcast', charlie, drill);
    assert.deepEqual(await next(alice, 'isStreaming'), [true]);
    assert.deepEqual(await next(charlieLive, 'isStreaming'), [true]);
    const [bobOnB, bobOnA] = [await open(b), await open(a)];
    join(bobOnB, 'watch', follower, streamId);
    join(bobOnA, 'watch', follower, drill);
    assert.deepEqual(await next(alice, 'watch'), [follower.id, { streamId }]);
    assert.deepEqual(await next(charlieLive, 'watch'), [follower.id, { streamId: drill }]);
    const everyone = [alice, charlieLive, bobOnB, bobOnA];
    const told = () => everyone.flatMap((socket) => receivedOf(socket, 'stopBroadcasting', 'stopWatching')
      .concat(receivedOf(socket, 'isStreaming').filter(({ args }) => args[0] === false)));

    await own.stop();
    await settle(500);
    back = await startRedis(own.port);
    // Past the time an instance that stopped beating is declared gone, twice over.
    await settle(8_000);
    assert.deepEqual(told(), [], 'nobody told a stream ended');
    assert.deepEqual(everyone.map((socket) => socket.connected), [true, true, true, true], 'nobody dropped');
    for (const server of [a, b]) {
      for (const account of [broadcaster, charlie]) {
        const asked = await fetch(`${server.url}/is-already-having-stream?address=${account.id}`);
        assert.equal(await asked.json(), true, `${server.url} knows ${account.id} is live`);
      }
    }
    // And the hub still works across them.
    alice.emit('offer', broadcaster.id, { userId: follower.id, description: offer });
    assert.equal((await next(bobOnB, 'offer'))[1].description.sdp, offer.sdp);
    charlieLive.emit('offer', charlie.id, { userId: follower.id, description: offer });
    assert.equal((await next(bobOnA, 'offer'))[1].description.sdp, offer.sdp);
  } finally {
    await a.stop();
    await b.stop();
    await (back ?? own).stop();
  }
});
