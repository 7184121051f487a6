// The signaling server end to end: npm socket.io-client sockets on 127.0.0.1, keys and
// signatures from @polkadot/keyring, and the program on the local chain (the devnode's
// demo world: Alice live on a stream, Bob who follows her, Ferdie who follows no one,
// and `//viewer-0`, a second follower).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startDevnode, startServer, devKey, signRaw, connect, next, nextError, nextRefusal, receivedOf, settle, join, rawSocket,
} from 'w3bstreaming-testkit/signaling';
import { send } from 'w3bstreaming-testkit/devnode';

const CHALLENGE_TTL_MS = 1_500;
let broadcaster;
let follower;
let stranger;
let secondFollower;
let devnode;
let server;
let streamId;
const sockets = [];

before(async () => {
  devnode = await startDevnode(['--demo', '--demo-viewers', '1']);
  [broadcaster, follower, stranger, secondFollower] = ['//Alice', '//Bob', '//Ferdie', '//viewer-0'].map(devKey);
  server = await startServer([
    '--challenge-ttl-ms', String(CHALLENGE_TTL_MS),
    '--ice-servers', 'stun:stun.example:3478,turn:turn.example:3478', '--turn-secret', 'test-secret',
    '--max-sdp-bytes', '4096',
    // A slow refill, so that what a burst gets through does not depend on how fast
    // the test machine sends it.
    '--rate-per-sec', '1', '--rate-burst', '60',
    // Counts told to the other viewers quickly.
    '--count-interval-ms', '200',
    // The tests keep their sockets open until the end, all from 127.0.0.1.
    '--max-connections-per-address', '1000',
  ], devnode);
  streamId = devnode.demo.streamId;
  assert.equal(devnode.demo.broadcaster.id, broadcaster.id, 'keys are made as the devnode makes them');
  assert.equal(devnode.demo.follower.id, follower.id);
  assert.equal(devnode.demo.stranger.id, stranger.id);
});

after(async () => {
  sockets.forEach((socket) => socket.close());
  await devnode?.stop();
  if (server) {
    assert.equal(await server.stop(), 0, 'SIGTERM shuts the server down cleanly');
    const logs = server.logs();
    assert.match(logs, /shutting down/);
    for (const secret of ['v=0', 'a=fingerprint', 'candidate:', 'test-secret', '<Bytes>']) {
      assert.ok(!logs.includes(secret), `the logs never contain ${secret}`);
    }
  }
});

const open = async (options) => {
  const socket = await connect(server.url, options);
  sockets.push(socket);
  return socket;
};

/// The broadcaster, live on the demo stream, with its socket.
async function goLive() {
  const socket = await open();
  join(socket, 'broadcast', broadcaster, streamId);
  assert.deepEqual(await next(socket, 'isStreaming'), [true]);
  return socket;
}

async function stopLive(socket) {
  socket.emit('stopBroadcasting', broadcaster.id, { streamId });
  assert.deepEqual(await next(socket, 'isStreaming'), [false]);
}

const offer = { type: 'offer', sdp: 'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\na=fingerprint:sha-256 00\r\n' };
const answer = { type: 'answer', sdp: 'v=0\r\no=- 3 4 IN IP4 127.0.0.1\r\n' };
const candidate = { candidate: 'candidate:1 1 udp 2122260223 127.0.0.1 54321 typ host', sdpMid: '0' };

