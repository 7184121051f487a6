// Two signaling instances sharing one hub through Redis and one media server (a real
// Janus): the broadcaster publishes through one, viewers on both are subscribed by the
// instance that holds them, and the end reaches everyone (docs/live.md, "The media
// server"); a stream key made on one opens the other, and either ends an encoder's
// session (docs/live.md, "OBS and other encoders").
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startDevnode, startServer, startRedis, startJanus, devKey, connect, next, nextRefusal, join, settle,
  signRaw, until,
} from 'w3bstreaming-testkit/signaling';
import { sendOnlyOffer, watchWithoutBrowser } from 'w3bstreaming-testkit/peers';
import { SKETCH_OFFER, whipPost, whipPublish } from 'w3bstreaming-testkit/whip';

// werift's own connection setup takes about 6 s here (docs/live.md, "Benchmark").
const CONNECT_TIMEOUT_MS = 10_000;
let devnode;
let redis;
let janus;
const servers = [];
const closing = [];

before(async () => {
  devnode = await startDevnode(['--demo', '--demo-viewers', '1']);
  redis = await startRedis();
  janus = await startJanus({ iceInterface: null });
  for (let i = 0; i < 2; i += 1) {
    servers.push(await startServer([
      '--redis-url', redis.url, ...janus.args,
      '--media-connect-timeout-ms', String(CONNECT_TIMEOUT_MS),
    ], devnode));
  }
});

after(async () => {
  await Promise.all(closing.map((close) => close()));
  await Promise.all(servers.map((server) => server.stop()));
  await janus?.stop();
  await redis?.stop();
  await devnode?.stop();
});

const media = async (server) => {
  const metrics = await server.metrics();
  return {
    publishers: metrics.signaling_media_publishers,
    subscribers: metrics.signaling_media_subscribers,
    timeouts: metrics['signaling_media_timeouts_total{kind="subscriber"}'] ?? 0,
  };
};

test('each instance subscribes its own viewers to a feed published through another', async () => {
  const [one, two] = servers;
  const streamId = devnode.demo.streamId;
  const alice = devKey('//Alice');
  const broadcaster = await connect(one.url);
  closing.push(() => broadcaster.close());
  join(broadcaster, 'broadcast', alice, streamId);
  assert.deepEqual(await next(broadcaster, 'route'), [{ streamId, via: 'mediaServer' }]);
  const publisher = await sendOnlyOffer();
  closing.push(() => publisher.close());
  broadcaster.emit('publish', alice.id, { streamId, description: publisher.description });
  const [{ description }] = await next(broadcaster, 'published');
  await publisher.answer(description);

  // Bob through the other instance, viewer-0 through the same one.
  const bob = await watchWithoutBrowser(two.url, devKey('//Bob'), streamId);
  const near = await watchWithoutBrowser(one.url, devKey('//viewer-0'), streamId);
  closing.push(bob.close, near.close);
  const [from] = await next(bob.socket, 'offer');
  assert.equal(from, alice.id, 'the media server’s offer comes as the broadcaster’s');
  await next(near.socket, 'offer');
  // Both subscriptions come up, and are still held past the connect timeout.
  for (let waited = 0; bob.connection() !== 'connected' || near.connection() !== 'connected'; waited += 100) {
    assert.ok(waited < CONNECT_TIMEOUT_MS, `both viewers connect: ${bob.connection()}, ${near.connection()}`);
    await settle(100);
  }
  await settle(CONNECT_TIMEOUT_MS);
  assert.deepEqual(await media(one), { publishers: 1, subscribers: 1, timeouts: 0 });
  assert.deepEqual(await media(two), { publishers: 0, subscribers: 1, timeouts: 0 });

  broadcaster.emit('stopBroadcasting', alice.id, { streamId });
  const [ended] = await next(bob.socket, 'stopBroadcasting');
  assert.equal(ended, alice.id);
  await next(near.socket, 'stopBroadcasting');
  await settle();
  assert.deepEqual(await media(one), { publishers: 0, subscribers: 0, timeouts: 0 });
  assert.deepEqual(await media(two), { publishers: 0, subscribers: 0, timeouts: 0 });
  assert.deepEqual(await janus.rooms(), []);
});

test("a stream key made on one instance opens the other, either ends the encoder's session, and without Redis none opens", async () => {
  const [one, two] = servers;
  const streamId = devnode.demo.streamId;
  const alice = devKey('//Alice');
  const socket = await connect(one.url);
  closing.push(() => socket.close());
  socket.emit('createStreamKey', alice.id, { signedMsg: signRaw(alice, socket.challenge.text), encodedId: alice.address });
  const [made] = await next(socket, 'streamKey');
  const path = `/whip/${encodeURIComponent(streamId)}`;
  const encoder = await whipPublish(`${two.url}${path}`, made.key);
  closing.push(encoder.close);
  assert.equal(encoder.status, 201, encoder.text);
  const bob = await watchWithoutBrowser(one.url, devKey('//Bob'), streamId);
  closing.push(bob.close);
  await until(() => bob.stats().frames > 10, 'frames from the encoder, through the other instance');
  const ended = await fetch(`${one.url}${encoder.headers.get('location')}`, {
    method: 'DELETE', headers: { Authorization: `Bearer ${made.key}` },
  });
  assert.equal(ended.status, 200);
  await next(bob.socket, 'stopBroadcasting');
  await until(async () => (await janus.rooms()).length === 0, 'the room to go');
  await encoder.close();

  // Revoked on the first instance, the key ends the stream it opened on the second
  // (which looks at its encoders' keys every 2 s).
  const again = await whipPublish(`${two.url}${path}`, made.key);
  closing.push(again.close);
  assert.equal(again.status, 201, again.text);
  const watching = await watchWithoutBrowser(one.url, devKey('//Bob'), streamId);
  closing.push(watching.close);
  await until(() => watching.stats().frames > 10, 'frames from the encoder again');
  socket.emit('revokeStreamKey', alice.id, { id: made.id });
  await next(watching.socket, 'stopBroadcasting', 10_000);
  await until(async () => (await janus.rooms()).length === 0, 'the room to go');
  await again.close();

  await redis.stop();
  socket.emit('createStreamKey', alice.id, {});
  assert.equal((await nextRefusal(socket)).reason, 'stream_keys_unavailable');
  const refused = await whipPost(`${two.url}${path}`, made.key, SKETCH_OFFER);
  assert.equal(refused.status, 503, refused.text);
  assert.match(refused.text, /Stream keys cannot be read right now/);
});
