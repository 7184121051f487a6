// Acting as an account: pick it, register or edit its profile, see and schedule its
// streams, see the streams it marked to watch, and its channel's moderators and bans.
import { useId, useState } from 'react';
import { useAccounts } from '../app/accounts';
import { counted } from '../app/format';
import { useAction, useNow, usePages, useRead, type Pages } from '../app/hooks';
import { useProfiles } from '../app/profiles';
import { Link, paths, useArrivalNote } from '../app/router';
import { ActionButton, ActionOutcome, Refusal } from '../components/ActionButton';
import { ListFooter } from '../components/ListFooter';
import { AccountPicker } from '../components/AccountPicker';
import { StreamCard } from '../components/StreamCard';
import { freshStream, StreamForm } from '../components/StreamForm';
import { TextField } from '../components/TextField';
import { DEVELOPMENT } from '../chain/development';
import { DEV_PHRASE } from '@polkadot/keyring';
import type { Account } from '../chain/types';
import { actions, events, queries } from '../program/messages';
import { limits, profileProblem, said, type FormField, type StreamFields } from '../program/rules';
import type { ProfileSummary, StreamCursor, StreamEntry } from '../program/types';
import { PageHeading } from '../components/PageHeading';
import { ChannelRoles } from '../components/ChannelRoles';
import { TipsReceived } from '../components/TipsReceived';

export function AccountPage() {
  const { selected } = useAccounts();
  const note = useArrivalNote();
  return (
    <div className="page account">
      <PageHeading>Your account</PageHeading>
      {note && (
        <p className="outcome" role="status">
          {note}
        </p>
      )}
      <AccountPicker />
      {selected ? <Acting key={selected.address} account={selected} /> : <Unselected />}
    </div>
  );
}

function Unselected() {
  return (
    <p className="hint">
      Pick an account to register a profile, schedule streams, follow broadcasters and mark streams
      to watch. Reading the schedule needs none.
    </p>
  );
}

function Acting({ account }: { account: Account }) {
  const { data: profile, error } = useRead(`profile:${account.id}`, (chain) =>
    queries.profile(chain, account.id),
  );
  return (
    <>
      <section className="section" aria-labelledby="who-heading">
        <h2 id="who-heading">{account.name}</h2>
        <p className="muted small address">{account.address}</p>
        {account.source === DEVELOPMENT && (
          <p className="hint small">
            A development account: anyone can use it. Its seed, for a wallet’s import:{' '}
            <code>
              {DEV_PHRASE}
              {account.uri}
            </code>
          </p>
        )}
        {profile && (
          <p>
            <Link to={paths.channel(account.address)}>Your channel</Link> ·{' '}
            {counted(profile.streamCount, 'stream')} ·{' '}
            {counted(profile.subscriberCount, 'follower')} · following {profile.subscriptionCount}
          </p>
        )}
      </section>
      {error && (
        <p className="outcome error" role="alert">
          Could not read the profile: {error}
        </p>
      )}
      {profile !== undefined && <ProfileForm account={account} profile={profile} />}
      {profile && <YourStreams account={account} />}
      {profile && <ScheduleSection account={account} />}
      {profile && <MarkedStreams account={account} />}
      {profile && <TipsReceived account={account} />}
      {profile && <ChannelRoles account={account} />}
    </>
  );
}

