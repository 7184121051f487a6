// What the live video tests and the benchmarks share: a person's page of the demo
// stream with its peer connections recorded, its studio and player, what the player
// plays, a loopback proxy whose connections can be cut, and a limit on what a media
// server sends, as a slow link would limit it.
import { execFileSync } from 'node:child_process';
import { createServer, connect } from 'node:net';
import { afterEach } from 'node:test';
import { actAs, shown, until, watchErrors } from './support.mjs';

/// `name`'s page of `stack`'s demo stream, in `browser`, with its peer connections
/// recorded; `signaling` is another way to the signaling server (a proxy), if given.
export async function streamPage(stack, browser, name, { signaling } = {}) {
  const context = await browser.newContext({
    viewport: { width: 1280, height: 900 },
    locale: 'en-GB',
  });
  await instrument(context);
  if (signaling) {
    const config = { network: 'local', rpc: stack.devnode.url, signaling };
    await context.addInitScript((saved) => {
      localStorage.setItem('w3bstreaming.config', saved);
    }, JSON.stringify(config));
  }
  const page = await context.newPage();
  watchErrors(page);
  recordSignaling(page);
  await page.goto(`${stack.app.url}/stream/${encodeURIComponent(stack.devnode.demo.streamId)}`);
  await actAs(page, name);
  return page;
}

/// Keeps in `page.signaling` the last socket.io frames the page sent and received, with
/// when, for what a failed test prints ([`tellOnFailure`]).
function recordSignaling(page) {
  page.signaling = [];
  const keep = (direction, url, payload) => {
    const text = typeof payload === 'string' ? payload.slice(0, 160) : '(binary)';
    page.signaling.push(`${new Date().toISOString()} ${direction} ${url.split('?')[0]} ${text}`);
    if (page.signaling.length > 80) page.signaling.shift();
  };
  page.on('websocket', (socket) => {
    socket.on('framesent', ({ payload }) => keep('>', socket.url(), payload));
    socket.on('framereceived', ({ payload }) => keep('<', socket.url(), payload));
  });
}

export const studio = (page) => page.getByRole('region', { name: 'Broadcast' });

/// Turns on the fake camera and microphone in `page`'s studio and goes live.
export async function goLive(page) {
  await studio(page).getByRole('button', { name: 'Turn on camera and microphone' }).click();
  await shown(studio(page).getByLabel('Camera'));
  await studio(page).getByRole('button', { name: 'Go live' }).click();
  await shown(line(studio(page)).getByText('LIVE', { exact: true }));
}
/// After each test that fails, prints the last lines of the logs `sources` give
/// (`{ name: () => text }`) and what each open page's lines say: CI shows only
/// the tests' output.
export function tellOnFailure(sources, pages) {
  afterEach(async (t) => {
    if (t.passed) return;
    for (const [name, logs] of Object.entries(sources)) {
      const text = logs?.() ?? '';
      console.log(`--- the last of ${name}'s log:\n${text.split('\n').slice(-60).join('\n')}`);
    }
    for (const [name, page] of Object.entries(pages())) {
      if (page.isClosed()) continue;
      const said = await page
        .getByRole('status')
        .allInnerTexts()
        .catch(() => []);
      console.log(`--- ${name}'s page says: ${JSON.stringify(said)}`);
      console.log(`--- ${name}'s last signaling frames:\n${(page.signaling ?? []).join('\n')}`);
    }
  });
}

export const player = (page) => page.getByRole('region', { name: /^Live video/ });
/// The line under a studio or a player that says what goes on.
export const line = (region) => region.getByRole('status');

/// Waits until the page's player decodes 10 new frames of a picture `width` allows,
/// with a live audio track; the playback it reached. A timeout says what it last saw.
export async function decoding(page, width = (w) => w > 0) {
  let last;
  const first = await until(async () => {
    const now = await playback(page);
    return now.framesDecoded > 0 && now;
  }, 'the first decoded frame');
  try {
    return await until(async () => {
      last = await playback(page);
      return (
        last.framesDecoded >= first.framesDecoded + 10 &&
        width(last.width) &&
        last.audioLive &&
        last
      );
    }, 'frames to keep coming');
  } catch (error) {
    throw new Error(`${error.message}; last seen: ${JSON.stringify(last)}`, { cause: error });
  }
}

