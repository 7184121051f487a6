// The schedule, open to anyone: what is live now, what is coming (by day, in the
// viewer's time zone) and what ended lately, each read page by page from the
// program's targeted queries, and a search over what is loaded.
import { useId, useMemo, useState } from 'react';
import { dayKey, formatDay, searchable, zoneName } from '../app/format';
import { usePages, useNow, type Pages } from '../app/hooks';
import { displayName, useProfiles } from '../app/profiles';
import { ListFooter } from '../components/ListFooter';
import { StreamCard } from '../components/StreamCard';
import { queries, type Page, type Reader } from '../program/messages';
import type { ProfileSummary, Hex, StreamCursor, StreamEntry } from '../program/types';
import { PageHeading } from '../components/PageHeading';

const PAGE = 20;
/** Lists are read again this often, so streams move from upcoming to live to ended. */
const REFRESH_MS = 60_000;

type ListQuery = (
  chain: Reader,
  at: number,
  cursor: StreamCursor | null,
  limit: number,
) => Promise<Page<StreamEntry, StreamCursor>>;

/** A stream list as of `at`, kept as deep as the person loaded it when `at` moves on. */
function useStreams(name: string, at: number, query: ListQuery): Pages<StreamEntry> {
  return usePages<StreamEntry, StreamCursor>(
    name,
    (chain, cursor) => query(chain, at, cursor, PAGE),
    at,
  );
}

export function SchedulePage() {
  const now = useNow(1_000);
  // The lists are read at one moment per minute; the countdowns tick every second.
  const at = Math.floor(now / REFRESH_MS) * REFRESH_MS;
  const live = useStreams('live', at, queries.liveStreams);
  const upcoming = useStreams('upcoming', at, queries.upcomingStreams);
  const ended = useStreams('ended', at, queries.endedStreams);
  const broadcasters = useProfiles(
    [...live.items, ...upcoming.items, ...ended.items].map(([, stream]) => stream.broadcaster),
  );
  const [search, setSearch] = useState('');
  const searchId = useId();
  const matches = useMemo(() => matcher(search, broadcasters), [search, broadcasters]);

  return (
    <div className="page schedule">
      <header className="page-header">
        <PageHeading>Schedule</PageHeading>
        <div className="search field">
          <label htmlFor={searchId}>Search titles and broadcasters</label>
          <input
            id={searchId}
            type="search"
            value={search}
            onChange={(event) => setSearch(event.target.value)}
            placeholder="Search what is loaded"
          />
        </div>
      </header>
      <p className="hint">Times are in your time zone, {zoneName(now)}.</p>

      <Section
        title="Live now"
        list={live}
        matches={matches}
        now={now}
        broadcasters={broadcasters}
        empty="Nobody is live right now."
        more="Load more live streams"
      />
      <Section
        title="Upcoming"
        list={upcoming}
        matches={matches}
        now={now}
        broadcasters={broadcasters}
        empty="Nothing is scheduled yet."
        more="Load more upcoming streams"
        byDay
      />
      <Section
        title="Recently ended"
        list={ended}
        matches={matches}
        now={now}
        broadcasters={broadcasters}
        empty="No stream has ended lately."
        more="Load more ended streams"
      />
    </div>
  );
}

function matcher(search: string, broadcasters: Map<Hex, ProfileSummary | null>) {
  const wanted = searchable(search.trim());
  return ([, stream]: StreamEntry) =>
    wanted === '' ||
    searchable(stream.title).includes(wanted) ||
    searchable(displayName(stream.broadcaster, broadcasters.get(stream.broadcaster))).includes(
      wanted,
    );
}

function Section({
  title,
  list,
  matches,
  now,
  broadcasters,
  empty,
  more,
  byDay,
}: {
  title: string;
  list: Pages<StreamEntry>;
  matches: (entry: StreamEntry) => boolean;
  now: number;
  broadcasters: Map<Hex, ProfileSummary | null>;
  empty: string;
  more: string;
  byDay?: boolean;
}) {
  const headingId = useId();
  const shown = list.items.filter(matches);
  const groups = byDay ? groupByDay(shown) : [{ key: 'all', heading: null, entries: shown }];
  return (
    <section className="section" aria-labelledby={headingId}>
      <h2 id={headingId}>
        {title}{' '}
        <span className="count">
          {list.items.length}
          {list.more ? '+' : ''}
        </span>
      </h2>
      {!list.loading && list.items.length === 0 && !list.error && <p className="muted">{empty}</p>}
      {list.items.length > 0 && shown.length === 0 && (
        <p className="muted">None of the loaded streams match the search.</p>
      )}
      <div className="days">
        {groups.map((group) => (
          <div
            key={group.key}
            className="day"
            // A day is as wide as its cards want, so short days sit side by side.
            style={{ flexGrow: group.entries.length, flexBasis: dayWidth(group.entries.length) }}
          >
            {group.heading !== null && (
              <h3 className="day-heading">{formatDay(group.heading, now)}</h3>
            )}
            <div className="cards">
              {group.entries.map((entry) => (
                <StreamCard
                  key={entry[0]}
                  entry={entry}
                  now={now}
                  broadcaster={broadcasters.get(entry[1].broadcaster)}
                  headingLevel={group.heading === null ? 3 : 4}
                />
              ))}
            </div>
          </div>
        ))}
      </div>
      <ListFooter list={list} more={more} />
    </section>
  );
}

/** The width `cards` cards take side by side (as `.cards` lays them out), at most a row. */
const dayWidth = (cards: number): string => `min(100%, calc(${cards} * 250px + ${cards - 1}rem))`;

function groupByDay(entries: StreamEntry[]) {
  const groups: { key: string; heading: number; entries: StreamEntry[] }[] = [];
  for (const entry of entries) {
    const key = dayKey(entry[1].startTime);
    const last = groups[groups.length - 1];
    if (last?.key === key) last.entries.push(entry);
    else groups.push({ key, heading: entry[1].startTime, entries: [entry] });
  }
  return groups;
}
