// The live video benchmark through the media server (a measurement, not a test): Alice
// broadcasts from headless Chromium with a fake camera and microphone and publishes to
// a real Janus; 1, 10, 50 and 100 viewers (//viewer-<i>) watch together. Two of them
// are browser pages that press Watch and decode; the others are viewers without a
// browser (testkit/js/peers.mjs: werift, counting RTP packets and frames), because
// Chromium cannot decode a hundred pictures on two cores; they run in CROWDS processes
// of their own (scripts/crowd.mjs). Run it with
// `scripts/bench-live.sh`, inside the loopback-only namespace. Prints one JSON object
// per size, over a 20 s window once every viewer has had a frame: the broadcaster's
// upload and Chromium CPU, Janus's CPU and memory, the viewer processes' CPU and the
// machine's, the frames per second each viewer received against what the broadcaster
// sent of its largest layer, and from the join to the first frame.
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { performance } from 'node:perf_hooks';
import { startJanus } from 'w3bstreaming-testkit/signaling';
import { launchBrowser, shown, startStack, until } from '../tests/support.mjs';
import { line, playback, player, studio } from '../tests/live-support.mjs';
import {
  TAG,
  aliceLive,
  broadcasterCpuSeconds,
  cpuSecondsOf,
  crowdOnOneAddress,
  machineBusySeconds,
  median,
  round,
  rssMiB,
  sent,
  walletViewer,
} from './bench-support.mjs';

const SIZES = (process.env.MEDIA_BENCH_SIZES ?? '1,10,50,100').split(',').map(Number);
const BROWSER_VIEWERS = 2;
const WINDOW_MS = 20_000;
const CROWDS = Number(process.env.MEDIA_BENCH_CROWDS ?? 2);

const most = Math.max(...SIZES);
const janus = await startJanus();
const stack = await startStack(['--demo', '--demo-viewers', String(most)], {
  live: true,
  signalingArgs: [...janus.args, ...crowdOnOneAddress(most)],
});
const viewerBrowser = await launchBrowser({ media: true });
const broadcasterBrowser = await launchBrowser({ media: true, args: [TAG] });
const streamId = stack.devnode.demo.streamId;

/// A process of viewers without a browser (scripts/crowd.mjs); `ask` sends it a
/// message and resolves with its reply.
function startCrowd() {
  const child = fork(new URL('./crowd.mjs', import.meta.url));
  const ask = async (message) => {
    child.send(message);
    const [reply] = await once(child, 'message');
    if (reply.error) throw new Error(reply.error);
    return reply;
  };
  const close = async () => {
    const exited = once(child, 'exit');
    child.send({ close: true });
    await exited;
  };
  return { pid: child.pid, ask, close };
}

/// Each viewer's frames and keyframes so far (decoded frames for a page, whole ones for
/// the others), and when each was counted: the pages' and the processes' answers
/// arrive late on a busy machine, so each count has its own interval.
const countsOf = async (pages, crowds) => [
  ...(await Promise.all(
    pages.map(async (page) => {
      const { framesDecoded, framesReceived, at } = await playback(page);
      return { frames: framesDecoded, received: framesReceived, keyframes: 0, at };
    }),
  )),
  ...(
    await Promise.all(crowds.map(async (crowd) => (await crowd.ask({ stats: true })).stats))
  ).flat(),
];

/// How many `field` (frames by default) a second from `before` to `after`.
const perSecond = (after, before, field = 'frames') =>
  ((after[field] - before[field]) * 1_000) / (after.at - before.at);

/// The lowest and the median of `values`, rounded, or nothing for none.
const spread = (values, digits = 0) =>
  values.length
    ? { min: round(Math.min(...values), digits), median: round(median(values), digits) }
    : undefined;

