// Shared by the signaling server's end-to-end and load tests: starts the local chain,
// the server binaries and redis-server, makes the development accounts' keys, and waits for
// socket.io events.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { createInterface } from 'node:readline';
import { io } from 'socket.io-client';
import WebSocket from 'ws';
import { stringToU8a, u8aToHex, u8aWrapBytes } from '@polkadot/util';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { builtBinary, root } from './built.mjs';
import { devKey } from './devnode.mjs';

export { startDevnode } from './devnode.mjs';
export { devKey };

export const ORIGIN = 'http://localhost:3000';

/// Starts the server binary that `cargo build --release` builds against the local
/// chain `devnode` (or the node `args` name with `--rpc-url`); resolves once it
/// listens, with its URL, its pid and a `stop()` that sends SIGTERM. Browsers of
/// `origin` may connect. `wrapper` is a command that runs the binary (`prlimit ...`).
export async function startServer(args, devnode, { origin = ORIGIN, wrapper = [] } = {}) {
  await cryptoWaitReady();
  const chain = devnode ? ['--rpc-url', devnode.url, '--program-id', devnode.programId] : [];
  const command = [...wrapper, builtBinary('w3bstreaming-signaling'),
    '--listen', '127.0.0.1:0', '--metrics-listen', '127.0.0.1:0', '--allowed-origins', origin, ...chain, ...args];
  const child = spawn(command[0], command.slice(1), { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let logs = '';
  child.stderr.on('data', (chunk) => { logs += chunk; });
  // 'close', not 'exit': it comes once stderr is read to its end, so an error printed
  // just before exiting is in `logs` when the start fails.
  const exited = new Promise((resolve) => child.on('close', (code) => resolve(code)));
  const line = await new Promise((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', resolve);
    exited.then((code) => reject(new Error(`server exited with ${code}:\n${logs}`)));
  });
  const { listening, metrics } = JSON.parse(line);
  return {
    url: `http://${listening}`,
    /// Where the operator's `/metrics` is served.
    metricsUrl: `http://${metrics}`,
    pid: child.pid,
    /// The operator's metrics now, by name and labels: `{ 'signaling_joins_total{role="viewer"}': 1 }`.
    metrics: async () => Object.fromEntries((await (await fetch(`http://${metrics}/metrics`)).text())
      .split('\n').filter((row) => row && !row.startsWith('#'))
      .map((row) => { const at = row.lastIndexOf(' '); return [row.slice(0, at), Number(row.slice(at + 1))]; })),
    logs: () => logs,
    stop: async () => {
      child.kill('SIGTERM');
      return exited;
    },
    /// Kills the process at once, as a crash or a lost machine would end it.
    kill: async () => {
      child.kill('SIGKILL');
      return exited;
    },
  };
}

/// A redis-server on a free loopback port (or on `port`), keeping nothing on disk.
export async function startRedis(port = undefined) {
  const free = port ?? await new Promise((resolve) => {
    const probe = net.createServer().listen(0, '127.0.0.1', () => {
      const { port: chosen } = probe.address();
      probe.close(() => resolve(chosen));
    });
  });
  const child = spawn('redis-server', ['--port', String(free), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise((resolve) => child.on('exit', resolve));
  await new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      if (out.includes('Ready to accept connections')) resolve();
    });
    exited.then((code) => reject(new Error(`redis-server exited with ${code}:\n${out}`)));
  });
  return {
    url: `redis://127.0.0.1:${free}`,
    port: free,
    stop: async () => {
      child.kill('SIGKILL');
      await exited;
    },
  };
}

