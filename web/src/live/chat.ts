// The chat beside a stream (docs/signaling.md, "Chat"): one signaling connection that
// reads the stream's chat for anyone, renewing its `chatRead` while the page is shown
// (the server closes a silent reader), and posts for the account that acts, signing
// this connection's challenge with its wallet on the first post.
import { signText } from '../chain/sign';
import type { Account } from '../chain/types';
import {
  isSignInTo,
  openSignaling,
  reasons,
  type Challenge,
  type ChatMessage,
  type SignalingSocket,
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

export interface ChatEvents {
  /** The messages as they are now, oldest first. */
  onMessages: (messages: ChatMessage[]) => void;
  /** The longest text the server takes, in bytes, once it said. */
  onMaxBytes: (max: number) => void;
  /** Why the last post was refused, in words; null once one went through. */
  onProblem: (text: string | null) => void;
}

export class ChatRoom {
  private readonly socket: SignalingSocket;
  private messages: ChatMessage[] = [];
  private challenge: Challenge | null = null;
  /** Whether this connection sent a signed post the server has not refused. */
  private signedIn = false;
  /** The last post sent with a signature: sent again if its challenge had expired. */
  private signed: { account: Account; text: string } | null = null;
  /** A post to sign again: a reconnection brought a new challenge while the wallet signed. */
  private retry: { account: Account; text: string } | null = null;
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
      if (retry) void this.post(retry.account, retry.text);
    });
    this.socket.on('chatHistory', ({ streamId, messages }) => {
      if (streamId !== this.streamId) return;
      this.messages = messages.slice(-KEPT);
      events.onMessages(this.messages);
    });
    this.socket.on('chatMessage', ({ streamId, message }) => {
      if (streamId !== this.streamId) return;
      this.messages = [...this.messages, message].slice(-KEPT);
      events.onMessages(this.messages);
    });
    this.socket.on('error', ({ message, reason }) => {
      if (SIGN_IN_REFUSALS.has(reason)) this.signedIn = false;
      // An expired challenge comes after the new one: the post is signed and sent again.
      const again = this.signed;
      if (reason === reasons.expired && again) {
        this.signed = null;
        void this.post(again.account, again.text);
        return;
      }
      events.onProblem(message);
    });
  }

  /**
   * Posts `text` as `account`: resolves once it is sent (the server's refusal, if any,
   * comes through `onProblem`; the message itself through `onMessages`).
   */
  async post(account: Account, text: string): Promise<void> {
    const challenge = this.challenge;
    if (!challenge || !this.socket.connected) {
      this.events.onProblem('Not connected to the signaling server yet: try again in a moment');
      return;
    }
    let proof = {};
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
        // A reconnection brought another challenge while the wallet signed.
        this.retry = { account, text };
        return;
      }
      this.signedIn = true;
      this.signed = { account, text };
    }
    this.events.onProblem(null);
    this.socket.emit('chatPost', account.id, { streamId: this.streamId, text, ...proof });
  }

  close(): void {
    this.closed = true;
    clearInterval(this.renewal);
    this.socket.close();
  }

  private read(): void {
    if (this.socket.connected) this.socket.emit('chatRead', '', { streamId: this.streamId });
  }
}
