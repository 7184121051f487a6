// WebRTC ends without a browser, with werift (WebRTC in TypeScript, no native parts),
// for the live benchmark and the media server's tests: a viewer that signs in to the
// signaling server, watches a stream, answers each offer and counts what arrives
// instead of decoding it (cheap enough that a hundred run beside a broadcaster on two
// cores); and a publisher's send-only offer.
import { performance } from 'node:perf_hooks';
import { RTCPeerConnection, Vp8RtpPayload } from 'werift';
import { connect, join } from './signaling.mjs';

/// How many recent frames a viewer remembers, to count a retransmitted one once.
const RECENT_FRAMES = 64;

/// Watches `streamId` as `key` through the signaling server at `url`, connecting as a
/// page of `origin` would (the test kit's own origin by default). `stats()` says what
/// arrived so far: video RTP packets, frames (a marker bit ends one; a retransmitted
/// end of a frame counts once), VP8 keyframes, audio packets, and milliseconds from the
/// join to the first whole frame.
export async function watchWithoutBrowser(url, key, streamId, { origin } = {}) {
  const socket = await connect(url, origin ? { extraHeaders: { Origin: origin } } : {});
  const counts = { videoPackets: 0, frames: 0, keyframes: 0, audioPackets: 0, firstFrameMs: null };
  let pc = null;
  let joinedAt = 0;
  // The RTP timestamps of the frames that ended lately.
  const ended = new Set();
  socket.on('offer', async (broadcaster, { description }) => {
    await pc?.close();
    const current = new RTCPeerConnection({ iceServers: [] });
    pc = current;
    current.onTrack.subscribe((track) => {
      track.onReceiveRtp.subscribe((rtp) => {
        if (track.kind === 'audio') {
          counts.audioPackets += 1;
          return;
        }
        counts.videoPackets += 1;
        const payload = Vp8RtpPayload.deSerialize(rtp.payload);
        if (payload.isKeyframe) counts.keyframes += 1;
        if (rtp.header.marker && !ended.has(rtp.header.timestamp)) {
          ended.add(rtp.header.timestamp);
          // A retransmission comes within a second or so: older frames are forgotten.
          if (ended.size > RECENT_FRAMES) ended.delete(ended.values().next().value);
          counts.frames += 1;
          counts.firstFrameMs ??= performance.now() - joinedAt;
        }
      });
    });
    current.onIceCandidate.subscribe((candidate) => {
      if (candidate) socket.emit('candidate', broadcaster, { candidate: candidate.toJSON() });
    });
    await current.setRemoteDescription(description);
    const answer = await current.createAnswer();
    await current.setLocalDescription(answer);
    if (pc !== current) return;
    socket.emit('answer', broadcaster, {
      description: { type: 'answer', sdp: current.localDescription.sdp },
    });
  });
  socket.on('candidate', (_, { candidate }) => {
    pc?.addIceCandidate(candidate).catch(() => undefined);
  });
  joinedAt = performance.now();
  join(socket, 'watch', key, streamId);
  return {
    socket,
    stats: () => ({ ...counts }),
    /// The state of its latest peer connection (`none` before the first offer).
    connection: () => pc?.connectionState ?? 'none',
    close: async () => {
      socket.close();
      await pc?.close();
    },
  };
}

/// A send-only video peer connection and its offer, as a publisher without a camera
/// makes it; `answer(description)` completes it, and resolves once it is connected.
export async function sendOnlyOffer() {
  const pc = new RTCPeerConnection({ iceServers: [] });
  pc.addTransceiver('video', { direction: 'sendonly' });
  await pc.setLocalDescription(await pc.createOffer());
  return {
    pc,
    description: { type: 'offer', sdp: pc.localDescription.sdp },
    answer: async (description) => {
      await pc.setRemoteDescription(description);
      if (pc.connectionState !== 'connected') {
        await pc.connectionStateChange.watch((state) => state === 'connected', 10_000);
      }
    },
    close: () => pc.close(),
  };
}
