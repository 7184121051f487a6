// Live video through the media server (Janus), through the UI: Alice goes live and
// publishes once; her followers receive from Janus, which only the signaling server
// can talk to. Loopback only (scripts/loopback-only.sh), a real Janus
// (scripts/janus.sh), the local chain and the signaling server.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startJanus } from 'w3bstreaming-testkit/signaling';
import { SKETCH_OFFER, whipPost, whipPublish } from 'w3bstreaming-testkit/whip';
import { gone, launchBrowser, shown, startStack, until } from './support.mjs';
import {
  decoding,
  goLive,
  line,
  player,
  playback,
  streamPage as liveStreamPage,
  studio,
  tellOnFailure,
} from './live-support.mjs';

let janus;
let stack;
let viewers;
let alice;
const watching = {};

before(async () => {
  janus = await startJanus();
  stack = await startStack(['--demo'], {
    live: true,
    // A viewer who unfollows stops watching within a second or two.
    signalingArgs: [...janus.args, '--recheck-follows-ms', '500', '--cache-ttl-ms', '500'],
  });
  viewers = await launchBrowser({ media: true });
});

after(async () => {
  await viewers?.close();
  await stack?.stop();
  await janus?.stop();
});

tellOnFailure({ signaling: () => stack?.signaling.logs(), janus: () => janus?.logs() }, () => ({
  Alice: alice,
  ...watching,
}));

const streamPage = (browser, name) => liveStreamPage(stack, browser, name);

/// The signaling server's media figures now.
async function media() {
  const metrics = await stack.signaling.metrics();
  return {
    publishers: metrics.signaling_media_publishers,
    subscribers: metrics.signaling_media_subscribers,
  };
}

test('the broadcaster publishes once and three followers receive from the media server', async () => {
  alice = await streamPage(stack.browser, 'Alice');
  await goLive(alice);
  for (const name of ['Bob', 'Charlie', 'Dave']) {
    watching[name] = await streamPage(viewers, name);
    await player(watching[name]).getByRole('button', { name: 'Watch' }).click();
  }
  for (const page of Object.values(watching)) await decoding(page);
  await shown(line(studio(alice)).getByText('3 viewers watching', { exact: false }));
  // One connection from the broadcaster, whatever the audience.
  const sent = await alice.evaluate(
    () => window.peers.filter((pc) => pc.connectionState !== 'closed').length,
  );
  assert.equal(sent, 1);
  assert.deepEqual(await media(), { publishers: 1, subscribers: 3 });
  for (const page of [alice, ...Object.values(watching)]) assert.deepEqual(page.errors, []);
});

test('a viewer picks the quality: the media server sends that layer of the picture', async () => {
  const bob = watching.Bob;
  await shown(line(player(bob)).getByText('Playing, through the media server.'));
  const quality = player(bob).getByLabel('Quality');
  assert.equal(await quality.inputValue(), 'auto');
  // The fake camera is 640x480: two layers, half of it and all of it (Medium is the
  // larger one when there are two).
  await decoding(bob, (width) => width === 640);
  await quality.selectOption({ label: 'Low' });
  await decoding(bob, (width) => width === 320);
  await quality.selectOption({ label: 'Medium' });
  await decoding(bob, (width) => width === 640);
  await quality.selectOption({ label: 'Low' });
  await decoding(bob, (width) => width === 320);
  await quality.selectOption({ label: 'High' });
  await decoding(bob, (width) => width === 640);
  // Charlie, on Auto all along, kept the full picture.
  await decoding(watching.Charlie, (width) => width === 640);
  assert.equal((await playback(bob)).peers, 1, 'one connection all along');
});

test('a non-follower gets nothing, nor does a stranger who talks to Janus itself', async () => {
  const ferdie = await streamPage(viewers, 'Ferdie');
  watching.Ferdie = ferdie;
  await player(ferdie).getByRole('button', { name: 'Watch' }).click();
  await shown(
    line(player(ferdie)).getByText('Only followers of Alice Demo can watch.', { exact: false }),
  );
  const seen = await playback(ferdie);
  assert.equal(seen.framesDecoded, 0);
  assert.equal(seen.made, 0, 'no peer connection was ever offered');
  assert.deepEqual(await media(), { publishers: 1, subscribers: 3 });

  // Janus answers nothing without the API secret: no session, so no room, no feed.
  for (const apisecret of [undefined, 'guess', janus.secret.slice(1)]) {
    const response = await fetch(janus.url, {
      method: 'POST',
      body: JSON.stringify({ janus: 'create', transaction: 't', apisecret }),
    });
    const answer = await response.json();
    assert.equal(answer.janus, 'error', JSON.stringify(answer));
    assert.equal(answer.error.code, 403);
  }
});

test('a viewer who follows receives; one who unfollows stops receiving, and is told why', async () => {
  const ferdie = watching.Ferdie;
  await ferdie.getByRole('main').getByRole('button', { name: 'Follow', exact: true }).click();
  await decoding(ferdie);
  assert.deepEqual(await media(), { publishers: 1, subscribers: 4 });
  await ferdie.getByRole('main').getByRole('button', { name: 'Unfollow' }).first().click();
  await shown(
    line(player(ferdie)).getByText('Only followers of Alice Demo can watch.', { exact: false }),
  );
  await until(async () => (await media()).subscribers === 3, 'the subscription to end');
  assert.equal((await playback(ferdie)).peers, 0);
  await ferdie.context().close();
});

