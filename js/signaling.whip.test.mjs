// WHIP (RFC 9725) for encoders such as OBS: stream keys made on a signed-in
// connection, the endpoint's answers to every bad request (and nothing published for
// any), an encoder's stream watched as a browser's is, and its ends: a DELETE, an
// encoder that just goes, a revoked key. A real Janus (scripts/janus.sh) and a
// non-browser encoder (testkit/js/whip.mjs: werift sending real VP8 frames).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startDevnode, startServer, startJanus, devKey, connect, next, nextRefusal, signRaw, until,
} from 'w3bstreaming-testkit/signaling';
import { watchWithoutBrowser } from 'w3bstreaming-testkit/peers';
import { SKETCH_OFFER as offer, whipPost, whipPublish } from 'w3bstreaming-testkit/whip';

const MAX_SDP_BYTES = 8_192;
let devnode;
let janus;
let server;
let streamId;
let alice;
let bob;
let endpoint;
const keys = {};
const sockets = [];

before(async () => {
  devnode = await startDevnode(['--demo']);
  janus = await startJanus({ iceInterface: null });
  server = await startServer([
    '--max-sdp-bytes', String(MAX_SDP_BYTES), ...janus.args,
    // An encoder that sends nothing is let go soon (a werift viewer needs about 6 s
    // to connect).
    '--media-connect-timeout-ms', '8000',
  ], devnode);
  streamId = devnode.demo.streamId;
  [alice, bob] = ['//Alice', '//Bob'].map(devKey);
  endpoint = `${server.url}/whip/${encodeURIComponent(streamId)}`;
});

after(async () => {
  sockets.forEach((socket) => socket.close());
  await viewer?.close();
  await encoder?.close();
  await server?.stop();
  await janus?.stop();
  await devnode?.stop();
  const logs = server?.logs() ?? '';
  for (const secret of ['v=0', ...Object.values(keys)]) {
    assert.ok(!logs.includes(secret), 'the logs hold no SDP and no key');
  }
});

const open = async () => {
  const socket = await connect(server.url);
  sockets.push(socket);
  return socket;
};

/// Makes a stream key for `key`'s account on a new connection, signing its challenge.
async function makeKey(key) {
  const socket = await open();
  socket.emit('createStreamKey', key.id, {
    signedMsg: signRaw(key, socket.challenge.text),
    encodedId: key.address,
  });
  const [made] = await next(socket, 'streamKey');
  return { socket, made };
}

/// `key` with one character changed.
const altered = (key) => `${key.slice(0, 10)}${key[10] === 'x' ? 'y' : 'x'}${key.slice(11)}`;

/// What the media tier holds now.
async function published() {
  const metrics = await server.metrics();
  return { publishers: metrics.signaling_media_publishers, rooms: (await janus.rooms()).length };
}

test('a stream key is made only with a signature, shown once, listed without it, and revoked by its owner', async () => {
  const stranger = await open();
  stranger.emit('createStreamKey', alice.id, {});
  assert.equal((await nextRefusal(stranger)).reason, 'missing_signature');
  stranger.emit('createStreamKey', alice.id, { signedMsg: signRaw(bob, stranger.challenge.text) });
  assert.equal((await nextRefusal(stranger)).reason, 'bad_signature');
  stranger.emit('streamKeys', alice.id, {});
  assert.equal((await nextRefusal(stranger)).reason, 'missing_signature');

  // A connection signed in lists the account's keys: none yet.
  const lister = await open();
  lister.emit('streamKeys', alice.id, { signedMsg: signRaw(alice, lister.challenge.text) });
  assert.deepEqual(await next(lister, 'streamKeys'), [[]]);
  assert.equal((await next(lister, 'caps'))[0].mediaServer, true);

  const { socket, made } = await makeKey(alice);
  assert.match(made.key, /^w3bs_[A-Za-z0-9_-]{43}$/);
  assert.match(made.id, /^[0-9a-f]{8}$/);
  const [listed] = await next(socket, 'streamKeys');
  assert.deepEqual(listed, [{ id: made.id, createdAt: made.createdAt }]);
  keys.alice = made.key;

  // Signed in already, the connection makes another without signing again.
  socket.emit('createStreamKey', alice.id, {});
  const [second] = await next(socket, 'streamKey');
  assert.notEqual(second.key, made.key);
  assert.equal((await next(socket, 'streamKeys'))[0].length, 2);
  socket.emit('revokeStreamKey', alice.id, { id: second.id });
  assert.deepEqual((await next(socket, 'streamKeys'))[0], listed);
  keys.revoked = second.key;

  socket.emit('revokeStreamKey', alice.id, { id: 'x'.repeat(10_000) });
  const refusal = await nextRefusal(socket);
  assert.equal(refusal.reason, 'no_such_stream_key');
  assert.ok(refusal.message.length < 200, refusal.message);
  // Nobody else's connection revokes it.
  const other = await makeKey(bob);
  keys.bob = other.made.key;
  other.socket.emit('revokeStreamKey', bob.id, { id: made.id });
  assert.equal((await nextRefusal(other.socket)).reason, 'no_such_stream_key');
});

