// Every byte to and from the program goes through its metadata (.meta.txt), read
// with `@gear-js/api`'s `ProgramMetadata`: no hand-written codec.
import { ProgramMetadata } from '@gear-js/api';
import { metaHex } from 'virtual:program-artifacts';
import type { Action, Event, StateReply } from './types';

export const meta = ProgramMetadata.from(metaHex);

interface InOut {
  input?: number | null;
  output?: number | null;
}

/** A type index of the metadata; the program's metadata (gmeta V2) has them all. */
function typeIndex(types: unknown, side: keyof InOut, what: string): number {
  const index = (types as InOut | null)?.[side];
  if (index === null || index === undefined) throw new Error(`the metadata has no ${what} type`);
  return index;
}

const actionType = typeIndex(meta.types.handle, 'input', 'handle input');
const eventType = typeIndex(meta.types.handle, 'output', 'handle output');

export const encodeAction = (action: Action): Uint8Array =>
  meta.createType(actionType, action).toU8a();

export const decodeEvent = (bytes: Uint8Array | string): Event =>
  meta.createType(eventType, bytes).toJSON() as unknown as Event;

/** The answer in the reply to an `Action::Query`. */
export function queryReply(bytes: Uint8Array | string): StateReply {
  const event = decodeEvent(bytes);
  if ('queryReply' in event) return event.queryReply;
  throw new Error(`the program answered a query with ${JSON.stringify(event)}`);
}
