// One stream, at its own address, open to anyone: what it is, who broadcasts it,
// when, who will watch. With an account: follow the broadcaster and mark the stream
// to watch; for its broadcaster, edit and delete it.
import { useState } from 'react';
import { useAccounts } from '../app/accounts';
import { useLiveStatuses, useSignalingUrl } from '../app/live';
import { formatDateTime, formatDuration, phase, zoneName } from '../app/format';
import { useAction, useNow, useRead } from '../app/hooks';
import { addressOf, displayName, useProfiles } from '../app/profiles';
import { Link, navigate, paths } from '../app/router';
import { ActionButton, ActionOutcome } from '../components/ActionButton';
import { Banner } from '../components/Banner';
import { Chat } from '../components/Chat';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { FollowButton } from '../components/FollowButton';
import { Player } from '../components/Player';
import { EncoderPanel } from '../components/EncoderPanel';
import { Studio } from '../components/Studio';
import { StreamForm } from '../components/StreamForm';
import { StreamStatus } from '../components/StreamStatus';
import type { Account } from '../chain/types';
import { actions, events, queries } from '../program/messages';
import type { StreamFields } from '../program/rules';
import type { Stream } from '../program/types';
import { visible } from '../program/visible';
import { PageHeading } from '../components/PageHeading';

export function StreamPage({ id }: { id: string }) {
  const now = useNow(1_000);
  const {
    data: stream,
    error,
    loading,
  } = useRead(`stream:${id}`, (chain) => queries.stream(chain, id));
  const profiles = useProfiles(stream ? [stream.broadcaster, ...stream.watchers] : []);
  const { selected } = useAccounts();
  const signaling = useSignalingUrl();
  const live = useLiveStatuses([id]).get(id);

  if (stream === undefined) {
    return (
      <div className="page">
        {error ? (
          <p className="outcome error" role="alert">
            Could not read the stream: {error}
          </p>
        ) : (
          loading && <p role="status">Loading the stream…</p>
        )}
      </div>
    );
  }
  if (stream === null) {
    return (
      <div className="page">
        <PageHeading>No stream with this id</PageHeading>
        <p>
          It may have been deleted, or pruned a week after it ended. The id was{' '}
          <code className="stream-id">{id}</code>.
        </p>
        <p>
          <Link to={paths.schedule()}>See the schedule</Link>
        </p>
      </div>
    );
  }

  const state = phase(stream, now);
  const broadcaster = profiles.get(stream.broadcaster);
  const own = selected?.id === stream.broadcaster;
  return (
    <div className="page stream">
      <Banner link={stream.imgLink} title={stream.title} className="hero" offer />
      <header className="page-header">
        <div>
          <p className="status-line">
            <StreamStatus stream={stream} now={now} live={live} />
          </p>
          <PageHeading>{stream.title}</PageHeading>
          <p className="by">
            by{' '}
            <Link to={paths.channel(stream.broadcaster)}>
              {displayName(stream.broadcaster, broadcaster)}
            </Link>
          </p>
        </div>
      </header>

      <dl className="facts">
        <dt>Starts</dt>
        <dd>{formatDateTime(stream.startTime)}</dd>
        <dt>Ends</dt>
        <dd>{formatDateTime(stream.endTime)}</dd>
        <dt>Lasts</dt>
        <dd>{formatDuration(stream.endTime - stream.startTime)}</dd>
        <dt>Time zone</dt>
        <dd>{zoneName(stream.startTime)}</dd>
      </dl>
      {stream.description && <p className="description">{stream.description}</p>}

      {signaling === null ? (
        <p className="hint">
          Live video needs a signaling server: <Link to={paths.settings()}>set its address</Link>.
        </p>
      ) : (
        (state !== 'ended' || live?.live) && (
          <div className="stage">
            <div className="stage-main">
              {own && selected ? (
                <>
                  <Studio account={selected} streamId={id} url={signaling} status={live} />
                  <EncoderPanel account={selected} streamId={id} url={signaling} />
                </>
              ) : (
                <Player
                  account={selected}
                  streamId={id}
                  broadcaster={stream.broadcaster}
                  broadcasterName={displayName(stream.broadcaster, broadcaster)}
                  url={signaling}
                  status={live}
                />
              )}
            </div>
            <Chat
              account={selected}
              streamId={id}
              url={signaling}
              live={live?.live ?? false}
              broadcaster={stream.broadcaster}
            />
          </div>
        )
      )}

      {selected ? (
        <ViewerActions
          account={selected}
          id={id}
          stream={stream}
          own={own}
          ended={state === 'ended'}
        />
      ) : (
        <p className="hint">
          <Link to={paths.account()}>Pick an account</Link> to follow{' '}
          {displayName(stream.broadcaster, broadcaster)} or mark this stream to watch.
        </p>
      )}

      {own && <OwnerActions account={selected} id={id} stream={stream} />}

      <section className="section" aria-labelledby="watchers-heading">
        <h2 id="watchers-heading">
          Marked to watch <span className="count">{stream.watchers.length}</span>
        </h2>
        {stream.watchers.length === 0 ? (
          <p className="muted">Nobody marked this stream to watch yet.</p>
        ) : (
          <ul className="people">
            {stream.watchers.map((watcher) => (
              <li key={watcher}>
                <Link to={paths.channel(watcher)}>
                  {displayName(watcher, profiles.get(watcher))}
                </Link>
              </li>
            ))}
          </ul>
        )}
      </section>

      <p className="muted small">
        Stream id <code className="stream-id">{visible(id)}</code> · broadcaster{' '}
        {addressOf(stream.broadcaster)}
      </p>
    </div>
  );
}

