// The live video benchmark through the media server (a measurement, not a test): Alice
// broadcasts from headless Chromium with a fake camera and microphone and publishes to
// a real Janus; 1, 10, 50 and 100 viewers (//viewer-<i>) watch together. Two of them
// are browser pages that press Watch and decode; the others are viewers without a
// browser (testkit/js/viewer.mjs: werift, counting RTP packets and frames), because
// Chromium cannot decode a hundred pictures on two cores. Run it with
// `scripts/bench-live.sh`, inside the loopback-only namespace. Prints one JSON object
// per size, over a 10 s window once every viewer has had a frame: the broadcaster's
// upload and Chromium CPU, Janus's CPU and memory, the frames per second each viewer
// received against what the broadcaster sent of its largest layer, and from the join
// to the first frame.
import { performance } from 'node:perf_hooks';
import { startJanus } from 'w3bstreaming-testkit/signaling';
import { watchWithoutBrowser } from 'w3bstreaming-testkit/peers';
import { devKey, launchBrowser, shown, startStack, until } from '../tests/support.mjs';
import { line, playback, player, studio } from '../tests/live-support.mjs';
import {
  TAG,
  aliceLive,
  broadcasterCpuSeconds,
  cpuSecondsOf,
  crowdOnOneAddress,
  median,
  round,
  rssMiB,
  sent,
  walletViewer,
} from './bench-support.mjs';

const SIZES = (process.env.MEDIA_BENCH_SIZES ?? '1,10,50,100').split(',').map(Number);
const BROWSER_VIEWERS = 2;
const WINDOW_MS = 10_000;

const most = Math.max(...SIZES);
const janus = await startJanus();
const stack = await startStack(['--demo', '--demo-viewers', String(most)], {
  live: true,
  signalingArgs: [...janus.args, ...crowdOnOneAddress(most)],
});
const viewerBrowser = await launchBrowser({ media: true });
const broadcasterBrowser = await launchBrowser({ media: true, args: [TAG] });
const streamId = stack.devnode.demo.streamId;

/// Frames received so far by each viewer: decoded for a page, whole for the others.
/// Each viewer's frames so far, and when they were read: a page's stats come late on
/// a busy machine, so that each count has its own interval.
const framesOf = (viewers) =>
  Promise.all(
    viewers.map(async (viewer) => {
      const frames = viewer.page
        ? (await playback(viewer.page)).framesDecoded
        : viewer.client.stats().frames;
      return { frames, at: performance.now() };
    }),
  );

/// What `alice` sent so far, and when it was read.
const sentAt = async (alice) => ({ ...(await sent(alice)), at: performance.now() });

const results = [];
try {
  const alice = await aliceLive(stack, broadcasterBrowser);
  const studioLine = line(studio(alice));

  for (const size of SIZES) {
    const pages = await Promise.all(
      Array.from({ length: Math.min(size, BROWSER_VIEWERS) }, (_, i) =>
        walletViewer(stack, viewerBrowser, i),
      ),
    );
    const viewers = await Promise.all([
      ...pages.map(async (page) => {
        const clicked = performance.now();
        await player(page).getByRole('button', { name: 'Watch' }).click();
        await until(async () => (await playback(page)).framesDecoded > 0, 'a first frame');
        return { page, firstFrameMs: performance.now() - clicked };
      }),
      ...Array.from({ length: size - pages.length }, async (_, j) => {
        const i = pages.length + j;
        const client = await watchWithoutBrowser(
          stack.signaling.url,
          devKey(`//viewer-${i}`),
          streamId,
          { origin: new URL(stack.app.url).origin },
        );
        await until(async () => client.stats().firstFrameMs !== null, `viewer ${i}'s first frame`);
        return { client, firstFrameMs: client.stats().firstFrameMs };
      }),
    ]);
    await shown(studioLine.getByText(`${size} ${size === 1 ? 'viewer' : 'viewers'} watching`));

    const framesBefore = await framesOf(viewers);
    const keyframesBefore = viewers.map((viewer) => viewer.client?.stats().keyframes ?? 0);
    const sentBefore = await sentAt(alice);
    const cpuBefore = broadcasterCpuSeconds();
    const janusBefore = cpuSecondsOf(janus.pid);
    const started = performance.now();
    await new Promise((resolve) => setTimeout(resolve, WINDOW_MS));
    const cpuAfter = broadcasterCpuSeconds();
    const janusAfter = cpuSecondsOf(janus.pid);
    const seconds = (performance.now() - started) / 1_000;
    const framesAfter = await framesOf(viewers);
    const sentAfter = await sentAt(alice);
    const perSecond = (after, before) =>
      ((after.frames - before.frames) * 1_000) / (after.at - before.at);
    const sourceFps = perSecond(sentAfter, sentBefore);
    const fps = framesAfter.map((after, i) => perSecond(after, framesBefore[i]));
    const keyframes = viewers.map(
      (viewer, i) => (viewer.client?.stats().keyframes ?? 0) - keyframesBefore[i],
    );
    const firstFrame = (kind) => {
      const times = viewers.filter((viewer) => !viewer.page === kind).map((v) => v.firstFrameMs);
      return times.length
        ? { median: round(median(times)), worst: round(Math.max(...times)) }
        : undefined;
    };

    results.push({
      viewers: size,
      browserViewers: pages.length,
      // A page from its Watch to a decoded frame; a viewer without a browser from its
      // join to a whole frame received.
      firstFrameMs: { pages: firstFrame(false), others: firstFrame(true) },
      sentFps: round(sourceFps, 1),
      fpsPerViewer: { min: round(Math.min(...fps), 1), median: round(median(fps), 1) },
      lowestShareOfFrames: round(Math.min(...fps) / sourceFps, 3),
      keyframesPerViewerInWindow: { min: Math.min(...keyframes), max: Math.max(...keyframes) },
      broadcasterCpuCores: round((cpuAfter - cpuBefore) / seconds, 2),
      broadcasterUploadBytesPerSec: round(
        ((sentAfter.bytes - sentBefore.bytes) * 1_000) / (sentAfter.at - sentBefore.at),
      ),
      janusCpuCores: round((janusAfter - janusBefore) / seconds, 2),
      janusRssMiB: round(rssMiB(janus.pid), 1),
    });
    console.log(JSON.stringify(results.at(-1)));
    await Promise.all(
      viewers.map((viewer) =>
        viewer.page ? viewer.page.context().close() : viewer.client.close(),
      ),
    );
    await shown(studioLine.getByText('0 viewers watching'));
  }
} finally {
  await viewerBrowser.close();
  await broadcasterBrowser.close();
  await stack.stop();
  await janus.stop();
}
