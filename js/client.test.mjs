// Drives the program the way a @gear-js/api frontend and the signaling server do: every
// payload is encoded from plain JSON through the built .meta.txt, sent as those exact
// bytes to the program running on gtest (the `bridge` example, over a line protocol),
// and every reply is decoded back through the same metadata. If `io` changes without
// the metadata being rebuilt (META_TXT pointing at an older .meta.txt shows it), the
// bytes no longer mean the same on both sides and these checks fail.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { ProgramMetadata, generateCodeHash } from '@gear-js/api';
import { builtBinary, root } from './built.mjs';

const metaPath = process.env.META_TXT
  ?? `${root}target/wasm32-gear/release/w3bstreaming.meta.txt`;
const metaHex = `0x${readFileSync(metaPath, 'utf8').trim()}`;
const meta = ProgramMetadata.from(metaHex);
const { handle, state } = meta.types;

/// The program on gtest behind the `bridge` example: one request line, one answer
/// line.
class Chain {
  constructor() {
    this.child = spawn(builtBinary('examples/bridge'), [], { cwd: root, stdio: ['pipe', 'pipe', 'inherit'] });
    this.pending = [];
    createInterface({ input: this.child.stdout }).on('line', (line) => {
      const [status, hex = ''] = line.split(' ');
      const bytes = Buffer.from(hex, 'hex');
      this.pending.shift()(status === 'ok'
        ? { ok: `0x${hex}` }
        : { error: bytes.toString('utf8') });
    });
  }

  request(line) {
    return new Promise((resolve) => {
      this.pending.push(resolve);
      this.child.stdin.write(`${line}\n`);
    });
  }

  close() {
    this.child.stdin.end();
  }
}

const chain = new Chain();
after(() => chain.close());

/// gtest names test accounts by a u64; this is the account id it gives them.
const account = (n) => {
  const le = Buffer.alloc(8);
  le.writeBigUInt64LE(BigInt(n));
  return `0x${'00'.repeat(12)}${le.toString('hex')}${'00'.repeat(12)}`;
};

/// Sends an action as a frontend does; the decoded Event, or the error text.
async function send(from, action) {
  const payload = meta.createType(handle.input, action).toHex();
  const answer = await chain.request(`handle ${from} ${payload}`);
  return answer.ok ? { event: meta.createType(handle.output, answer.ok).toJSON() } : answer;
}

/// Reads the state both ways a client can: through the `state` export, and as an
/// `Action::Query` to `handle`, which must answer the same; the decoded StateReply
/// (`toJSON` camel-cases field names: `start_time` reads `startTime`).
async function read(query, form = 'toJSON') {
  const payload = meta.createType(state.input, query).toHex();
  const answer = await chain.request(`state ${payload}`);
  assert.ok(answer.ok, `state ${JSON.stringify(query)} failed: ${answer.error}`);
  const reply = meta.createType(state.output, answer.ok);
  const asked = await send(ALICE, { Query: query });
  assert.deepEqual(asked.event?.queryReply, reply.toJSON(), `Query ${JSON.stringify(query)}`);
  return reply[form]();
}

/// The error text of a rejected query, the same both ways.
async function readRejected(query) {
  const payload = meta.createType(state.input, query).toHex();
  const { error } = await chain.request(`state ${payload}`);
  assert.match(error, /panicked with '/);
  const asked = await send(ALICE, { Query: query });
  assert.ok(error.includes(asked.error), `${error} includes ${asked.error}`);
  return error;
}

/// The signaling server's check, as it does it today: the whole `Users` state in human
/// form, the broadcaster's entry, the viewer in its `subscribers`.
async function signalingAllows(viewer, broadcaster) {
  const { Users: users } = await read({ Users: null }, 'toHuman');
  const entry = users.find(([id]) => id === broadcaster);
  return Boolean(entry && entry[1].subscribers.includes(viewer));
}

const [ALICE, BOB, CAROL] = [100, 101, 102];
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

  // A rejected read fails with the error's text inside the node's (here gtest's) message.
  assert.match(
    await readRejected({ Subscribers: { broadcaster: account(ALICE), after: account(999), limit: 10 } }),
    /panicked with 'cursor account has no profile'/,
  );
});

test('the signaling server admits a follower, not a stranger nor a former follower', async () => {
  const [DAVE, ERIN, FRANK] = [200, 201, 202];
  for (const who of [DAVE, ERIN, FRANK]) {
    await send(who, { EditProfile: { name: `user ${who}`, surname: null, img_link: null } });
  }
  await send(ERIN, { Subscribe: { account_id: account(DAVE) } });
  await send(FRANK, { Subscribe: { account_id: account(DAVE) } });
  assert.equal(await signalingAllows(account(ERIN), account(DAVE)), true);
  assert.equal(await signalingAllows(account(FRANK), account(DAVE)), true);
  assert.equal(await signalingAllows(account(DAVE), account(ERIN)), false, 'follows the other way only');
  assert.equal(await signalingAllows(account(999), account(DAVE)), false, 'an unregistered stranger');
  await send(FRANK, { Unsubscribe: { account_id: account(DAVE) } });
  assert.equal(await signalingAllows(account(FRANK), account(DAVE)), false, 'after unsubscribing');
  assert.equal(await signalingAllows(account(ERIN), account(DAVE)), true);
});

// Gear IDEA and @gear-js/api hash metadata bytes as they hash code: blake2b-256.
test('metahash of .meta.txt as @gear-js/api computes it is what the program exports', async () => {
  const exported = await chain.request('metahash');
  assert.equal(exported.ok, generateCodeHash(metaHex));
});
