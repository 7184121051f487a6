// The local chain's development accounts: Substrate's well-known keys, derived from
// the public development phrase, as polkadot.js apps lists them. Anyone can make
// these keys; they exist so that a local chain can be tried without a wallet.
import { Keyring } from '@polkadot/keyring';
import { DEV_PHRASE } from '@polkadot/keyring';
import { stringToU8a, u8aToHex, u8aWrapBytes } from '@polkadot/util';
import type { KeyringPair } from '@polkadot/keyring/types';
import type { Account } from './types';

export const DEVELOPMENT = 'development';
const NAMES = ['Alice', 'Bob', 'Charlie', 'Dave', 'Eve', 'Ferdie'];

const keyring = new Keyring({ type: 'sr25519', ss58Format: 137 });
const pairs = new Map<string, KeyringPair>();

function pair(uri: string): KeyringPair {
  let found = pairs.get(uri);
  if (!found) {
    found = keyring.addFromUri(`${DEV_PHRASE}${uri}`);
    pairs.set(uri, found);
  }
  return found;
}

/** The six development accounts. Call after `cryptoWaitReady()`. */
export function developmentAccounts(): Account[] {
  return NAMES.map((name) => {
    const uri = `//${name}`;
    const key = pair(uri);
    return { address: key.address, id: u8aToHex(key.publicKey), name, source: DEVELOPMENT, uri };
  });
}

/** The development account's signature of `text`, as an extension's `signRaw` makes it. */
export function developmentSignRaw(account: Account, text: string): `0x${string}` {
  if (!account.uri) throw new Error(`${account.name} is not a development account`);
  return u8aToHex(pair(account.uri).sign(u8aWrapBytes(stringToU8a(text))));
}
