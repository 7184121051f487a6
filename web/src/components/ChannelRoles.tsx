// The roles in the account's own channel, as the program keeps them: its moderators and
// the accounts it banned, each with the button that takes the role away (on chain,
// then the signaling servers are told, so a lifted ban holds at once). Roles are given
// from the chat beside a live stream.
import { useId, useState } from 'react';
import { useAction, usePages } from '../app/hooks';
import { useSignalingUrl } from '../app/live';
import { addressOf, displayName, useProfiles } from '../app/profiles';
import type { Account } from '../chain/types';
import { announceRole } from '../live/roles';
import { actions, queries } from '../program/messages';
import type { ChannelRole, Hex } from '../program/types';
import { ActionButton, ActionOutcome } from './ActionButton';
import { ListFooter } from './ListFooter';

const NAMES: Record<ChannelRole, { role: string; takeAway: string; done: string }> = {
  Moderator: { role: 'Moderator', takeAway: 'Remove as moderator', done: 'No longer a moderator.' },
  Banned: { role: 'Banned', takeAway: 'Lift the ban', done: 'Ban lifted.' },
};

export function ChannelRoles({ account }: { account: Account }) {
  const id = useId();
  const roles = usePages<[Hex, ChannelRole], Hex>(`roles:${account.id}`, (chain, cursor) =>
    queries.roles(chain, account.id, cursor, 50),
  );
  const profiles = useProfiles(roles.items.map(([holder]) => holder));
  // Kept here: the row of a role taken away goes as the list is read again.
  const [outcome, setOutcome] = useState<string | null>(null);
  return (
    <section className="section" aria-labelledby={id}>
      <h2 id={id}>Moderators and bans</h2>
      {!roles.loading && roles.items.length === 0 && (
        <p className="muted">
          None: name moderators and ban accounts from the chat beside your live stream.
        </p>
      )}
      <ul className="roles">
        {roles.items.map(([holder, role]) => (
          <RoleRow
            key={holder}
            account={account}
            holder={holder}
            name={displayName(holder, profiles.get(holder))}
            role={role}
            onDone={setOutcome}
          />
        ))}
      </ul>
      {outcome && (
        <p className="outcome" role="status">
          {outcome}
        </p>
      )}
      <ListFooter list={roles} more="Load more moderators and bans" />
    </section>
  );
}

function RoleRow({
  account,
  holder,
  name,
  role,
  onDone,
}: {
  account: Account;
  holder: Hex;
  name: string;
  role: ChannelRole;
  /** What became of taking the role away, in words. */
  onDone: (outcome: string) => void;
}) {
  const [state, send] = useAction();
  const url = useSignalingUrl();
  const names = NAMES[role];
  const takeAway = async () => {
    const event = await send(account, actions.setRole(holder, null));
    if (!event) return;
    const done = `${name}: ${names.done}`;
    if (!url) return onDone(done);
    // The program holds the change already; told, the servers act on it at once.
    await announceRole(url, account, holder).then(
      () => onDone(done),
      (error: unknown) =>
        onDone(
          `${done} The signaling servers were not told (${error instanceof Error ? error.message : String(error)}): it holds for them within a minute.`,
        ),
    );
  };
  return (
    <li>
      <span>
        <strong>{name}</strong>{' '}
        <span className="muted small address" title={addressOf(holder)}>
          {addressOf(holder)}
        </span>{' '}
        · {names.role}
      </span>
      <ActionButton
        state={state}
        kind="secondary"
        pendingLabel="Sending…"
        onClick={() => void takeAway()}
        label={`${names.takeAway}: ${name}`}
      >
        {names.takeAway}
      </ActionButton>
      {state.status === 'rejected' && <ActionOutcome state={state} />}
    </li>
  );
}
