// Where a stream is in its time: live (and when it ends), to start (and when), ended.
import { formatCountdown, phase } from '../app/format';
import type { Stream } from '../program/types';

export function StreamStatus({ stream, now }: { stream: Stream; now: number }) {
  switch (phase(stream, now)) {
    case 'live':
      return (
        <>
          <span className="badge live">LIVE</span>{' '}
          <span className="muted">ends {formatCountdown(stream.endTime, now)}</span>
        </>
      );
    case 'upcoming':
      return (
        <span className="badge upcoming">starts {formatCountdown(stream.startTime, now)}</span>
      );
    case 'ended':
      return <span className="badge ended">ended</span>;
  }
}
