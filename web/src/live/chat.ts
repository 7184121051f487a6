// The chat beside a stream (docs/signaling.md, "Chat"): one signaling connection that
// reads the stream's chat for anyone, renewing its `chatRead` while the page is shown
// (the server closes a silent reader), and acts for the account that acts (posts; for
// the broadcaster and moderators deletes, times out and sets the chat's rules; for the
// broadcaster tells the servers of a role changed on chain), signing this connection's
// challenge with its wallet the first time.
import { signText } from '../chain/sign';
import type { Account } from '../chain/types';
import type { Hex } from '../program/types';
import {
  isSignInTo,
  openSignaling,
  reasons,
  type Challenge,
  type ChatMessage,
  type ChatSettings,
  type Role,
  type SignalingSocket,
  type SignedIn,
} from './protocol';

/** The most messages a page keeps: the server's history, and what came after it. */
const KEPT = 200;

/** The refusals after which this connection is not signed in. */
const SIGN_IN_REFUSALS = new Set([
  'missing_signature',
  'bad_signature',
  'expired',
  'impostor',
  'signed_in_as_other',
]);

/** What the account does in the chat. */
export type ChatAct =
  | { kind: 'post'; text: string }
  | { kind: 'delete'; id: number }
  | { kind: 'timeOut'; account: Hex; minutes: number }
  | { kind: 'settings'; settings: ChatSettings }
  | { kind: 'roleChanged'; account: Hex };

export interface ChatEvents {
  /** The messages as they are now, oldest first. */
  onMessages: (messages: ChatMessage[]) => void;
  /** The chat's settings, as its broadcaster set them. */
  onSettings: (settings: ChatSettings) => void;
  /** An account was timed out until `untilMs`. */
  onTimedOut: (account: Hex, untilMs: number) => void;
  /** The longest text the server takes, in bytes, once it said. */
  onMaxBytes: (max: number) => void;
  /** The program says `account` holds `role` in the channel now. */
  onRole: (account: Hex, role: Role | null) => void;
  /** Why the last act was refused, in words; null once one was sent. */
  onProblem: (text: string | null) => void;
}

export class ChatRoom {
  private readonly socket: SignalingSocket;
  private messages: ChatMessage[] = [];
  private challenge: Challenge | null = null;
  /** Whether this connection sent a signed act the server has not refused. */
  private signedIn = false;
  /** The last act sent with a signature: sent again if its challenge had expired. */
  private signed: { account: Account; act: ChatAct } | null = null;
  /** An act to sign again: a reconnection brought a new challenge while the wallet signed. */
  private retry: { account: Account; act: ChatAct } | null = null;
  private renewal: ReturnType<typeof setInterval> | undefined;
  private closed = false;

  constructor(
    private readonly url: string,
    private readonly streamId: string,
    private readonly events: ChatEvents,
  ) {
    this.socket = openSignaling(url, () => !this.closed);
    this.socket.on('caps', ({ idleMs, maxChatBytes }) => {
      events.onMaxBytes(maxChatBytes);
      this.read();
      clearInterval(this.renewal);
      this.renewal = setInterval(() => this.read(), idleMs / 3);
    });
    this.socket.on('challenge', (challenge) => {
      this.challenge = challenge;
      this.signedIn = false;
      const retry = this.retry;
      this.retry = null;
      if (retry) void this.act(retry.account, retry.act);
    });
    this.socket.on('chatHistory', ({ streamId, messages, settings }) => {
      if (streamId !== this.streamId) return;
      this.show(messages);
      events.onSettings(settings);
    });
    this.socket.on('chatMessage', ({ streamId, message }) => {
      if (streamId === this.streamId) this.show([...this.messages, message]);
    });
    this.socket.on('chatDeleted', ({ streamId, id }) => {
      if (streamId === this.streamId) this.show(this.messages.filter((m) => m.id !== id));
    });
    this.socket.on('chatTimedOut', ({ streamId, account, untilMs }) => {
      if (streamId === this.streamId) events.onTimedOut(account, untilMs);
    });
    this.socket.on('chatSettings', ({ streamId, settings }) => {
      if (streamId === this.streamId) events.onSettings(settings);
    });
    this.socket.on('chatRole', ({ streamId, account, role }) => {
      if (streamId !== this.streamId) return;
      if (role === 'banned') this.show(this.messages.filter((m) => m.author !== account));
      events.onRole(account, role);
    });
    this.socket.on('error', ({ message, reason }) => {
      if (SIGN_IN_REFUSALS.has(reason)) this.signedIn = false;
      // An expired challenge comes after the new one: the act is signed and sent again.
      const again = this.signed;
      if (reason === reasons.expired && again) {
        this.signed = null;
        void this.act(again.account, again.act);
        return;
      }
      events.onProblem(message);
    });
  }

  /**
   * Does `act` as `account`: resolves once it is sent. The server's refusal, if any,
   * comes through `onProblem`; what it changes through the other events.
   */
  async act(account: Account, act: ChatAct): Promise<void> {
    const challenge = this.challenge;
    if (!challenge || !this.socket.connected) {
      this.events.onProblem('Not connected to the signaling server yet: try again in a moment');
      return;
    }
    let proof: SignedIn = {};
    if (!this.signedIn) {
      if (!isSignInTo(challenge, this.url)) {
        this.events.onProblem('The signaling server asked to sign a sign-in to another server');
        return;
      }
      try {
        proof = { signedMsg: await signText(account, challenge.text), encodedId: account.address };
      } catch (error) {
        this.events.onProblem(error instanceof Error ? error.message : String(error));
        return;
      }
      if (this.challenge !== challenge) {
        this.retry = { account, act };
        return;
      }
      this.signedIn = true;
      this.signed = { account, act };
    }
    this.events.onProblem(null);
    const streamId = this.streamId;
    switch (act.kind) {
      case 'post':
        this.socket.emit('chatPost', account.id, { streamId, text: act.text, ...proof });
        break;
      case 'delete':
        this.socket.emit('chatDelete', account.id, { streamId, id: act.id, ...proof });
        break;
      case 'timeOut':
        this.socket.emit('chatTimeout', account.id, {
          streamId,
          account: act.account,
          minutes: act.minutes,
          ...proof,
        });
        break;
      case 'settings':
        this.socket.emit('chatSettings', account.id, { streamId, ...act.settings, ...proof });
        break;
      case 'roleChanged':
        this.socket.emit('channelRole', account.id, { account: act.account, ...proof });
        break;
    }
  }

  /**
   * Asks the servers to show tip `number`, which the chain confirmed, in this chat: no
   * sign-in, since they ask the program for its receipt.
   */
  announceTip(number: number): void {
    this.events.onProblem(null);
    this.socket.emit('chatTip', '', { streamId: this.streamId, number });
  }

  close(): void {
    this.closed = true;
    clearInterval(this.renewal);
    this.socket.close();
  }

  private show(messages: ChatMessage[]): void {
    this.messages = messages.slice(-KEPT);
    this.events.onMessages(this.messages);
  }

  private read(): void {
    if (this.socket.connected) this.socket.emit('chatRead', '', { streamId: this.streamId });
  }
}
