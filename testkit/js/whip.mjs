// An encoder publishing over WHIP (RFC 9725) without a browser, as OBS does: one POST
// of a complete SDP offer (VP8 video, Opus audio, every ICE candidate in it) with the
// stream key as bearer token, and the answer in the response. Its picture is real VP8:
// the frames of testkit/fixtures/ball.ivf (3 s, a key frame every second), sent again
// and again at 20 fps, and its sound Opus silence; werift (WebRTC in TypeScript) does
// ICE, DTLS and SRTP.
import { readFileSync } from 'node:fs';
import { MediaStreamTrack, RTCPeerConnection, RtpHeader, RtpPacket } from 'werift';
import { root } from './built.mjs';

const FRAME_MS = 50;
const AUDIO_FRAME_MS = 20;
/// What fits in one RTP packet of VP8, with room for SRTP and header extensions.
const MAX_PAYLOAD = 1_100;
/// An Opus frame of 20 ms of silence (RFC 6716, CELT-only, the shortest there is).
const OPUS_SILENCE = Buffer.from([0xf8, 0xff, 0xfe]);

/// The VP8 frames of an IVF file.
export function ivfFrames(path = `${root}/testkit/fixtures/ball.ivf`) {
  const file = readFileSync(path);
  const headerSize = file.readUInt16LE(6);
  const frames = [];
  for (let at = headerSize; at + 12 <= file.length; ) {
    const size = file.readUInt32LE(at);
    frames.push(file.subarray(at + 12, at + 12 + size));
    at += 12 + size;
  }
  return frames;
}

/// An SDP offer of one video section, for requests turned down before any media
/// server reads them.
export const SKETCH_OFFER = 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\na=rtpmap:96 VP8/90000\r\na=sendonly\r\n';

/// The complete offer an encoder sends: send-only VP8 and Opus. (A werift peer
/// connection that never connects keeps its sockets after `close()`: only
/// `whipPublish` makes one.)
export async function encoderOffer() {
  // No STUN server: werift's default one is out of reach here, and its socket would
  // keep the process alive after the connection closes.
  const pc = new RTCPeerConnection({ iceServers: [] });
  const video = new MediaStreamTrack({ kind: 'video' });
  const audio = new MediaStreamTrack({ kind: 'audio' });
  pc.addTransceiver(video, { direction: 'sendonly' });
  pc.addTransceiver(audio, { direction: 'sendonly' });
  await pc.setLocalDescription(await pc.createOffer());
  return { pc, video, audio, sdp: pc.localDescription.sdp };
}

/// POSTs `sdp` to the WHIP `endpoint` with `key` (none: no Authorization header) and
/// `contentType`: the response's status, headers and body.
export async function whipPost(endpoint, key, sdp, { contentType = 'application/sdp' } = {}) {
  const headers = { 'Content-Type': contentType };
  if (key !== undefined) headers.Authorization = `Bearer ${key}`;
  const response = await fetch(endpoint, { method: 'POST', headers, body: sdp });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

/// Publishes to the WHIP `endpoint` with `key`. Refused, it says why (`status`,
/// `text`) and sends nothing. Taken, it sends until `stop()` (a DELETE of the session,
/// as OBS's Stop Streaming) or `close()` (it just goes, as a crashed encoder would);
/// `sent()` counts the frames sent.
export async function whipPublish(endpoint, key) {
  const encoder = await encoderOffer();
  const posted = await whipPost(endpoint, key, encoder.sdp);
  if (posted.status !== 201) {
    await encoder.pc.close();
    return { ...posted, taken: false };
  }
  const session = new URL(posted.headers.get('location'), endpoint).href;
  await encoder.pc.setRemoteDescription({ type: 'answer', sdp: posted.text });
  const frames = ivfFrames();
  let sent = 0;
  const sequence = { video: 0, audio: 0 };
  const pictures = setInterval(() => {
    const frame = frames[sent % frames.length];
    for (const packet of vp8Packets(frame, sent * 90 * FRAME_MS, sequence.video)) {
      encoder.video.writeRtp(packet);
      sequence.video = (sequence.video + 1) & 0xffff;
    }
    sent += 1;
  }, FRAME_MS);
  let heard = 0;
  const sound = setInterval(() => {
    const header = new RtpHeader({ sequenceNumber: sequence.audio, timestamp: heard * 960 });
    encoder.audio.writeRtp(new RtpPacket(header, OPUS_SILENCE));
    sequence.audio = (sequence.audio + 1) & 0xffff;
    heard += 1;
  }, AUDIO_FRAME_MS);
  const close = async () => {
    clearInterval(pictures);
    clearInterval(sound);
    await encoder.pc.close();
  };
  return {
    ...posted,
    taken: true,
    session,
    sent: () => sent,
    connection: () => encoder.pc.connectionState,
    /// Ends the session as OBS's Stop Streaming does; the DELETE's status.
    stop: async (withKey = key) => {
      const response = await fetch(session, {
        method: 'DELETE',
        headers: { Authorization: `Bearer ${withKey}` },
      });
      await close();
      return response.status;
    },
    close,
  };
}

/// `frame` as RTP packets of VP8 (RFC 7741): a one-byte descriptor on each, its start
/// bit on the first, the marker bit on the last.
function vp8Packets(frame, timestamp, firstSequence) {
  const packets = [];
  for (let at = 0; at < frame.length; at += MAX_PAYLOAD) {
    const chunk = frame.subarray(at, at + MAX_PAYLOAD);
    const descriptor = Buffer.from([at === 0 ? 0x10 : 0x00]);
    const header = new RtpHeader({
      sequenceNumber: (firstSequence + packets.length) & 0xffff,
      timestamp,
      marker: at + MAX_PAYLOAD >= frame.length,
    });
    packets.push(new RtpPacket(header, Buffer.concat([descriptor, chunk])));
  }
  return packets;
}
