// A button that sends one action and says what became of it: busy until the
// program's reply arrives, then the outcome in words next to it.
import type { ReactNode } from 'react';
import type { ActionState } from '../app/hooks';
import { Link, paths } from '../app/router';
import { errors, said } from '../program/rules';

export function ActionButton({
  state,
  onClick,
  children,
  pendingLabel,
  disabled,
  kind = 'primary',
  type = 'button',
  label,
}: {
  state: ActionState;
  onClick?: () => void;
  children: ReactNode;
  pendingLabel: string;
  disabled?: boolean;
  kind?: 'primary' | 'secondary' | 'danger';
  type?: 'button' | 'submit';
  /** The accessible name, where the text alone does not say what it acts on. */
  label?: string;
}) {
  const pending = state.status === 'pending';
  return (
    <button
      type={type}
      className={`button ${kind}`}
      onClick={onClick}
      disabled={disabled || pending}
      aria-busy={pending}
      aria-label={label}
    >
      {pending ? pendingLabel : children}
    </button>
  );
}

/** Why something was not done: `lead`, then the reason, announced at once. */
export function Refusal({
  lead,
  reason,
  id,
  children,
}: {
  lead: string;
  /** The program's error text, or our own words. */
  reason: string;
  /** For the field it is about to point at. */
  id?: string;
  children?: ReactNode;
}) {
  return (
    <p className="outcome error" role="alert" id={id}>
      {lead}
      <span className="reason">{said(reason).words}</span>
      {children}
    </p>
  );
}

/** The outcome of an action, announced to screen readers as it changes. */
export function ActionOutcome({ state, done }: { state: ActionState; done?: ReactNode }) {
  if (state.status === 'rejected') {
    return (
      <Refusal lead={state.byProgram ? 'The program refused: ' : 'Not sent: '} reason={state.text}>
        {state.text === errors.notRegistered && (
          <>
            {' '}
            <Link to={paths.account()}>Register on your account page</Link>
          </>
        )}
      </Refusal>
    );
  }
  return (
    <p className="outcome" role="status">
      {state.status === 'pending' && 'Waiting for the program’s reply…'}
      {state.status === 'done' && done}
    </p>
  );
}
