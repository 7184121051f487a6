// Signing a text for the account that acts: in the page for a development account, by
// the wallet extension (which shows the text) for any other.
import { DEVELOPMENT, developmentSignRaw } from './development';
import type { Account } from './types';
import { extensionSignRaw } from './wallet';

/** `account`'s sr25519 signature of `<Bytes>text</Bytes>`, as `signRaw` makes it. */
export async function signText(account: Account, text: string): Promise<`0x${string}`> {
  return account.source === DEVELOPMENT
    ? developmentSignRaw(account, text)
    : extensionSignRaw(account, text);
}
