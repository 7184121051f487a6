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
import { launchBrowser, shown, startStack, until } from '../tests/support.mjs';
import { line, playback, studio } from '../tests/live-support.mjs';
import {
  TAG,
  aliceLive,
  broadcasterCpuSeconds,
  crowdOnOneAddress,
  median,
  round,
  sent,
  walletViewer,
} from './bench-support.mjs';

const SIZES = (process.env.LIVE_BENCH_SIZES ?? '1,5,10').split(',').map(Number);
const WINDOW_MS = 10_000;

const viewersNeeded = Math.max(...SIZES);
const stack = await startStack(['--demo', '--demo-viewers', String(viewersNeeded)], {
  live: true,
  signalingArgs: crowdOnOneAddress(viewersNeeded),
});
const viewerBrowser = await launchBrowser({ media: true });
const broadcasterBrowser = await launchBrowser({ media: true, args: [TAG] });
const results = [];
try {
  const alice = await aliceLive(stack, broadcasterBrowser);
  const studioLine = line(studio(alice));

  for (const size of SIZES) {
    // Each viewer signed in and on the stream page, ready to click Watch.
    const pages = await Promise.all(
      Array.from({ length: size }, (_, i) => walletViewer(stack, viewerBrowser, i)),
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
    await shown(studioLine.getByText(`${size} ${size === 1 ? 'viewer' : 'viewers'} watching`));

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
    await shown(studioLine.getByText('0 viewers watching'));
  }
} finally {
  await viewerBrowser.close();
  await broadcasterBrowser.close();
  await stack.stop();
}
