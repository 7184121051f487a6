// Where a stream is in its time (on now, and when it ends; to start, and when; ended),
// and whether its broadcaster is on air, as the signaling server says.
import { counted, formatCountdown, phase } from '../app/format';
import type { LiveStatus } from '../live/protocol';
import type { Stream } from '../program/types';

export function StreamStatus({
  stream,
  now,
  live,
}: {
  stream: Stream;
  now: number;
  live?: LiveStatus;
}) {
  const onAir = live?.live && (
    <>
      <span className="badge live">LIVE</span>{' '}
      <span className="watchers">{counted(live.watchers, 'viewer')} watching</span>{' '}
    </>
  );
  switch (phase(stream, now)) {
    case 'live':
      return (
        <>
          {onAir || <span className="badge on">on now</span>}{' '}
          <span className="muted">ends {formatCountdown(stream.endTime, now)}</span>
        </>
      );
    case 'upcoming':
      return (
        <>
          {onAir}
          <span className="badge upcoming">starts {formatCountdown(stream.startTime, now)}</span>
        </>
      );
    case 'ended':
      return (
        <>
          {onAir}
          <span className="badge ended">ended</span>
        </>
      );
  }
}
