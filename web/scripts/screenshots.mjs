// Screenshots of the main pages for the README, on the local chain's demo world, as a
// visitor and as the demo accounts see them, live video included (Alice broadcasting
// the fake camera through the media server, Bob watching it and both chatting, at
// desktop and phone widths, and Alice's moderation controls, and her channel's
// moderators and bans on her account page): `npm run screenshots` (after `cargo build --release` and `npm run build`;
// it runs in a loopback-only network namespace) writes docs/screenshots/*.png, the
// stream-key dialog among them, Bob's player on a slow link (Auto on a smaller
// layer), and Alice's studio while an encoder is live with her key.
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { startJanus } from 'w3bstreaming-testkit/signaling';
import { whipPublish } from 'w3bstreaming-testkit/whip';
import { actAs, devKey, open, send, shown, startStack, until } from '../tests/support.mjs';
import { instrument, limitLink, LIMITED_PORTS, playback } from '../tests/live-support.mjs';

const out = fileURLToPath(new URL('../../docs/screenshots/', import.meta.url));
await mkdir(out, { recursive: true });
const janus = await startJanus({ rtpPorts: LIMITED_PORTS });
const stack = await startStack(['--demo'], { live: true, signalingArgs: janus.args });
const streamPath = `/stream/${encodeURIComponent(stack.devnode.demo.streamId)}`;
// Alice has a tip from Bob, and her channel a moderator and a ban, for her account page.
await send(
  stack.devnode,
  devKey('//Bob'),
  { Tip: { stream_id: stack.devnode.demo.streamId, message: 'See you live on Thursday!' } },
  3n * 10n ** 12n,
);
for (const [who, role] of [
  ['//Charlie', 'Moderator'],
  ['//Ferdie', 'Banned'],
]) {
  await send(stack.devnode, devKey('//Alice'), {
    SetChannelRole: { account_id: devKey(who).id, role },
  });
}
/// Screenshots `page` as `name` at a desktop's width, then as `name-phone` at a
/// phone's (390 px), where it stays.
async function atBothWidths(page, name, { fullPage = true } = {}) {
  for (const [suffix, viewport] of [
    ['', { width: 1280, height: 900 }],
    ['-phone', { width: 390, height: 844 }],
  ]) {
    await page.setViewportSize(viewport);
    await page.waitForTimeout(500);
    await page.screenshot({ path: `${out}${name}${suffix}.png`, fullPage });
    console.log(`docs/screenshots/${name}${suffix}.png`);
  }
}

