// Joining a stream on a signaling connection: `broadcast` or `watch` with this
// connection's challenge signed by the account, sent again on every reconnection
// (each brings a new challenge) for as long as the join is wanted.
import { signText } from '../chain/sign';
import type { Account } from '../chain/types';
import { isSignInTo, type Challenge, type SignalingSocket } from './protocol';

export class Joiner {
  private challenge: Challenge | null = null;
  private signature: { nonce: string; signedMsg: `0x${string}` } | null = null;
  private wanted = false;

  constructor(
    private readonly socket: SignalingSocket,
    /** The server's URL, which the challenge must name. */
    private readonly url: string,
    private readonly account: Account,
    private readonly streamId: string,
    private readonly event: 'broadcast' | 'watch',
    /** The wallet would not sign. */
    private readonly onSignError: (text: string) => void,
  ) {
    socket.on('challenge', (challenge) => {
      this.challenge = challenge;
      if (this.wanted) void this.send();
    });
  }

  /** Joins now, or as soon as the server's challenge arrives. */
  join(): void {
    this.wanted = true;
    if (this.challenge) void this.send();
  }

  stop(): void {
    this.wanted = false;
  }

  private async send(): Promise<void> {
    const challenge = this.challenge;
    if (!challenge) return;
    if (!isSignInTo(challenge, this.url)) {
      this.onSignError('The signaling server asked to sign a sign-in to another server');
      return;
    }
    let signedMsg: `0x${string}`;
    try {
      // A join sent again on the same connection (to rejoin after failed ICE) reuses
      // its signature: the wallet asks once per connection.
      signedMsg =
        this.signature?.nonce === challenge.nonce
          ? this.signature.signedMsg
          : await signText(this.account, challenge.text);
    } catch (error) {
      this.onSignError(error instanceof Error ? error.message : String(error));
      return;
    }
    if (!this.wanted || this.challenge !== challenge) return;
    this.signature = { nonce: challenge.nonce, signedMsg };
    this.socket.emit(this.event, this.account.id, {
      streamId: this.streamId,
      signedMsg,
      encodedId: this.account.address,
    });
  }
}
