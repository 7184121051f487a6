// A viewer's side of a live stream: one signaling connection, signed in as the
// viewer, and one peer connection to the broadcaster, receiving its tracks. It keeps
// trying while the stream has not started or is full, and rejoins by itself after a
// dropped connection or failed ICE.
import type { Account } from '../chain/types';
import type { Hex } from '../program/types';
import { Joiner } from './join';
import { CandidateInbox } from './peer';
import {
  openSignaling,
  reasons,
  type Layer,
  type ReceivedLayer,
  type Refusal,
  type SignalingSocket,
  type Via,
} from './protocol';

export type ViewingState =
  | { phase: 'joining' }
  /** Refused for a reason that may pass (not live yet, full, the chain busy): trying again. */
  | { phase: 'waiting'; text: string; retryAt: number }
  /** The server said the viewer does not follow the broadcaster. */
  | { phase: 'not-follower'; text: string }
  | { phase: 'refused'; text: string }
  /** Let in; the video is on its way. */
  | { phase: 'connecting' }
  | { phase: 'playing' }
  | { phase: 'reconnecting' }
  | { phase: 'ended' }
  | { phase: 'left' };

export interface ViewingEvents {
  onState: (state: ViewingState) => void;
  onViewers: (count: number) => void;
  /** The broadcaster's tracks, as they arrive; `null` once they are gone. */
  onMedia: (media: MediaStream | null) => void;
  /** How the video travels, once let in. */
  onRoute: (via: Via) => void;
  /** On Auto, the layer the viewer's link carries, once the server says; `null` again with a new subscription or a pick. */
  onAutoLayer: (layer: ReceivedLayer | null) => void;
}

const FIRST_RETRY_MS = 1_000;
const LAST_RETRY_MS = 30_000;

interface Peer {
  broadcaster: Hex;
  pc: RTCPeerConnection;
  inbox: CandidateInbox;
}