const shots = [
  {
    name: 'schedule',
    path: '/',
    ready: (page) => shown(page.getByRole('link', { name: 'Speedrunning Gear IDEA' })),
  },
  {
    name: 'schedule-phone',
    path: '/',
    phone: true,
    ready: (page) => shown(page.getByRole('link', { name: 'Speedrunning Gear IDEA' })),
  },
  {
    name: 'stream',
    path: streamPath,
    as: 'Bob',
    ready: (page) => shown(page.getByRole('button', { name: 'Unfollow' })),
  },
  {
    name: 'stream-owner',
    path: streamPath,
    as: 'Alice',
    ready: (page) => shown(page.getByRole('button', { name: 'Delete stream' })),
  },
  {
    name: 'channel',
    path: `/channel/${stack.devnode.demo.broadcaster.address}`,
    as: 'Eve',
    ready: (page) => shown(page.getByRole('button', { name: 'Unfollow' })),
  },
  {
    name: 'account',
    path: '/account',
    as: 'Bob',
    ready: (page) =>
      shown(
        page
          .getByRole('region', { name: 'Streams you marked to watch' })
          .getByRole('link', { name: 'Vara validator Q&A' }),
      ),
  },
  {
    name: 'account-roles',
    path: '/account',
    as: 'Alice',
    ready: async (page) => {
      await shown(page.getByRole('region', { name: 'Tips received' }).getByText('3 VARA'));
      await shown(
        page
          .getByRole('region', { name: 'Moderators and bans' })
          .getByRole('button', { name: 'Lift the ban: Ferdie Demo' }),
      );
    },
  },
];
try {
  for (const shot of shots) {
    const page = await open(stack, shot.path);
    if (shot.phone) await page.setViewportSize({ width: 390, height: 844 });
    if (shot.as) await actAs(page, shot.as);
    await shot.ready(page);
    // Let the images decode and the countdowns settle.
    await page.waitForTimeout(500);
    await page.screenshot({ path: `${out}${shot.name}.png`, fullPage: true });
    await page.context().close();
    console.log(`docs/screenshots/${shot.name}.png`);
  }

  const person = async (name) => {
    const context = await stack.browser.newContext({
      viewport: { width: 1280, height: 900 },
      timezoneId: 'Europe/Berlin',
      locale: 'en-GB',
    });
    await instrument(context);
    const page = await context.newPage();
    await page.goto(stack.app.url + streamPath);
    await actAs(page, name);
    return page;
  };
  const alice = await person('Alice');
  const studio = alice.getByRole('region', { name: 'Broadcast' });
  await studio.getByRole('button', { name: 'Turn on camera and microphone' }).click();
  await studio.getByRole('button', { name: 'Go live' }).click();
  const bob = await person('Bob');
  await bob
    .getByRole('region', { name: /^Live video/ })
    .getByRole('button', { name: 'Watch' })
    .click();
  await until(async () => (await playback(bob)).framesDecoded > 20, 'Bob’s video');
  await shown(studio.getByText('1 viewer watching'));
  await shown(studio.getByText('sending', { exact: false }));
  await alice.screenshot({ path: `${out}broadcasting.png`, fullPage: true });
  console.log('docs/screenshots/broadcasting.png');
  await shown(bob.getByLabel('Quality'));
  // A few words in the chat beside the video.
  const chat = (page) => page.getByRole('region', { name: 'Chat' });
  for (const [page, text] of [
    [alice, 'Welcome! Today: how the schedule is stored on chain.'],
    [bob, 'Hi Alice, watching from Berlin.'],
    [alice, 'Questions go here, I read them all.'],
  ]) {
    await chat(page).getByLabel('Message', { exact: true }).fill(text);
    await chat(page).getByRole('button', { name: 'Send' }).click();
    await shown(chat(bob).getByText(text));
  }
  // Bob tips, and the chat shows it highlighted once the chain confirms it.
  const tip = chat(bob).getByRole('form', { name: 'Tip the broadcaster' });
  await tip.getByLabel('Amount in VARA').fill('5');
  await tip.getByLabel('Message (optional)').fill('For the storage deep dive, thanks!');
  await tip.getByRole('button', { name: 'Tip', exact: true }).click();
  await shown(chat(alice).getByText('tipped 5 VARA'));
  await shown(tip.getByText('You tipped 5 VARA', { exact: false }));
  await atBothWidths(bob, 'watching');
  // Alice's own chat, with her moderation controls and slow mode on.
  await chat(alice).getByLabel('Slow mode').selectOption({ label: '30 s' });
  await shown(chat(bob).getByText('Slow mode: one message every 30 s'));
  await atBothWidths(alice, 'moderating');

  // Bob's link limited: Auto gives him the smaller layer, and says so.
  const unlimit = limitLink('400kbit');
  try {
    await shown(bob.getByText('Your connection is losing video', { exact: false }));
    await bob.waitForTimeout(2000);
    await atBothWidths(bob, 'watching-slow');
  } finally {
    unlimit();
  }

  // The stream-key dialog, with a key just made (a throwaway stack's).
  await alice
    .getByRole('region', { name: 'Stream from OBS' })
    .getByRole('button', { name: 'Stream keys…' })
    .click();
  const keys = alice.getByRole('dialog', { name: 'Stream from OBS or another encoder' });
  await shown(keys.getByText('None yet.'));
  await keys.getByRole('button', { name: 'Create a stream key' }).click();
  await shown(keys.getByRole('textbox', { name: 'Your new stream key' }));
  // The dialog is modal: the page behind it is not what is shown.
  await atBothWidths(alice, 'stream-key', { fullPage: false });

  // Her page while an encoder is live with that key, instead of her camera.
  const key = await keys.getByRole('textbox', { name: 'Your new stream key' }).inputValue();
  const endpoint = await keys.getByRole('textbox', { name: 'Server' }).inputValue();
  await keys.getByRole('button', { name: 'Close' }).click();
  await studio.getByRole('button', { name: 'End stream' }).click();
  await shown(studio.getByText('The stream has ended', { exact: false }));
  const encoder = await whipPublish(endpoint, key);
  try {
    await shown(studio.getByText('from an encoder or another tab', { exact: false }));
    await atBothWidths(alice, 'studio-encoder');
  } finally {
    await encoder.close();
  }
} finally {
  await stack.stop();
  await janus.stop();
}
// The werift encoder leaves one UDP socket open after its close (process
// .getActiveResourcesInfo() says 'UDPWrap'), which would keep the script running.
process.exit(0);
