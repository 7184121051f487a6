// A broadcaster's side of a live stream: one signaling connection, signed in as the
// broadcaster, and either one peer connection per viewer, each sending the same
// tracks, or one to the media server (`Publisher`), as the server routes the stream.
import type { Account } from '../chain/types';
import type { Hex } from '../program/types';
import { Joiner } from './join';
import { CandidateInbox, bytesSent } from './peer';
import { Publisher } from './publisher';
import { openSignaling, reasons, type Refusal, type SignalingSocket } from './protocol';

export type BroadcastState =
  | { phase: 'joining' }
  | { phase: 'live' }
  /** The connection to the signaling server dropped, or the server lost the stream;
   * going live again by itself. */
  | { phase: 'reconnecting' }
  | { phase: 'refused'; text: string }
  | { phase: 'ended' };

export interface BroadcastEvents {
  onState: (state: BroadcastState) => void;
  onViewers: (count: number) => void;
}

const STALE_RETRY_MS = 2_000;
const REPUBLISH_MS = 1_000;

interface Viewer {
  pc: RTCPeerConnection;
  inbox: CandidateInbox;
  senders: Record<'video' | 'audio', RTCRtpSender>;
}

export class Broadcast {
  private readonly socket: SignalingSocket;
  private readonly joiner: Joiner;
  private readonly viewers = new Map<Hex, Viewer>();
  private publisher: Publisher | null = null;
  private iceServers: RTCIceServer[] = [];
  private video: MediaStreamTrack | null;
  private audio: MediaStreamTrack | null;
  private readonly outgoing = new MediaStream();
  private ended = false;
  /** Whether a `broadcast` is out and unanswered: only then is an error its refusal. */
  private joining = true;
  private wasLive = false;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private republishTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    url: string,
    private readonly account: Account,
    private readonly streamId: string,
    tracks: { video: MediaStreamTrack | null; audio: MediaStreamTrack | null },
    private readonly events: BroadcastEvents,
  ) {
    this.video = tracks.video;
    this.audio = tracks.audio;
    this.socket = openSignaling(url, () => !this.ended);
    this.joiner = new Joiner(this.socket, url, account, streamId, 'broadcast', (text) =>
      this.stop({ phase: 'refused', text }),
    );
    const socket = this.socket;
    socket.on('iceServers', (servers) => {
      this.iceServers = servers;
    });
    socket.on('isStreaming', (live) => {
      if (live) {
        this.joining = false;
        this.wasLive = true;
        this.events.onState({ phase: 'live' });
      } else if (!this.joining && !this.ended) {
        // The server says the stream is not live (it lost track of it): go live again,
        // rather than show LIVE to nobody.
        this.joining = true;
        this.events.onState({ phase: 'reconnecting' });
        this.joiner.join();
      }
    });
    socket.on('route', ({ streamId: id, via }) => {
      if (id !== streamId) return;
      if (via === 'mediaServer') void this.publish();
      else this.closePublisher();
    });
    socket.on('published', ({ streamId: id, description }) => {
      if (id === streamId) void this.publisher?.answered(description);
    });
    socket.on('watchersCount', (count) => this.events.onViewers(count));
    socket.on('watch', (viewer) => void this.offerTo(viewer));
    socket.on('answer', (_, { userId, description }) => void this.answered(userId, description));
    socket.on('candidate', (from, { candidate }) => this.viewers.get(from)?.inbox.add(candidate));
    socket.on('stopWatching', (viewer) => this.drop(viewer));
    // Once live, an error answers a relay (an offer to a viewer who just left): the
    // stream goes on.
    socket.on('error', (refusal) => {
      // A new challenge comes with this refusal, and the join is sent again with it.
      if (this.joining && refusal.reason !== reasons.expired) this.refused(refusal);
    });
    socket.on('disconnect', (reason) => {
      // The server ended the stream for every viewer; they rejoin when it is back.
      this.closeViewers();
      this.closePublisher();
      this.events.onViewers(0);
      if (!this.ended && reason !== 'io client disconnect') {
        this.joining = true;
        this.events.onState({ phase: 'reconnecting' });
      }
    });
    this.events.onState({ phase: 'joining' });
    this.joiner.join();
  }

  /** Sends `track` as the video from now on, to every viewer, without renegotiating. */
  setVideo(track: MediaStreamTrack | null): void {
    this.video = track;
    this.replace('video', track);
  }

  setAudio(track: MediaStreamTrack | null): void {
    this.audio = track;
    this.replace('audio', track);
  }

  /** Bytes sent to every viewer, or to the media server, so far. */
  bytesSent(): Promise<number> {
    const pcs = [...this.viewers.values()].map((viewer) => viewer.pc);
    if (this.publisher) pcs.push(this.publisher.pc);
    return bytesSent(pcs);
  }

  /** Ends the stream for everyone. The tracks are the caller's to stop. */
  end(): void {
    if (this.ended) return;
    if (this.socket.connected) {
      this.socket.emit('stopBroadcasting', this.account.id, { streamId: this.streamId });
    }
    this.stop({ phase: 'ended' });
  }

  private refused({ message: text, reason }: Refusal): void {
    // Back after a drop the server has not noticed yet: it still holds the old
    // connection's stream, and lets this one in once it lets that one go.
    if (this.wasLive && reason === reasons.alreadyBroadcasting) {
      clearTimeout(this.retryTimer);
      this.retryTimer = setTimeout(() => this.joiner.join(), STALE_RETRY_MS);
      return;
    }
    this.stop({ phase: 'refused', text });
  }

  private stop(state: BroadcastState): void {
    if (this.ended) return;
    this.ended = true;
    clearTimeout(this.retryTimer);
    this.joiner.stop();
    this.closeViewers();
    this.closePublisher();
    this.socket.close();
    this.events.onState(state);
  }

  private replace(kind: 'video' | 'audio', track: MediaStreamTrack | null): void {
    for (const { senders } of this.viewers.values()) void senders[kind].replaceTrack(track);
    this.publisher?.replace(kind, track);
  }

  /** One peer connection to the media server, replacing any earlier one. */
  private async publish(): Promise<void> {
    this.closePublisher();
    const publisher = new Publisher(
      this.socket,
      this.account.id,
      this.streamId,
      this.iceServers,
      { video: this.video, audio: this.audio },
      this.outgoing,
      () => {
        // Published again over the same signaling connection: the server moves the
        // viewers to the new feed.
        if (this.publisher !== publisher || this.ended) return;
        clearTimeout(this.republishTimer);
        this.republishTimer = setTimeout(() => void this.publish(), REPUBLISH_MS);
      },
    );
    this.publisher = publisher;
    await publisher.offer();
  }

  private closePublisher(): void {
    clearTimeout(this.republishTimer);
    this.publisher?.close();
    this.publisher = null;
  }

  /** A new peer connection for `viewer`, replacing any earlier one (a viewer who rejoins). */
  private async offerTo(viewer: Hex): Promise<void> {
    this.drop(viewer);
    const pc = new RTCPeerConnection({ iceServers: this.iceServers });
    // A video and an audio transceiver always, even without a track, so that a camera
    // switched on later or a microphone added is a replaceTrack, not a renegotiation.
    const send = (track: MediaStreamTrack | null, kind: 'video' | 'audio') =>
      pc.addTransceiver(track ?? kind, { direction: 'sendonly', streams: [this.outgoing] }).sender;
    const entry: Viewer = {
      pc,
      inbox: new CandidateInbox(pc),
      senders: { video: send(this.video, 'video'), audio: send(this.audio, 'audio') },
    };
    this.viewers.set(viewer, entry);
    pc.onicecandidate = ({ candidate }) => {
      if (candidate) this.socket.emit('candidate', viewer, { candidate: candidate.toJSON() });
    };
    pc.onconnectionstatechange = () => {
      // The viewer rejoins on its own when its connection fails; this one is done.
      if (pc.connectionState === 'failed' && this.viewers.get(viewer) === entry) this.drop(viewer);
    };
    const offer = await pc.createOffer();
    await pc.setLocalDescription(offer);
    if (this.viewers.get(viewer) !== entry) return;
    this.socket.emit('offer', this.account.id, { userId: viewer, description: offer });
  }

  private async answered(viewer: Hex, description: RTCSessionDescriptionInit): Promise<void> {
    const entry = this.viewers.get(viewer);
    if (!entry || entry.pc.signalingState !== 'have-local-offer') return;
    await entry.pc.setRemoteDescription(description);
    entry.inbox.release();
  }

  private drop(viewer: Hex): void {
    this.viewers.get(viewer)?.pc.close();
    this.viewers.delete(viewer);
  }

  private closeViewers(): void {
    [...this.viewers.keys()].forEach((viewer) => this.drop(viewer));
  }
}
