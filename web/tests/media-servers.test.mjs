// Live video through two media servers (two real Janus instances), through the UI:
// Alice publishes once, to one; it relays her stream to the other; her followers are
// spread over both, pick their layer on either, and those of one that dies go on
// from the other (docs/live.md, "Several media servers"). A viewer whose link cannot
// carry the larger layer gets the smaller one on Auto. Loopback only
// (scripts/loopback-only.sh).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startJanus } from 'w3bstreaming-testkit/signaling';
import { gone, launchBrowser, shown, startStack, until } from './support.mjs';
import {
  decoding,
  goLive,
  limitLink,
  LIMITED_PORTS,
  line,
  player,
  playback,
  streamPage as liveStreamPage,
  tellOnFailure,
} from './live-support.mjs';

const janus = [];
let stack;
let viewers;
let alice;
const watching = {};

/// What the `select` shows: its picked option's text.
const shownPick = (select) => select.evaluate((element) => element.selectedOptions[0]?.textContent);

before(async () => {
  janus.push(await startJanus({ rtpPorts: '24000-24999' }));
  janus.push(await startJanus({ secret: janus[0].secret, rtpPorts: LIMITED_PORTS }));
  stack = await startStack(['--demo'], {
    live: true,
    signalingArgs: [
      '--janus-url',
      janus.map((j) => j.url).join(','),
      '--janus-api-secret',
      janus[0].secret,
      // Auto tries the larger layer again after 3 s without losses.
      '--auto-layer-up-ms',
      '3000',
    ],
  });
  viewers = await launchBrowser({ media: true });
});

after(async () => {
  await viewers?.close();
  await stack?.stop();
  await Promise.all(janus.map((j) => j.stop()));
});

tellOnFailure(
  {
    signaling: () => stack?.signaling.logs(),
    janus: () => janus.map((j) => j.logs()).join('\n--- the second media server ---\n'),
  },
  () => ({ Alice: alice, ...watching }),
);

/// The hub's figures of each media server.
async function servers() {
  const metrics = await stack.signaling.metrics();
  const of = (name) => [0, 1].map((n) => metrics[`signaling_media_server_${name}{server="${n}"}`]);
  return { up: of('up'), load: of('load') };
}

test('the broadcaster publishes to one media server; followers on both receive and pick their layer', async () => {
  alice = await liveStreamPage(stack, stack.browser, 'Alice');
  await goLive(alice);
  // Bob lands on the relay (nobody there yet), Charlie on the origin (one each).
  for (const name of ['Bob', 'Charlie']) {
    watching[name] = await liveStreamPage(stack, viewers, name);
    await player(watching[name]).getByRole('button', { name: 'Watch' }).click();
    await decoding(watching[name], (width) => width === 640);
  }
  assert.deepEqual(await servers(), { up: [1, 1], load: [2, 1] });
  const [origin] = await janus[0].rooms();
  const [relay] = await janus[1].rooms();
  assert.equal(origin.num_participants, 1);
  assert.equal(relay.num_participants, 1);
  const { participants } = await janus[1].ask({ request: 'listparticipants', room: relay.room });
  assert.equal(participants[0].remote, true, 'the relay stands for the broadcaster');

  // The relay carries all the layers: Bob's menu switches them there as on the origin.
  const quality = player(watching.Bob).getByLabel('Quality');
  await quality.selectOption({ label: 'Low' });
  await decoding(watching.Bob, (width) => width === 320);
  await quality.selectOption({ label: 'Auto' });
  await decoding(watching.Bob, (width) => width === 640);
  for (const page of [alice, ...Object.values(watching)]) assert.deepEqual(page.errors, []);
});

test('a viewer whose link cannot carry the larger layer gets the smaller one on Auto, and the larger once it can', async () => {
  const bob = watching.Bob;
  const quality = player(bob).getByLabel('Quality');
  assert.equal(await quality.inputValue(), 'auto');
  const limitedAt = Date.now();
  const unlimit = limitLink('400kbit');
  try {
    await until(async () => (await shownPick(quality)) === 'Auto (Low)', 'Auto (Low)');
    const loweredMs = Date.now() - limitedAt;
    await shown(player(bob).getByText('Your connection is losing video', { exact: false }));
    await decoding(bob, (width) => width === 320);
    // Charlie's link was never limited.
    await decoding(watching.Charlie, (width) => width === 640);
    console.log(`# a limited link: Auto (Low) shown ${loweredMs} ms after the limit`);
  } finally {
    unlimit();
  }
  const unlimitedAt = Date.now();
  await until(async () => (await shownPick(quality)) === 'Auto', 'Auto at the larger layer');
  console.log(
    `# the limit lifted: Auto back at the larger layer ${Date.now() - unlimitedAt} ms after`,
  );
  await gone(player(bob).getByText('Your connection is losing video', { exact: false }));
  await decoding(bob, (width) => width === 640);
  assert.equal(await quality.inputValue(), 'auto');
});

test("the relay's media server dies: its viewer goes on from the other, through the media server still", async () => {
  const before = await playback(watching.Bob);
  await janus[1].kill();
  await until(async () => (await playback(watching.Bob)).made > before.made, 'a new offer for Bob');
  await decoding(watching.Bob, (width) => width === 640);
  await shown(line(player(watching.Bob)).getByText('Playing, through the media server.'));
  await shown(line(player(watching.Charlie)).getByText('Playing, through the media server.'));
  assert.deepEqual(await servers(), { up: [1, 0], load: [3, 0] });
  // Still one connection from the broadcaster.
  const sending = await alice.evaluate(
    () => window.peers.filter((pc) => pc.connectionState === 'connected').length,
  );
  assert.equal(sending, 1);
  assert.equal((await playback(watching.Bob)).peers, 1);
});

test('the media server the stream was published to dies: the page publishes to the other, and every viewer goes on through it', async () => {
  janus[1] = await startJanus({
    secret: janus[0].secret,
    rtpPorts: LIMITED_PORTS,
    port: janus[1].port,
  });
  await until(async () => (await servers()).up[1] === 1, 'the second media server up again');
  const before = {};
  for (const name of ['Bob', 'Charlie']) before[name] = await playback(watching[name]);
  const killedAt = Date.now();
  await janus[0].kill();
  for (const name of ['Bob', 'Charlie']) {
    const page = watching[name];
    await until(
      async () => (await playback(page)).made > before[name].made,
      `a new offer for ${name}`,
    );
    await decoding(page, (width) => width === 640);
    await shown(line(player(page)).getByText('Playing, through the media server.'));
  }
  console.log(`# the origin killed: both viewers decode again ${Date.now() - killedAt} ms after`);
  assert.deepEqual(await servers(), { up: [0, 1], load: [0, 3] });
  const [room] = await janus[1].rooms();
  const { participants } = await janus[1].ask({ request: 'listparticipants', room: room.room });
  assert.equal(participants[0].remote, undefined, 'the broadcaster publishes there itself');
  // Alice sends one copy still: to the media server that took her stream.
  const sending = await alice.evaluate(
    () => window.peers.filter((pc) => pc.connectionState === 'connected').length,
  );
  assert.equal(sending, 1);
});
