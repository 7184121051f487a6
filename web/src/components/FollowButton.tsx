// Follow or unfollow a broadcaster, as the program says the account does now.
import { actions, events, queries } from '../program/messages';
import type { Hex } from '../program/types';
import type { Account } from '../chain/types';
import { useAction, useRead } from '../app/hooks';
import { ActionButton, ActionOutcome } from './ActionButton';

/** Whether `account` follows `broadcaster`, as the program says now; undefined until read. */
export function useFollowing(account: Account | null, broadcaster: Hex): boolean | undefined {
  const { data } = useRead(account ? `follows:${account.id}:${broadcaster}` : null, (chain) =>
    queries.follows(chain, account?.id ?? broadcaster, broadcaster),
  );
  return data;
}

export function FollowButton({
  account,
  broadcaster,
  onFollowed,
}: {
  account: Account;
  broadcaster: Hex;
  /** Called once the program confirms a follow. */
  onFollowed?: () => void;
}) {
  const following = useFollowing(account, broadcaster);
  const [state, send] = useAction();
  if (following === undefined) return null;
  return (
    <div className="action">
      <ActionButton
        state={state}
        kind={following ? 'secondary' : 'primary'}
        pendingLabel={following ? 'Unfollowing…' : 'Following…'}
        onClick={() =>
          void send(
            account,
            following ? actions.unfollow(broadcaster) : actions.follow(broadcaster),
          ).then((event) => {
            if (event && events.followed(event)) onFollowed?.();
          })
        }
      >
        {following ? 'Unfollow' : 'Follow'}
      </ActionButton>
      <ActionOutcome
        state={state}
        done={
          state.status === 'done' && events.followed(state.event) ? 'Following.' : 'Unfollowed.'
        }
      />
    </div>
  );
}
