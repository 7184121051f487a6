// What the live video tests and the benchmark share: the peer connections a page
// makes, what its player plays, and a loopback proxy whose connections can be cut.
import { createServer, connect } from 'node:net';

/// Keeps every RTCPeerConnection the pages of `context` make in `window.peers`, and
/// every track they capture (camera, microphone, screen) in `window.captured`, so that
/// they can be read from outside the app.
export function instrument(context) {
  return context.addInitScript(() => {
    const Native = window.RTCPeerConnection;
    window.peers = [];
    window.RTCPeerConnection = class extends Native {
      constructor(...args) {
        super(...args);
        window.peers.push(this);
      }
    };
    window.captured = [];
    const media = navigator.mediaDevices;
    for (const name of ['getUserMedia', 'getDisplayMedia']) {
      const native = media[name].bind(media);
      media[name] = async (...args) => {
        const stream = await native(...args);
        window.captured.push(...stream.getTracks());
        return stream;
      };
    }
  });
}

/// What the page's player shows: the video's width, the frames its open peer
/// connections decoded, whether an audio track is live; how many peer connections
/// are open, and how many the page made.
export function playback(page) {
  return page.evaluate(async () => {
    const video = [...document.querySelectorAll('video')].find((v) =>
      v.getAttribute('aria-label')?.endsWith('’s stream'),
    );
    let framesDecoded = 0;
    for (const pc of window.peers ?? []) {
      if (pc.connectionState === 'closed') continue;
      (await pc.getStats()).forEach((entry) => {
        if (entry.type === 'inbound-rtp' && entry.kind === 'video')
          framesDecoded += entry.framesDecoded ?? 0;
      });
    }
    const tracks = video?.srcObject?.getAudioTracks() ?? [];
    return {
      width: video?.videoWidth ?? 0,
      framesDecoded,
      audioLive: tracks.some((track) => track.readyState === 'live'),
      peers: (window.peers ?? []).filter((pc) => pc.connectionState !== 'closed').length,
      made: (window.peers ?? []).length,
    };
  });
}

/// A TCP proxy on loopback to the port that `target()` returns when a client connects
/// (so that the proxy can be made before what it leads to); `cut()` drops every
/// connection it carries.
export async function cuttableProxy(target) {
  const open = new Set();
  const server = createServer((client) => {
    const upstream = connect(target(), '127.0.0.1');
    for (const socket of [client, upstream]) {
      open.add(socket);
      socket.on('close', () => open.delete(socket));
      socket.on('error', () => socket.destroy());
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    cut: () => open.forEach((socket) => socket.destroy()),
    close: () => {
      open.forEach((socket) => socket.destroy());
      return new Promise((resolve) => server.close(resolve));
    },
  };
}
