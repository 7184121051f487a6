// Tipping a stream's broadcaster in VARA (docs/program.md, "Tips"): one signed message
// to the program carrying the value, which the program passes on to the broadcaster at
// once. The amount and message are checked with the program's own rules before the
// wallet is asked; once the chain confirms the tip, the chat is asked to show it.
import { useEffect, useId, useState, type FormEvent } from 'react';
import { useAction, type ActionState } from '../app/hooks';
import { useChain } from '../app/chain';
import type { Account } from '../chain/types';
import { actions, events } from '../program/messages';
import { limits, tipProblem } from '../program/rules';
import { formatVara, parseVara } from '../program/value';
import { ActionButton, ActionOutcome, Refusal } from './ActionButton';

export function TipForm({
  account,
  streamId,
  onTipped,
}: {
  account: Account;
  streamId: string;
  /** The chain confirmed the tip with this receipt number. */
  onTipped: (number: number) => void;
}) {
  const id = useId();
  const chain = useChain();
  const [amount, setAmount] = useState('1');
  const [message, setMessage] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [state, send, reset] = useAction();
  const [balance, setBalance] = useState<bigint | null>(null);
  const [sent, setSent] = useState<bigint | null>(null);
  // Tips sent from this form and answered: the balance is read again after each (a
  // refused one paid its gas).
  const [answered, setAnswered] = useState(0);
  useEffect(() => {
    let current = true;
    chain.balance(account.id).then(
      (held) => current && setBalance(held),
      () => current && setBalance(null),
    );
    return () => {
      current = false;
    };
  }, [chain, account.id, answered]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    reset();
    const value = parseVara(amount);
    const found =
      value === null ? 'Write the amount in VARA, such as 2 or 0.5' : tipProblem(value, message);
    setProblem(found);
    if (found !== null || value === null) return;
    setSent(value);
    const confirmed = await send(account, actions.tip(streamId, message), value);
    setAnswered((count) => count + 1);
    const number = confirmed ? events.tipped(confirmed) : null;
    if (number !== null) {
      setMessage('');
      onTipped(number);
    }
  };
  return (
    <form
      className="tip-form"
      onSubmit={(event) => void submit(event)}
      aria-labelledby={`${id}-title`}
    >
      <h3 id={`${id}-title`} className="small">
        Tip the broadcaster
      </h3>
      <div className="tip-fields">
        <label className="small">
          Amount in VARA
          <input
            value={amount}
            inputMode="decimal"
            onChange={(event) => setAmount(event.target.value)}
            aria-invalid={problem !== null}
            aria-describedby={problem ? `${id}-problem` : undefined}
            autoComplete="off"
          />
        </label>
        <label className="small">
          Message (optional)
          <input
            value={message}
            onChange={(event) => setMessage(event.target.value)}
            autoComplete="off"
          />
        </label>
        <ActionButton state={state} type="submit" pendingLabel="Tipping…" kind="secondary">
          Tip
        </ActionButton>
      </div>
      <p className="muted small">
        At least {formatVara(limits.minTip)}; it reaches the broadcaster at once.
        {balance !== null && ` You hold ${formatVara(balance)}.`}
      </p>
      {problem && <Refusal lead="Not sent: " reason={problem} id={`${id}-problem`} />}
      <TipOutcome state={state} sent={sent} />
    </form>
  );
}

function TipOutcome({ state, sent }: { state: ActionState; sent: bigint | null }) {
  if (state.status === 'idle') return null;
  return (
    <ActionOutcome
      state={state}
      done={sent !== null && `You tipped ${formatVara(sent)}. It shows in the chat for everyone.`}
    />
  );
}