test('a follower joins, gets the offer, and the pair trade answer and candidates', async () => {
  const live = await goLive();
  const [ice] = receivedOf(live, 'iceServers').map(({ args }) => args[0]);
  assert.deepEqual(ice[0], { urls: ['stun:stun.example:3478'] });
  assert.match(ice[1].username, new RegExp(`^\\d+:${broadcaster.id}$`));
  assert.equal(typeof ice[1].credential, 'string');

  const response = await fetch(`${server.url}/is-already-having-stream?address=${broadcaster.id}`);
  assert.equal(await response.json(), true);

  const viewer = await open();
  join(viewer, 'watch', follower, streamId);
  assert.deepEqual(await next(live, 'watch'), [follower.id, { streamId }]);
  assert.deepEqual(await next(viewer, 'watchersCount'), [1]);
  assert.deepEqual(await next(viewer, 'isStreaming'), [true]);
  const [viewerIce] = receivedOf(viewer, 'iceServers').map(({ args }) => args[0]);
  assert.match(viewerIce[1].username, new RegExp(`^\\d+:${follower.id}$`));

  live.emit('offer', broadcaster.id, { description: offer, userId: follower.id, streamId });
  assert.deepEqual(await next(viewer, 'offer'), [broadcaster.id, { streamId, userId: follower.id, description: offer }]);

  viewer.emit('answer', broadcaster.id, { watcherId: follower.id, description: answer });
  const [answerFrom, answered] = await next(live, 'answer');
  assert.equal(answerFrom, broadcaster.id);
  assert.deepEqual(answered, { streamId, userId: follower.id, watcherId: follower.id, description: answer });

  viewer.emit('candidate', broadcaster.id, { candidate, id: follower.address });
  assert.deepEqual(await next(live, 'candidate'), [follower.id, { streamId, candidate }]);
  live.emit('candidate', follower.id, { candidate, id: broadcaster.address });
  assert.deepEqual(await next(viewer, 'candidate'), [broadcaster.id, { streamId, candidate }]);

  viewer.emit('getWatchersCount', follower.id, { streamId });
  assert.deepEqual(await next(viewer, 'watchersCount'), [1]);
  viewer.emit('stopWatching', follower.id, { streamId });
  assert.deepEqual(await next(live, 'stopWatching'), [follower.id, { streamId }]);
  viewer.emit('getIsStreaming', follower.id, { streamId });
  assert.deepEqual(await next(viewer, 'isStreaming'), [true]);

  join(viewer, 'watch', follower, streamId);
  await next(live, 'watch');
  await stopLive(live);
  assert.deepEqual(await next(viewer, 'stopBroadcasting'), [broadcaster.id, { streamId, userId: follower.id }]);
});

test("the operator's metrics count sign-ins, joins, relays, refusals and chain queries", async () => {
  const before = await server.metrics();
  const grew = (after, name) => (after[name] ?? 0) - (before[name] ?? 0);
  const live = await goLive();
  const viewer = await open();
  join(viewer, 'watch', follower, streamId);
  await next(live, 'watch');
  live.emit('offer', broadcaster.id, { description: offer, userId: follower.id, streamId });
  await next(viewer, 'offer');
  viewer.emit('answer', broadcaster.id, { description: answer });
  await next(live, 'answer');
  viewer.emit('candidate', broadcaster.id, { candidate });
  await next(live, 'candidate');
  const outsider = await open();
  join(outsider, 'watch', stranger, streamId);
  assert.equal(await nextError(outsider), "You aren't subscribed to this speaker");

  const after = await server.metrics();
  assert.equal(grew(after, 'signaling_sign_ins_total'), 3);
  assert.equal(grew(after, 'signaling_joins_total{role="broadcaster"}'), 1);
  assert.equal(grew(after, 'signaling_joins_total{role="viewer"}'), 1);
  for (const kind of ['offer', 'answer', 'candidate']) {
    assert.equal(grew(after, `signaling_relays_total{kind="${kind}"}`), 1, kind);
  }
  assert.equal(grew(after, 'signaling_refusals_total{reason="not_subscribed"}'), 1);
  // The stranger's follow was never asked before; the other answers may be cached.
  assert.ok(grew(after, 'signaling_chain_queries_total{outcome="ok"}') >= 1);
  assert.equal(grew(after, 'signaling_chain_query_seconds_count'), grew(after, 'signaling_chain_queries_total{outcome="ok"}'));
  assert.equal(after.signaling_live_streams, 1);
  assert.equal(after.signaling_viewers, 1);
  assert.ok(after.signaling_connections >= 3);
  await stopLive(live);
  assert.equal((await server.metrics()).signaling_live_streams, 0);
  // Only on the operator's listener.
  assert.equal((await fetch(`${server.url}/metrics`)).status, 404);
});