/// Janus as the media server tier (scripts/janus.sh): its API on a free loopback port
/// (or `port`: a Janus started again where one was), ICE on `iceInterface` only (the
/// test namespace's media0, scripts/loopback-only.sh; `null` for any), a fresh API
/// secret (or `secret`), media on UDP ports `rtpPorts` (`MIN-MAX`; scripts/janus.sh's by
/// default). Resolves once its HTTP API answers, with the flags that point the
/// signaling server at it, its pid (Janus's own, for memory and CPU), and `stop()` /
/// `kill()`.
export async function startJanus({ iceInterface = 'media0', port, secret: given, rtpPorts } = {}) {
  const free = port ?? await new Promise((resolve) => {
    const probe = net.createServer().listen(0, '127.0.0.1', () => {
      const { port: chosen } = probe.address();
      probe.close(() => resolve(chosen));
    });
  });
  const secret = given ?? u8aToHex(crypto.getRandomValues(new Uint8Array(16))).slice(2);
  const ice = iceInterface ? [`--ice-enforce-list=${iceInterface}`] : [];
  const ports = rtpPorts ? ['--rtp-ports', rtpPorts] : [];
  const child = spawn(`${root}/scripts/janus.sh`, ['--port', String(free), '--api-secret', secret, ...ports, '--',
    ...ice, '--debug-level=3'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let logs = '';
  for (const stream of [child.stdout, child.stderr]) stream.on('data', (chunk) => { logs += chunk; });
  const exited = new Promise((resolve) => child.on('exit', resolve));
  const url = `http://127.0.0.1:${free}/janus`;
  const started = Date.now();
  for (;;) {
    const answered = await fetch(`${url}/info`).then((response) => response.ok, () => false);
    if (answered) break;
    if (child.exitCode !== null || Date.now() - started > 20_000) {
      throw new Error(`janus did not start:\n${logs}`);
    }
    await new Promise((resolve) => { setTimeout(resolve, 100); });
  }
  // Janus itself, under the script (which removes its configuration when Janus ends).
  const pid = Number(readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8').trim().split(/\s+/)[0]);
  const signal = (target, name) => { try { process.kill(target, name); } catch { /* gone */ } };
  const post = async (path, body) => {
    const response = await fetch(url + path, {
      method: 'POST', body: JSON.stringify({ ...body, transaction: 't', apisecret: secret }),
    });
    return response.json();
  };
  // Runs `use` with a function asking the VideoRoom plugin, on a session of its own.
  const inRoomPlugin = async (use) => {
    const session = (await post('', { janus: 'create' })).data.id;
    const handle = (await post(`/${session}`, { janus: 'attach', plugin: 'janus.plugin.videoroom' })).data.id;
    const ask = async (body) => (await post(`/${session}/${handle}`, { janus: 'message', body })).plugindata.data;
    try {
      return await use(ask);
    } finally {
      await post(`/${session}`, { janus: 'destroy' });
    }
  };
  return {
    url,
    port: free,
    secret,
    args: ['--janus-url', url, '--janus-api-secret', secret],
    /// Asks the VideoRoom plugin `body`, as the signaling server would.
    ask: (body) => inRoomPlugin((ask) => ask(body)),
    pid,
    /// The VideoRoom rooms Janus holds now, asked as the signaling server would.
    rooms: () => inRoomPlugin((ask) => ask({ request: 'list' }).then((data) => data.list)),
    /// Destroys every room, behind the signaling server's back.
    destroyRooms: () => inRoomPlugin(async (ask) => {
      for (const { room } of (await ask({ request: 'list' })).list) await ask({ request: 'destroy', room });
    }),
    logs: () => logs,
    stop: async () => { signal(child.pid, 'SIGTERM'); await exited; },
    /// Kills Janus at once, as a crash would end it.
    kill: async () => { signal(pid, 'SIGKILL'); await exited; },
  };
}

/// The resident and peak memory of process `pid`, in MiB.
export function memory(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name) => Number(status.match(new RegExp(`${name}:\\s+(\\d+) kB`))[1]) / 1024;
  return { rss: field('VmRSS'), peak: field('VmHWM') };
}

/// What a polkadot-js extension's `signRaw({ type: 'bytes', data: stringToHex(text) })`
/// returns: an sr25519 signature of `<Bytes>text</Bytes>`.
export function signRaw(key, text) {
  return u8aToHex(key.pair.sign(u8aWrapBytes(stringToU8a(text))));
}

/// A connected client with every event it received kept in order; `challenge` is
/// the latest challenge the server sent (the first one is taken: see `next`).
export async function connect(url, options = {}) {
  const socket = io(url, {
    transports: ['websocket'], forceNew: true, reconnection: false,
    extraHeaders: { Origin: ORIGIN }, ...options,
  });
  socket.received = [];
  socket.taken = { challenge: 1 };
  socket.onAny((event, ...args) => socket.received.push({ event, args }));
  const challenge = await new Promise((resolve, reject) => {
    socket.once('challenge', resolve);
    socket.once('connect_error', reject);
  });
  socket.challenge = challenge;
  socket.on('challenge', (renewed) => { socket.challenge = renewed; });
  return socket;
}

/// The arguments of the socket's next `event` that no earlier `next` returned: one
/// that arrived already, or the next to arrive. Events come in bursts (a join tells
/// the broadcaster and the viewer at once), so waiting only for new ones would miss
/// those that landed while the test awaited another.
export function next(socket, event, timeoutMs = 10_000) {
  const index = socket.taken[event] ?? 0;
  socket.taken[event] = index + 1;
  return new Promise((resolve, reject) => {
    const find = () => receivedOf(socket, event)[index];
    const listener = () => {
      const found = find();
      if (!found) return;
      clearTimeout(timer);
      socket.offAny(listener);
      resolve(found.args);
    };
    const timer = setTimeout(() => {
      socket.offAny(listener);
      reject(new Error(`no ${event} number ${index + 1} within ${timeoutMs} ms`));
    }, timeoutMs);
    // Registered after the recording listener of `connect`, so it runs after it.
    socket.onAny(listener);
    listener();
  });
}

/// The message of the next `error` event.
export async function nextError(socket) {
  return (await nextRefusal(socket)).message;
}

/// The next `error` event's refusal: `{ message, reason }`.
export async function nextRefusal(socket) {
  const [refusal] = await next(socket, 'error');
  return refusal;
}

/// Events of these names the socket has received so far.
export function receivedOf(socket, ...events) {
  return socket.received.filter(({ event }) => events.includes(event));
}

/// Waits until `probe()` returns a truthy value, asking every 200 ms for at most
/// `withinMs`; that value.
export async function until(probe, what, withinMs = 30_000) {
  const deadline = Date.now() + withinMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => { setTimeout(resolve, 200); });
  }
}

