// The account the person acts as: one of the local chain's development accounts, or
// one from a wallet extension, remembered in this browser.
import {
  createContext,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useState,
  type ReactNode,
} from 'react';
import { extensionAccounts, hasExtensions } from '../chain/wallet';
import type { Account } from '../chain/types';
import { useChain } from './chain';

const SELECTED_KEY = 'w3bstreaming.account';

interface Accounts {
  /** Every account the app can sign for right now. */
  all: Account[];
  selected: Account | null;
  select: (address: string | null) => void;
  /** Asks the wallet extensions for their accounts. */
  connectWallet: () => Promise<void>;
  walletError: string | null;
}

const AccountContext = createContext<Accounts | null>(null);

export function AccountProvider({ children }: { children: ReactNode }) {
  const chain = useChain();
  const [wallet, setWallet] = useState<Account[]>([]);
  const [walletError, setWalletError] = useState<string | null>(null);
  const [address, setAddress] = useState<string | null>(() => localStorage.getItem(SELECTED_KEY));
  const all = useMemo(() => [...chain.builtInAccounts(), ...wallet], [chain, wallet]);
  const selected = all.find((account) => account.address === address) ?? null;

  const select = useCallback((next: string | null) => {
    setAddress(next);
    if (next) localStorage.setItem(SELECTED_KEY, next);
    else localStorage.removeItem(SELECTED_KEY);
  }, []);

  const connectWallet = useCallback(async () => {
    try {
      const found = await extensionAccounts();
      setWalletError(null);
      setWallet(found);
      if (found.length === 0) setWalletError('The wallet has no sr25519 accounts to offer');
    } catch (error) {
      setWalletError(error instanceof Error ? error.message : String(error));
    }
  }, []);

  // A wallet account chosen before is offered again without a click: the extension
  // remembers that it allowed this site.
  const remembered =
    address !== null && !chain.builtInAccounts().some((a) => a.address === address);
  useEffect(() => {
    if (!remembered || !hasExtensions()) return;
    let current = true;
    extensionAccounts().then(
      (found) => current && setWallet(found),
      // Not allowed any more: the person connects again with the button.
      () => undefined,
    );
    return () => {
      current = false;
    };
  }, [remembered]);

  return (
    <AccountContext.Provider value={{ all, selected, select, connectWallet, walletError }}>
      {children}
    </AccountContext.Provider>
  );
}

export function useAccounts(): Accounts {
  const accounts = useContext(AccountContext);
  if (!accounts) throw new Error('useAccounts outside AccountProvider');
  return accounts;
}
