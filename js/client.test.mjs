// Drives the program the way a @gear-js/api frontend and the signaling server do: every
// payload is encoded from plain JSON through the built .meta.txt, sent as those exact
// bytes to the program on the local chain (signed, as the web app sends on it), and
// every reply is decoded back through the same metadata. If `io` changes without the
// metadata being rebuilt (META_TXT pointing at an older .meta.txt shows it), the bytes
// no longer mean the same on both sides and these checks fail.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ProgramMetadata, generateCodeHash } from '@gear-js/api';
import { root } from 'w3bstreaming-testkit/built';
import { devKey, messageText, rpc, rpcCall, signText, startDevnode } from 'w3bstreaming-testkit/devnode';

const metaPath = process.env.META_TXT
  ?? `${root}target/wasm32-gear/release/w3bstreaming.meta.txt`;
const metaHex = `0x${readFileSync(metaPath, 'utf8').trim()}`;
const meta = ProgramMetadata.from(metaHex);
const { handle, state } = meta.types;

let node;
let ALICE;
let BOB;
let CAROL;

// Blocks every 100 ms instead of 3 s: the messages here go one after another.
before(async () => {
  node = await startDevnode(['--block-interval-ms', '100']);
  [ALICE, BOB, CAROL] = ['//client-Alice', '//client-Bob', '//client-Carol'].map(devKey);
});

after(async () => {
  assert.equal(await node?.stop(), 0);
});

/// Sends an action as a frontend does, carrying `value` if not 0; the decoded Event, or
/// the error text.
async function send(key, action, value = 0n) {
  const payload = meta.createType(handle.input, action).toHex();
  const nonce = await rpc(node.url, 'dev_nonce', [key.id]);
  const signature = signText(key, messageText(node, key.id, nonce, payload, value));
  const params = [key.id, payload, nonce, signature, value.toString()];
  const { messageId } = await rpc(node.url, 'dev_sendMessage', params);
  for (;;) {
    const answer = await rpc(node.url, 'dev_messageReply', [messageId, 25_000]);
    if (answer === null) continue;
    return answer.ok ? { event: meta.createType(handle.output, answer.payload).toJSON() } : { error: answer.error };
  }
}

/// Asks `query` as an `Action::Query` in a dry run of `handle`, as the web app and the
/// signaling server do: the decoded Event, or the error text.
async function ask(query) {
  const payload = meta.createType(handle.input, { Query: query }).toHex();
  const reply = await rpc(node.url, 'gear_calculateReplyForHandle', [
    `0x${'00'.repeat(32)}`, node.programId, payload, 50_000_000_000, 0, null,
  ]);
  return 'Success' in Object(reply.code)
    ? { event: meta.createType(handle.output, reply.payload).toJSON() }
    : { error: Buffer.from(reply.payload.slice(2), 'hex').toString('utf8') };
}

/// Reads the state both ways a client can: through the `state` export, and as an
/// `Action::Query` to `handle`, which must answer the same; the decoded StateReply
/// (`toJSON` camel-cases field names: `start_time` reads `startTime`).
async function read(query, form = 'toJSON') {
  const payload = meta.createType(state.input, query).toHex();
  const reply = meta.createType(state.output, await rpc(node.url, 'gear_readState', [node.programId, payload, null]));
  const asked = await ask(query);
  assert.deepEqual(asked.event?.queryReply, reply.toJSON(), `Query ${JSON.stringify(query)}`);
  return reply[form]();
}

