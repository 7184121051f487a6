// The signaling server's socket.io events (docs/signaling.md), as this app sends and
// reads them. Every client event is `(user id, message)`; ids are `0x` public keys.
import { io, type Socket } from 'socket.io-client';
import type { Hex } from '../program/types';

export interface Challenge {
  /** What the account signs: it names the server and the expiry. */
  text: string;
  /** The random part of `text`. */
  nonce: string;
  /** Milliseconds since the epoch. */
  expiresAt: number;
}

/**
 * Whether `challenge` is a sign-in to the signaling server at `url`: the app signs no
 * text that names another server, whoever sends it.
 */
export function isSignInTo(challenge: Challenge, url: string): boolean {
  const prefix = `Sign in to the w3bstreaming signaling server at ${new URL(url).origin}\n`;
  return (
    challenge.text.startsWith(prefix) && challenge.text.includes(`\nNonce: ${challenge.nonce}\n`)
  );
}

/** Whether a stream is live and how many watch it, as `listen` reports it. */
export interface LiveStatus {
  streamId: string;
  live: boolean;
  watchers: number;
}

interface StreamRef {
  streamId: string;
}

/** What a client must keep within, as the server tells it on connect. */
export interface Caps {
  /** Streams one `listen` may name. */
  maxListened: number;
  maxStreamIdBytes: number;
  maxSdpBytes: number;
  maxCandidateBytes: number;
  /** How long a connection that neither broadcasts nor watches may stay silent. */
  idleMs: number;
  /** Whether the server has a media server: encoders may then publish over WHIP. */
  mediaServer: boolean;
  /** Bytes of a chat message's text, once trimmed. */
  maxChatBytes: number;
}

/** How a chat lets people post, as its broadcaster set it for the live stream. */
export interface ChatSettings {
  /** Only followers of the broadcaster may post. */
  followersOnly: boolean;
  /** Each account may post once per this many seconds; 0: no slow mode. */
  slowSecs: number;
  /** The broadcaster keeps the chat after the stream: shown for a day after its last message. */
  keep: boolean;
}

/** One message of a stream's chat, as every reader receives it. */
export interface ChatMessage {
  /** Counts up from 1 within one live stream. */
  id: number;
  /** The account that posted it. */
  author: Hex;
  /** Its profile name when it posted, if it set one. */
  name: string | null;
  text: string;
  /** Milliseconds since the epoch. */
  atMs: number;
  /** Set for a tip the program confirmed: its receipt's number and value (decimal). */
  tip?: { number: number; amount: string };
}

/** A stream key as its owner sees it listed: never the key itself. */
export interface StreamKeyInfo {
  /** 8 hex characters. */
  id: string;
  /** Milliseconds since the epoch. */
  createdAt: number;
}

/** Proof of the account, as in a join (not needed once the connection signed in). */
export interface SignedIn {
  signedMsg?: Hex;
  encodedId?: string;
}

/**
 * A role in a broadcaster's channel as the signaling server names it: the program's
 * `ChannelRole` (`Moderator`, `Banned`).
 */
export type Role = 'moderator' | 'banned';

/** How a live stream's video reaches its viewers: peer to peer, or through the media server. */
export type Via = 'peers' | 'mediaServer';

/** The simulcast layer a viewer receives through the media server; `auto`: the best its link carries. */
export type Layer = 'auto' | 'high' | 'medium' | 'low';

/** A layer as it is received: what Auto gives. */
export type ReceivedLayer = Exclude<Layer, 'auto'>;

export interface ServerEvents {
  caps: (caps: Caps) => void;
  /** To a broadcaster going live, and a viewer let in: how the video travels. */
  route: (route: StreamRef & { via: Via }) => void;
  /** To a broadcaster that published: the media server's answer. */
  published: (message: StreamRef & { description: RTCSessionDescriptionInit }) => void;
  challenge: (challenge: Challenge) => void;
  error: (refusal: Refusal) => void;
  iceServers: (servers: RTCIceServer[]) => void;
  isStreaming: (live: boolean) => void;
  watchersCount: (count: number) => void;
  streamStatus: (status: LiveStatus) => void;
  /** To the broadcaster: `viewer` joined. */
  watch: (viewer: Hex, message: StreamRef) => void;
  /** To the broadcaster: `viewer` left. */
  stopWatching: (viewer: Hex, message: StreamRef) => void;
  /** To a viewer: the broadcaster ended the stream. */
  stopBroadcasting: (broadcaster: Hex, message: StreamRef & { userId: Hex }) => void;
  offer: (
    broadcaster: Hex,
    message: StreamRef & { userId: Hex; description: RTCSessionDescriptionInit },
  ) => void;
  answer: (
    broadcaster: Hex,
    message: StreamRef & { userId: Hex; description: RTCSessionDescriptionInit },
  ) => void;
  candidate: (from: Hex, message: StreamRef & { candidate: RTCIceCandidateInit }) => void;
  /** To a viewer on Auto: the layer its link carries now (a smaller one while it loses packets). */
  autoLayer: (broadcaster: Hex, message: { layer: ReceivedLayer }) => void;
  /** A stream key just made: the one time the key is shown. */
  streamKey: (made: StreamKeyInfo & { key: string }) => void;
  /** The account's stream keys, oldest first. */
  streamKeys: (keys: StreamKeyInfo[]) => void;
  /** The last messages of the chat just opened, oldest first (none while it is not live), and its settings. */
  chatHistory: (history: StreamRef & { messages: ChatMessage[]; settings: ChatSettings }) => void;
  /** A new message in the chat the connection reads. */
  chatMessage: (posted: StreamRef & { message: ChatMessage }) => void;
  /** The broadcaster deleted message `id`. */
  chatDeleted: (deleted: StreamRef & { id: number }) => void;
  /** The broadcaster timed `account` out until `untilMs`. */
  chatTimedOut: (timedOut: StreamRef & { account: Hex; untilMs: number }) => void;
  /** The broadcaster changed the chat's settings. */
  chatSettings: (changed: StreamRef & { settings: ChatSettings }) => void;
  /** The program says `account` holds `role` in the channel now (a ban takes its messages out). */
  chatRole: (changed: StreamRef & { account: Hex; role: Role | null }) => void;
  /** To a broadcaster who said a role changed: the role the servers act on now. */
  channelRole: (told: { account: Hex; role: Role | null }) => void;
}

