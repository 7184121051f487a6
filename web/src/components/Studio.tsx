// The broadcaster's controls on their own stream page: the camera and microphone (or
// the screen) with a preview, Go live, mute, camera off, and End stream. Leaving the
// page or closing the tab ends the stream and releases the devices. A stream live from
// elsewhere (an encoder, another tab) is shown, and can be ended, here.
import { useCallback, useEffect, useId, useMemo, useRef, useState } from 'react';
import type { Account } from '../chain/types';
import { Broadcast, type BroadcastState } from '../live/broadcast';
import {
  captureError,
  listDevices,
  openDevices,
  openScreen,
  setEnabled,
  type Choice,
  type Devices,
} from '../live/media';
import { counted } from '../app/format';
import { endStream } from '../live/endStream';
import type { LiveStatus } from '../live/protocol';
import { VideoView } from './VideoView';

const RATE_INTERVAL_MS = 2_000;

interface Tracks {
  camera: MediaStreamTrack | null;
  microphone: MediaStreamTrack | null;
  screen: MediaStreamTrack | null;
}

export function Studio({
  account,
  streamId,
  url,
  status,
}: {
  account: Account;
  streamId: string;
  url: string;
  /** The stream's status as every page hears it. */
  status: LiveStatus | undefined;
}) {
  const id = useId();
  const [devices, setDevices] = useState<Devices | null>(null);
  const [camera, setCamera] = useState('');
  const [microphone, setMicrophone] = useState('');
  const [tracks, setTracks] = useState<Tracks>({ camera: null, microphone: null, screen: null });
  const [muted, setMuted] = useState(false);
  const [cameraOff, setCameraOff] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const [state, setState] = useState<BroadcastState | null>(null);
  const [viewers, setViewers] = useState(0);
  const [upload, setUpload] = useState<number | null>(null);
  const broadcast = useRef<Broadcast | null>(null);
  // What the cleanup on leaving must stop, whatever the last render saw.
  const live = useRef(tracks);
  useEffect(() => {
    live.current = tracks;
  }, [tracks]);

  const video = tracks.screen ?? tracks.camera;
  const preview = useMemo(() => {
    const sent = [video, tracks.microphone].filter((track) => track !== null);
    return sent.length > 0 ? new MediaStream(sent) : null;
  }, [video, tracks.microphone]);

  const stopAll = useCallback(() => {
    broadcast.current?.end();
    broadcast.current = null;
    const { camera, microphone, screen } = live.current;
    [camera, microphone, screen].forEach((track) => track?.stop());
  }, []);

  useEffect(() => {
    window.addEventListener('pagehide', stopAll);
    return () => {
      window.removeEventListener('pagehide', stopAll);
      stopAll();
    };
  }, [stopAll]);

  // Sends the current tracks whenever they change.
  useEffect(() => {
    broadcast.current?.setVideo(video);
  }, [video]);
  useEffect(() => {
    broadcast.current?.setAudio(tracks.microphone);
  }, [tracks.microphone]);

  const open = async (choice: Choice) => {
    setProblem(null);
    try {
      const opened = await openDevices(choice);
      const old = live.current;
      if (opened.video !== old.camera) old.camera?.stop();
      if (opened.audio !== old.microphone) old.microphone?.stop();
      setTracks((t) => ({ ...t, camera: opened.video, microphone: opened.audio }));
      setCamera(opened.video?.getSettings().deviceId ?? '');
      setMicrophone(opened.audio?.getSettings().deviceId ?? '');
      setDevices(await listDevices());
    } catch (error) {
      setProblem(`Cannot open the camera or microphone: ${captureError(error)}`);
    }
  };

  const shareScreen = async () => {
    setProblem(null);
    try {
      const screen = await openScreen();
      // The browser's own "Stop sharing" button brings the camera back.
      screen.addEventListener('ended', () =>
        setTracks((t) => (t.screen === screen ? { ...t, screen: null } : t)),
      );
      setTracks((t) => ({ ...t, screen }));
    } catch (error) {
      setProblem(`Cannot share the screen: ${captureError(error)}`);
    }
  };
  const backToCamera = () => {
    tracks.screen?.stop();
    setTracks((t) => ({ ...t, screen: null }));
  };

  // Muted and camera off keep the tracks and every viewer's connection: the track
  // sends silence or black until it is on again.
  useEffect(() => setEnabled(tracks.microphone, !muted), [tracks.microphone, muted]);
  useEffect(() => setEnabled(tracks.camera, !cameraOff), [tracks.camera, cameraOff]);

  const goLive = () => {
    setViewers(0);
    broadcast.current = new Broadcast(
      url,
      account,
      streamId,
      { video, audio: tracks.microphone },
      { onState: setState, onViewers: setViewers },
    );
  };
  const end = () => {
    stopAll();
    setTracks({ camera: null, microphone: null, screen: null });
    setDevices(null);
    setUpload(null);
  };

  const phase = state?.phase;
  const onAir = phase === 'joining' || phase === 'live' || phase === 'reconnecting';
  useEffect(() => {
    if (!onAir) return;
    let last: { at: number; bytes: number } | null = null;
    const timer = setInterval(() => {
      void broadcast.current?.bytesSent().then((bytes) => {
        const at = performance.now();
        if (last && at > last.at) setUpload(((bytes - last.bytes) * 8_000) / (at - last.at));
        last = { at, bytes };
      });
    }, RATE_INTERVAL_MS);
    return () => clearInterval(timer);
  }, [onAir]);

  const ready = video !== null || tracks.microphone !== null;
  // Live, and not from this page: from an encoder, or another tab.
  const elsewhere = status?.live === true && !onAir;
  const [ending, setEnding] = useState(false);
  const endElsewhere = () => {
    setProblem(null);
    setEnding(true);
    endStream(url, account, streamId).then(
      () => setEnding(false),
      (error: unknown) => {
        setEnding(false);
        setProblem(`Could not end the stream: ${error instanceof Error ? error.message : error}`);
      },
    );
  };
  return (
    <section className="section studio" aria-labelledby={`${id}-heading`}>
      <h2 id={`${id}-heading`}>Broadcast</h2>
      <div className="studio-body">
        <VideoView
          media={preview}
          muted
          label="Your preview"
          empty="Turn on a camera, a microphone or the screen to see a preview."
        />
        <div className="studio-controls">
          {devices === null ? (
            <button
              type="button"
              className="button primary"
              onClick={() => void open({ camera: true, microphone: true })}
            >
              Turn on camera and microphone
            </button>
          ) : (
            <>
              <DevicePicker
                kind="Camera"
                devices={devices.cameras}
                value={camera}
                onPick={(picked) => void open({ camera: picked, microphone })}
              />
              <DevicePicker
                kind="Microphone"
                devices={devices.microphones}
                value={microphone}
                onPick={(picked) => void open({ camera, microphone: picked })}
              />
            </>
          )}
          <div className="actions">
            {tracks.screen ? (
              <button type="button" className="button secondary" onClick={backToCamera}>
                Back to camera
              </button>
            ) : (
              <button type="button" className="button secondary" onClick={() => void shareScreen()}>
                Share screen
              </button>
            )}
            <Toggle
              on={muted}
              set={setMuted}
              disabled={!tracks.microphone}
              labels={['Mute', 'Unmute']}
            />
            <Toggle
              on={cameraOff}
              set={setCameraOff}
              disabled={!tracks.camera}
              labels={['Camera off', 'Camera on']}
            />
          </div>
          {elsewhere && (
            <div className="elsewhere">
              <p role="status">
                <span className="badge live">LIVE</span> from an encoder or another tab ·{' '}
                <span className="watchers">
                  {counted(status?.watchers ?? 0, 'viewer')} watching
                </span>
              </p>
              <p className="hint">End it here to go live from this page.</p>
              <div className="actions">
                <button
                  type="button"
                  className="button danger"
                  disabled={ending}
                  onClick={endElsewhere}
                >
                  {ending ? 'Ending…' : 'End stream'}
                </button>
              </div>
            </div>
          )}
          <div className="actions">
            {onAir ? (
              <button type="button" className="button danger" onClick={end}>
                End stream
              </button>
            ) : (
              <button
                type="button"
                className="button primary"
                disabled={!ready || elsewhere}
                onClick={goLive}
              >
                Go live
              </button>
            )}
          </div>
          {!elsewhere && (
            <p className="live-line" role="status">
              <BroadcastLine state={state} viewers={viewers} upload={upload} />
            </p>
          )}
          {problem && (
            <p className="outcome error" role="alert">
              {problem}
            </p>
          )}
        </div>
      </div>
    </section>
  );
}