function ViewerActions({
  account,
  id,
  stream,
  own,
  ended,
}: {
  account: Account;
  id: string;
  stream: Stream;
  own: boolean;
  ended: boolean;
}) {
  const [mark, send] = useAction();
  const watching = stream.watchers.includes(account.id);
  const action = watching ? actions.unmark(id) : actions.markToWatch(id);
  return (
    <div className="actions">
      {!own && <FollowButton account={account} broadcaster={stream.broadcaster} />}
      {!own && (!ended || watching) && (
        <div className="action">
          <ActionButton
            state={mark}
            kind={watching ? 'secondary' : 'primary'}
            pendingLabel={watching ? 'Unmarking…' : 'Marking…'}
            onClick={() => void send(account, action)}
          >
            {watching ? 'Unmark' : 'Mark to watch'}
          </ActionButton>
          <ActionOutcome
            state={mark}
            done={
              mark.status === 'done' && events.marked(mark.event) ? 'Marked to watch.' : 'Unmarked.'
            }
          />
        </div>
      )}
    </div>
  );
}

function OwnerActions({ account, id, stream }: { account: Account; id: string; stream: Stream }) {
  const [editing, setEditing] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [edit, sendEdit, resetEdit] = useAction();
  const [removal, sendRemoval] = useAction();

  const save = async (fields: StreamFields) => {
    const event = await sendEdit(account, actions.editStream(id, stream, fields));
    if (event) setEditing(false);
  };
  const remove = async () => {
    setConfirming(false);
    const event = await sendRemoval(account, actions.deleteStream(id));
    if (event) navigate(paths.account(), `Stream deleted: “${stream.title}”.`);
  };

  return (
    <section className="section owner" aria-labelledby="owner-heading">
      <h2 id="owner-heading">Your stream</h2>
      {editing ? (
        <StreamForm
          initial={stream}
          onSubmit={(fields) => void save(fields)}
          actions={
            <>
              <ActionButton state={edit} type="submit" pendingLabel="Saving…">
                Save changes
              </ActionButton>
              <button
                type="button"
                className="button secondary"
                onClick={() => {
                  resetEdit();
                  setEditing(false);
                }}
              >
                Cancel
              </button>
            </>
          }
        />
      ) : (
        <div className="actions">
          <button type="button" className="button secondary" onClick={() => setEditing(true)}>
            Edit stream
          </button>
          <ActionButton
            state={removal}
            kind="danger"
            pendingLabel="Deleting…"
            onClick={() => setConfirming(true)}
          >
            Delete stream
          </ActionButton>
        </div>
      )}
      <ActionOutcome state={edit} done="Changes saved." />
      <ActionOutcome state={removal} />
      <ConfirmDialog
        open={confirming}
        title="Delete this stream?"
        confirmLabel="Delete"
        onConfirm={() => void remove()}
        onCancel={() => setConfirming(false)}
      >
        <p>
          “{stream.title}” leaves the schedule
          {stream.watchers.length === 1 && ', and its one mark to watch with it'}
          {stream.watchers.length > 1 &&
            `, and its ${stream.watchers.length} marks to watch with it`}
          . This cannot be undone.
        </p>
      </ConfirmDialog>
    </section>
  );
}
