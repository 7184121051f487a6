// The part of a `StateReply` each query answers with; another variant means the id
// names another program.
import type {
  Hex,
  ProfileSummary,
  StateReply,
  Stream,
  StreamCursor,
  StreamEntry,
  Subscription,
} from './types';

function wrong(expected: string): never {
  throw new Error(
    `the program answered something other than ${expected}: is the program id right?`,
  );
}

export const streamOf = (reply: StateReply): Stream | null =>
  'stream' in reply ? reply.stream : wrong('a Stream');

export const profileOf = (reply: StateReply): ProfileSummary | null =>
  'profile' in reply ? reply.profile : wrong('a Profile');

export const isSubscribedOf = (reply: StateReply): boolean =>
  'isSubscribed' in reply ? reply.isSubscribed : wrong('IsSubscribed');

export function streamPageOf(reply: StateReply): {
  items: StreamEntry[];
  next: StreamCursor | null;
} {
  if (!('streamPage' in reply)) wrong('a StreamPage');
  return { items: reply.streamPage.streams, next: reply.streamPage.next };
}

export function accountPageOf(reply: StateReply): { items: Hex[]; next: Hex | null } {
  if (!('accountPage' in reply)) wrong('an AccountPage');
  return { items: reply.accountPage.accounts, next: reply.accountPage.next };
}

export function subscriptionPageOf(reply: StateReply): { items: Subscription[]; next: Hex | null } {
  if (!('subscriptionPage' in reply)) wrong('a SubscriptionPage');
  return { items: reply.subscriptionPage.subscriptions, next: reply.subscriptionPage.next };
}