test('every bad request gets its WHIP status and the reason in words; nothing is published', async () => {
  const cases = [
    { why: 'no key', key: undefined, status: 401, text: /bearer token/ },
    { why: 'not a key', key: 'open sesame', status: 401, text: /not valid/ },
    { why: 'a revoked key', key: () => keys.revoked, status: 401, text: /revoked/ },
    { why: 'a key altered', key: () => altered(keys.alice), status: 401, text: /not valid/ },
    { why: "another account's stream", key: () => keys.bob, status: 403, text: /not the broadcaster/ },
    {
      why: 'a stream not on the schedule',
      key: () => keys.alice,
      at: `${server.url}/whip/${encodeURIComponent('1700000000000No such stream')}`,
      status: 404,
      text: /not scheduled/,
    },
    { why: 'not SDP', contentType: 'application/json', status: 415, text: /application\/sdp/ },
    { why: 'oversized', body: `${offer}${'a=x\r\n'.repeat(MAX_SDP_BYTES)}`, status: 413, text: /larger than/ },
    { why: 'not an offer', body: '{"type":"offer"}', status: 400, text: /not an SDP offer/ },
    { why: 'no media', body: 'v=0\r\ns=-\r\n', status: 400, text: /no media/ },
    // Past the endpoint's own checks, to Janus, which finds no ICE credentials in it.
    { why: 'an offer the media server cannot take', body: offer, status: 400, text: /cannot take this offer/ },
  ];
  for (const c of cases) {
    const key = typeof c.key === 'function' ? c.key() : 'key' in c ? c.key : keys.alice;
    const answer = await whipPost(c.at ?? endpoint, key, c.body ?? offer, { contentType: c.contentType });
    assert.equal(answer.status, c.status, `${c.why}: ${answer.text}`);
    assert.match(answer.text, c.text, c.why);
    if (c.status === 401) assert.equal(answer.headers.get('www-authenticate'), 'Bearer');
  }
  assert.deepEqual(await published(), { publishers: 0, rooms: 0 });
  const metrics = await server.metrics();
  assert.equal(metrics['signaling_whip_requests_total{kind="publish",outcome="unknown_key"}'], 3);
  assert.equal(metrics.signaling_live_streams, 0);
});

let encoder;
let viewer;

test("an encoder publishes with the key, and a follower receives its frames as from a browser's stream", async () => {
  encoder = await whipPublish(endpoint, keys.alice);
  assert.equal(encoder.status, 201, encoder.text);
  assert.equal(encoder.headers.get('content-type'), 'application/sdp');
  assert.match(encoder.text, /^v=0/);
  assert.match(encoder.headers.get('location'), new RegExp(`^/whip/${encodeURIComponent(streamId).replace(/[()]/g, '\\$&')}/[0-9a-f]{16}\\.`));
  viewer = await watchWithoutBrowser(server.url, bob, streamId);
  const seen = await until(() => {
    const stats = viewer.stats();
    return stats.frames >= 40 && stats.keyframes >= 1 && stats.audioPackets > 0 && stats;
  }, 'frames from the encoder');
  assert.ok(seen.frames >= 40, JSON.stringify(seen));
  assert.deepEqual(await published(), { publishers: 1, rooms: 1 });

  // The stream is live once: neither another encoder nor a browser takes it over.
  const again = await whipPost(endpoint, keys.alice, offer);
  assert.equal(again.status, 409, again.text);
  const browser = await open();
  browser.emit('broadcast', alice.id, { streamId, signedMsg: signRaw(alice, browser.challenge.text) });
  assert.equal((await nextRefusal(browser)).reason, 'already_broadcasting');
});

