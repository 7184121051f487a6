// Choosing who to act as: the local chain's development accounts (with the seed a
// wallet imports them by) and the accounts of any wallet extension.
import { useId } from 'react';
import { useAccounts } from '../app/accounts';
import { DEVELOPMENT } from '../chain/development';
import { hasExtensions } from '../chain/wallet';

export function AccountPicker({ compact }: { compact?: boolean }) {
  const { all, selected, select, connectWallet, walletError } = useAccounts();
  const id = useId();
  const development = all.filter((account) => account.source === DEVELOPMENT);
  const wallet = all.filter((account) => account.source !== DEVELOPMENT);
  return (
    <div className={compact ? 'picker compact' : 'picker'}>
      {/* In the header the chosen account's name says what the field is. */}
      <label htmlFor={id} className={compact ? 'visually-hidden' : undefined}>
        Account
      </label>
      <select
        id={id}
        value={selected?.address ?? ''}
        onChange={(event) => select(event.target.value || null)}
      >
        <option value="">No account (browse only)</option>
        {development.length > 0 && (
          <optgroup label="Development accounts (local chain)">
            {development.map((account) => (
              <option key={account.address} value={account.address}>
                {account.name} ({account.uri})
              </option>
            ))}
          </optgroup>
        )}
        {wallet.length > 0 && (
          <optgroup label="Wallet">
            {wallet.map((account) => (
              <option key={account.address} value={account.address}>
                {account.name} · {account.source}
              </option>
            ))}
          </optgroup>
        )}
      </select>
      {!compact && (
        <button type="button" className="button secondary" onClick={() => void connectWallet()}>
          {hasExtensions() ? 'Connect wallet' : 'Look for a wallet'}
        </button>
      )}
      {walletError && !compact && (
        <p className="outcome error" role="alert">
          {walletError}
        </p>
      )}
    </div>
  );
}
