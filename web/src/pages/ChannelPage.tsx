// A broadcaster's channel, open to anyone: the profile, its counts, its streams,
// who follows it and whom it follows, each list page by page.
import { useAccounts } from '../app/accounts';
import { formatDateTime } from '../app/format';
import { useNow, usePages, useRead } from '../app/hooks';
import { addressOf, displayName, idOf, useProfiles } from '../app/profiles';
import { Link, paths } from '../app/router';
import { Banner } from '../components/Banner';
import { FollowButton } from '../components/FollowButton';
import { ListFooter } from '../components/ListFooter';
import { StreamCard } from '../components/StreamCard';
import { queries } from '../program/messages';
import type { Hex, StreamCursor, StreamEntry, Subscription } from '../program/types';
import { PageHeading } from '../components/PageHeading';

const PAGE = 20;

export function ChannelPage({ account }: { account: string }) {
  const id = idOf(account);
  if (!id) {
    return (
      <div className="page">
        <PageHeading>Not an account</PageHeading>
        <p>
          <code>{account}</code> is neither an SS58 address nor a 0x-prefixed account id.
        </p>
      </div>
    );
  }
  return <Channel id={id} />;
}

function Channel({ id }: { id: Hex }) {
  const now = useNow(1_000);
  const { selected } = useAccounts();
  const { data: profile, error } = useRead(`profile:${id}`, (chain) => queries.profile(chain, id));
  const streams = usePages<StreamEntry, StreamCursor>(`channel-streams:${id}`, (chain, cursor) =>
    queries.broadcasterStreams(chain, id, cursor, PAGE),
  );
  const followers = usePages<Hex, Hex>(`followers:${id}`, (chain, cursor) =>
    queries.followers(chain, id, cursor, PAGE),
  );
  const follows = usePages<Subscription, Hex>(`follows:${id}`, (chain, cursor) =>
    queries.followed(chain, id, cursor, PAGE),
  );
  const names = useProfiles([
    ...followers.items,
    ...follows.items.map((follow) => follow.accountId),
  ]);
  const name = displayName(id, profile);

  if (error) {
    return (
      <div className="page">
        <p className="outcome error" role="alert">
          Could not read the channel: {error}
        </p>
      </div>
    );
  }
  if (profile === undefined)
    return (
      <div className="page">
        <p role="status">Loading the channel…</p>
      </div>
    );

  return (
    <div className="page channel">
      <header className="page-header channel-header">
        <Banner link={profile?.imgLink} title={name} className="avatar" offer />
        <div>
          <PageHeading>{name}</PageHeading>
          <p className="muted small address">{addressOf(id)}</p>
          {profile ? (
            <ul className="counts" aria-label="Counts">
              <li>
                <strong>{profile.streamCount}</strong>{' '}
                {profile.streamCount === 1 ? 'stream' : 'streams'}
              </li>
              <li>
                <strong>{profile.subscriberCount}</strong>{' '}
                {profile.subscriberCount === 1 ? 'follower' : 'followers'}
              </li>
              <li>
                <strong>{profile.subscriptionCount}</strong> following
              </li>
            </ul>
          ) : (
            <p>This account has no profile yet: it has not registered with the program.</p>
          )}
        </div>
        {profile && selected && selected.id !== id && (
          <FollowButton account={selected} broadcaster={id} />
        )}
      </header>

      <section className="section" aria-labelledby="streams-heading">
        <h2 id="streams-heading">Streams</h2>
        {!streams.loading && streams.items.length === 0 && (
          <p className="muted">No streams scheduled.</p>
        )}
        <div className="cards">
          {streams.items.map((entry) => (
            <StreamCard key={entry[0]} entry={entry} now={now} broadcaster={profile} />
          ))}
        </div>
        <ListFooter list={streams} more="Load more streams" />
      </section>

      <div className="columns">
        <section className="section" aria-labelledby="followers-heading">
          <h2 id="followers-heading">Followers</h2>
          {!followers.loading && followers.items.length === 0 && (
            <p className="muted">No followers yet.</p>
          )}
          <ul className="people">
            {followers.items.map((follower) => (
              <li key={follower}>
                <Link to={paths.channel(follower)}>
                  {displayName(follower, names.get(follower))}
                </Link>
              </li>
            ))}
          </ul>
          <ListFooter list={followers} more="Load more followers" />
        </section>
        <section className="section" aria-labelledby="follows-heading">
          <h2 id="follows-heading">Following</h2>
          {!follows.loading && follows.items.length === 0 && (
            <p className="muted">Follows nobody.</p>
          )}
          <ul className="people">
            {follows.items.map((follow) => (
              <li key={follow.accountId}>
                <Link to={paths.channel(follow.accountId)}>
                  {displayName(follow.accountId, names.get(follow.accountId))}
                </Link>
                <span className="muted small"> since {formatDateTime(follow.subDate)}</span>
              </li>
            ))}
          </ul>
          <ListFooter list={follows} more="Load more follows" />
        </section>
      </div>
    </div>
  );
}