export class Viewing {
  private readonly socket: SignalingSocket;
  private readonly joiner: Joiner;
  private iceServers: RTCIceServer[] = [];
  private peer: Peer | null = null;
  private phase: ViewingState['phase'] = 'joining';
  private retries = 0;
  private layer: Layer = 'auto';
  private retryTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    url: string,
    private readonly account: Account,
    private readonly streamId: string,
    private readonly events: ViewingEvents,
  ) {
    this.socket = openSignaling(url, () => this.phase !== 'left');
    this.joiner = new Joiner(this.socket, url, account, streamId, 'watch', (text) =>
      this.set({ phase: 'refused', text }),
    );
    const socket = this.socket;
    // Every handler is in place before the first join goes out, so that nothing the
    // server sends in reply is missed.
    socket.on('connect', () => {
      // The join goes out with this connection's challenge.
      if (this.phase !== 'left') this.set({ phase: 'joining' });
    });
    // The server tells a connection its caps once its handlers are in place: a
    // `listen` sent before could find none, and the player would never hear the
    // broadcaster come back.
    socket.on('caps', () => socket.emit('listen', account.id, { streamIds: [streamId] }));
    socket.on('streamStatus', ({ streamId: id, live, watchers }) => {
      if (id !== streamId) return;
      if (live) this.events.onViewers(watchers);
      // Waiting for the stream (or for the broadcaster to come back): join now.
      if (live && (this.phase === 'waiting' || this.phase === 'ended')) this.rejoin();
    });
    socket.on('iceServers', (servers) => {
      this.iceServers = servers;
    });
    socket.on('isStreaming', (live) => {
      if (live && this.phase !== 'playing') this.set({ phase: 'connecting' });
    });
    socket.on('watchersCount', (count) => this.events.onViewers(count));
    socket.on('route', ({ streamId: id, via }) => {
      if (id === streamId) this.events.onRoute(via);
    });
    socket.on(
      'offer',
      (broadcaster, { description }) => void this.answer(broadcaster, description),
    );
    socket.on('autoLayer', (from, { layer }) => {
      if (this.peer?.broadcaster === from && this.layer === 'auto') this.events.onAutoLayer(layer);
    });
    socket.on('candidate', (from, { candidate }) => {
      if (this.peer?.broadcaster === from) this.peer.inbox.add(candidate);
    });
    socket.on('stopBroadcasting', () => {
      clearTimeout(this.retryTimer);
      this.closePeer();
      this.set({ phase: 'ended' });
    });
    socket.on('error', (refusal) => this.refused(refusal));
    socket.on('disconnect', () => {
      this.closePeer();
      // The join goes out again with the next connection's challenge.
      if (this.phase !== 'left') this.set({ phase: 'reconnecting' });
    });
    this.set({ phase: 'joining' });
    this.joiner.join();
  }

  /** Asks to join again at once: after following, or on the person's Retry. */
  retry(): void {
    this.retries = 0;
    this.rejoin();
  }

  /** Receives `layer` of the video from now on (through the media server only). */
  setLayer(layer: Layer): void {
    this.layer = layer;
    this.events.onAutoLayer(null);
    if (this.peer) this.socket.emit('quality', this.peer.broadcaster, { layer });
  }

  /** Stops watching; the broadcaster hears of it at once. */
  leave(): void {
    if (this.phase === 'left') return;
    clearTimeout(this.retryTimer);
    this.joiner.stop();
    if (this.socket.connected) {
      this.socket.emit('stopWatching', this.account.id, { streamId: this.streamId });
    }
    this.closePeer();
    this.set({ phase: 'left' });
    this.socket.close();
  }

  private set(state: ViewingState): void {
    this.phase = state.phase;
    this.events.onState(state);
  }

  private rejoin(): void {
    if (this.phase === 'left') return;
    clearTimeout(this.retryTimer);
    this.set({ phase: 'joining' });
    this.joiner.join();
  }

  private refused({ message: text, reason }: Refusal): void {
    // A new challenge comes with this refusal, and the join goes out again with it.
    if (reason === reasons.expired) return;
    // Also while watching: the server found that the viewer unfollowed, and ended it.
    if (reason === reasons.notFollower) {
      this.closePeer();
      return this.set({ phase: 'not-follower', text });
    }
    // Also while watching: the broadcaster banned the viewer from the channel.
    if (reason === reasons.banned) {
      this.closePeer();
      return this.set({ phase: 'refused', text });
    }
    // Let in, but the media server could not give this viewer the stream (its
    // subscription failed, or never came up): joining again makes a new one.
    if (reason === reasons.mediaUnavailable && this.phase === 'connecting') {
      this.closePeer();
      return this.wait(text);
    }
    // Once let in, an error answers a relay (a late candidate to a broadcaster who
    // just stopped): the join stands.
    if (this.phase !== 'joining') return;
    const passing =
      reason === reasons.notStarted || reason === reasons.full || reason === reasons.chainBusy;
    if (!passing) return this.set({ phase: 'refused', text });
    this.wait(text);
  }

  /** Joins again after a wait that doubles each time, up to `LAST_RETRY_MS`. */
  private wait(text: string): void {
    const delay = Math.min(LAST_RETRY_MS, FIRST_RETRY_MS * 2 ** this.retries);
    this.retries += 1;
    this.set({ phase: 'waiting', text, retryAt: Date.now() + delay });
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => this.rejoin(), delay);
  }

  /** A new peer connection for each offer: the broadcaster makes one per join. */
  private async answer(broadcaster: Hex, description: RTCSessionDescriptionInit): Promise<void> {
    this.closePeer();
    // A new subscription starts Auto at the largest layer.
    this.events.onAutoLayer(null);
    const pc = new RTCPeerConnection({ iceServers: this.iceServers });
    const peer: Peer = { broadcaster, pc, inbox: new CandidateInbox(pc) };
    this.peer = peer;
    const media = new MediaStream();
    // Set before the remote description, whose tracks fire it.
    pc.ontrack = ({ track }) => {
      media.addTrack(track);
      this.events.onMedia(media);
    };
    pc.onicecandidate = ({ candidate }) => {
      if (candidate) this.socket.emit('candidate', broadcaster, { candidate: candidate.toJSON() });
    };
    pc.onconnectionstatechange = () => {
      if (this.peer !== peer) return;
      if (pc.connectionState === 'connected') {
        this.retries = 0;
        // An offer that came while waiting to join again: this is it.
        clearTimeout(this.retryTimer);
        this.set({ phase: 'playing' });
      }
      // The broadcaster makes a fresh connection for a viewer who joins again.
      if (pc.connectionState === 'failed') this.rejoin();
    };
    await pc.setRemoteDescription(description);
    peer.inbox.release();
    const answer = await pc.createAnswer();
    await pc.setLocalDescription(answer);
    if (this.peer !== peer) return;
    this.socket.emit('answer', broadcaster, { description: answer });
    // A new subscription starts at the best layer: keep the one picked.
    if (this.layer !== 'auto') this.socket.emit('quality', broadcaster, { layer: this.layer });
  }

  private closePeer(): void {
    if (!this.peer) return;
    this.peer.pc.close();
    this.peer = null;
    this.events.onMedia(null);
  }
}
