// A viewer's player on a stream page: Watch signs in and joins; the broadcaster's video
// and sound play; every refusal is said in words with the way out; it rejoins by
// itself after a dropped connection; Leave stops watching.
import { useCallback, useEffect, useId, useRef, useState } from 'react';
import type { Account } from '../chain/types';
import type { Hex } from '../program/types';
import { counted, formatCountdown } from '../app/format';
import { useNow } from '../app/hooks';
import { Link, paths } from '../app/router';
import { Viewing, type ViewingState } from '../live/viewing';
import type { Layer, LiveStatus, ReceivedLayer, Via } from '../live/protocol';
import { useFollowing } from './FollowButton';
import { VideoView } from './VideoView';

/** The stream this tab watches, kept in the tab's session storage across reloads. */
const WATCHING_KEY = 'w3bstreaming.watching';

export function Player({
  account,
  streamId,
  broadcaster,
  broadcasterName,
  url,
  status,
}: {
  account: Account | null;
  streamId: string;
  broadcaster: Hex;
  broadcasterName: string;
  url: string;
  status: LiveStatus | undefined;
}) {
  const id = useId();
  const [state, setState] = useState<ViewingState | null>(null);
  const [media, setMedia] = useState<MediaStream | null>(null);
  const [viewers, setViewers] = useState<number | null>(null);
  const [via, setVia] = useState<Via>('peers');
  const [layer, setLayer] = useState<Layer>('auto');
  const [autoLayer, setAutoLayer] = useState<ReceivedLayer | null>(null);
  const slowed = layer === 'auto' && autoLayer !== null && autoLayer !== 'high';
  const viewing = useRef<Viewing | null>(null);

  const leave = () => {
    sessionStorage.removeItem(WATCHING_KEY);
    viewing.current?.leave();
    viewing.current = null;
    setState(null);
    setViewers(null);
  };
  // Leaving the page leaves the stream; so does picking another account, which is
  // another viewer. (A reload runs no cleanup: the tab watches again after it.)
  const accountId = account?.id;
  useEffect(
    () => () => {
      sessionStorage.removeItem(WATCHING_KEY);
      viewing.current?.leave();
      viewing.current = null;
    },
    [accountId],
  );

  const start = useCallback(() => {
    if (!account) return;
    sessionStorage.setItem(WATCHING_KEY, streamId);
    viewing.current?.leave();
    viewing.current = new Viewing(url, account, streamId, {
      onState: setState,
      onViewers: setViewers,
      onMedia: (stream) => setMedia(stream && new MediaStream(stream.getTracks())),
      onRoute: setVia,
      onAutoLayer: setAutoLayer,
    });
    viewing.current.setLayer(layer);
  }, [account, streamId, url, layer]);

  // A tab that was watching this stream when it reloaded watches again.
  const resumed = useRef(false);
  useEffect(() => {
    if (resumed.current || !account) return;
    resumed.current = true;
    if (sessionStorage.getItem(WATCHING_KEY) === streamId) start();
  }, [account, streamId, start]);

  // The follow the page's Follow button makes: a viewer refused for not following
  // watches once it does.
  const following = useFollowing(account, broadcaster);
  const phase = state?.phase;
  const followedBefore = useRef(following);
  useEffect(() => {
    const followedNow = following && !followedBefore.current;
    followedBefore.current = following;
    if (followedNow && phase === 'not-follower') viewing.current?.retry();
  }, [following, phase]);

  // Counted only while live, as the badge beside it says.
  const count = status?.live ? (viewers ?? status.watchers) : null;
  const showsVideo = phase !== undefined && VIDEO_PHASES.includes(phase);
  return (
    <section className="section player" aria-labelledby={`${id}-heading`}>
      <h2 id={`${id}-heading`}>
        Live video{' '}
        {status?.live && (
          <>
            <span className="badge live">LIVE</span>{' '}
          </>
        )}
        {count !== null && <span className="watchers">{counted(count, 'viewer')} watching</span>}
      </h2>
      {state && state.phase !== 'left' ? (
        <>
          {showsVideo && (
            <VideoView
              media={media}
              label={`${broadcasterName}’s stream`}
              empty={emptyText(state)}
            />
          )}
          <p className="live-line" role="status">
            <ViewingLine state={state} via={via} broadcasterName={broadcasterName} />
          </p>
          {via === 'mediaServer' && (state.phase === 'playing' || state.phase === 'connecting') && (
            <div className="field quality">
              <label htmlFor={`${id}-quality`}>Quality</label>
              <select
                id={`${id}-quality`}
                value={layer}
                onChange={(event) => {
                  const picked = event.target.value as Layer;
                  setLayer(picked);
                  viewing.current?.setLayer(picked);
                }}
              >
                {LAYERS.map(([value, name]) => (
                  <option key={value} value={value}>
                    {value === 'auto' && slowed ? `Auto (${layerName(autoLayer)})` : name}
                  </option>
                ))}
              </select>
            </div>
          )}
          {via === 'mediaServer' && state.phase === 'playing' && slowed && (
            <p className="hint" role="status">
              Your connection is losing video: Auto sends a smaller picture, and tries the larger
              one again once it keeps up.
            </p>
          )}
          <div className="actions">
            {state.phase === 'refused' && (
              <button
                type="button"
                className="button primary"
                onClick={() => viewing.current?.retry()}
              >
                Try again
              </button>
            )}
            <button type="button" className="button secondary" onClick={leave}>
              {showsVideo && state.phase !== 'ended' ? 'Leave' : 'Stop waiting'}
            </button>
          </div>
        </>
      ) : account ? (
        <>
          <p>
            {status?.live
              ? `${broadcasterName} is live.`
              : `${broadcasterName} is not live right now. Watch waits until they go live.`}
          </p>
          <div className="actions">
            <button type="button" className="button primary" onClick={start}>
              Watch
            </button>
          </div>
        </>
      ) : (
        <p className="hint">
          <Link to={paths.account()}>Pick an account</Link> to watch: only followers of{' '}
          {broadcasterName} can.
        </p>
      )}
    </section>
  );
}

