// A slice of the media benchmark's viewers without a browser, in a process of its own
// (scripts/media-bench.mjs forks several): a hundred werift peer connections doing
// DTLS and SRTP in the benchmark's own process would share one core with its
// Playwright work, and what they missed would be counted against the media server.
// Spoken to over the fork's channel:
// - `{ join: { url, streamId, origin, indices } }`: each `//viewer-<i>` watches, and
//   once every one has a whole frame the reply is `{ joined: [firstFrameMs…] }`;
// - `{ stats: true }`: `{ stats: [{ frames, keyframes, at }…] }`, `at` in ms since the
//   epoch, read the moment its count was;
// - `{ close: true }`: every viewer leaves and the process ends.
import { setPriority } from 'node:os';
import { devKey } from 'w3bstreaming-testkit/devnode';
import { watchWithoutBrowser } from 'w3bstreaming-testkit/peers';

const POLL_MS = 50;
/// These viewers stand in for other people's machines: on this one they yield the CPU
/// to what is measured (Janus, the broadcaster's and the viewers' pages).
const NICENESS = 10;

setPriority(NICENESS);
let clients = [];

async function firstFrame(client, i) {
  for (let waited = 0; client.stats().firstFrameMs === null; waited += POLL_MS) {
    if (waited > 120_000) throw new Error(`viewer ${i} had no frame in 120 s`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  return client.stats().firstFrameMs;
}

async function join({ url, streamId, origin, indices }) {
  clients = await Promise.all(
    indices.map((i) => watchWithoutBrowser(url, devKey(`//viewer-${i}`), streamId, { origin })),
  );
  return Promise.all(clients.map((client, j) => firstFrame(client, indices[j])));
}

process.on('message', async (message) => {
  try {
    if (message.join) {
      process.send({ joined: await join(message.join) });
    } else if (message.stats) {
      process.send({
        stats: clients.map((client) => {
          const { frames, keyframes } = client.stats();
          return { frames, keyframes, at: Date.now() };
        }),
      });
    } else if (message.close) {
      await Promise.all(clients.map((client) => client.close()));
      process.exit(0);
    }
  } catch (error) {
    process.send({ error: String(error?.stack ?? error) });
  }
});
