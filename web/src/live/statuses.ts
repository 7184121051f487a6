// Which streams are live and how many watch them, for every stream a page shows: one
// anonymous signaling connection listening to the union of what the mounted
// components ask for, told of every change by the server (no polling). The server
// closes a listener that stays silent for its idle time, so the page renews its
// `listen` while someone can see it; a hidden page lets it lapse and comes back when
// it is shown again.
import { openSignaling, type LiveStatus, type SignalingSocket } from './protocol';

export class LiveStatuses {
  private readonly socket: SignalingSocket;
  /** How many mounted components ask for each stream. */
  private readonly wanted = new Map<string, number>();
  private readonly known = new Map<string, LiveStatus>();
  private readonly subscribers = new Set<() => void>();
  private sendQueued = false;
  private closed = false;
  /** Streams one `listen` may name, as this connection's server said; none before it did. */
  private maxListened: number | null = null;
  private renewal: ReturnType<typeof setInterval> | undefined;
  /** Grows on every change, for `useSyncExternalStore`. */
  version = 0;

  constructor(url: string) {
    this.socket = openSignaling(url, () => !this.closed && pageShown());
    this.socket.on('caps', ({ maxListened, idleMs }) => {
      this.maxListened = maxListened;
      this.send();
      clearInterval(this.renewal);
      this.renewal = setInterval(() => {
        if (pageShown()) this.send();
      }, idleMs / 3);
    });
    this.socket.on('streamStatus', (status) => {
      if (!this.wanted.has(status.streamId)) return;
      this.known.set(status.streamId, status);
      this.changed();
    });
    this.socket.on('disconnect', () => {
      clearInterval(this.renewal);
      // Unknown until the server tells again, after reconnecting.
      this.maxListened = null;
      this.known.clear();
      this.changed();
    });
    document.addEventListener('visibilitychange', this.comeBack);
  }

  /** Hear of `ids` until the returned function is called. */
  listen(ids: string[]): () => void {
    ids.forEach((id) => this.wanted.set(id, (this.wanted.get(id) ?? 0) + 1));
    this.queueSend();
    return () => {
      for (const id of ids) {
        const left = (this.wanted.get(id) ?? 1) - 1;
        if (left > 0) this.wanted.set(id, left);
        else {
          this.wanted.delete(id);
          this.known.delete(id);
        }
      }
      this.queueSend();
    };
  }

  get(id: string): LiveStatus | undefined {
    return this.known.get(id);
  }

  subscribe = (onChange: () => void): (() => void) => {
    this.subscribers.add(onChange);
    return () => this.subscribers.delete(onChange);
  };

  close(): void {
    this.closed = true;
    clearInterval(this.renewal);
    document.removeEventListener('visibilitychange', this.comeBack);
    this.socket.close();
  }

  /** A page shown again listens again, if the server closed its idle connection. */
  private comeBack = (): void => {
    if (pageShown() && !this.closed && !this.socket.connected) this.socket.connect();
  };

  private changed(): void {
    this.version += 1;
    this.subscribers.forEach((onChange) => onChange());
  }

  /** One `listen` for all the changes of one render. */
  private queueSend(): void {
    if (this.sendQueued) return;
    this.sendQueued = true;
    queueMicrotask(() => {
      this.sendQueued = false;
      this.send();
    });
  }

  private send(): void {
    if (!this.socket.connected || this.maxListened === null) return;
    // The first streams asked for: a page showing more shows the rest without a badge.
    const streamIds = [...this.wanted.keys()].slice(0, this.maxListened);
    this.socket.emit('listen', '', { streamIds });
  }
}

/** Whether someone can see the page (not a hidden tab). */
const pageShown = (): boolean => document.visibilityState === 'visible';
