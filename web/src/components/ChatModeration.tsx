// What moderating a chat takes beside the messages: the role the account that acts
// holds in the channel (from the program, then from what the servers tell the chat),
// and the buttons beside a message. Moderators delete and time out; the broadcaster
// also bans and names moderators, on chain, and tells the servers at once.
import { useState } from 'react';
import type { Account } from '../chain/types';
import { useAction, useRead, type ActionState } from '../app/hooks';
import type { ChatAct } from '../live/chat';
import type { Role } from '../live/protocol';
import { actions, queries } from '../program/messages';
import type { ChannelRole, Hex } from '../program/types';
import { ActionOutcome } from './ActionButton';

/** How long a Time out keeps an account from posting. */
export const TIMEOUT_MINUTES = 5;

const ROLE_OF: Record<ChannelRole, Role> = { Moderator: 'moderator', Banned: 'banned' };

/**
 * The role `account` holds in `broadcaster`'s channel: the program's answer, until the
 * chat tells of a change (`told`, which the caller keeps from `onRole`).
 */
export function useChannelRole(
  account: Account | null,
  broadcaster: Hex,
  told: { role: Role | null } | null,
): Role | null {
  const asked = account && account.id !== broadcaster ? account.id : null;
  const { data } = useRead(asked && `role:${broadcaster}:${asked}`, (chain) =>
    queries.role(chain, broadcaster, asked ?? broadcaster),
  );
  if (told) return told.role;
  return data ? ROLE_OF[data] : null;
}

/** A role the broadcaster gives from the chat, and what became of it. */
export interface RoleChange {
  state: ActionState;
  /** What the last change did, in words, once the program confirmed it. */
  done: string;
  give: (author: Hex, authorName: string, role: ChannelRole) => void;
}

/**
 * Giving roles from the chat: on chain, then the servers are told (`act`). Kept by the
 * chat, not by a message: a ban takes the banned account's messages away.
 */
export function useRoleChange(account: Account | null, act: (what: ChatAct) => void): RoleChange {
  const [state, send] = useAction();
  const [done, setDone] = useState('');
  const give = (author: Hex, authorName: string, role: ChannelRole) => {
    if (!account) return;
    setDone(role === 'Banned' ? `${authorName} is banned.` : `${authorName} is a moderator.`);
    void send(account, actions.setRole(author, role)).then((event) => {
      if (event) act({ kind: 'roleChanged', account: author });
    });
  };
  return { state, done, give };
}

/** The buttons beside a message by `author`, named `authorName`, for who moderates. */
export function MessageActions({
  author,
  authorName,
  messageId,
  act,
  roles,
}: {
  author: Hex;
  authorName: string;
  messageId: number;
  act: (what: ChatAct) => void;
  /** Only for the channel's broadcaster, who alone gives roles. */
  roles: RoleChange | null;
}) {
  return (
    <span className="chat-moderation">
      <button
        type="button"
        className="link-button"
        aria-label={`Delete message from ${authorName}`}
        onClick={() => act({ kind: 'delete', id: messageId })}
      >
        Delete
      </button>
      <button
        type="button"
        className="link-button"
        aria-label={`Time out ${authorName} for ${TIMEOUT_MINUTES} minutes`}
        onClick={() => act({ kind: 'timeOut', account: author, minutes: TIMEOUT_MINUTES })}
      >
        Time out {TIMEOUT_MINUTES} min
      </button>
      {roles && (
        <>
          <button
            type="button"
            className="link-button"
            aria-label={`Ban ${authorName} from your channel`}
            disabled={roles.state.status === 'pending'}
            onClick={() => roles.give(author, authorName, 'Banned')}
          >
            Ban
          </button>
          <button
            type="button"
            className="link-button"
            aria-label={`Make ${authorName} a moderator of your channel`}
            disabled={roles.state.status === 'pending'}
            onClick={() => roles.give(author, authorName, 'Moderator')}
          >
            Make moderator
          </button>
        </>
      )}
    </span>
  );
}

/** What became of the last role given from the chat. */
export function RoleOutcome({ roles }: { roles: RoleChange }) {
  if (roles.state.status === 'idle') return null;
  return <ActionOutcome state={roles.state} done={roles.done} />;
}
