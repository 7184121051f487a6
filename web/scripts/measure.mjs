// Times and memory of the local chain and the app (a measurement, not a test):
// `npm run measure` after `cargo build --release` and `npm run build`. Prints one JSON
// object: the local chain's read and write latencies and its memory as messages pile
// up, then the app's load times and the browser's memory on the schedule.
import { performance } from 'node:perf_hooks';
import { ask, devKey, read, rpc, sendAll } from 'w3bstreaming-testkit/devnode';
import { memory } from 'w3bstreaming-testkit/signaling';
import { open, shown, startStack } from '../tests/support.mjs';

const READS = 200;
const MESSAGES = 1_000;

const mib = (pid) => Math.round(memory(pid).rss * 10) / 10;
const stats = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q) =>
    Math.round(sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))] * 10) / 10;
  return { median: at(0.5), p95: at(0.95), worst: at(1) };
};
const timed = async (run) => {
  const started = performance.now();
  await run();
  return performance.now() - started;
};

const stack = await startStack(['--demo']);
try {
  const node = stack.devnode;
  const report = { devnode: { rssMiB: { idle: mib(node.pid) } }, app: {} };

  const at = Date.now();
  const reads = [];
  for (let i = 0; i < READS; i += 1) {
    reads.push(await timed(() => read(node, { LiveStreams: { at, after: null, limit: 20 } })));
  }
  report.devnode.readStateMs = stats(reads);
  const asks = [];
  for (let i = 0; i < READS; i += 1) {
    asks.push(await timed(() => ask(node, { LiveStreams: { at, after: null, limit: 20 } })));
  }
  report.devnode.calculateReplyMs = stats(asks);

  // MESSAGES registrations from as many new accounts, queued together.
  const keys = Array.from({ length: MESSAGES }, (_, i) => devKey(`//measure-${i}`));
  const submits = [];
  const started = performance.now();
  const queued = await Promise.all(
    keys.map(async (key, i) => {
      const action = { EditProfile: { name: `Viewer ${i}`, surname: null, img_link: null } };
      const begin = performance.now();
      const [reply] = await sendAll(node, key, [action]);
      submits.push(performance.now() - begin);
      return reply;
    }),
  );
  report.devnode.messages = {
    count: MESSAGES,
    refused: queued.filter((reply) => reply.error).length,
    sendToReplyMs: stats(submits),
    allRepliedMs: Math.round(performance.now() - started),
    blocks: (await rpc(node.url, 'dev_nextBlock', [0])).number,
  };
  report.devnode.rssMiB.afterMessages = mib(node.pid);

  // The app: a fresh browser profile opening the schedule, then a stream page.
  const page = await open(stack, '/');
  const navigated = performance.now();
  await shown(page.getByRole('link', { name: 'Speedrunning Gear IDEA' }));
  report.app.scheduleShownMs = Math.round(performance.now() - navigated);
  const timing = await page.evaluate(() => {
    const [entry] = performance.getEntriesByType('navigation');
    const transferred = performance
      .getEntriesByType('resource')
      .reduce((sum, resource) => sum + resource.transferSize, entry.transferSize);
    return {
      domContentLoadedMs: Math.round(entry.domContentLoadedEventEnd),
      loadMs: Math.round(entry.loadEventEnd),
      transferredKB: Math.round(transferred / 1024),
      heapMiB: Math.round(performance.memory.usedJSHeapSize / 104857.6) / 10,
      domNodes: document.getElementsByTagName('*').length,
    };
  });
  Object.assign(report.app, timing);
  const toStream = await timed(async () => {
    await page.getByRole('link', { name: 'Writing Gear programs, live' }).first().click();
    await shown(page.getByRole('heading', { level: 1, name: 'Writing Gear programs, live' }));
  });
  report.app.streamPageFromLinkMs = Math.round(toStream);
  console.log(JSON.stringify(report, null, 2));
} finally {
  await stack.stop();
}
