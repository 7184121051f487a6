// A broadcaster's one peer connection to the media server, when the signaling server
// routes the stream through it: the picture is sent once, in up to three simulcast
// layers, and the media server sends each viewer the layer it asks for.
import type { Hex } from '../program/types';
import type { SignalingSocket } from './protocol';

/**
 * The simulcast layers for a picture `height` lines high, smallest first: Chromium
 * sends at most two layers of a picture under 540 lines and one under 270, and drops
 * the largest it cannot send, so fewer are asked of a smaller picture. Without a
 * camera yet, a 720-line one is assumed.
 */
function layersFor(height = 720): RTCRtpEncodingParameters[] {
  const full = { rid: 'h', maxBitrate: 1_500_000 };
  if (height >= 540) {
    return [
      { rid: 'l', scaleResolutionDownBy: 4, maxBitrate: 150_000 },
      { rid: 'm', scaleResolutionDownBy: 2, maxBitrate: 500_000 },
      full,
    ];
  }
  if (height >= 270) return [{ rid: 'l', scaleResolutionDownBy: 2, maxBitrate: 400_000 }, full];
  return [full];
}

/** How long the offer waits for the browser's ICE candidates: it carries them all. */
const GATHERING_MS = 3_000;

export class Publisher {
  readonly pc: RTCPeerConnection;
  private readonly senders: Record<'video' | 'audio', RTCRtpSender>;

  constructor(
    private readonly socket: SignalingSocket,
    private readonly broadcaster: Hex,
    private readonly streamId: string,
    iceServers: RTCIceServer[],
    tracks: { video: MediaStreamTrack | null; audio: MediaStreamTrack | null },
    outgoing: MediaStream,
    onFailed: () => void,
  ) {
    const pc = new RTCPeerConnection({ iceServers });
    this.pc = pc;
    // A transceiver of each kind always, even without a track, so that a device
    // switched later is a replaceTrack, not a renegotiation.
    const video = pc.addTransceiver(tracks.video ?? 'video', {
      direction: 'sendonly',
      streams: [outgoing],
      sendEncodings: layersFor(tracks.video?.getSettings().height),
    });
    const audio = pc.addTransceiver(tracks.audio ?? 'audio', {
      direction: 'sendonly',
      streams: [outgoing],
    });
    this.senders = { video: video.sender, audio: audio.sender };
    pc.onconnectionstatechange = () => {
      if (pc.connectionState === 'failed') onFailed();
    };
  }

  /** Sends the offer, with every ICE candidate gathered in time. */
  async offer(): Promise<void> {
    const pc = this.pc;
    await pc.setLocalDescription(await pc.createOffer());
    await gathered(pc);
    if (pc.signalingState === 'closed' || !pc.localDescription) return;
    this.socket.emit('publish', this.broadcaster, {
      streamId: this.streamId,
      description: pc.localDescription.toJSON(),
    });
  }

  /** The media server's answer. */
  async answered(description: RTCSessionDescriptionInit): Promise<void> {
    if (this.pc.signalingState !== 'have-local-offer') return;
    await this.pc.setRemoteDescription(description);
  }

  replace(kind: 'video' | 'audio', track: MediaStreamTrack | null): void {
    void this.senders[kind].replaceTrack(track);
  }

  close(): void {
    this.pc.close();
  }
}

/** Resolves once `pc` has gathered its candidates, or after `GATHERING_MS`. */
function gathered(pc: RTCPeerConnection): Promise<void> {
  if (pc.iceGatheringState === 'complete') return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      pc.removeEventListener('icegatheringstatechange', check);
      resolve();
    };
    const check = () => {
      if (pc.iceGatheringState === 'complete') done();
    };
    const timer = setTimeout(done, GATHERING_MS);
    pc.addEventListener('icegatheringstatechange', check);
  });
}
