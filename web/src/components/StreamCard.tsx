// One stream in a list: its banner, title, broadcaster, times and what is happening,
// on air included.
import { formatDuration, formatTime, phase } from '../app/format';
import { useLiveStatuses } from '../app/live';
import { displayName } from '../app/profiles';
import { Link, paths } from '../app/router';
import type { ProfileSummary, StreamEntry } from '../program/types';
import { Banner } from './Banner';
import { StreamStatus } from './StreamStatus';

export function StreamCard({
  entry: [id, stream],
  broadcaster,
  now,
  headingLevel = 3,
}: {
  entry: StreamEntry;
  broadcaster: ProfileSummary | null | undefined;
  now: number;
  /** Below a section's heading, 3; below a day's heading in a section, 4. */
  headingLevel?: 3 | 4;
}) {
  const state = phase(stream, now);
  const Heading = `h${headingLevel}` as const;
  const watchers = stream.watchers.length;
  const live = useLiveStatuses([id]).get(id);
  return (
    <article className={`card ${state}`}>
      <Link to={paths.stream(id)} className="card-banner" tabIndex={-1} aria-hidden="true">
        <Banner link={stream.imgLink} title={stream.title} />
      </Link>
      <div className="card-body">
        <Heading className="card-title">
          <Link to={paths.stream(id)}>{stream.title}</Link>
        </Heading>
        <p className="card-by">
          by{' '}
          <Link to={paths.channel(stream.broadcaster)}>
            {displayName(stream.broadcaster, broadcaster)}
          </Link>
        </p>
        <p className="card-time">
          <time dateTime={new Date(stream.startTime).toISOString()}>
            {formatTime(stream.startTime)}
          </time>
          {' – '}
          <time dateTime={new Date(stream.endTime).toISOString()}>
            {formatTime(stream.endTime)}
          </time>
          <span className="muted"> · {formatDuration(stream.endTime - stream.startTime)}</span>
        </p>
        <p className="card-status">
          <StreamStatus stream={stream} now={now} live={live} />
          <span className="muted">{watchers} marked to watch</span>
        </p>
      </div>
    </article>
  );
}