function ProfileForm({ account, profile }: { account: Account; profile: ProfileSummary | null }) {
  const [name, setName] = useState(profile?.name ?? '');
  const [surname, setSurname] = useState(profile?.surname ?? '');
  const [imgLink, setImgLink] = useState(profile?.imgLink ?? '');
  const [problem, setProblem] = useState<string | null>(null);
  const [state, send] = useAction();
  const registered = profile !== null;
  // What the last submit did, told after the reply, when `registered` already says true.
  const [registering, setRegistering] = useState(false);
  const orNull = (text: string) => (text.trim() === '' ? null : text);
  const problemId = useId();
  const about = (field: FormField): string | undefined =>
    problem !== null && said(problem).field === field ? problemId : undefined;

  const submit = (event: React.FormEvent) => {
    event.preventDefault();
    const fields = { name: orNull(name), surname: orNull(surname), imgLink: orNull(imgLink) };
    const found = profileProblem(fields);
    setProblem(found);
    if (found) return;
    setRegistering(!registered);
    void send(account, actions.editProfile(fields));
  };

  return (
    <section className="section" aria-labelledby="profile-heading">
      <h2 id="profile-heading">{registered ? 'Profile' : 'Register'}</h2>
      {!registered && (
        <p className="hint">
          This account has no profile yet. Registering creates one: it is what lets you schedule,
          follow and mark streams.
        </p>
      )}
      <form className="form" onSubmit={submit} noValidate>
        <div className="field-row">
          <TextField
            label="Name"
            value={name}
            onChange={setName}
            limit={limits.maxNameLen}
            problem={about('name')}
          />
          <TextField
            label="Surname"
            value={surname}
            onChange={setSurname}
            limit={limits.maxNameLen}
            problem={about('surname')}
          />
        </div>
        <TextField
          label="Avatar image link"
          value={imgLink}
          onChange={setImgLink}
          limit={limits.maxLinkLen}
          type="url"
          problem={about('imgLink')}
        />
        {problem && <Refusal lead="Not sent: " reason={problem} id={problemId} />}
        <div className="form-actions">
          <ActionButton
            state={state}
            type="submit"
            pendingLabel={registered ? 'Saving…' : 'Registering…'}
          >
            {registered ? 'Save profile' : 'Register'}
          </ActionButton>
        </div>
        <ActionOutcome state={state} done={registering ? 'Registered.' : 'Profile saved.'} />
      </form>
    </section>
  );
}

function ScheduleSection({ account }: { account: Account }) {
  const [state, send] = useAction();
  const [form, setForm] = useState(0);
  const now = useNow(60_000);
  const schedule = async (fields: StreamFields) => {
    const event = await send(account, actions.scheduleStream(fields));
    if (event) setForm((n) => n + 1);
  };
  const scheduled = state.status === 'done' ? events.scheduled(state.event) : null;
  return (
    <section className="section" aria-labelledby="schedule-heading">
      <h2 id="schedule-heading">Schedule a stream</h2>
      <StreamForm
        key={form}
        initial={freshStream(now)}
        onSubmit={(fields) => void schedule(fields)}
        actions={
          <ActionButton state={state} type="submit" pendingLabel="Scheduling…">
            Schedule stream
          </ActionButton>
        }
      />
      <ActionOutcome
        state={state}
        done={
          scheduled && (
            <>
              Stream scheduled. <Link to={paths.stream(scheduled)}>Open it</Link>
            </>
          )
        }
      />
    </section>
  );
}

function YourStreams({ account }: { account: Account }) {
  const streams = usePages<StreamEntry, StreamCursor>(
    `channel-streams:${account.id}`,
    (chain, cursor) => queries.broadcasterStreams(chain, account.id, cursor, 20),
  );
  return (
    <StreamsSection
      title="Your streams"
      list={streams}
      empty="None scheduled: schedule one below."
      more="Load more of your streams"
    />
  );
}

function MarkedStreams({ account }: { account: Account }) {
  const marked = usePages<StreamEntry, StreamCursor>(`marked:${account.id}`, (chain, cursor) =>
    queries.markedStreams(chain, account.id, cursor, 20),
  );
  return (
    <StreamsSection
      title="Streams you marked to watch"
      list={marked}
      empty="None yet: open a stream and mark it to watch."
      more="Load more marked streams"
    />
  );
}

/** A titled section of stream cards, read page by page. */
function StreamsSection({
  title,
  list,
  empty,
  more,
}: {
  title: string;
  list: Pages<StreamEntry>;
  /** What it says when there are none. */
  empty: string;
  /** The label of its Load more button. */
  more: string;
}) {
  const id = useId();
  const now = useNow(1_000);
  const broadcasters = useProfiles(list.items.map(([, stream]) => stream.broadcaster));
  return (
    <section className="section" aria-labelledby={id}>
      <h2 id={id}>{title}</h2>
      {!list.loading && list.items.length === 0 && <p className="muted">{empty}</p>}
      <div className="cards">
        {list.items.map((entry) => (
          <StreamCard
            key={entry[0]}
            entry={entry}
            now={now}
            broadcaster={broadcasters.get(entry[1].broadcaster)}
          />
        ))}
      </div>
      <ListFooter list={list} more={more} />
    </section>
  );
}