/// Waits for everything in flight on loopback to land.
export const settle = (ms = 300) => new Promise((resolve) => { setTimeout(resolve, ms); });

/// `watch` or `broadcast` as the frontend sends it, signing the socket's challenge.
export function join(socket, event, key, streamId, overrides = {}) {
  socket.emit(event, overrides.claimed ?? key.id, {
    streamId,
    signedMsg: overrides.signedMsg ?? signRaw(key, socket.challenge.text),
    encodedId: overrides.encodedId ?? key.address,
  });
}

/// A raw websocket to the server's socket.io endpoint at `url`, past the engine.io and
/// socket.io handshakes, from `localAddress` (any 127.x.y.z is this machine); for
/// sending what socket.io-client would not. Resolves once the server acknowledged the
/// CONNECT.
export async function rawSocket(url, { localAddress } = {}) {
  const endpoint = `${url.replace('http', 'ws')}/socket.io/?EIO=4&transport=websocket`;
  const ws = new WebSocket(endpoint, { headers: { Origin: ORIGIN }, maxPayload: 1 << 20, localAddress });
  await new Promise((resolve, reject) => {
    ws.once('message', resolve);
    ws.once('error', reject);
  });
  // Sent before the server acknowledged the CONNECT, an event finds no socket there
  // and closes the connection.
  const connected = new Promise((resolve, reject) => {
    const acknowledged = (data) => {
      if (!String(data).startsWith('40')) return;
      ws.off('message', acknowledged);
      resolve();
    };
    ws.on('message', acknowledged);
    ws.once('close', () => reject(new Error('closed before the CONNECT was acknowledged')));
  });
  ws.send('40');
  await connected;
  return ws;
}

/// Resolves with the reason `connection` (a raw websocket, or a socket.io client's
/// socket with `event` 'disconnect') was closed for, or with `open` if it is still
/// open after `ms`.
export function closeOf(connection, { event = 'close', ms = 10_000 } = {}) {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve('open'), ms);
    connection.once(event, (reason) => { clearTimeout(timer); resolve(reason); });
  });
}
