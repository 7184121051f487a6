// The local chain (`w3bstreaming-devnode`) over its JSON-RPC: queries with
// `gear_calculateReplyForHandle` as a Vara node answers it; writes as
// `dev_sendMessage`, signed by the sender over a text naming the chain, the program,
// the sender, its nonce and the payload (devnode/src/signing.rs), then the reply
// awaited with `dev_messageReply`.
import { hexToU8a, u8aToHex } from '@polkadot/util';
import { decodeEvent, encodeAction } from '../program/metadata';
import { rejectionText } from '../program/rules';
import type { Action, Event, Hex, StateQuery, StateReply } from '../program/types';
import { developmentAccounts } from './development';
import { signText } from './sign';
import {
  ChainError,
  ProgramError,
  QUERY_GAS_LIMIT,
  QUERY_ORIGIN,
  queryAnswer,
  type Account,
  type Chain,
  type ReplyEnd,
} from './types';

interface Info {
  chain: Hex;
  programId: Hex;
}

interface Block {
  number: number;
  stateVersion: number;
}

type Reply = { ok: true; payload: Hex } | { ok: false; error: string };

/**
 * `gear_calculateReplyForHandle`'s result as a Vara node writes it: `code` is gear-core's
 * `ReplyCode` in JSON, such as `{ "Success": "Manual" }` or
 * `{ "Error": { "Execution": "UserspacePanic" } }` (node-rpc/fixtures/ has recorded ones).
 */
interface ReplyInfo {
  payload: Hex;
  value: number;
  code: unknown;
}

function replyEnd(code: unknown): ReplyEnd {
  if (typeof code === 'object' && code !== null) {
    if ('Success' in code) return 'replied';
    if ('Error' in code) {
      const reason = code.Error;
      const panicked =
        typeof reason === 'object' &&
        reason !== null &&
        'Execution' in reason &&
        reason.Execution === 'UserspacePanic';
      return panicked ? 'panicked' : { failed: JSON.stringify(reason) };
    }
  }
  return { failed: `the node's reply code ${JSON.stringify(code)} is not one gear 2.0 writes` };
}

interface RpcFailure {
  code: number;
  message: string;
  data?: unknown;
}

/** How long one waiting call may hold the connection (the node caps it at 30 s). */
const WAIT_MS = 25_000;
/** Waits for a reply before giving up: a block comes every 3 s, so this is a stuck node. */
const REPLY_WAITS = 12;

export class LocalChain implements Chain {
  readonly network = 'local';
  private nextId = 1;
  private closed = new AbortController();
  /** Per account, the send in progress: nonces must be used in order. */
  private queues = new Map<string, Promise<unknown>>();

  private constructor(
    private readonly url: string,
    private readonly info: Info,
  ) {}

  get programId(): Hex {
    return this.info.programId;
  }

  /** Connects to the node at `url` and learns which chain and program it runs. */
  static async connect(url: string): Promise<LocalChain> {
    const probe = new LocalChain(url, { chain: '0x', programId: '0x' });
    const info = await probe.call<Info>('dev_info', []);
    return new LocalChain(url, info);
  }

  async read(query: StateQuery): Promise<StateReply> {
    const payload = u8aToHex(encodeAction({ Query: query }));
    const reply = await this.call<ReplyInfo>('gear_calculateReplyForHandle', [
      QUERY_ORIGIN,
      this.programId,
      payload,
      QUERY_GAS_LIMIT,
      0,
      null,
    ]);
    return queryAnswer(replyEnd(reply.code), hexToU8a(reply.payload));
  }

  async send(account: Account, action: Action, value = 0n): Promise<Event> {
    const messageId = await this.inOrder(account.id, () => this.submit(account, action, value));
    for (let waits = 0; waits < REPLY_WAITS; waits += 1) {
      const reply = await this.call<Reply | null>('dev_messageReply', [messageId, WAIT_MS]);
      if (reply === null) continue;
      if (reply.ok) return decodeEvent(reply.payload);
      throw new ProgramError(rejectionText(reply.error));
    }
    throw new ChainError(
      `No reply to message ${messageId} within ${(REPLY_WAITS * WAIT_MS) / 60_000} minutes`,
    );
  }

  async balance(account: Hex): Promise<bigint> {
    return BigInt(await this.call<string>('dev_balance', [account]));
  }

  /** Queues the message, signed as devnode/src/signing.rs writes its text. */
  private async submit(account: Account, action: Action, value: bigint): Promise<Hex> {
    const payload = u8aToHex(encodeAction(action));
    const nonce = await this.call<number>('dev_nonce', [account.id]);
    const lines = [
      'w3bstreaming devnode message',
      `chain: ${this.info.chain}`,
      `program: ${this.programId}`,
      `sender: ${account.id}`,
      `nonce: ${nonce}`,
      `payload: ${payload}`,
    ];
    if (value !== 0n) lines.push(`value: ${value}`);
    const signature = await signText(account, lines.join('\n'));
    const params: unknown[] = [account.id, payload, nonce, signature];
    if (value !== 0n) params.push(value.toString());
    const { messageId } = await this.call<{ messageId: Hex }>('dev_sendMessage', params);
    return messageId;
  }

  watch(onChange: () => void): () => void {
    const stop = new AbortController();
    const poll = async () => {
      let seen: Block | null = null;
      while (!stop.signal.aborted && !this.closed.signal.aborted) {
        try {
          const block: Block = await this.call<Block>(
            'dev_nextBlock',
            [seen?.number ?? 0, seen ? WAIT_MS : 0],
            stop.signal,
          );
          if (seen && block.stateVersion !== seen.stateVersion) onChange();
          seen = block;
        } catch {
          if (stop.signal.aborted) return;
          await new Promise((resolve) => setTimeout(resolve, 3_000));
        }
      }
    };
    void poll();
    return () => stop.abort();
  }

  builtInAccounts(): Account[] {
    return developmentAccounts();
  }

  close(): void {
    this.closed.abort();
  }

  private inOrder<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.queues.get(key) ?? Promise.resolve();
    const run = previous.catch(() => undefined).then(task);
    this.queues.set(key, run);
    return run;
  }

  private async call<T>(method: string, params: unknown[], signal?: AbortSignal): Promise<T> {
    let response: Response;
    try {
      response = await fetch(this.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ jsonrpc: '2.0', id: this.nextId++, method, params }),
        signal: signal ?? this.closed.signal,
      });
    } catch {
      throw new ChainError(`The local chain at ${this.url} cannot be reached`);
    }
    const body = (await response.json().catch(() => null)) as {
      result?: T;
      error?: RpcFailure;
    } | null;
    if (body?.error) {
      throw Object.assign(new ChainError(body.error.message), { rpc: body.error });
    }
    if (!body || !('result' in body)) {
      throw new ChainError(`The local chain answered HTTP ${response.status} without a result`);
    }
    return body.result as T;
  }
}
