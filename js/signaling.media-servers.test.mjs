// Two media servers (real Janus instances) behind two signaling instances sharing one
// hub through Redis (docs/live.md, "Several media servers"): a stream published to
// one is relayed to the other, viewers are spread over both by load, the viewers of
// one that dies move to the other, and one that comes back takes the next stream.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startDevnode, startServer, startRedis, startJanus, devKey, connect, next, receivedOf, signRaw, until,
} from 'w3bstreaming-testkit/signaling';
import { watchWithoutBrowser } from 'w3bstreaming-testkit/peers';
import { whipPublish } from 'w3bstreaming-testkit/whip';

// werift's own connection setup takes about 6 s here (docs/live.md, "Benchmark").
const CONNECT_TIMEOUT_MS = 10_000;
let devnode;
let redis;
const janus = [];
const servers = [];
const closing = [];
let streamId;
let key;

before(async () => {
  devnode = await startDevnode(['--demo', '--demo-viewers', '3']);
  streamId = devnode.demo.streamId;
  redis = await startRedis();
  janus.push(await startJanus({ iceInterface: null }));
  janus.push(await startJanus({ iceInterface: null, secret: janus[0].secret }));
  for (let i = 0; i < 2; i += 1) {
    servers.push(await startServer([
      '--redis-url', redis.url,
      '--janus-url', janus.map((j) => j.url).join(','), '--janus-api-secret', janus[0].secret,
      '--media-connect-timeout-ms', String(CONNECT_TIMEOUT_MS),
    ], devnode));
  }
  const alice = devKey('//Alice');
  const socket = await connect(servers[0].url);
  closing.push(() => socket.close());
  socket.emit('createStreamKey', alice.id, { signedMsg: signRaw(alice, socket.challenge.text), encodedId: alice.address });
  [{ key }] = await next(socket, 'streamKey');
});

after(async () => {
  await Promise.all(closing.map((close) => close()));
  await Promise.all(servers.map((server) => server.stop()));
  await Promise.all(janus.map((j) => j?.stop()));
  await redis?.stop();
  await devnode?.stop();
});

/// The media tier's figures of `server`, by media server.
async function figures(server) {
  const metrics = await server.metrics();
  const of = (name) => [0, 1].map((n) => metrics[`signaling_media_server_${name}{server="${n}"}`]);
  return { up: of('up'), load: of('load'), relays: metrics.signaling_media_relays };
}

/// What each media server holds: its rooms, and in each the participants' kinds.
async function rooms(j) {
  const found = [];
  for (const { room } of await j.rooms()) {
    const { participants } = await j.ask({ request: 'listparticipants', room });
    found.push(participants.map((p) => (p.remote ? 'remote' : 'publisher')));
  }
  return found;
}

const frames = (viewer) => viewer.stats().frames;

/// Waits for `viewer` to count `more` frames past what it has now.
async function moreFrames(viewer, more = 20) {
  const from = frames(viewer);
  await until(() => frames(viewer) >= from + more, `${more} more frames`, 40_000);
}

let encoder;
let viewers;

test('a stream is published to one media server, relayed to the other, and its viewers spread over both', async () => {
  encoder = await whipPublish(`${servers[0].url}/whip/${encodeURIComponent(streamId)}`, key);
  closing.push(() => encoder.close());
  assert.equal(encoder.status, 201, encoder.text);
  // One media server holds the broadcaster's publisher, the other a remote publisher
  // that stands for it.
  assert.deepEqual(await rooms(janus[0]), [['publisher']]);
  assert.deepEqual(await rooms(janus[1]), [['remote']]);

  // Through either instance, by the loads they share: the relay (load 0) first, then
  // the origin (its stream counts 1), then the relay again.
  viewers = [];
  for (const [who, server] of [['//Bob', 1], ['//viewer-0', 0], ['//viewer-1', 1]]) {
    const viewer = await watchWithoutBrowser(servers[server].url, devKey(who), streamId);
    closing.push(viewer.close);
    viewers.push(viewer);
    await next(viewer.socket, 'offer');
  }
  for (const viewer of viewers) await moreFrames(viewer, 40);
  for (const viewer of viewers) assert.ok(viewer.stats().keyframes >= 1, JSON.stringify(viewer.stats()));
  for (const server of servers) {
    const { up, load } = await figures(server);
    assert.deepEqual({ up, load }, { up: [1, 1], load: [2, 2] });
  }
  assert.equal((await figures(servers[0])).relays, 1);
  assert.equal((await figures(servers[1])).relays, 0);
});

test("a media server that dies: its viewers move to the other, and the others' go on", async () => {
  const [bob, near, far] = viewers;
  const moved = [bob, far].map((viewer) => next(viewer.socket, 'offer', 20_000));
  const killedAt = Date.now();
  await janus[1].kill();
  await Promise.all(moved);
  const offeredMs = Date.now() - killedAt;
  await Promise.all([bob, far].map((viewer) => moreFrames(viewer)));
  const playingMs = Date.now() - killedAt;
  console.log(`# a dead media server's viewers: a new offer ${offeredMs} ms after the kill, frames again ${playingMs} ms after`);
  // The viewer on the living one was never moved: its frames kept coming.
  assert.equal(receivedOf(near.socket, 'offer').length, 1);
  await moreFrames(near);
  for (const server of servers) {
    await until(async () => (await figures(server)).load[0] === 4, 'every viewer on the living media server');
    const { up, load } = await figures(server);
    assert.deepEqual({ up, load }, { up: [1, 0], load: [4, 0] });
  }
  // The relay ended: the origin forwards nowhere.
  assert.equal((await figures(servers[0])).relays, 0);
  const [{ room }] = await janus[0].rooms();
  const { publishers } = await janus[0].ask({ request: 'listforwarders', room });
  assert.deepEqual(publishers.flatMap((p) => p.forwarders ?? []), []);
});

test('a media server started again is found up, and the next stream is relayed to it', async () => {
  janus[1] = await startJanus({ iceInterface: null, port: janus[1].port, secret: janus[0].secret });
  for (const server of servers) {
    await until(async () => (await figures(server)).up[1] === 1, 'the media server to be found up');
  }
  assert.equal(await encoder.stop(), 200);
  for (const viewer of viewers) await next(viewer.socket, 'stopBroadcasting');
  await until(async () => (await janus[0].rooms()).length === 0, 'the room to go');
  for (const viewer of viewers) await viewer.close();

  // Both unloaded now: the first takes the stream, and relays it to the one that came
  // back, where the next viewer goes.
  encoder = await whipPublish(`${servers[1].url}/whip/${encodeURIComponent(streamId)}`, key);
  assert.equal(encoder.status, 201, encoder.text);
  assert.deepEqual(await rooms(janus[0]), [['publisher']]);
  assert.deepEqual(await rooms(janus[1]), [['remote']]);
  const viewer = await watchWithoutBrowser(servers[0].url, devKey('//viewer-2'), streamId);
  closing.push(viewer.close);
  await moreFrames(viewer, 40);
  assert.deepEqual((await figures(servers[0])).load, [1, 1]);
  assert.equal(await encoder.stop(), 200);
  await next(viewer.socket, 'stopBroadcasting');
  for (const j of janus) await until(async () => (await j.rooms()).length === 0, 'every room to go');
});