test('the other viewers hear the new count, once per change', async () => {
  const live = await goLive();
  const first = await open();
  join(first, 'watch', follower, streamId);
  assert.deepEqual(await next(first, 'watchersCount'), [1]);
  const second = await open();
  join(second, 'watch', secondFollower, streamId);
  assert.deepEqual(await next(second, 'watchersCount'), [2]);
  assert.deepEqual(await next(first, 'watchersCount'), [2]);
  second.emit('stopWatching', secondFollower.id, { streamId });
  assert.deepEqual(await next(live, 'stopWatching'), [secondFollower.id, { streamId }]);
  assert.deepEqual(await next(first, 'watchersCount'), [1]);
  await settle(500);
  assert.deepEqual(receivedOf(first, 'watchersCount').map(({ args }) => args[0]), [1, 2, 1], 'nothing repeated');
  await stopLive(live);
});

/// Asserts `attempt` on a fresh socket gets `expected` as its error, and that the
/// live broadcaster heard nothing of it.
async function refusedWithoutRelay(expected, attempt) {
  const live = await goLive();
  const before = live.received.length;
  const socket = await open();
  const message = nextError(socket);
  await attempt(socket);
  assert.equal(await message, typeof expected === 'function' ? expected(socket) : expected);
  await settle();
  assert.deepEqual(live.received.slice(before), [], 'nothing reached the broadcaster');
  assert.deepEqual(receivedOf(socket, 'offer', 'watchersCount', 'isStreaming', 'iceServers'), []);
  await stopLive(live);
  return socket;
}

test('a non-follower is refused', async () => {
  await refusedWithoutRelay("You aren't subscribed to this speaker", (socket) => {
    join(socket, 'watch', stranger, streamId);
  });
});

test("an impostor claiming a follower's id with its own key is refused", async () => {
  await refusedWithoutRelay(
    `The signature is by ${stranger.id}, not by the claimed user ${follower.id}`,
    (socket) => join(socket, 'watch', stranger, streamId, { claimed: follower.id }),
  );
  // Not naming itself does not help: the signature does not verify as the follower's.
  await refusedWithoutRelay(
    "Signature isn't valid: sign this connection's latest challenge with the claimed account",
    (socket) => join(socket, 'watch', stranger, streamId, { claimed: follower.id, encodedId: follower.address }),
  );
});