test('the session takes no trickle, is ended by its owner only, and its end reaches every viewer', async () => {
  const patch = await fetch(encoder.session, { method: 'PATCH', headers: { Authorization: `Bearer ${keys.alice}` } });
  assert.equal(patch.status, 405);
  const made = `${encoder.session.slice(0, encoder.session.lastIndexOf('.'))}.AAAAAAAAAAAAAAAA`;
  const other = await fetch(made, { method: 'DELETE', headers: { Authorization: `Bearer ${keys.alice}` } });
  assert.equal(other.status, 404);
  const stranger = await fetch(encoder.session, { method: 'DELETE', headers: { Authorization: `Bearer ${keys.bob}` } });
  assert.equal(stranger.status, 403);
  assert.equal(await encoder.stop(), 200);
  await next(viewer.socket, 'stopBroadcasting');
  await until(async () => (await published()).rooms === 0, 'the room to go');
  assert.deepEqual(await published(), { publishers: 0, rooms: 0 });
  await viewer.close();
});

test('an encoder that just goes ends its stream', async () => {
  encoder = await whipPublish(endpoint, keys.alice);
  assert.equal(encoder.status, 201, encoder.text);
  viewer = await watchWithoutBrowser(server.url, bob, streamId);
  await until(() => viewer.stats().frames > 0, 'frames from the encoder');
  await encoder.close();
  await next(viewer.socket, 'stopBroadcasting', 20_000);
  await until(async () => (await published()).rooms === 0, 'the room to go');
  await viewer.close();
  const metrics = await server.metrics();
  assert.equal(metrics.signaling_live_streams, 0);
});

/// Publishes with `key` and watches as Bob until his frames come.
async function encoderWithViewer(key) {
  encoder = await whipPublish(endpoint, key);
  assert.equal(encoder.status, 201, encoder.text);
  viewer = await watchWithoutBrowser(server.url, bob, streamId);
  await until(() => viewer.stats().frames > 0, 'frames from the encoder');
}

test("the account ends an encoder's stream from a page, with its own signature only", async () => {
  await encoderWithViewer(keys.alice);
  const page = await open();
  page.emit('endStream', alice.id, { streamId });
  assert.equal((await nextRefusal(page)).reason, 'missing_signature');
  const bobs = await open();
  bobs.emit('endStream', bob.id, { streamId, signedMsg: signRaw(bob, bobs.challenge.text) });
  assert.equal((await nextRefusal(bobs)).reason, 'not_broadcasting');
  assert.equal((await server.metrics()).signaling_live_streams, 1);
  page.emit('endStream', alice.id, { streamId, signedMsg: signRaw(alice, page.challenge.text) });
  await next(viewer.socket, 'stopBroadcasting');
  await until(async () => (await published()).rooms === 0, 'the room to go');
  // Nothing is live to end now.
  page.emit('endStream', alice.id, { streamId });
  assert.equal((await nextRefusal(page)).reason, 'not_broadcasting');
  await viewer.close();
  await encoder.close();
});

test('revoking a stream key ends the stream an encoder opened with it', async () => {
  const { socket, made } = await makeKey(alice);
  await encoderWithViewer(made.key);
  socket.emit('revokeStreamKey', alice.id, { id: made.id });
  await next(viewer.socket, 'stopBroadcasting');
  await until(async () => (await published()).rooms === 0, 'the room to go');
  assert.equal((await server.metrics()).signaling_live_streams, 0);
  // The other key opens a stream still.
  await encoderWithViewer(keys.alice);
  assert.equal(await encoder.stop(), 200);
  await next(viewer.socket, 'stopBroadcasting');
  await viewer.close();
});

test('with the media server down, an encoder is told to try later, and nothing is live', async () => {
  await janus.kill();
  const answer = await whipPost(endpoint, keys.alice, offer);
  assert.equal(answer.status, 503, answer.text);
  assert.match(answer.text, /media server cannot take this stream/);
  const metrics = await server.metrics();
  assert.equal(metrics.signaling_live_streams, 0);
});