/// Keeps every RTCPeerConnection the pages of `context` make in `window.peers`, and
/// every track they capture (camera, microphone, screen) in `window.captured`, so that
/// they can be read from outside the app.
export function instrument(context) {
  return context.addInitScript(() => {
    const Native = window.RTCPeerConnection;
    window.peers = [];
    window.RTCPeerConnection = class extends Native {
      constructor(...args) {
        super(...args);
        window.peers.push(this);
      }
    };
    window.captured = [];
    const media = navigator.mediaDevices;
    for (const name of ['getUserMedia', 'getDisplayMedia']) {
      const native = media[name].bind(media);
      media[name] = async (...args) => {
        const stream = await native(...args);
        window.captured.push(...stream.getTracks());
        return stream;
      };
    }
  });
}

/// What the page's player shows: the video's width, the frames its open peer
/// connections decoded (and received whole, decodable or not) and when they were counted (ms since the epoch, in the page:
/// on a busy machine the answer reaches the test much later), whether an audio track
/// is live; how many peer connections are open, and how many the page made.
export function playback(page) {
  return page.evaluate(async () => {
    const video = [...document.querySelectorAll('video')].find((v) =>
      v.getAttribute('aria-label')?.endsWith('’s stream'),
    );
    let framesDecoded = 0;
    let framesReceived = 0;
    for (const pc of window.peers ?? []) {
      if (pc.connectionState === 'closed') continue;
      (await pc.getStats()).forEach((entry) => {
        if (entry.type !== 'inbound-rtp' || entry.kind !== 'video') return;
        framesDecoded += entry.framesDecoded ?? 0;
        framesReceived += entry.framesReceived ?? 0;
      });
    }
    const at = Date.now();
    const tracks = video?.srcObject?.getAudioTracks() ?? [];
    return {
      width: video?.videoWidth ?? 0,
      framesDecoded,
      framesReceived,
      at,
      audioLive: tracks.some((track) => track.readyState === 'live'),
      peers: (window.peers ?? []).filter((pc) => pc.connectionState !== 'closed').length,
      made: (window.peers ?? []).length,
    };
  });
}

/// A TCP proxy on loopback to the port that `target()` returns when a client connects
/// (so that the proxy can be made before what it leads to); `cut()` drops every
/// connection it carries.
export async function cuttableProxy(target) {
  const open = new Set();
  const server = createServer((client) => {
    const upstream = connect(target(), '127.0.0.1');
    for (const socket of [client, upstream]) {
      open.add(socket);
      socket.on('close', () => open.delete(socket));
      socket.on('error', () => socket.destroy());
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    cut: () => open.forEach((socket) => socket.destroy()),
    close: () => {
      open.forEach((socket) => socket.destroy());
      return new Promise((resolve) => server.close(resolve));
    },
  };
}

/// The UDP ports a media server sends from when `limitLink` is to limit what it sends
/// (scripts/janus.sh --rtp-ports): 64 of them, a mask's worth for `tc`.
export const LIMITED_PORTS = '20480-20543';

/// Limits what is sent from `LIMITED_PORTS` (so the link of every viewer a media
/// server started with them serves) to `rate`, with a queue of 20 packets, so that
/// what does not fit is lost as on a slow link; the function that lifts the limit.
/// `tc` on loopback, where every packet of the namespace goes.
export function limitLink(rate) {
  const tc = (line) => execFileSync('/usr/sbin/tc', line.split(' '), { stdio: 'pipe' });
  tc('qdisc add dev lo root handle 1: htb default 10');
  tc('class add dev lo parent 1: classid 1:10 htb rate 10gbit');
  tc(`class add dev lo parent 1: classid 1:20 htb rate ${rate} ceil ${rate}`);
  tc('qdisc add dev lo parent 1:20 handle 20: pfifo limit 20');
  const [first] = LIMITED_PORTS.split('-');
  tc(
    'filter add dev lo parent 1: protocol ip prio 1 u32 match ip protocol 17 0xff ' +
      `match ip sport ${first} 0xffc0 flowid 1:20`,
  );
  return () => tc('qdisc del dev lo root');
}
