// One small interface to the program, whichever way it is reached: a Vara node
// through `@gear-js/api` (vara.ts) or the local chain's JSON-RPC (local.ts).
import { queryReply } from '../program/metadata';
import { rejectionText } from '../program/rules';
import type { Action, Event, Hex, StateQuery, StateReply } from '../program/types';

/** An account that can sign, from a wallet extension or the local chain's list. */
export interface Account {
  /** The Vara (SS58 prefix 137) address. */
  address: string;
  id: Hex;
  name: string;
  /** The wallet extension it comes from, or `development` for the local chain's. */
  source: string;
  /** A development account's derivation path, such as `//Alice`. */
  uri?: string;
}

/** The program rejected the message; `text` is its error text (docs/program.md lists them). */
export class ProgramError extends Error {
  constructor(readonly text: string) {
    super(text);
    this.name = 'ProgramError';
  }
}

/** The program's error reply, whose bytes are its text, as the error a chain throws. */
export function programError(reply: Uint8Array): ProgramError {
  return new ProgramError(rejectionText(new TextDecoder().decode(reply)));
}

/** The node or the wallet failed before the program answered. */
export class ChainError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ChainError';
  }
}

/**
 * The account queries are asked as: a query is a dry run of `handle`
 * (`gear_calculateReplyForHandle`), which spends nothing, and the program does not
 * look at who asks.
 */
export const QUERY_ORIGIN: Hex = `0x${'00'.repeat(32)}`;

/** The gas a query may burn: far more than the largest page costs (docs/benchmark.md). */
export const QUERY_GAS_LIMIT = 50_000_000_000;

/**
 * How a dry run ended, from gear-core's `ReplyCode`: the program replied, the program
 * panicked (its refusal, with its text as the reply), or it could not answer, and why.
 */
export type ReplyEnd = 'replied' | 'panicked' | { failed: string };

/** The answer in the reply to an `Action::Query`; the program's refusal, or a failure, thrown. */
export function queryAnswer(end: ReplyEnd, reply: Uint8Array): StateReply {
  if (end === 'replied') return queryReply(reply);
  if (end === 'panicked') throw programError(reply);
  throw new ChainError(`The program could not answer (${end.failed})`);
}

export interface Chain {
  readonly network: 'local' | 'vara';
  /** The program's id on this chain. */
  readonly programId: Hex;
  /**
   * The program's answer to `query`, asked as an `Action::Query` in a dry run, which
   * answers at any size of the program (a state read stops at 32 MiB of its memory).
   */
  read(query: StateQuery): Promise<StateReply>;
  /**
   * Sends `action` from `account`, carrying `value` (in the chain's smallest unit; only
   * a tip carries any), and resolves with the program's reply, once it arrives; rejects
   * with a `ProgramError` if the program rejects it.
   */
  send(account: Account, action: Action, value?: bigint): Promise<Event>;
  /** What `account` holds, in the chain's smallest unit (10^12 make 1 VARA). */
  balance(account: Hex): Promise<bigint>;
  /** Calls `onChange` whenever the program's state may have changed; stops on return. */
  watch(onChange: () => void): () => void;
  /** The accounts this chain signs for by itself (the local chain's development ones). */
  builtInAccounts(): Account[];
  close(): void;
}