export interface Join {
  streamId: string;
  /** This connection's challenge text, signed by the account. */
  signedMsg: Hex;
  /** The signer's address. */
  encodedId: string;
}

export interface ClientEvents {
  broadcast: (broadcaster: Hex, join: Join) => void;
  /** The broadcaster's offer to the media server, when the stream goes through it. */
  publish: (
    broadcaster: Hex,
    message: StreamRef & { description: RTCSessionDescriptionInit },
  ) => void;
  watch: (viewer: Hex, join: Join) => void;
  /** Ends the account's live stream, whichever connection or encoder broadcasts it. */
  endStream: (broadcaster: Hex, join: Join) => void;
  offer: (
    broadcaster: Hex,
    message: { userId: Hex; description: RTCSessionDescriptionInit },
  ) => void;
  answer: (broadcaster: Hex, message: { description: RTCSessionDescriptionInit }) => void;
  /** A viewer receiving through the media server picks its layer. */
  quality: (broadcaster: Hex, message: { layer: Layer }) => void;
  candidate: (peer: Hex, message: { candidate: RTCIceCandidateInit }) => void;
  stopBroadcasting: (broadcaster: Hex, message: StreamRef) => void;
  stopWatching: (viewer: Hex, message: StreamRef) => void;
  listen: (anyone: string, message: { streamIds: string[] }) => void;
  /** Signs in, if not yet, and lists the account's stream keys. */
  streamKeys: (owner: Hex, message: SignedIn) => void;
  createStreamKey: (owner: Hex, message: SignedIn) => void;
  revokeStreamKey: (owner: Hex, message: { id: string }) => void;
  /** Reads the chat of a stream from now on, signed in or not. */
  chatRead: (anyone: string, message: StreamRef) => void;
  /** Posts to a live stream's chat; signs in, if not yet. */
  chatPost: (author: Hex, message: StreamRef & SignedIn & { text: string }) => void;
  /** Shows tip `number`, confirmed on chain, in the chat; anyone may ask. */
  chatTip: (nobody: '', message: StreamRef & { number: number }) => void;
  /** The broadcaster deletes a message for everyone. */
  chatDelete: (broadcaster: Hex, message: StreamRef & SignedIn & { id: number }) => void;
  /** The broadcaster keeps `account` from posting for `minutes`. */
  chatTimeout: (
    broadcaster: Hex,
    message: StreamRef & SignedIn & { account: Hex; minutes: number },
  ) => void;
  /** The broadcaster sets followers-only and slow mode. */
  chatSettings: (broadcaster: Hex, message: StreamRef & SignedIn & ChatSettings) => void;
  /** The broadcaster changed `account`'s role on chain: the servers ask the program again. */
  channelRole: (broadcaster: Hex, message: SignedIn & { account: Hex }) => void;
}

export type SignalingSocket = Socket<ServerEvents, ClientEvents>;

/**
 * A connection to the signaling server at `url`. Websocket only, so that any server
 * process behind one address can take it; it reconnects by itself, with backoff,
 * while `wanted()`.
 */
export function openSignaling(url: string, wanted: () => boolean): SignalingSocket {
  const socket: SignalingSocket = io(url, {
    transports: ['websocket'],
    forceNew: true,
    reconnectionDelay: 500,
    reconnectionDelayMax: 8_000,
  });
  // socket.io-client reconnects by itself after a lost connection, not after the
  // server closed it (a restart or a deploy): that too is a reason to come back.
  socket.on('disconnect', (reason) => {
    if (reason !== 'io server disconnect') return;
    setTimeout(() => wanted() && socket.connect(), RESTART_DELAY_MS);
  });
  return socket;
}

const RESTART_DELAY_MS = 2_000;

/** Why the server turned an event down: its text for people, its reason's code for programs. */
export interface Refusal {
  message: string;
  /** One of the codes signaling/src/refusal.rs names (`Refusal::reason`). */
  reason: string;
}

/** The reason codes of the refusals that need their own answer in the page. */
export const reasons = {
  notFollower: 'not_subscribed',
  banned: 'banned',
  alreadyBroadcasting: 'already_broadcasting',
  notStarted: 'not_started',
  full: 'full',
  expired: 'expired',
  chainBusy: 'chain_unavailable',
  mediaUnavailable: 'media_unavailable',
} as const;
