// The tips the account received, the latest first, as the program keeps their
// receipts (the latest 40,000 of all tips): who, how much, for which stream, when and
// with what message.
import { useId } from 'react';
import { usePages } from '../app/hooks';
import { formatDateTime } from '../app/format';
import { addressOf, displayName, useProfiles } from '../app/profiles';
import type { Account } from '../chain/types';
import { queries } from '../program/messages';
import type { Tip } from '../program/types';
import { formatVara } from '../program/value';
import { ListFooter } from './ListFooter';

export function TipsReceived({ account }: { account: Account }) {
  const id = useId();
  const tips = usePages<[number, Tip], number>(`tips:${account.id}`, (chain, cursor) =>
    queries.tipsReceived(chain, account.id, cursor, 20),
  );
  const profiles = useProfiles(tips.items.map(([, tip]) => tip.tipper));
  return (
    <section className="section" aria-labelledby={id}>
      <h2 id={id}>Tips received</h2>
      {!tips.loading && tips.items.length === 0 && (
        <p className="muted">None yet: viewers tip from the chat beside your live stream.</p>
      )}
      <ul className="tips">
        {tips.items.map(([number, tip]) => (
          <li key={number}>
            <strong>{formatVara(tip.amount)}</strong> from{' '}
            <span title={addressOf(tip.tipper)}>
              {displayName(tip.tipper, profiles.get(tip.tipper))}
            </span>
            <span className="muted small">
              {' '}
              · {formatDateTime(tip.time)} · {tip.streamId.slice(13)}
            </span>
            {tip.message && <p className="tip-message">{tip.message}</p>}
          </li>
        ))}
      </ul>
      <ListFooter list={tips} more="Load more tips" />
    </section>
  );
}
