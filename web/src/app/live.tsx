// Live video in the app: the signaling server the configuration names, and the live
// status of the streams a page shows.
import {
  createContext,
  useContext,
  useEffect,
  useMemo,
  useSyncExternalStore,
  type ReactNode,
} from 'react';
import { LiveStatuses } from '../live/statuses';
import type { LiveStatus } from '../live/protocol';
import { useChainState } from './chain';

interface Live {
  /** The signaling server's URL, or null when none is configured. */
  url: string | null;
  statuses: LiveStatuses | null;
}

const LiveContext = createContext<Live>({ url: null, statuses: null });

export function LiveProvider({ children }: { children: ReactNode }) {
  const { connection } = useChainState();
  const url = connection.status === 'ready' ? (connection.config.signaling ?? null) : null;
  const statuses = useMemo(() => (url ? new LiveStatuses(url) : null), [url]);
  useEffect(() => () => statuses?.close(), [statuses]);
  return <LiveContext.Provider value={{ url, statuses }}>{children}</LiveContext.Provider>;
}

/** The signaling server's URL, or null when live video is not configured. */
export const useSignalingUrl = (): string | null => useContext(LiveContext).url;

const NONE = { version: 0, subscribe: () => () => undefined };

/** Whether each of `ids` is live and its watcher count, as far as the server said. */
export function useLiveStatuses(ids: string[]): Map<string, LiveStatus> {
  const { statuses } = useContext(LiveContext);
  // A stream id may hold any character: the key is the list as JSON.
  const key = JSON.stringify(ids);
  useEffect(() => {
    if (!statuses) return;
    return statuses.listen(JSON.parse(key) as string[]);
  }, [statuses, key]);
  const source = statuses ?? NONE;
  const version = useSyncExternalStore(source.subscribe, () => source.version);
  return useMemo(() => {
    const found = new Map<string, LiveStatus>();
    if (!statuses) return found;
    for (const id of JSON.parse(key) as string[]) {
      const status = statuses.get(id);
      if (status) found.set(id, status);
    }
    return found;
    // `version` says the statuses changed.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [statuses, key, version]);
}