test("a signature replayed on another connection is refused", async () => {
  const live = await goLive();
  const original = await open();
  const signedMsg = signRaw(follower, original.challenge.text);
  join(original, 'watch', follower, streamId, { signedMsg });
  await next(live, 'watch');
  const before = live.received.length;

  const attacker = await open();
  const message = nextError(attacker);
  join(attacker, 'watch', follower, streamId, { signedMsg });
  assert.equal(await message, "Signature isn't valid: sign this connection's latest challenge with the claimed account");
  // The old frontend's fixed message (its own address) is refused too: legacy is off.
  const legacy = nextError(attacker);
  join(attacker, 'watch', follower, streamId, { signedMsg: signRaw(follower, follower.address) });
  assert.match(await legacy, /^Signature isn't valid/);
  await settle();
  assert.deepEqual(live.received.slice(before), []);
  await stopLive(live);
});

test('an expired nonce is refused and a new challenge sent', async () => {
  const live = await goLive();
  const viewer = await open();
  const stale = viewer.challenge;
  await settle(CHALLENGE_TTL_MS + 100);
  const message = nextError(viewer);
  const fresh = next(viewer, 'challenge');
  join(viewer, 'watch', follower, streamId);
  assert.equal(await message, 'Your challenge has expired: sign the new one sent with this error');
  const [renewed] = await fresh;
  assert.notEqual(renewed.nonce, stale.nonce);
  assert.ok(renewed.expiresAt > stale.expiresAt);
  assert.deepEqual(receivedOf(live, 'watch'), []);
  join(viewer, 'watch', follower, streamId);
  assert.deepEqual(await next(live, 'watch'), [follower.id, { streamId }]);
  await stopLive(live);
});

test("a stranger's broadcast of someone else's stream is refused", async () => {
  const socket = await open();
  const message = nextError(socket);
  join(socket, 'broadcast', stranger, streamId);
  assert.equal(await message, `You are not the broadcaster of stream ${streamId}`);
  const unknown = nextError(socket);
  join(socket, 'broadcast', stranger, 'no such stream');
  assert.equal(await unknown, 'Stream with id no such stream is not scheduled on chain');
  await settle();
  // Signed in, but let into nothing: no TURN credentials either.
  assert.deepEqual(receivedOf(socket, 'isStreaming', 'iceServers'), []);
  const response = await fetch(`${server.url}/is-already-having-stream?address=${stranger.address}`);
  assert.equal(await response.json(), false);
  // The stream is free: its broadcaster can still go live.
  await stopLive(await goLive());
});

test('relays follow signed-in identities and stream membership, never claimed ids', async () => {
  const live = await goLive();
  const viewer = await open();
  join(viewer, 'watch', follower, streamId);
  await next(live, 'watch');
  const outsider = await open();

  let message = nextError(outsider);
  outsider.emit('offer', broadcaster.id, { description: offer, userId: follower.id, streamId });
  assert.equal(await message, 'Sign in first: watch or broadcast with this connection\'s signed challenge');

  // Signed in as itself (its broadcast was refused), the stranger is still no peer.
  message = nextError(outsider);
  join(outsider, 'broadcast', stranger, streamId);
  await message;
  message = nextError(outsider);
  outsider.emit('offer', stranger.id, { description: offer, userId: follower.id, streamId });
  assert.equal(await message, `${follower.id} is not watching your stream`);
  message = nextError(outsider);
  outsider.emit('candidate', follower.id, { candidate });
  assert.equal(await message, `${follower.id} is not a peer of yours in any stream`);
  message = nextError(outsider);
  outsider.emit('offer', broadcaster.id, { description: offer, userId: follower.id, streamId });
  assert.equal(await message, `This connection is signed in as ${stranger.id}: open another connection for another account`);
  message = nextError(outsider);
  outsider.emit('stopBroadcasting', stranger.id, { streamId });
  assert.equal(await message, `You are not broadcasting stream ${streamId}`);

  // A viewer cannot pose as the broadcaster either.
  message = nextError(viewer);
  viewer.emit('offer', follower.id, { description: offer, userId: follower.id, streamId });
  assert.equal(await message, `${follower.id} is not watching your stream`);
  await settle();
  assert.deepEqual(receivedOf(viewer, 'offer', 'candidate'), []);
  assert.deepEqual(receivedOf(live, 'answer', 'candidate', 'stopWatching'), []);
  await stopLive(live);
});

test('malformed and oversized messages get a clear error', async () => {
  const live = await goLive();
  const viewer = await open();
  join(viewer, 'watch', follower, streamId);
  await next(live, 'watch');
  const cases = [
    [() => viewer.emit('watch', { streamId }), 'Malformed watch: expected a user id and a message object'],
    [() => viewer.emit('watch', 42, { streamId }), 'Malformed watch: the first argument must be a user id'],
    [() => viewer.emit('getIsStreaming', follower.id, { stream: 1 }), /^Malformed getIsStreaming message: missing field `streamId`/],
    [() => viewer.emit('answer', 'nobody', { description: answer }), '"nobody" is not an account id'],
    [() => viewer.emit('answer', broadcaster.id, { description: { type: 'answer', sdp: 'x'.repeat(5_000) } }),
      /^SDP description is 50\d\d bytes, more than the 4096 relayed$/],
    [() => viewer.emit('candidate', broadcaster.id, { candidate: { candidate: 'x'.repeat(3_000) } }),
      /^ICE candidate is 30\d\d bytes, more than the 2048 relayed$/],
    [() => viewer.emit('watch', follower.id, { streamId: 'x'.repeat(300), signedMsg: '0x' }), 'Stream id is longer than 128 bytes'],
    // Refusals repeat no more than the start of a long input.
    [() => viewer.emit('answer', 'y'.repeat(20_000), { description: answer }),
      `"${'y'.repeat(64)}"… (20000 bytes) is not an account id`],
    [() => viewer.emit('listen', '', { streamIds: 'z'.repeat(20_000) }),
      new RegExp(`^Malformed listen message: invalid type: string "z{1,240}…$`)],
  ];
  for (const [send, expected] of cases) {
    const message = nextError(viewer);
    send();
    const text = await message;
    if (expected instanceof RegExp) assert.match(text, expected); else assert.equal(text, expected);
  }
  await settle();
  assert.deepEqual(receivedOf(live, 'answer', 'candidate'), []);
  await stopLive(live);
});

test('a connection sending too fast is slowed down', async () => {
  const socket = await open();
  for (let i = 0; i < 100; i += 1) socket.emit('getIsStreaming', stranger.id, { streamId });
  await settle(500);
  const answered = receivedOf(socket, 'isStreaming').length;
  const refused = receivedOf(socket, 'error').filter(({ args }) => args[0].message === 'Too many messages: slow down');
  // The burst of 60, plus one token a second while the 100 go out and settle.
  assert.ok(answered >= 60 && answered <= 63, `answered ${answered} of 100`);
  assert.equal(answered + refused.length, 100);
});

test('pages of other origins cannot connect', async () => {
  await assert.rejects(connect(server.url, { extraHeaders: { Origin: 'http://evil.example' } }), /websocket error/);
  await assert.rejects(
    connect(server.url, { transports: ['polling'], extraHeaders: { Origin: 'http://evil.example' } }),
    /xhr poll error/,
  );
  const polling = await open({ transports: ['polling'] });
  assert.ok(polling.challenge.text.startsWith(`Sign in to the w3bstreaming signaling server at ${server.url}\nNonce: ${polling.challenge.nonce}\nExpires: `));
  const health = await fetch(`${server.url}/healthz`);
  assert.equal(health.status, 200);
  // Nothing about what it serves, for strangers.
  assert.deepEqual(await health.json(), { status: 'ok' });
  const denied = await fetch(`${server.url}/healthz`, { headers: { Origin: 'http://evil.example' } });
  assert.equal(denied.status, 403);
});

test('when the chain cannot be asked, joins are refused (fail closed)', async () => {
  const unreachable = await startServer([
    '--rpc-url', 'http://127.0.0.1:9/', '--program-id', `0x${'11'.repeat(32)}`,
  ]);
  try {
    const socket = await connect(unreachable.url);
    const message = nextError(socket);
    join(socket, 'broadcast', broadcaster, streamId);
    assert.match(await message, /^Cannot check the chain right now, try again later \(the node cannot be reached: /);
    await settle();
    assert.deepEqual(receivedOf(socket, 'isStreaming'), []);
    socket.close();
  } finally {
    await unreachable.stop();
  }
});

test('anyone listening hears a stream go live, its count change and its end, without asking', async () => {
  const listener = await open();
  const other = 'not live';
  // Neither is live: nothing to tell at once.
  listener.emit('listen', '', { streamIds: [streamId, other] });
  const live = await goLive();
  assert.deepEqual(await next(listener, 'streamStatus'), [{ streamId, live: true, watchers: 0 }]);
  const viewer = await open();
  join(viewer, 'watch', follower, streamId);
  assert.deepEqual(await next(listener, 'streamStatus'), [{ streamId, live: true, watchers: 1 }]);
  // A newcomer is told at once what is live; a renewal tells nothing again.
  const newcomer = await open();
  newcomer.emit('listen', '', { streamIds: [other, streamId] });
  assert.deepEqual(await next(newcomer, 'streamStatus'), [{ streamId, live: true, watchers: 1 }]);
  listener.emit('listen', '', { streamIds: [other, streamId] });
  await stopLive(live);
  assert.deepEqual(await next(listener, 'streamStatus'), [{ streamId, live: false, watchers: 0 }]);
  await settle();
  assert.equal(receivedOf(listener, 'streamStatus').length, 3, 'nothing else');
  assert.equal(receivedOf(newcomer, 'streamStatus').length, 2);

  const message = nextError(listener);
  listener.emit('listen', '', { streamIds: Array.from({ length: 201 }, (_, i) => String(i)) });
  assert.equal(await message, 'Listen to at most 200 streams on one connection');
  const long = nextError(listener);
  listener.emit('listen', '', { streamIds: ['x'.repeat(129)] });
  assert.equal(await long, 'Stream id is longer than 128 bytes');
  const malformed = nextError(listener);
  listener.emit('listen', '', { streamIds: 'all' });
  assert.match(await malformed, /^Malformed listen message: /);
});

test('an event sent the moment the connection is acknowledged is not lost', async () => {
  // The web app's player listens as soon as it is connected; so do other clients. A
  // crowd at once, so that the server is busy when their events land.
  const live = await goLive();
  const crowd = await Promise.all(Array.from({ length: 30 }, async () => {
    const ws = await rawSocket(server.url);
    ws.send(`42${JSON.stringify(['listen', '', { streamIds: [streamId] }])}`);
    const told = new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), 5_000);
      ws.on('message', (data) => {
        if (!String(data).includes('"streamStatus"')) return;
        clearTimeout(timer);
        resolve(true);
      });
    });
    return { ws, told };
  }));
  const told = await Promise.all(crowd.map((one) => one.told));
  crowd.forEach(({ ws }) => ws.close());
  await stopLive(live);
  assert.equal(told.filter(Boolean).length, crowd.length);
});

