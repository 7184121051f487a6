// Who an account is, as people read it: its profile's name, else its address.
import { decodeAddress, encodeAddress } from '@polkadot/util-crypto';
import { u8aToHex } from '@polkadot/util';
import { queries } from '../program/messages';
import type { Hex, ProfileSummary } from '../program/types';
import { useRead } from './hooks';

export const VARA_SS58 = 137;

export const addressOf = (id: Hex): string => encodeAddress(id, VARA_SS58);

/** An account written as hex or as an SS58 address of any network, as its id. */
export function idOf(account: string): Hex | null {
  try {
    return u8aToHex(decodeAddress(account));
  } catch {
    return null;
  }
}

export function shortAddress(id: Hex): string {
  const address = addressOf(id);
  return `${address.slice(0, 6)}…${address.slice(-6)}`;
}

/** The name a profile gives, or the short address. */
export function displayName(id: Hex, profile: ProfileSummary | null | undefined): string {
  const name = [profile?.name, profile?.surname].filter((part) => part?.trim()).join(' ');
  return name || shortAddress(id);
}

/** The profiles of `ids`, read together and redone when the state changes. */
export function useProfiles(ids: Hex[]): Map<Hex, ProfileSummary | null> {
  const unique = [...new Set(ids)].sort();
  const { data } = useRead(unique.length ? `profiles:${unique.join(',')}` : null, async (chain) => {
    const profiles = await Promise.all(
      unique.map(async (id) => [id, await queries.profile(chain, id)] as const),
    );
    return new Map(profiles);
  });
  return data ?? new Map();
}
