// Whose pictures the app loads. A stream's banner and a profile's picture are links
// anyone can set, so loading them on sight would tell their host every visitor's
// address and browser, and could make the page ask something of the visitor's own
// network. A picture is loaded only from a host the viewer allowed (by showing one
// picture from it; remembered in this browser), and never from a private or loopback
// address, whatever the viewer says.
import { useSyncExternalStore } from 'react';

const IPFS_GATEWAY = 'https://ipfs.io/ipfs/';
const ALLOWED_KEY = 'w3bstreaming.pictureHosts';

/** What a picture link leads to. */
export type Picture =
  | { kind: 'none' }
  /** Carried in the link itself (`data:image/...`): nothing to fetch. */
  | { kind: 'inline'; source: string }
  /** On another host: loaded once its host is allowed. */
  | { kind: 'remote'; source: string; host: string }
  /** On a private, loopback or local address: never loaded. */
  | { kind: 'private'; host: string };

export function pictureOf(link: string | null | undefined): Picture {
  if (!link) return { kind: 'none' };
  if (/^data:image\//i.test(link)) return { kind: 'inline', source: link };
  const source = link.startsWith('ipfs://') ? IPFS_GATEWAY + link.slice('ipfs://'.length) : link;
  let url: URL;
  try {
    url = new URL(source);
  } catch {
    return { kind: 'none' };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return { kind: 'none' };
  const host = url.hostname;
  return isPrivate(host) ? { kind: 'private', host } : { kind: 'remote', source, host };
}

/** Names and addresses that lead into the viewer's own machine or network. */
function isPrivate(host: string): boolean {
  const name = host.toLowerCase().replace(/\.$/, '');
  if (!name.includes('.') && !name.startsWith('[')) return true;
  if (/(^|\.)(localhost|local|internal|lan|home\.arpa)$/.test(name)) return true;
  const v4 = name.match(/^(\d+)\.(\d+)\.(\d+)\.(\d+)$/);
  if (v4) return privateV4(Number(v4[1]), Number(v4[2]));
  if (name.startsWith('[')) return privateV6(name.slice(1, -1));
  return false;
}

function privateV4(a: number, b: number): boolean {
  return (
    a === 0 ||
    a === 10 ||
    a === 127 ||
    a >= 224 ||
    (a === 100 && b >= 64 && b < 128) ||
    (a === 169 && b === 254) ||
    (a === 172 && b >= 16 && b < 32) ||
    (a === 192 && b === 168) ||
    (a === 198 && (b === 18 || b === 19))
  );
}

function privateV6(address: string): boolean {
  const first = parseInt(address.split(':')[0] || '0', 16);
  return (
    address === '::' ||
    address === '::1' ||
    // IPv4 mapped into IPv6, which URLs write in hex (`[::ffff:7f00:2]`).
    address.startsWith('::ffff:') ||
    (first & 0xfe00) === 0xfc00 ||
    (first & 0xffc0) === 0xfe80 ||
    (first & 0xff00) === 0xff00
  );
}

const listeners = new Set<() => void>();
let allowed = readAllowed();

function readAllowed(): ReadonlySet<string> {
  try {
    const saved: unknown = JSON.parse(localStorage.getItem(ALLOWED_KEY) ?? '[]');
    return new Set(Array.isArray(saved) ? saved.filter((h) => typeof h === 'string') : []);
  } catch {
    return new Set();
  }
}

/** From now on, in this browser, pictures from `host` load. */
export function allowHost(host: string): void {
  allowed = new Set([...allowed, host]);
  localStorage.setItem(ALLOWED_KEY, JSON.stringify([...allowed]));
  listeners.forEach((changed) => changed());
}

function subscribe(changed: () => void): () => void {
  listeners.add(changed);
  return () => listeners.delete(changed);
}

/** The hosts this browser allowed, redrawn when one is added. */
export function useAllowedHosts(): ReadonlySet<string> {
  return useSyncExternalStore(subscribe, () => allowed);
}