/// The error text of a rejected query, the same both ways.
async function readRejected(query) {
  const payload = meta.createType(state.input, query).toHex();
  const { error } = await rpcCall(node.url, 'gear_readState', [node.programId, payload, null]);
  assert.equal(error.code, 8000);
  assert.match(error.data, /panicked with '/);
  const asked = await ask(query);
  assert.ok(error.data.includes(asked.error), `${error.data} includes ${asked.error}`);
  return error.data;
}

/// The signaling server's check, as it does it today: the whole `Users` state in human
/// form, the broadcaster's entry, the viewer in its `subscribers`.
async function signalingAllows(viewer, broadcaster) {
  const { Users: users } = await read({ Users: null }, 'toHuman');
  const entry = users.find(([id]) => id === broadcaster);
  return Boolean(entry && entry[1].subscribers.includes(viewer));
}

const account = (key) => key.id;
const HOUR = 3_600_000;
const start = Date.now() + HOUR;
const end = start + 2 * HOUR;

test('every action and query, encoded from JSON and decoded back', async () => {
  for (const [who, name] of [[ALICE, 'Alice'], [BOB, 'Bob'], [CAROL, 'Carol']]) {
    assert.deepEqual(
      await send(who, { EditProfile: { name, surname: null, img_link: null } }),
      { event: { profileEdited: null } },
    );
  }
  const scheduled = await send(ALICE, {
    NewStream: {
      title: 'Gear from scratch',
      description: 'Live coding',
      start_time: start,
      end_time: end,
      img_link: 'https://example.com/banner.png',
    },
  });
  const id = scheduled.event.streamIsScheduled.id;
  assert.match(id, /^\d{13}Gear from scratch$/);
  const second = (await send(ALICE, {
    NewStream: { title: 'Second', description: null, start_time: start + HOUR, end_time: end, img_link: '' },
  })).event.streamIsScheduled.id;

  assert.deepEqual(
    await send(ALICE, {
      EditStream: {
        stream_id: id,
        start_time: null,
        end_time: end + HOUR,
        title: 'Gear from scratch, live',
        img_link: null,
        description: 'Live coding, questions welcome',
      },
    }),
    { event: { streamEdited: null } },
  );
  assert.deepEqual(await send(BOB, { Subscribe: { account_id: account(ALICE) } }), { event: { subscribed: null } });
  assert.deepEqual(await send(CAROL, { Subscribe: { account_id: account(ALICE) } }), { event: { subscribed: null } });
  assert.deepEqual(await send(BOB, { Watch: { stream_id: id } }), { event: { watchMarked: null } });
  assert.deepEqual(await send(CAROL, { Watch: { stream_id: second } }), { event: { watchMarked: null } });
  assert.deepEqual(await send(CAROL, { Unwatch: { stream_id: second } }), { event: { watchUnmarked: null } });
  assert.deepEqual(await send(CAROL, { Unsubscribe: { account_id: account(ALICE) } }), { event: { unsubscribed: null } });
  assert.deepEqual(await send(ALICE, { DeleteStream: { stream_id: second } }), { event: { streamDeleted: { id: second } } });
  assert.deepEqual(
    await send(ALICE, { SetChannelRole: { account_id: account(CAROL), role: 'Banned' } }),
    { event: { channelRoleSet: null } },
  );
  assert.deepEqual(
    await send(ALICE, { SetChannelRole: { account_id: account(BOB), role: { Moderator: null } } }),
    { event: { channelRoleSet: null } },
  );
  assert.deepEqual(
    await send(ALICE, { SetChannelRole: { account_id: account(BOB), role: null } }),
    { event: { channelRoleSet: null } },
  );
  assert.deepEqual(
    await send(ALICE, { SetChannelRole: { account_id: account(BOB), role: null } }),
    { error: "panicked with 'account has no role in your channel'" },
  );
  const VARA = 10n ** 12n;
  assert.deepEqual(
    await send(BOB, { Tip: { stream_id: id, message: 'Thanks, Alice' } }, 2n * VARA),
    { event: { tipped: { number: 1 } } },
  );
  assert.deepEqual(
    await send(BOB, { Tip: { stream_id: id, message: '' } }, VARA - 1n),
    { error: "panicked with 'a tip must carry at least 1000000000000 (1 VARA)'" },
  );

  // Error replies carry the error's text, as docs/program.md lists them.
  assert.deepEqual(
    await send(BOB, { Subscribe: { account_id: account(BOB) } }),
    { error: "panicked with 'cannot subscribe to yourself'" },
  );
  assert.deepEqual(
    await send(CAROL, { DeleteStream: { stream_id: id } }),
    { error: "panicked with 'only the stream's broadcaster can do this'" },
  );

  const stream = {
    broadcaster: account(ALICE),
    startTime: start,
    endTime: end + HOUR,
    title: 'Gear from scratch, live',
    imgLink: 'https://example.com/banner.png',
    description: 'Live coding, questions welcome',
    watchers: [account(BOB)],
  };
  assert.deepEqual(await read({ Streams: null }), { streams: [[id, stream]] });
  const { users } = await read({ Users: null });
  assert.deepEqual(users.find(([who]) => who === account(ALICE))[1], {
    name: 'Alice',
    surname: null,
    imgLink: null,
    streamIds: [id],
    subscribers: [account(BOB)],
    subscriptions: [],
  });
  assert.deepEqual(await read({ Stream: { id } }), { stream });
  assert.deepEqual(await read({ Profile: { account: account(ALICE) } }), {
    profile: {
      name: 'Alice',
      surname: null,
      imgLink: null,
      streamCount: 1,
      subscriberCount: 1,
      subscriptionCount: 0,
    },
  });
  assert.deepEqual(
    await read({ IsSubscribed: { subscriber: account(BOB), broadcaster: account(ALICE) } }),
    { isSubscribed: true },
  );
  const page = { streamPage: { streams: [[id, stream]], next: null } };
  assert.deepEqual(await read({ BroadcasterStreams: { broadcaster: account(ALICE), after: null, limit: 10 } }), page);
  assert.deepEqual(await read({ LiveStreams: { at: start + 1, after: null, limit: 10 } }), page);
  assert.deepEqual(await read({ UpcomingStreams: { from: start - 1, after: null, limit: 10 } }), page);
  assert.deepEqual(await read({ MarkedStreams: { watcher: account(BOB), after: null, limit: 10 } }), page);
  assert.deepEqual(await read({ EndedStreams: { at: end + HOUR, after: null, limit: 10 } }), page);
  assert.deepEqual(
    await read({ Subscribers: { broadcaster: account(ALICE), after: null, limit: 10 } }),
    { accountPage: { accounts: [account(BOB)], next: null } },
  );
  const { subscriptionPage } = await read({ Subscriptions: { subscriber: account(BOB), after: null, limit: 10 } });
  assert.equal(subscriptionPage.next, null);
  assert.deepEqual(subscriptionPage.subscriptions.map((s) => s.accountId), [account(ALICE)]);
  assert.ok(Math.abs(subscriptionPage.subscriptions[0].subDate - Date.now()) < HOUR);

  assert.deepEqual(
    await read({ ChannelRole: { broadcaster: account(ALICE), account: account(CAROL) } }),
    { channelRole: 'Banned' },
  );
  assert.deepEqual(
    await read({ ChannelRole: { broadcaster: account(ALICE), account: account(BOB) } }),
    { channelRole: null },
  );
  assert.deepEqual(
    await read({ ChannelRoles: { broadcaster: account(ALICE), after: null, limit: 10 } }),
    { rolePage: { roles: [[account(CAROL), 'Banned']], next: null } },
  );

  const { tip } = await read({ Tip: { number: 1 } });
  assert.deepEqual({ ...tip, amount: BigInt(tip.amount), time: typeof tip.time }, {
    tipper: account(BOB),
    broadcaster: account(ALICE),
    streamId: id,
    amount: 2n * VARA,
    time: 'number',
    message: 'Thanks, Alice',
  });
  assert.deepEqual(await read({ Tip: { number: 2 } }), { tip: null });
  assert.deepEqual(
    await read({ TipsReceived: { broadcaster: account(ALICE), after: null, limit: 10 } }),
    { tipPage: { tips: [[1, tip]], next: null } },
  );

  // A rejected read fails with the error's text inside the node's message.
  assert.match(
    await readRejected({ Subscribers: { broadcaster: account(ALICE), after: devKey('//client-stranger').id, limit: 10 } }),
    /panicked with 'cursor account has no profile'/,
  );
});

test('the signaling server admits a follower, not a stranger nor a former follower', async () => {
  const [DAVE, ERIN, FRANK] = ['//client-Dave', '//client-Erin', '//client-Frank'].map(devKey);
  for (const who of [DAVE, ERIN, FRANK]) {
    await send(who, { EditProfile: { name: `user ${who.uri}`, surname: null, img_link: null } });
  }
  await send(ERIN, { Subscribe: { account_id: account(DAVE) } });
  await send(FRANK, { Subscribe: { account_id: account(DAVE) } });
  assert.equal(await signalingAllows(account(ERIN), account(DAVE)), true);
  assert.equal(await signalingAllows(account(FRANK), account(DAVE)), true);
  assert.equal(await signalingAllows(account(DAVE), account(ERIN)), false, 'follows the other way only');
  assert.equal(await signalingAllows(devKey('//client-stranger').id, account(DAVE)), false, 'an unregistered stranger');
  await send(FRANK, { Unsubscribe: { account_id: account(DAVE) } });
  assert.equal(await signalingAllows(account(FRANK), account(DAVE)), false, 'after unsubscribing');
  assert.equal(await signalingAllows(account(ERIN), account(DAVE)), true);
});

// Gear IDEA and @gear-js/api hash metadata bytes as they hash code: blake2b-256.
test('metahash of .meta.txt as @gear-js/api computes it is what the program exports', async () => {
  assert.equal(await rpc(node.url, 'gear_readMetahash', [node.programId, null]), generateCodeHash(metaHex));
});
