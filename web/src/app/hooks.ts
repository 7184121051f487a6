// Reading the program from components: every read is redone when the state version
// changes, keeping what it showed until the new answer arrives; list reads keep the
// pages a person loaded.
import { useCallback, useEffect, useEffectEvent, useState } from 'react';
import { ProgramError, type Account, type Chain } from '../chain/types';
import type { Page } from '../program/messages';
import type { Action, Event } from '../program/types';
import { useChain, useChainState } from './chain';

export interface Read<T> {
  data: T | undefined;
  error: string | null;
  loading: boolean;
}

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** `read`'s answer, redone when `key` or the state version changes; `null` key: none. */
export function useRead<T>(key: string | null, read: (chain: Chain) => Promise<T>): Read<T> {
  const chain = useChain();
  const { version } = useChainState();
  const [state, setState] = useState<{
    key: string | null;
    version: number;
    data: T | undefined;
    error: string | null;
  }>({ key: null, version: -1, data: undefined, error: null });
  const fetchNow = useEffectEvent(() => read(chain));
  useEffect(() => {
    if (key === null) return;
    let current = true;
    fetchNow().then(
      (data) => current && setState({ key, version, data, error: null }),
      (error: unknown) =>
        current &&
        setState((old) => ({
          key,
          version,
          data: old.key === key ? old.data : undefined,
          error: message(error),
        })),
    );
    return () => {
      current = false;
    };
  }, [chain, key, version]);
  if (key === null) return { data: undefined, error: null, loading: false };
  const fresh = state.key === key;
  return {
    data: fresh ? state.data : undefined,
    error: fresh ? state.error : null,
    loading: !fresh || state.version !== version,
  };
}

export interface Pages<T> {
  items: T[];
  error: string | null;
  /**
   * Whether the list is being read to more than it shows: its first pages, or the
   * page `loadMore` asked for. Reading the shown pages again after a change is not
   * loading: the list stays as it is, with its button, until the new read replaces it.
   */
  loading: boolean;
  /** Whether the list goes on past what is loaded. */
  more: boolean;
  loadMore: () => void;
}

/**
 * A list read page by page with `fetch(after)`; `loadMore` adds the next page. When
 * the state version changes, or `refresh` does, the same number of pages is read
 * again from the start; a new `key` is another list, read from its first page.
 */
export function usePages<T, C>(
  key: string | null,
  fetch: (chain: Chain, after: C | null) => Promise<Page<T, C>>,
  refresh = 0,
): Pages<T> {
  const chain = useChain();
  const { version } = useChainState();
  const [wanted, setWanted] = useState({ key, pages: 1 });
  const pages = wanted.key === key ? wanted.pages : 1;
  const [state, setState] = useState<{
    /** What was read: which list, and how many pages deep. */
    key: string | null;
    pages: number;
    items: T[];
    next: C | null;
    error: string | null;
  }>({ key: null, pages: 0, items: [], next: null, error: null });
  const fetchPage = useEffectEvent((after: C | null) => fetch(chain, after));

  useEffect(() => {
    if (key === null) return;
    let current = true;
    void (async () => {
      const items: T[] = [];
      let next: C | null = null;
      let read = 0;
      try {
        do {
          const page = await fetchPage(next);
          items.push(...page.items);
          next = page.next;
          read += 1;
        } while (next !== null && read < pages);
        if (current) setState({ key, pages, items, next, error: null });
      } catch (error) {
        if (!current) return;
        setState((old) =>
          old.key === key
            ? { ...old, pages, error: message(error) }
            : { key, pages, items: [], next: null, error: message(error) },
        );
      }
    })();
    return () => {
      current = false;
    };
  }, [chain, key, version, refresh, pages]);

  const loadMore = useCallback(() => setWanted({ key, pages: pages + 1 }), [key, pages]);
  const sameList = key !== null && state.key === key;
  return {
    items: sameList ? state.items : [],
    error: sameList ? state.error : null,
    loading: key !== null && (!sameList || state.pages < pages),
    more: sameList && state.next !== null,
    loadMore,
  };
}

export type ActionState =
  | { status: 'idle' }
  | { status: 'pending' }
  | { status: 'done'; event: Event }
  | { status: 'rejected'; text: string; byProgram: boolean };

/**
 * One action's life: pending from the click until the program's reply arrives, then
 * done (with the reply) or rejected (with the program's text, or the node's).
 */
export function useAction(): [
  ActionState,
  (account: Account, action: Action, value?: bigint) => Promise<Event | null>,
  () => void,
] {
  const chain = useChain();
  const { changed } = useChainState();
  const [state, setState] = useState<ActionState>({ status: 'idle' });
  const run = useCallback(
    async (account: Account, action: Action, value?: bigint) => {
      setState({ status: 'pending' });
      try {
        const event = await chain.send(account, action, value);
        setState({ status: 'done', event });
        changed();
        return event;
      } catch (error) {
        setState({
          status: 'rejected',
          text: message(error),
          byProgram: error instanceof ProgramError,
        });
        return null;
      }
    },
    [chain, changed],
  );
  const reset = useCallback(() => setState({ status: 'idle' }), []);
  return [state, run, reset];
}

/** The time now, updated every `everyMs`. */
export function useNow(everyMs: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return now;
}