test('a connection is told its caps first, and every refusal names its reason code beside its text', async () => {
  const socket = await open();
  assert.deepEqual(socket.received.slice(0, 2).map(({ event }) => event), ['caps', 'challenge']);
  const [caps] = socket.received[0].args;
  // As the server runs: --max-sdp-bytes 4096, the other caps at their defaults.
  assert.deepEqual(caps, { maxListened: 200, maxStreamIdBytes: 128, maxSdpBytes: 4096, maxCandidateBytes: 2048, idleMs: 300_000, mediaServer: false, maxChatBytes: 500 });
  const cases = [
    [() => socket.emit('offer', follower.id, { userId: broadcaster.id, description: offer }), 'sign_in_first',
      "Sign in first: watch or broadcast with this connection's signed challenge"],
    [() => socket.emit('watch', { streamId }), 'malformed', 'Malformed watch: expected a user id and a message object'],
    [() => socket.emit('listen', '', { streamIds: Array.from({ length: caps.maxListened + 1 }, (_, i) => String(i)) }),
      'too_many_listened', 'Listen to at most 200 streams on one connection'],
    [() => socket.emit('listen', '', { streamIds: ['x'.repeat(caps.maxStreamIdBytes + 1)] }), 'stream_id_too_long',
      'Stream id is longer than 128 bytes'],
    [() => join(socket, 'broadcast', follower, 'no such stream'), 'not_scheduled',
      'Stream with id no such stream is not scheduled on chain'],
    [() => join(socket, 'watch', follower, 'no such stream'), 'not_started', "Stream with id no such stream hasn't started yet"],
  ];
  for (const [attempt, reason, message] of cases) {
    const refusal = nextRefusal(socket);
    attempt();
    assert.deepEqual(await refusal, { message, reason });
  }
  // The caps themselves are allowed: the most streams, each with the longest id.
  const many = Array.from({ length: caps.maxListened }, (_, i) => `stream ${i} `.padEnd(caps.maxStreamIdBytes, 'x'));
  const refused = receivedOf(socket, 'error').length;
  socket.emit('listen', '', { streamIds: many });
  socket.emit('getIsStreaming', '', { streamId });
  await next(socket, 'isStreaming');
  assert.equal(receivedOf(socket, 'error').length, refused);
  assert.ok(socket.connected);
});

test('a non-follower told to follow, who does, can watch at once', async () => {
  const live = await goLive();
  const socket = await open();
  const refused = nextError(socket);
  join(socket, 'watch', stranger, streamId);
  assert.equal(await refused, "You aren't subscribed to this speaker");
  const follow = { Subscribe: { account_id: broadcaster.id } };
  assert.deepEqual((await send(devnode, stranger, follow)).event, { subscribed: null });
  try {
    join(socket, 'watch', stranger, streamId);
    assert.deepEqual(await next(live, 'watch'), [stranger.id, { streamId }]);
  } finally {
    const unfollow = { Unsubscribe: { account_id: broadcaster.id } };
    assert.deepEqual((await send(devnode, stranger, unfollow)).event, { unsubscribed: null });
    await stopLive(live);
  }
});
