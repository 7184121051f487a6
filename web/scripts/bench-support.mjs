// What the live benchmarks share (scripts/live-bench.mjs peer to peer,
// scripts/media-bench.mjs through the media server): the signaling server's flags for
// a crowd on one address, the broadcaster going live, a viewer signed in with a
// wallet, CPU (a process's and the machine's) and memory read from /proc, the bytes a page's peer connections sent,
// and the figures' rounding.
import { readFileSync, readdirSync } from 'node:fs';
import { actAsWallet, devKey, injectWallet, shown } from '../tests/support.mjs';
import { goLive, instrument, player, streamPage } from '../tests/live-support.mjs';

/// The signaling server's flags for `viewers` who all come from 127.0.0.1 at once: no
/// one address has this many people behind it, and the per-address caps would refuse
/// some of them.
export const crowdOnOneAddress = (viewers) => [
  '--max-connections-per-address',
  String(viewers * 2 + 10),
  '--max-chain-queries-per-address',
  '64',
  '--join-burst-per-address',
  String(viewers * 2),
];

/// Alice's page in `browser`, live on the demo stream.
export async function aliceLive(stack, browser) {
  const alice = await streamPage(stack, browser, 'Alice');
  await goLive(alice);
  return alice;
}

/// `//viewer-<i>`'s page of the demo stream in `browser`, signed in with an injected
/// wallet, ready to press Watch.
export async function walletViewer(stack, browser, i) {
  const context = await browser.newContext({ viewport: { width: 800, height: 700 } });
  await instrument(context);
  await injectWallet(context, devKey(`//viewer-${i}`), `Viewer ${i}`);
  const page = await context.newPage();
  await page.goto(`${stack.app.url}/account`);
  await actAsWallet(page, `Viewer ${i}`);
  await page.goto(`${stack.app.url}/stream/${encodeURIComponent(stack.devnode.demo.streamId)}`);
  await shown(player(page).getByRole('button', { name: 'Watch' }));
  return page;
}

const TICKS_PER_SECOND = 100;

/// Chromium ignores a switch it does not know: this one finds the broadcaster's
/// browser process among the others.
export const TAG = '--w3bstreaming-bench-broadcaster';

/// Every process now: its parent, and its CPU ticks so far.
function processes() {
  const parents = new Map();
  const ticks = new Map();
  const commands = new Map();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      parents.set(Number(entry), Number(fields[1]));
      ticks.set(Number(entry), Number(fields[11]) + Number(fields[12]));
      commands.set(Number(entry), readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0'));
    } catch {
      // The process ended while being read.
    }
  }
  return { parents, ticks, commands };
}

/// CPU seconds so far of process `pid` and of every process under it.
export function cpuSecondsOf(pid, all = processes()) {
  const inTree = (p) => {
    for (let at = p; at > 1; at = all.parents.get(at) ?? 0) if (at === pid) return true;
    return false;
  };
  let ticks = 0;
  for (const [p, t] of all.ticks) if (inTree(p)) ticks += t;
  return ticks / TICKS_PER_SECOND;
}

/// CPU seconds so far of the browser started with `TAG`, every process of it.
export function broadcasterCpuSeconds() {
  const all = processes();
  const pid = [...all.commands].find(
    ([, command]) => command.includes(TAG) && !command.some((arg) => arg.startsWith('--type=')),
  )?.[0];
  if (!pid) throw new Error('the broadcaster’s browser process is not running');
  return cpuSecondsOf(pid, all);
}

/// CPU seconds the whole machine has spent busy so far, every core together.
export function machineBusySeconds() {
  const [user, nice, system, , , irq, softirq, steal] = readFileSync('/proc/stat', 'utf8')
    .split('\n')[0]
    .split(/\s+/)
    .slice(1)
    .map(Number);
  return (user + nice + system + irq + softirq + steal) / TICKS_PER_SECOND;
}

/// Resident memory of process `pid`, in MiB.
export function rssMiB(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(status.match(/VmRSS:\s+(\d+) kB/)[1]) / 1024;
}

/// Bytes the page's open peer connections have sent, video frames they have sent of
/// their largest layer, and when that was counted (ms since the epoch, in the page).
export const sent = (page) =>
  page.evaluate(async () => {
    let bytes = 0;
    let frames = 0;
    for (const pc of window.peers) {
      if (pc.connectionState === 'closed') continue;
      let largest = 0;
      (await pc.getStats()).forEach((entry) => {
        if (entry.type !== 'outbound-rtp') return;
        bytes += entry.bytesSent ?? 0;
        if (entry.kind === 'video') largest = Math.max(largest, entry.framesSent ?? 0);
      });
      frames = Math.max(frames, largest);
    }
    return { bytes, frames, at: Date.now() };
  });

export const round = (value, digits = 0) => Math.round(value * 10 ** digits) / 10 ** digits;
export const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