/** The devices of one kind, by name, and none of them (''). */
function DevicePicker({
  kind,
  devices,
  value,
  onPick,
}: {
  kind: 'Camera' | 'Microphone';
  devices: MediaDeviceInfo[];
  value: string;
  onPick: (deviceId: string) => void;
}) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{kind}</label>
      <select id={id} value={value} onChange={(event) => onPick(event.target.value)}>
        <option value="">No {kind.toLowerCase()}</option>
        {devices.map((device, i) => (
          <option key={device.deviceId} value={device.deviceId}>
            {device.label || `${kind} ${i + 1}`}
          </option>
        ))}
      </select>
    </div>
  );
}

/** A button that turns `on` on and off; its label says what pressing it does. */
function Toggle({
  on,
  set,
  disabled,
  labels: [turnOn, turnOff],
}: {
  on: boolean;
  set: (on: boolean) => void;
  disabled: boolean;
  labels: [string, string];
}) {
  return (
    <button type="button" className="button secondary" disabled={disabled} onClick={() => set(!on)}>
      {on ? turnOff : turnOn}
    </button>
  );
}

function BroadcastLine({
  state,
  viewers,
  upload,
}: {
  state: BroadcastState | null;
  viewers: number;
  upload: number | null;
}) {
  switch (state?.phase) {
    case undefined:
      return <>Not live. Viewers who follow you can watch once you go live.</>;
    case 'joining':
      return <>Going live…</>;
    case 'live':
      return (
        <>
          <span className="badge live">LIVE</span>{' '}
          <span className="watchers">{counted(viewers, 'viewer')} watching</span>
          {upload !== null && <span className="muted"> · sending {formatRate(upload)}</span>}
        </>
      );
    case 'reconnecting':
      return <>Lost touch with the signaling server. Going live again…</>;
    case 'refused':
      return <span className="error">Could not go live: {state.text}</span>;
    case 'ended':
      return <>The stream has ended. Go live again at any time before its end.</>;
  }
}

const formatRate = (bitsPerSecond: number) =>
  bitsPerSecond >= 1_000_000
    ? `${(bitsPerSecond / 1_000_000).toFixed(1)} Mbit/s`
    : `${Math.round(bitsPerSecond / 1_000)} kbit/s`;