test('a viewer who leaves stops receiving; the others go on', async () => {
  const dave = watching.Dave;
  await player(dave).getByRole('button', { name: 'Leave' }).click();
  await shown(player(dave).getByRole('button', { name: 'Watch' }));
  await until(async () => (await media()).subscribers === 2, 'the subscription to end');
  assert.equal((await playback(dave)).peers, 0);
  await decoding(watching.Bob);
  await decoding(watching.Charlie);
});

test('a subscription the media server cannot make: the player says so, and tries again', async () => {
  // The room goes behind the signaling server's back (the test has Janus's secret).
  await janus.destroyRooms();
  const dave = watching.Dave;
  await player(dave).getByRole('button', { name: 'Watch' }).click();
  const said = line(player(dave));
  await shown(
    said.getByText('The media server cannot take this stream right now', { exact: false }),
  );
  await shown(said.getByText('Trying again', { exact: false }));
  await dave.context().close();
});

test('the broadcaster ends the stream: every viewer is told, and the room is gone', async () => {
  await studio(alice).getByRole('button', { name: 'End stream' }).click();
  for (const name of ['Bob', 'Charlie']) {
    await shown(line(player(watching[name])).getByText('The stream has ended', { exact: false }));
  }
  await until(async () => {
    const now = await media();
    return now.publishers === 0 && now.subscribers === 0;
  }, 'every handle to go');
  assert.deepEqual(await janus.rooms(), []);
});

test('the broadcaster makes a stream key, an encoder publishes with it over WHIP, and the followers watch it', async () => {
  // Her page stays open, but its camera is off air: the encoder is live instead.
  const panel = alice.getByRole('region', { name: 'Stream from OBS' });
  await panel.getByRole('button', { name: 'Stream keys…' }).click();
  const dialog = alice.getByRole('dialog', { name: 'Stream from OBS or another encoder' });
  await shown(dialog.getByText('None yet.'));
  const endpoint = await dialog.getByRole('textbox', { name: 'Server' }).inputValue();
  assert.equal(
    endpoint,
    `${stack.signaling.url}/whip/${encodeURIComponent(stack.devnode.demo.streamId)}`,
  );
  await dialog.getByRole('button', { name: 'Create a stream key' }).click();
  const key = await dialog.getByRole('textbox', { name: 'Your new stream key' }).inputValue();
  const listed = dialog.getByRole('list', { name: 'Your stream keys' }).getByRole('listitem');
  await shown(listed);
  assert.equal(await listed.count(), 1);
  assert.ok(!(await listed.first().innerText()).includes(key), 'the list never shows a key');

  const encoder = await whipPublish(endpoint, key);
  assert.equal(encoder.status, 201, encoder.text);
  // Bob and Charlie were waiting for her to come back: the encoder is her.
  for (const name of ['Bob', 'Charlie']) {
    await shown(line(player(watching[name])).getByText('Playing, through the media server.'));
    await decoding(watching[name], (width) => width === 320);
  }
  // Her page shows the stream live from elsewhere: not hers to go live over, but hers
  // to end.
  await dialog.getByRole('button', { name: 'Close' }).click();
  const mine = studio(alice);
  await shown(mine.getByText('from an encoder or another tab', { exact: false }));
  await shown(mine.getByText('2 viewers watching'));
  assert.ok(await mine.getByRole('button', { name: 'Go live' }).isDisabled());
  await mine.getByRole('button', { name: 'End stream' }).click();
  for (const name of ['Bob', 'Charlie']) {
    await shown(line(player(watching[name])).getByText('The stream has ended', { exact: false }));
  }
  await gone(mine.getByText('from an encoder or another tab', { exact: false }));
  assert.equal(await encoder.stop(), 404, 'its session ended with the stream');
  await panel.getByRole('button', { name: 'Stream keys…' }).click();

  // Revoked, the key starts nothing.
  await dialog.getByRole('button', { name: /^Revoke key / }).click();
  await shown(dialog.getByText('None yet.'));
  const refused = await whipPost(endpoint, key, SKETCH_OFFER);
  assert.equal(refused.status, 401, refused.text);
  await dialog.getByRole('button', { name: 'Close' }).click();
  await gone(dialog);
});

async function goLiveAgain() {
  await alice.context().close();
  alice = await streamPage(stack.browser, 'Alice');
  await goLive(alice);
}

test('Janus dies mid-stream: the viewers go on, peer to peer from the broadcaster', async () => {
  // Bob and Charlie were waiting for her to come back.
  await goLiveAgain();
  for (const name of ['Bob', 'Charlie']) {
    await shown(line(player(watching[name])).getByText('Playing, through the media server.'));
  }
  assert.equal((await janus.rooms()).length, 1);
  await janus.kill();
  for (const name of ['Bob', 'Charlie']) {
    await shown(line(player(watching[name])).getByText('Playing, peer to peer.'));
    await decoding(watching[name], (width) => width === 640);
  }
  // Now one connection for each viewer.
  const sending = await alice.evaluate(
    () => window.peers.filter((pc) => pc.connectionState === 'connected').length,
  );
  assert.equal(sending, 2);
  assert.deepEqual(await media(), { publishers: 0, subscribers: 0 });
  await shown(line(studio(alice)).getByText('2 viewers watching', { exact: false }));
});

test('with the media server down, a stream goes live peer to peer', async () => {
  await studio(alice).getByRole('button', { name: 'End stream' }).click();
  await shown(line(player(watching.Bob)).getByText('The stream has ended', { exact: false }));
  await goLiveAgain();
  await shown(line(player(watching.Bob)).getByText('Playing, peer to peer.'));
  await decoding(watching.Bob);
  const metrics = await stack.signaling.metrics();
  assert.equal(metrics.signaling_media_fallbacks_total, 1);
  assert.deepEqual([...alice.errors, ...watching.Bob.errors], []);
});
