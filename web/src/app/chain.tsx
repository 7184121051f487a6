// The chain the app talks to, made from the configuration, and the version of the
// program's state: every read in the app is redone when it changes (after one of
// our writes, or when the chain says the program's state changed).
import { createContext, useCallback, useContext, useEffect, useState, type ReactNode } from 'react';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { LocalChain } from '../chain/local';
import { VaraChain } from '../chain/vara';
import type { Chain } from '../chain/types';
import { loadConfig, type Config } from './config';

type Connection =
  | { status: 'connecting' }
  | { status: 'failed'; error: string; config?: Config }
  | { status: 'ready'; chain: Chain; config: Config; overridden: boolean };

interface ChainState {
  connection: Connection;
  /** Grows whenever the program's state may have changed. */
  version: number;
  /** Tells every reader the state changed (after a write of ours). */
  changed: () => void;
  /** Connects again, after the configuration changed. */
  reconnect: () => void;
}

const ChainContext = createContext<ChainState | null>(null);

async function connect(config: Config): Promise<Chain> {
  await cryptoWaitReady();
  return config.network === 'local'
    ? LocalChain.connect(config.rpc)
    : VaraChain.connect(config.node, config.programId);
}

export function ChainProvider({ children }: { children: ReactNode }) {
  const [connection, setConnection] = useState<Connection>({ status: 'connecting' });
  const [version, setVersion] = useState(0);
  const [attempt, setAttempt] = useState(0);
  const changed = useCallback(() => setVersion((v) => v + 1), []);
  const reconnect = useCallback(() => {
    setConnection({ status: 'connecting' });
    setAttempt((a) => a + 1);
  }, []);

  useEffect(() => {
    let chain: Chain | undefined;
    let unwatch: (() => void) | undefined;
    let cancelled = false;
    void (async () => {
      let config: Config | undefined;
      try {
        const loaded = await loadConfig();
        config = loaded.config;
        const connected = await connect(config);
        if (cancelled) return connected.close();
        chain = connected;
        unwatch = connected.watch(changed);
        setConnection({ status: 'ready', chain: connected, config, overridden: loaded.overridden });
      } catch (error) {
        if (!cancelled) {
          const text = error instanceof Error ? error.message : String(error);
          setConnection({ status: 'failed', error: text, config });
        }
      }
    })();
    return () => {
      cancelled = true;
      unwatch?.();
      chain?.close();
    };
  }, [attempt, changed]);

  return (
    <ChainContext.Provider value={{ connection, version, changed, reconnect }}>
      {children}
    </ChainContext.Provider>
  );
}

export function useChainState(): ChainState {
  const state = useContext(ChainContext);
  if (!state) throw new Error('useChainState outside ChainProvider');
  return state;
}

/** The connected chain; only for components rendered once it is ready. */
export function useChain(): Chain {
  const { connection } = useChainState();
  if (connection.status !== 'ready') throw new Error('the chain is not connected');
  return connection.chain;
}