const results = [];
try {
  const alice = await aliceLive(stack, broadcasterBrowser);
  const studioLine = line(studio(alice));
  const origin = new URL(stack.app.url).origin;

  for (const size of SIZES) {
    const pages = await Promise.all(
      Array.from({ length: Math.min(size, BROWSER_VIEWERS) }, (_, i) =>
        walletViewer(stack, viewerBrowser, i),
      ),
    );
    const slices = Array.from({ length: CROWDS }, (_, c) =>
      Array.from({ length: size - pages.length }, (_, j) => pages.length + j).filter(
        (i) => i % CROWDS === c,
      ),
    ).filter((indices) => indices.length > 0);
    const crowds = slices.map(startCrowd);
    const [pageFirstFrames, otherFirstFrames] = await Promise.all([
      Promise.all(
        pages.map(async (page) => {
          const clicked = performance.now();
          await player(page).getByRole('button', { name: 'Watch' }).click();
          await until(async () => (await playback(page)).framesDecoded > 0, 'a first frame');
          return performance.now() - clicked;
        }),
      ),
      Promise.all(
        crowds.map(
          async (crowd, c) =>
            (
              await crowd.ask({
                join: { url: stack.signaling.url, streamId, origin, indices: slices[c] },
              })
            ).joined,
        ),
      ).then((times) => times.flat()),
    ]);
    await shown(studioLine.getByText(`${size} ${size === 1 ? 'viewer' : 'viewers'} watching`));

    const before = await countsOf(pages, crowds);
    const sentBefore = await sent(alice);
    const cpuBefore = broadcasterCpuSeconds();
    const janusBefore = cpuSecondsOf(janus.pid);
    const crowdsBefore = crowds.map((crowd) => cpuSecondsOf(crowd.pid));
    const busyBefore = machineBusySeconds();
    const started = performance.now();
    await new Promise((resolve) => setTimeout(resolve, WINDOW_MS));
    const cpuAfter = broadcasterCpuSeconds();
    const janusAfter = cpuSecondsOf(janus.pid);
    const crowdsAfter = crowds.map((crowd) => cpuSecondsOf(crowd.pid));
    const busyAfter = machineBusySeconds();
    const seconds = (performance.now() - started) / 1_000;
    const after = await countsOf(pages, crowds);
    const sentAfter = await sent(alice);
    const sourceFps = perSecond(sentAfter, sentBefore);
    const fps = after.map((count, i) => perSecond(count, before[i]));
    const pagesReceivedFps = after
      .slice(0, pages.length)
      .map((count, i) => perSecond(count, before[i], 'received'));
    const keyframes = after
      .slice(pages.length)
      .map((count, i) => count.keyframes - before[pages.length + i].keyframes);
    const share = (values) =>
      values.length ? round(Math.min(...values) / sourceFps, 3) : undefined;

    results.push({
      viewers: size,
      browserViewers: pages.length,
      viewerProcesses: crowds.length,
      // A page from its Watch to a decoded frame; a viewer without a browser from its
      // join to a whole frame received.
      firstFrameMs: { pages: spread(pageFirstFrames), others: spread(otherFirstFrames) },
      sentFps: round(sourceFps, 1),
      fpsPerViewer: spread(fps, 1),
      lowestShareOfFrames: {
        all: share(fps),
        pages: share(fps.slice(0, pages.length)),
        // What reached the pages whole, decoded or not: a page on a full machine drops
        // some before its decoder.
        pagesReceived: share(pagesReceivedFps),
        others: share(fps.slice(pages.length)),
      },
      keyframesPerViewerInWindow: keyframes.length
        ? { min: Math.min(...keyframes), max: Math.max(...keyframes) }
        : undefined,
      broadcasterCpuCores: round((cpuAfter - cpuBefore) / seconds, 2),
      broadcasterUploadBytesPerSec: round(
        ((sentAfter.bytes - sentBefore.bytes) * 1_000) / (sentAfter.at - sentBefore.at),
      ),
      janusCpuCores: round((janusAfter - janusBefore) / seconds, 2),
      janusRssMiB: round(rssMiB(janus.pid), 1),
      viewerProcessesCpuCores: crowdsAfter.map((cpu, c) =>
        round((cpu - crowdsBefore[c]) / seconds, 2),
      ),
      machineBusyCores: round((busyAfter - busyBefore) / seconds, 2),
    });
    console.log(JSON.stringify(results.at(-1)));
    await Promise.all([
      ...pages.map((page) => page.context().close()),
      ...crowds.map((crowd) => crowd.close()),
    ]);
    await shown(studioLine.getByText('0 viewers watching'));
  }
} finally {
  await viewerBrowser.close();
  await broadcasterBrowser.close();
  await stack.stop();
  await janus.stop();
}
