// Every action the app sends the program and every query it asks, built here and
// nowhere else, each query with the part of the reply it answers with: pages and
// components name what they want (`actions.follow(id)`, `queries.profile(chain, id)`)
// and never spell a payload. The payloads keep the program's wire names, fixed since
// the seed: following is `Subscribe`, marking a stream to watch is `Watch`
// (docs/glossary.md).
import type { ProfileFields, StreamFields } from './rules';
import { visibleProfile, visibleStream } from './visible';
import type {
  Action,
  ChannelRole,
  Event,
  Hex,
  ProfileSummary,
  StateQuery,
  StateReply,
  Stream,
  StreamCursor,
  StreamEntry,
  Subscription,
  Tip,
} from './types';

/** Anything that answers the program's queries: either chain. */
export interface Reader {
  read(query: StateQuery): Promise<StateReply>;
}

/** One page of a list, and where the next one starts (`null`: the list ends here). */
export interface Page<T, C> {
  items: T[];
  next: C | null;
}

export const actions = {
  scheduleStream: (fields: StreamFields): Action => ({
    NewStream: {
      title: fields.title,
      description: fields.description,
      start_time: fields.startTime,
      end_time: fields.endTime,
      img_link: fields.imgLink,
    },
  }),
  /** Sends only what changed from `before`; the description is always sent (null clears it). */
  editStream: (id: string, before: Stream, fields: StreamFields): Action => ({
    EditStream: {
      stream_id: id,
      start_time: fields.startTime === before.startTime ? null : fields.startTime,
      end_time: fields.endTime === before.endTime ? null : fields.endTime,
      title: fields.title === before.title ? null : fields.title,
      img_link: fields.imgLink === before.imgLink ? null : fields.imgLink,
      description: fields.description,
    },
  }),
  deleteStream: (id: string): Action => ({ DeleteStream: { stream_id: id } }),
  editProfile: (fields: ProfileFields): Action => ({
    EditProfile: { name: fields.name, surname: fields.surname, img_link: fields.imgLink },
  }),
  follow: (broadcaster: Hex): Action => ({ Subscribe: { account_id: broadcaster } }),
  unfollow: (broadcaster: Hex): Action => ({ Unsubscribe: { account_id: broadcaster } }),
  markToWatch: (id: string): Action => ({ Watch: { stream_id: id } }),
  unmark: (id: string): Action => ({ Unwatch: { stream_id: id } }),
  /** Gives `account` a role in the sender's channel; `null` takes its role away. */
  setRole: (account: Hex, role: ChannelRole | null): Action => ({
    SetChannelRole: { account_id: account, role },
  }),
  /** Tips the broadcaster of `streamId` the value sent with it. */
  tip: (streamId: string, message: string): Action => ({
    Tip: { stream_id: streamId, message },
  }),
};

/** What a confirmed action's event says, for the pages that show it. */
export const events = {
  /** The id of the stream a `scheduleStream` made. */
  scheduled: (event: Event): string | null =>
    'streamIsScheduled' in event ? event.streamIsScheduled.id : null,
  followed: (event: Event): boolean => 'subscribed' in event,
  /** The number of the receipt a `tip` left. */
  tipped: (event: Event): number | null => ('tipped' in event ? event.tipped.number : null),
  marked: (event: Event): boolean => 'watchMarked' in event,
};

/** The `after` of the page that follows a reply whose `next` is `cursor`. */
function after(cursor: StreamCursor | null) {
  return cursor && { start_time: cursor.startTime, id: cursor.id };
}

function wrong(expected: string): never {
  throw new Error(
    `the program answered something other than ${expected}: is the program id right?`,
  );
}

function streamPage(reply: StateReply): Page<StreamEntry, StreamCursor> {
  if (!('streamPage' in reply)) wrong('a StreamPage');
  const items = reply.streamPage.streams.map(([id, stream]): StreamEntry => [
    id,
    visibleStream(stream),
  ]);
  return { items, next: reply.streamPage.next };
}

