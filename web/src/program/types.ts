// The program's messages as `@gear-js/api` encodes them from JSON (`Action`,
// `StateQuery`: Rust's field names) and decodes them to JSON (`Event`, `StateReply`:
// `toJSON()`, which camel-cases field names and variant names). The types are the
// io crate's; the metadata (.meta.txt) is what gives the bytes their meaning.

/** An account id: `0x` + 64 hex digits. */
export type Hex = `0x${string}`;

export type Action =
  | {
      NewStream: {
        title: string;
        description: string | null;
        start_time: number;
        end_time: number;
        img_link: string;
      };
    }
  | { DeleteStream: { stream_id: string } }
  | {
      EditStream: {
        stream_id: string;
        start_time: number | null;
        end_time: number | null;
        title: string | null;
        img_link: string | null;
        description: string | null;
      };
    }
  | { Subscribe: { account_id: Hex } }
  | { EditProfile: { name: string | null; surname: string | null; img_link: string | null } }
  | { Unsubscribe: { account_id: Hex } }
  | { Watch: { stream_id: string } }
  | { Unwatch: { stream_id: string } }
  | { Query: StateQuery }
  | { SetChannelRole: { account_id: Hex; role: ChannelRole | null } }
  | { Tip: { stream_id: string; message: string } };

/** A role an account holds in a broadcaster's channel (docs/program.md, "Channel roles"). */
export type ChannelRole = 'Moderator' | 'Banned';

export type Event =
  | { streamIsScheduled: { id: string } }
  | { streamDeleted: { id: string } }
  | { streamEdited: null }
  | { subscribed: null }
  | { profileEdited: null }
  | { unsubscribed: null }
  | { watchMarked: null }
  | { watchUnmarked: null }
  | { queryReply: StateReply }
  | { channelRoleSet: null }
  | { tipped: { number: number } };

/** Where a stream list continues, as a reply's `next` gives it. */
export interface StreamCursor {
  startTime: number;
  id: string;
}

/** A page's `after`, as a query takes it. */
type After = { start_time: number; id: string } | null;

export type StateQuery =
  | { Stream: { id: string } }
  | { Profile: { account: Hex } }
  | { IsSubscribed: { subscriber: Hex; broadcaster: Hex } }
  | { BroadcasterStreams: { broadcaster: Hex; after: After; limit: number } }
  | { LiveStreams: { at: number; after: After; limit: number } }
  | { UpcomingStreams: { from: number; after: After; limit: number } }
  | { Subscribers: { broadcaster: Hex; after: Hex | null; limit: number } }
  | { Subscriptions: { subscriber: Hex; after: Hex | null; limit: number } }
  | { MarkedStreams: { watcher: Hex; after: After; limit: number } }
  | { EndedStreams: { at: number; after: After; limit: number } }
  | { ChannelRole: { broadcaster: Hex; account: Hex } }
  | { ChannelRoles: { broadcaster: Hex; after: Hex | null; limit: number } }
  | { Tip: { number: number } }
  | { TipsReceived: { broadcaster: Hex; after: number | null; limit: number } };

/** The receipt of a tip (docs/program.md, "Tips"). */
export interface Tip {
  tipper: Hex;
  broadcaster: Hex;
  streamId: string;
  /** In the chain's smallest unit: a number, or a hex string past what a number holds. */
  amount: number | string;
  time: number;
  message: string;
}

export interface Stream {
  broadcaster: Hex;
  startTime: number;
  endTime: number;
  title: string;
  imgLink: string;
  description: string | null;
  watchers: Hex[];
}

export interface ProfileSummary {
  name: string | null;
  surname: string | null;
  imgLink: string | null;
  streamCount: number;
  subscriberCount: number;
  subscriptionCount: number;
}

export interface Subscription {
  accountId: Hex;
  subDate: number;
}

export type StreamEntry = [id: string, stream: Stream];

export type StateReply =
  | { stream: Stream | null }
  | { profile: ProfileSummary | null }
  | { isSubscribed: boolean }
  | { streamPage: { streams: StreamEntry[]; next: StreamCursor | null } }
  | { accountPage: { accounts: Hex[]; next: Hex | null } }
  | { subscriptionPage: { subscriptions: Subscription[]; next: Hex | null } }
  | { channelRole: ChannelRole | null }
  | { rolePage: { roles: [account: Hex, role: ChannelRole][]; next: Hex | null } }
  | { tip: Tip | null }
  | { tipPage: { tips: [number: number, tip: Tip][]; next: number | null } };
