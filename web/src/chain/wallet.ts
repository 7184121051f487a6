// Accounts from the wallet extensions the browser has (polkadot.js, SubWallet,
// Talisman: anything that injects `window.injectedWeb3`), and signing with them.
import { web3Accounts, web3Enable, web3FromSource, isWeb3Injected } from '@polkadot/extension-dapp';
import { decodeAddress } from '@polkadot/util-crypto';
import { stringToHex, u8aToHex } from '@polkadot/util';
import type { Signer } from '@polkadot/api/types';
import { ChainError, type Account } from './types';

const VARA_SS58 = 137;
const APP_NAME = 'w3bstreaming';

/** Whether any extension injected itself into the page. */
export const hasExtensions = (): boolean => isWeb3Injected;

/** Asks the extensions for access (each shows its prompt) and lists their accounts. */
export async function extensionAccounts(): Promise<Account[]> {
  const extensions = await web3Enable(APP_NAME);
  if (extensions.length === 0) {
    throw new ChainError('No wallet extension allowed access: install one or allow this site');
  }
  const accounts = await web3Accounts({ ss58Format: VARA_SS58 });
  return accounts
    .filter((account) => account.type === undefined || account.type === 'sr25519')
    .map((account) => ({
      address: account.address,
      id: u8aToHex(decodeAddress(account.address)),
      name: account.meta.name ?? account.address.slice(0, 8),
      source: account.meta.source,
    }));
}

/** The extension signer of an extension account, for transactions. */
export async function extensionSigner(account: Account): Promise<Signer> {
  const { signer } = await web3FromSource(account.source);
  return signer;
}

/** An extension's `signRaw` of `text` (it signs `<Bytes>text</Bytes>`). */
export async function extensionSignRaw(account: Account, text: string): Promise<`0x${string}`> {
  const signer = await extensionSigner(account);
  if (!signer.signRaw) throw new ChainError(`${account.source} cannot sign raw bytes`);
  const { signature } = await signer.signRaw({
    address: account.address,
    data: stringToHex(text),
    type: 'bytes',
  });
  return signature;
}
