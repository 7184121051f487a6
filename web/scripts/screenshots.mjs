// Screenshots of the main pages for the README, on the local chain's demo world, as a
// visitor and as the demo accounts see them: `npm run screenshots` (after
// `cargo build --release` and `npm run build`) writes docs/screenshots/*.png.
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { actAs, open, shown, startStack } from '../tests/support.mjs';

const out = fileURLToPath(new URL('../../docs/screenshots/', import.meta.url));
await mkdir(out, { recursive: true });
const stack = await startStack(['--demo']);
const streamPath = `/stream/${encodeURIComponent(stack.devnode.demo.streamId)}`;
const shots = [
  {
    name: 'schedule',
    path: '/',
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
];
try {
  for (const shot of shots) {
    const page = await open(stack, shot.path);
    if (shot.as) await actAs(page, shot.as);
    await shot.ready(page);
    // Let the images decode and the countdowns settle.
    await page.waitForTimeout(500);
    await page.screenshot({ path: `${out}${shot.name}.png`, fullPage: true });
    await page.context().close();
    console.log(`docs/screenshots/${shot.name}.png`);
  }
} finally {
  await stack.stop();
}