/** The quality menu: the layers the media server sends, as a person names them. */
const LAYERS: [Layer, string][] = [
  ['auto', 'Auto'],
  ['high', 'High'],
  ['medium', 'Medium'],
  ['low', 'Low'],
];

function layerName(layer: ReceivedLayer | null): string {
  return LAYERS.find(([value]) => value === layer)?.[1] ?? '';
}

/** The phases in which the player shows the video's frame: it plays, or is about to. */
const VIDEO_PHASES: ViewingState['phase'][] = [
  'joining',
  'connecting',
  'playing',
  'reconnecting',
  'ended',
];

function emptyText(state: ViewingState): string {
  switch (state.phase) {
    case 'ended':
      return 'The stream has ended.';
    case 'reconnecting':
      return 'Reconnecting…';
    case 'playing':
    case 'connecting':
      return 'Connecting to the broadcaster…';
    default:
      return 'Not playing.';
  }
}

function ViewingLine({
  state,
  via,
  broadcasterName,
}: {
  state: ViewingState;
  via: Via;
  broadcasterName: string;
}) {
  const now = useNow(1_000);
  switch (state.phase) {
    case 'joining':
      return <>Joining…</>;
    case 'waiting':
      return (
        <>
          {waitingText(state.text)} Trying again {formatCountdown(state.retryAt, now)}.
        </>
      );
    case 'not-follower':
      return (
        <span className="error">
          Only followers of {broadcasterName} can watch. Follow {broadcasterName}, and it starts by
          itself.
        </span>
      );
    case 'refused':
      return <span className="error">{state.text}</span>;
    case 'connecting':
      return <>Connecting to the broadcaster…</>;
    case 'playing':
      return (
        <>
          {via === 'mediaServer' ? 'Playing, through the media server.' : 'Playing, peer to peer.'}
        </>
      );
    case 'reconnecting':
      return <>The connection dropped. Rejoining…</>;
    case 'ended':
      return <>The stream has ended. If the broadcaster goes live again, it plays here.</>;
    case 'left':
      return null;
  }
}

/** The server's text, and what it means for the person waiting. */
function waitingText(text: string): string {
  if (/hasn't started yet$/.test(text)) return 'The broadcaster has not started yet.';
  if (/has reached its limit/.test(text)) return `${text}: waiting for a seat.`;
  return `${text}.`;
}
