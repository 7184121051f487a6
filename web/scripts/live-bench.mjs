// The live video benchmark (a measurement, not a test): one broadcaster in one headless
// Chromium with a fake camera and microphone, and 1, 5 and 10 viewers (each its own
// browser profile, signing with an injected wallet as //viewer-<i>) in a second one,
// all through the UI, the signaling server and the local chain. Run it with
// `scripts/bench-live.sh`, which runs it inside a loopback-only network namespace.
// Prints one JSON object per size: time from clicking Watch to the first decoded frame
// (median and worst), frames per second per viewer, and the broadcaster's Chromium
// CPU (cores, every process of it) and upload (bytes per second, from its peer
// connections' statistics), over a 10 s window once everyone plays.
import { performance } from 'node:perf_hooks';
import {
  actAs,
  actAsWallet,
  devKey,
  injectWallet,
  launchBrowser,
  shown,
  startStack,
  until,
} from '../tests/support.mjs';
import { instrument, playback } from '../tests/live-support.mjs';
import { TAG, broadcasterCpuSeconds, median, round, sent } from './bench-support.mjs';

const SIZES = (process.env.LIVE_BENCH_SIZES ?? '1,5,10').split(',').map(Number);
const WINDOW_MS = 10_000;

const viewersNeeded = Math.max(...SIZES);
const stack = await startStack(['--demo', '--demo-viewers', String(viewersNeeded)], {
  live: true,
  // Every viewer comes from 127.0.0.1, all at once: no one address has this many
  // people behind it, and the per-address caps would refuse some of them.
  signalingArgs: [
    '--max-connections-per-address',
    String(viewersNeeded * 2 + 10),
    '--max-chain-queries-per-address',
    '64',
    '--join-burst-per-address',
    String(viewersNeeded * 2),
  ],
});
const viewerBrowser = await launchBrowser({ media: true });
const broadcasterBrowser = await launchBrowser({ media: true, args: [TAG] });
const streamPath = `/stream/${encodeURIComponent(stack.devnode.demo.streamId)}`;
const results = [];
try {
  const studioContext = await broadcasterBrowser.newContext({
    viewport: { width: 1280, height: 900 },
  });
  await instrument(studioContext);
  const alice = await studioContext.newPage();
  await alice.goto(stack.app.url + streamPath);
  await actAs(alice, 'Alice');
  const studio = alice.getByRole('region', { name: 'Broadcast' });
  await studio.getByRole('button', { name: 'Turn on camera and microphone' }).click();
  await studio.getByRole('button', { name: 'Go live' }).click();
  await shown(studio.getByRole('status').getByText('LIVE'));

  for (const size of SIZES) {
    // Each viewer signed in and on the stream page, ready to click Watch.
    const pages = await Promise.all(
      Array.from({ length: size }, async (_, i) => {
        const context = await viewerBrowser.newContext({ viewport: { width: 800, height: 700 } });
        await instrument(context);
        await injectWallet(context, devKey(`//viewer-${i}`), `Viewer ${i}`);
        const page = await context.newPage();
        await page.goto(`${stack.app.url}/account`);
        await actAsWallet(page, `Viewer ${i}`);
        await page.goto(stack.app.url + streamPath);
        await shown(
          page.getByRole('region', { name: /^Live video/ }).getByRole('button', { name: 'Watch' }),
        );
        return page;
      }),
    );
    const firstFrameMs = await Promise.all(
      pages.map(async (page) => {
        const clicked = performance.now();
        await page
          .getByRole('region', { name: /^Live video/ })
          .getByRole('button', { name: 'Watch' })
          .click();
        await until(async () => (await playback(page)).framesDecoded > 0, 'a first frame');
        return performance.now() - clicked;
      }),
    );
    await shown(studio.getByText(`${size} ${size === 1 ? 'viewer' : 'viewers'} watching`));

    const before = await Promise.all(pages.map(playback));
    const cpuBefore = broadcasterCpuSeconds();
    const bytesBefore = (await sent(alice)).bytes;
    const started = performance.now();
    await new Promise((resolve) => setTimeout(resolve, WINDOW_MS));
    const seconds = (performance.now() - started) / 1_000;
    const after = await Promise.all(pages.map(playback));
    const cpu = (broadcasterCpuSeconds() - cpuBefore) / seconds;
    const upload = ((await sent(alice)).bytes - bytesBefore) / seconds;
    const fps = after.map((a, i) => (a.framesDecoded - before[i].framesDecoded) / seconds);

    results.push({
      viewers: size,
      watchToFirstFrameMs: {
        median: round(median(firstFrameMs)),
        worst: round(Math.max(...firstFrameMs)),
      },
      fpsPerViewer: { min: round(Math.min(...fps), 1), median: round(median(fps), 1) },
      broadcasterCpuCores: round(cpu, 2),
      broadcasterUploadBytesPerSec: round(upload),
    });
    console.log(JSON.stringify(results.at(-1)));
    await Promise.all(pages.map((page) => page.context().close()));
    await shown(studio.getByText('0 viewers watching'));
  }
} finally {
  await viewerBrowser.close();
  await broadcasterBrowser.close();
  await stack.stop();
}