export const queries = {
  stream: async (chain: Reader, id: string): Promise<Stream | null> => {
    const reply = await chain.read({ Stream: { id } });
    if (!('stream' in reply)) wrong('a Stream');
    return reply.stream && visibleStream(reply.stream);
  },
  profile: async (chain: Reader, account: Hex): Promise<ProfileSummary | null> => {
    const reply = await chain.read({ Profile: { account } });
    if (!('profile' in reply)) wrong('a Profile');
    return reply.profile && visibleProfile(reply.profile);
  },
  follows: async (chain: Reader, follower: Hex, broadcaster: Hex): Promise<boolean> => {
    const reply = await chain.read({ IsSubscribed: { subscriber: follower, broadcaster } });
    return 'isSubscribed' in reply ? reply.isSubscribed : wrong('IsSubscribed');
  },
  liveStreams: async (chain: Reader, at: number, cursor: StreamCursor | null, limit: number) =>
    streamPage(await chain.read({ LiveStreams: { at, after: after(cursor), limit } })),
  upcomingStreams: async (
    chain: Reader,
    from: number,
    cursor: StreamCursor | null,
    limit: number,
  ) => streamPage(await chain.read({ UpcomingStreams: { from, after: after(cursor), limit } })),
  endedStreams: async (chain: Reader, at: number, cursor: StreamCursor | null, limit: number) =>
    streamPage(await chain.read({ EndedStreams: { at, after: after(cursor), limit } })),
  broadcasterStreams: async (
    chain: Reader,
    broadcaster: Hex,
    cursor: StreamCursor | null,
    limit: number,
  ) =>
    streamPage(
      await chain.read({ BroadcasterStreams: { broadcaster, after: after(cursor), limit } }),
    ),
  markedStreams: async (chain: Reader, watcher: Hex, cursor: StreamCursor | null, limit: number) =>
    streamPage(await chain.read({ MarkedStreams: { watcher, after: after(cursor), limit } })),
  followers: async (
    chain: Reader,
    broadcaster: Hex,
    cursor: Hex | null,
    limit: number,
  ): Promise<Page<Hex, Hex>> => {
    const reply = await chain.read({ Subscribers: { broadcaster, after: cursor, limit } });
    if (!('accountPage' in reply)) wrong('an AccountPage');
    return { items: reply.accountPage.accounts, next: reply.accountPage.next };
  },
  followed: async (
    chain: Reader,
    follower: Hex,
    cursor: Hex | null,
    limit: number,
  ): Promise<Page<Subscription, Hex>> => {
    const reply = await chain.read({
      Subscriptions: { subscriber: follower, after: cursor, limit },
    });
    if (!('subscriptionPage' in reply)) wrong('a SubscriptionPage');
    return { items: reply.subscriptionPage.subscriptions, next: reply.subscriptionPage.next };
  },
  role: async (chain: Reader, broadcaster: Hex, account: Hex): Promise<ChannelRole | null> => {
    const reply = await chain.read({ ChannelRole: { broadcaster, account } });
    return 'channelRole' in reply ? reply.channelRole : wrong('a ChannelRole');
  },
  roles: async (
    chain: Reader,
    broadcaster: Hex,
    cursor: Hex | null,
    limit: number,
  ): Promise<Page<[Hex, ChannelRole], Hex>> => {
    const reply = await chain.read({ ChannelRoles: { broadcaster, after: cursor, limit } });
    if (!('rolePage' in reply)) wrong('a RolePage');
    return { items: reply.rolePage.roles, next: reply.rolePage.next };
  },
  /** The tips `broadcaster` received, the latest first. */
  tipsReceived: async (
    chain: Reader,
    broadcaster: Hex,
    cursor: number | null,
    limit: number,
  ): Promise<Page<[number, Tip], number>> => {
    const reply = await chain.read({ TipsReceived: { broadcaster, after: cursor, limit } });
    if (!('tipPage' in reply)) wrong('a TipPage');
    return { items: reply.tipPage.tips, next: reply.tipPage.next };
  },
};
