// Where the app finds the program: the site's `config.json` (written when the app is
// deployed, read at start, so no rebuild is needed), which a person may override for
// their own browser on the Settings page.
import type { Hex } from '../program/types';

export type Config =
  | { network: 'local'; rpc: string; signaling?: string }
  | { network: 'vara'; node: string; programId: Hex; signaling?: string };

const OVERRIDE_KEY = 'w3bstreaming.config';

/** The site's configuration, as served next to the app. */
export async function siteConfig(): Promise<Config> {
  const response = await fetch('/config.json', { cache: 'no-cache' });
  if (!response.ok) throw new Error(`config.json: HTTP ${response.status}`);
  return checked(await response.json());
}

/** The configuration in use: this browser's override, or the site's. */
export async function loadConfig(): Promise<{ config: Config; overridden: boolean }> {
  const saved = localStorage.getItem(OVERRIDE_KEY);
  if (saved) {
    try {
      return { config: checked(JSON.parse(saved)), overridden: true };
    } catch {
      localStorage.removeItem(OVERRIDE_KEY);
    }
  }
  return { config: await siteConfig(), overridden: false };
}

/** Saves `config` for this browser, or forgets the override with `null`. */
export function saveOverride(config: Config | null): void {
  if (config) localStorage.setItem(OVERRIDE_KEY, JSON.stringify(checked(config)));
  else localStorage.removeItem(OVERRIDE_KEY);
}

const HEX_ID = /^0x[0-9a-fA-F]{64}$/;

/** `value` as a `Config`, or an error that says what is wrong with it. */
export function checked(value: unknown): Config {
  const config = value as Record<string, unknown>;
  const url = (key: string, schemes: string[]) => {
    const text = config[key];
    if (typeof text !== 'string') throw new Error(`config: ${key} is missing`);
    let protocol = '';
    try {
      protocol = new URL(text).protocol;
    } catch {
      // Reported below with what is expected.
    }
    if (!schemes.includes(protocol)) {
      throw new Error(`config: ${key} must be a ${schemes.join(' or ')} URL`);
    }
    return text;
  };
  const signaling =
    config.signaling === undefined ? undefined : url('signaling', ['http:', 'https:']);
  if (config.network === 'local') {
    return { network: 'local', rpc: url('rpc', ['http:', 'https:']), signaling };
  }
  if (config.network === 'vara') {
    const programId = config.programId;
    if (typeof programId !== 'string' || !HEX_ID.test(programId)) {
      throw new Error('config: programId must be 0x and 64 hex digits');
    }
    return {
      network: 'vara',
      node: url('node', ['ws:', 'wss:']),
      programId: programId as Hex,
      signaling,
    };
  }
  throw new Error('config: network must be "local" or "vara"');
}
