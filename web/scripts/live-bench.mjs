// The live video benchmark (a measurement, not a test): one broadcaster in one headless
// Chromium with a fake camera and microphone, and 1, 5 and 10 viewers (each its own
// browser profile, signing with an injected wallet as //viewer-<i>) in a second one,
// all through the UI, the signaling server and the local chain. Run it with
// `scripts/bench-live.sh`, which runs it inside a loopback-only network namespace.
// Prints one JSON object per size: time from clicking Watch to the first decoded frame
// (median and worst), frames per second per viewer, and the broadcaster's Chromium
// CPU (cores, every process of it) and upload (bytes per second, from its peer
// connections' statistics), over a 10 s window once everyone plays.
import { readFileSync, readdirSync } from 'node:fs';
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

const SIZES = (process.env.LIVE_BENCH_SIZES ?? '1,5,10').split(',').map(Number);
const WINDOW_MS = 10_000;
const TICKS_PER_SECOND = 100;

/// Chromium ignores a switch it does not know: this one finds the broadcaster's
/// browser process among the others.
const TAG = '--w3bstreaming-bench-broadcaster';

/// CPU seconds so far of the process whose command line has `TAG`, and of every
/// process under it.
function cpuSeconds() {
  const parents = new Map();
  const times = new Map();
  let pid = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      parents.set(Number(entry), Number(fields[1]));
      times.set(Number(entry), Number(fields[11]) + Number(fields[12]));
      const command = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (command.includes(TAG) && !command.some((arg) => arg.startsWith('--type=')))
        pid = Number(entry);
    } catch {
      // The process ended while being read.
    }
  }
  if (!pid) throw new Error('the broadcaster’s browser process is not running');
  const inTree = (p) => {
    for (let at = p; at > 1; at = parents.get(at) ?? 0) if (at === pid) return true;
    return false;
  };
  let ticks = 0;
  for (const [p, t] of times) if (inTree(p)) ticks += t;
  return ticks / TICKS_PER_SECOND;
}

const sentBytes = (page) =>
  page.evaluate(async () => {
    let total = 0;
    for (const pc of window.peers) {
      if (pc.connectionState === 'closed') continue;
      (await pc.getStats()).forEach((entry) => {
        if (entry.type === 'outbound-rtp') total += entry.bytesSent ?? 0;
      });
    }
    return total;
  });

const round = (value, digits = 0) => Math.round(value * 10 ** digits) / 10 ** digits;
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

const viewersNeeded = Math.max(...SIZES);
const stack = await startStack(['--demo', '--demo-viewers', String(viewersNeeded)], { live: true });
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
    const cpuBefore = cpuSeconds();
    const bytesBefore = await sentBytes(alice);
    const started = performance.now();
    await new Promise((resolve) => setTimeout(resolve, WINDOW_MS));
    const seconds = (performance.now() - started) / 1_000;
    const after = await Promise.all(pages.map(playback));
    const cpu = (cpuSeconds() - cpuBefore) / seconds;
    const upload = ((await sentBytes(alice)) - bytesBefore) / seconds;
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
