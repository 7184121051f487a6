// A broadcaster's stream keys, for publishing from an encoder such as OBS over WHIP
// (docs/live.md, "OBS and other encoders"): a signaling connection signed in with the
// account's wallet lists them, makes one (the server shows it once) and revokes them.
import { signText } from '../chain/sign';
import type { Account } from '../chain/types';
import {
  isSignInTo,
  openSignaling,
  reasons,
  type SignalingSocket,
  type StreamKeyInfo,
} from './protocol';

export interface StreamKeysEvents {
  /** The keys as they are now, oldest first; the first list means signed in. */
  onKeys: (keys: StreamKeyInfo[]) => void;
  /** A key just made, with its secret: shown this once. */
  onMade: (made: StreamKeyInfo & { key: string }) => void;
  /** Whether the server takes encoders at all (it has a media server). */
  onMediaServer: (takes: boolean) => void;
  /** What went wrong, in words. */
  onProblem: (text: string) => void;
}

export class StreamKeys {
  private readonly socket: SignalingSocket;
  private closed = false;

  constructor(
    private readonly url: string,
    private readonly account: Account,
    events: StreamKeysEvents,
  ) {
    this.socket = openSignaling(url, () => !this.closed);
    this.socket.on('caps', ({ mediaServer }) => events.onMediaServer(mediaServer));
    // Each connection signs in with its own challenge: the first, and the one a
    // reconnection or an expired signature brings.
    this.socket.on('challenge', (challenge) => {
      if (!isSignInTo(challenge, this.url)) {
        events.onProblem('The signaling server asked to sign a sign-in to another server');
        return;
      }
      signText(this.account, challenge.text).then(
        (signedMsg) => {
          if (this.closed) return;
          this.socket.emit('streamKeys', this.account.id, {
            signedMsg,
            encodedId: this.account.address,
          });
        },
        (error: unknown) =>
          events.onProblem(error instanceof Error ? error.message : String(error)),
      );
    });
    this.socket.on('streamKeys', (keys) => events.onKeys(keys));
    this.socket.on('streamKey', (made) => events.onMade(made));
    this.socket.on('error', ({ message, reason }) => {
      if (reason !== reasons.expired) events.onProblem(message);
    });
  }

  /** Makes a key; `onMade` shows it. */
  create(): void {
    this.socket.emit('createStreamKey', this.account.id, {});
  }

  /** Revokes the key `id`: an encoder using it can no longer start. */
  revoke(id: string): void {
    this.socket.emit('revokeStreamKey', this.account.id, { id });
  }

  close(): void {
    this.closed = true;
    this.socket.close();
  }
}

/** Where an encoder publishes `streamId` over WHIP, on the signaling server at `url`. */
export function whipUrl(url: string, streamId: string): string {
  return `${url.replace(/\/+$/, '')}/whip/${encodeURIComponent(streamId)}`;
}
