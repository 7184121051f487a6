// The broadcaster's sources: a camera and a microphone chosen from the devices the
// browser lists, or the screen.

export interface Devices {
  cameras: MediaDeviceInfo[];
  microphones: MediaDeviceInfo[];
}

/** The cameras and microphones; their names appear once the person allowed one. */
export async function listDevices(): Promise<Devices> {
  const all = await navigator.mediaDevices.enumerateDevices();
  return {
    cameras: all.filter((device) => device.kind === 'videoinput'),
    microphones: all.filter((device) => device.kind === 'audioinput'),
  };
}

/**
 * A device id; `true` for the browser's default device of that kind; '' for none (an
 * audio-only or a silent broadcast).
 */
export interface Choice {
  camera: string | true;
  microphone: string | true;
}

const constraint = (device: string | true) =>
  device === true ? true : device === '' ? false : { deviceId: { exact: device } };

/** The chosen camera's and microphone's tracks, each absent when not chosen. */
export async function openDevices(
  choice: Choice,
): Promise<{ video: MediaStreamTrack | null; audio: MediaStreamTrack | null }> {
  if (!choice.camera && !choice.microphone) return { video: null, audio: null };
  const stream = await navigator.mediaDevices.getUserMedia({
    video: constraint(choice.camera),
    audio: constraint(choice.microphone),
  });
  return { video: stream.getVideoTracks()[0] ?? null, audio: stream.getAudioTracks()[0] ?? null };
}

/** The screen, a window or a tab, as the person picks it in the browser's dialog. */
export async function openScreen(): Promise<MediaStreamTrack> {
  const stream = await navigator.mediaDevices.getDisplayMedia({ video: true, audio: false });
  const [track] = stream.getVideoTracks();
  if (!track) throw new Error('The browser shared no picture');
  return track;
}

/** Words for a capture error a person can act on. */
export function captureError(error: unknown): string {
  if (error instanceof DOMException) {
    if (error.name === 'NotAllowedError') return 'The browser was not allowed to use it';
    if (error.name === 'NotFoundError') return 'No such device';
    if (error.name === 'NotReadableError') return 'Another program is using it';
  }
  return error instanceof Error ? error.message : String(error);
}

/** Turns `track` on or off, if there is one. */
export function setEnabled(track: MediaStreamTrack | null, enabled: boolean): void {
  if (track) track.enabled = enabled;
}
