// Four pages and their addresses. A stream id holds its title, which may contain
// any character (`/`, `?`, `#`, `%`, letters of any script): it travels in the path
// percent-encoded as one segment, and is decoded from the raw path, never from a
// path a browser or a library has already decoded.
import { useEffect, useState, type AnchorHTMLAttributes, type MouseEvent } from 'react';

export type Route =
  | { page: 'schedule' }
  | { page: 'stream'; id: string }
  | { page: 'channel'; account: string }
  | { page: 'account' }
  | { page: 'settings' }
  | { page: 'missing' };

export const paths = {
  schedule: () => '/',
  stream: (id: string) => `/stream/${encodeURIComponent(id)}`,
  channel: (account: string) => `/channel/${encodeURIComponent(account)}`,
  account: () => '/account',
  settings: () => '/settings',
};

/** The route of a raw (still percent-encoded) path. */
export function parseRoute(rawPath: string): Route {
  const decoded = (segment: string) => {
    try {
      return decodeURIComponent(segment);
    } catch {
      return null;
    }
  };
  const [, first = '', ...rest] = rawPath.split('/');
  const tail = rest.join('/');
  if (first === '' && rest.length === 0) return { page: 'schedule' };
  if (first === 'stream' && tail !== '') {
    const id = decoded(tail);
    return id === null ? { page: 'missing' } : { page: 'stream', id };
  }
  if (first === 'channel' && tail !== '') {
    const account = decoded(tail);
    return account === null ? { page: 'missing' } : { page: 'channel', account };
  }
  if (first === 'account' && tail === '') return { page: 'account' };
  if (first === 'settings' && tail === '') return { page: 'settings' };
  return { page: 'missing' };
}

const NAVIGATED = 'w3bstreaming:navigated';

/** Whether the page changed (a link, Back or Forward) since a heading last took the focus. */
let arrived = false;

/** Whether a new page was arrived at, once: its heading then takes the focus. */
export function takeArrival(): boolean {
  const was = arrived;
  arrived = false;
  return was;
}

/** Goes to `path`; `note` is what that page says on arrival (see `useArrivalNote`). */
export function navigate(path: string, note?: string): void {
  history.pushState(note === undefined ? null : { note }, '', path);
  arrived = true;
  window.dispatchEvent(new Event(NAVIGATED));
  window.scrollTo(0, 0);
}

export function useRoute(): Route {
  const [path, setPath] = useState(() => location.pathname);
  useEffect(() => {
    const update = () => setPath(location.pathname);
    const back = () => {
      arrived = true;
      update();
    };
    window.addEventListener('popstate', back);
    window.addEventListener(NAVIGATED, update);
    return () => {
      window.removeEventListener('popstate', back);
      window.removeEventListener(NAVIGATED, update);
    };
  }, []);
  return parseRoute(path);
}

/** A link that changes the page without reloading it (and opens normally with a modifier). */
export function Link({ to, ...props }: { to: string } & AnchorHTMLAttributes<HTMLAnchorElement>) {
  const onClick = (event: MouseEvent<HTMLAnchorElement>) => {
    props.onClick?.(event);
    if (event.defaultPrevented || event.button !== 0) return;
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(to);
  };
  return <a {...props} href={to} onClick={onClick} />;
}

/** What the page was told on arrival by the page that sent it here, such as what it did. */
export function useArrivalNote(): string | null {
  const [note] = useState<string | null>(() => {
    const state: unknown = history.state;
    return state && typeof state === 'object' && 'note' in state && typeof state.note === 'string'
      ? state.note
      : null;
  });
  return note;
}
