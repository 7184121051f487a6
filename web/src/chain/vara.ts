// A Vara node through `@gear-js/api`: queries with `message.calculateReply` (a dry run
// of an `Action::Query`), writes as
// `gear.sendMessage` extrinsics signed by a wallet extension, with the gas
// `calculateGas` finds plus a margin, and the program's reply awaited from the
// `UserMessageSent` event that answers the message.
import { GearApi, type GearCoreErrorsSimpleReplyCode, type MessageQueuedData } from '@gear-js/api';
import type { ISubmittableResult } from '@polkadot/types/types';
import { meta, decodeEvent } from '../program/metadata';
import type { Action, Event, Hex, StateQuery, StateReply } from '../program/types';
import { extensionSigner } from './wallet';
import {
  ChainError,
  programError,
  QUERY_GAS_LIMIT,
  QUERY_ORIGIN,
  queryAnswer,
  type Account,
  type Chain,
  type ReplyEnd,
} from './types';

/** Gas limit = the node's estimate times this, for state that changes in between. */
const GAS_MARGIN_PERCENT = 120n;

export class VaraChain implements Chain {
  readonly network = 'vara';

  private constructor(
    private readonly api: GearApi,
    readonly programId: Hex,
  ) {}

  /** Connects to the node's WebSocket `endpoint`, such as wss://testnet.vara.network. */
  static async connect(endpoint: string, programId: Hex): Promise<VaraChain> {
    try {
      const api = await GearApi.create({ providerAddress: endpoint, throwOnConnect: true });
      return new VaraChain(api, programId);
    } catch {
      throw new ChainError(`The Vara node at ${endpoint} cannot be reached`);
    }
  }

  async read(query: StateQuery): Promise<StateReply> {
    let reply;
    try {
      reply = await this.api.message.calculateReply(
        {
          origin: QUERY_ORIGIN,
          destination: this.programId,
          payload: { Query: query },
          gasLimit: QUERY_GAS_LIMIT,
          value: 0,
        },
        meta,
      );
    } catch (error) {
      throw new ChainError(error instanceof Error ? error.message : String(error));
    }
    return queryAnswer(replyEnd(reply.code), reply.payload.toU8a(true));
  }

  async balance(account: Hex): Promise<bigint> {
    return (await this.api.balance.findOut(account)).toBigInt();
  }

  async send(account: Account, action: Action, value = 0n): Promise<Event> {
    const signer = await extensionSigner(account);
    const gas = await this.api.program.calculateGas.handle(
      account.id,
      this.programId,
      action,
      value,
      true,
      meta,
    );
    const gasLimit = (gas.min_limit.toBigInt() * GAS_MARGIN_PERCENT) / 100n;
    const tx = this.api.message.send(
      { destination: this.programId, payload: action, gasLimit, value },
      meta,
    );
    const { messageId, blockHash } = await new Promise<{ messageId: Hex; blockHash: Hex }>(
      (resolve, reject) => {
        let messageId: Hex | undefined;
        const onResult = (result: ISubmittableResult) => {
          for (const { event } of result.events) {
            if (event.method === 'MessageQueued') {
              messageId = (event.data as unknown as MessageQueuedData).id.toHex();
            }
          }
          if (result.dispatchError) {
            reject(new ChainError(this.dispatchErrorText(result)));
          } else if (result.status.isInBlock && messageId) {
            resolve({ messageId, blockHash: result.status.asInBlock.toHex() });
          } else if (result.isError) {
            reject(new ChainError(`The transaction failed: ${result.status.type}`));
          }
        };
        tx.signAndSend(account.address, { signer }, onResult).catch((error: unknown) =>
          reject(new ChainError(error instanceof Error ? error.message : String(error))),
        );
      },
    );
    const reply = await this.api.message.getReplyEvent(this.programId, messageId, blockHash);
    const { details, payload } = reply.data.message;
    if (details.isSome && details.unwrap().code.isSuccess) return decodeEvent(payload.toU8a(true));
    throw programError(payload.toU8a(true));
  }

  private dispatchErrorText(result: ISubmittableResult): string {
    const error = result.dispatchError;
    if (error?.isModule) {
      const { section, name, docs } = this.api.registry.findMetaError(error.asModule);
      return `${section}.${name}: ${docs.join(' ')}`;
    }
    return error?.toString() ?? 'the transaction failed';
  }

  watch(onChange: () => void): () => void {
    let stopped = false;
    let unsubscribe: (() => void) | undefined;
    void this.api.gearEvents
      .subscribeToGearEvent('MessagesDispatched', ({ data }) => {
        const changed = data.stateChanges.toJSON() as string[];
        if (changed.includes(this.programId)) onChange();
      })
      .then((stop) => {
        if (stopped) stop();
        else unsubscribe = stop;
      });
    return () => {
      stopped = true;
      unsubscribe?.();
    };
  }

  builtInAccounts(): Account[] {
    return [];
  }

  close(): void {
    void this.api.disconnect();
  }
}

function replyEnd(code: GearCoreErrorsSimpleReplyCode): ReplyEnd {
  if (code.isSuccess) return 'replied';
  const panicked =
    code.isError && code.asError.isExecution && code.asError.asExecution.isUserspacePanic;
  return panicked ? 'panicked' : { failed: code.toString() };
}
