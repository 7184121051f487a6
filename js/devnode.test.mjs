// The local chain (`w3bstreaming-devnode`) through its JSON-RPC, as the web app and the
// signaling server use it: messages signed by their senders run in the next block and
// their replies come back; `gear_readState`, `gear_calculateReplyForHandle` and
// `gear_readMetahash` answer as a Vara node does; blocks follow the wall clock; and
// every kind of bad input gets a JSON-RPC error, spends nothing and changes nothing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { generateCodeHash } from '@gear-js/api';
import { root } from 'w3bstreaming-testkit/built';
import {
  balance, devKey, messageText, meta, read, reply, rpc, rpcCall, send, signedMessage, signText, startDevnode,
} from 'w3bstreaming-testkit/devnode';

let node;
let alice;
let bob;
let ferdie;

before(async () => {
  node = await startDevnode(['--demo']);
  [alice, bob, ferdie] = ['//Alice', '//Bob', '//Ferdie'].map(devKey);
});

after(async () => {
  assert.equal(await node.stop(), 0, 'SIGTERM stops the node cleanly');
});

/// Everything the program stores, and the nonces of the test's accounts.
async function snapshot() {
  const nonces = await Promise.all([alice, bob, ferdie].map((key) => rpc(node.url, 'dev_nonce', [key.id])));
  return { streams: await read(node, { Streams: null }), users: await read(node, { Users: null }), nonces };
}

/// POSTs `body` as it is; the HTTP status and the parsed JSON answer.
async function post(body) {
  const response = await fetch(node.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  return { status: response.status, json: await response.json() };
}

test('a signed message runs in the next block and its reply comes back', async () => {
  const info = await rpc(node.url, 'dev_info');
  assert.equal(info.chain, node.chain);
  assert.equal(info.programId, node.programId);
  assert.equal(info.blockTimeMs, 3000);
  assert.equal(info.ss58Prefix, 137);

  const nonce = await rpc(node.url, 'dev_nonce', [ferdie.address]);
  assert.equal(nonce, await rpc(node.url, 'dev_nonce', [ferdie.id]), 'SS58 and hex name one account');
  const registered = await send(node, ferdie, { EditProfile: { name: 'Ferdie', surname: 'Tested', img_link: null } });
  assert.deepEqual(registered.event, { profileEdited: null });
  assert.ok(registered.gasBurned > 0);
  assert.equal(await rpc(node.url, 'dev_nonce', [ferdie.id]), nonce + 1, 'the nonce is spent');
  const { profile } = await read(node, { Profile: { account: ferdie.id } });
  assert.equal(profile.surname, 'Tested');

  // The program's rejection comes back as its error reply; the nonce is spent all the same.
  const refused = await send(node, ferdie, { Subscribe: { account_id: ferdie.id } });
  assert.deepEqual(refused, { error: "panicked with 'cannot subscribe to yourself'" });
  assert.equal(await rpc(node.url, 'dev_nonce', [ferdie.id]), nonce + 2);

  // A message that is not an Action reaches the program, which refuses it.
  const payload = '0xff';
  const next = await rpc(node.url, 'dev_nonce', [ferdie.id]);
  const text = messageText(node, ferdie.id, next, payload);
  const { messageId } = await rpc(node.url, 'dev_sendMessage', [ferdie.id, payload, next, signText(ferdie, text)]);
  assert.deepEqual(await reply(node, messageId), { error: "panicked with 'payload is not a valid Action'" });
});

test('a message carries value: a tip moves it to the broadcaster, a refused one moves nothing', async () => {
  const [stream] = (await read(node, { BroadcasterStreams: { broadcaster: alice.id, after: null, limit: 1 } })).streamPage.streams;
  const [id] = stream;
  const oneVara = 10n ** 12n;
  const before = await balance(node, alice.id);
  assert.equal(before, await balance(node, alice.address), 'SS58 and hex name one account');
  const tipped = await send(node, bob, { Tip: { stream_id: id, message: 'great stream' } }, 3n * oneVara);
  assert.ok('tipped' in tipped.event, JSON.stringify(tipped));
  assert.equal(await balance(node, alice.id), before + 3n * oneVara, 'the whole tip, at once');
  const tip = await read(node, { Tip: { number: tipped.event.tipped.number } });
  assert.equal(tip.tip.message, 'great stream');
  assert.equal(BigInt(tip.tip.amount), 3n * oneVara);

  const small = await send(node, bob, { Tip: { stream_id: id, message: '' } }, oneVara - 1n);
  assert.deepEqual(small, { error: "panicked with 'a tip must carry at least 1000000000000 (1 VARA)'" });
  const held = await send(node, bob, { Subscribe: { account_id: ferdie.id } }, oneVara);
  assert.deepEqual(held, { error: "panicked with 'only a Tip carries value: send this with none'" });
  assert.equal(await balance(node, alice.id), before + 3n * oneVara, 'nothing more moved');
});

test('blocks follow the wall clock, and a waiting call hears the next one', async () => {
  const current = await rpc(node.url, 'dev_nextBlock', [0]);
  const next = await rpc(node.url, 'dev_nextBlock', [current.number, 10_000]);
  assert.equal(next.number, current.number + 1);
  assert.equal(next.timestamp - current.timestamp, 3000);
  assert.ok(Math.abs(next.timestamp - Date.now()) <= 6_000, `block time ${next.timestamp} is near the clock`);
  assert.match(next.hash, /^0x[0-9a-f]{64}$/);

  // The state version moves with a block in which a message succeeded, not otherwise.
  const before = (await rpc(node.url, 'dev_nextBlock', [0])).stateVersion;
  await send(node, bob, { Subscribe: { account_id: bob.id } });
  const afterRefusal = (await rpc(node.url, 'dev_nextBlock', [0])).stateVersion;
  assert.equal(afterRefusal, before, 'a rejected message changes nothing');
  await send(node, bob, { Unsubscribe: { account_id: alice.id } });
  const afterChange = (await rpc(node.url, 'dev_nextBlock', [0])).stateVersion;
  assert.equal(afterChange, before + 1);
  await send(node, bob, { Subscribe: { account_id: alice.id } });
});

test('gear_readState answers as a Vara node does', async () => {
  const query = meta.createType(meta.types.state.input, { Stream: { id: node.demo.streamId } }).toHex();
  const withNull = await rpc(node.url, 'gear_readState', [node.programId, query, null]);
  const withoutAt = await rpc(node.url, 'gear_readState', [node.programId, query]);
  const latest = await rpc(node.url, 'dev_nextBlock', [0]);
  assert.equal(withoutAt, withNull);
  assert.match(withNull, /^0x[0-9a-f]+$/);
  const { stream } = meta.createType(meta.types.state.output, withNull).toJSON();
  assert.equal(stream.broadcaster, alice.id);
  assert.equal(stream.title, 'Writing Gear programs, live');

  const atLatest = await rpcCall(node.url, 'gear_readState', [node.programId, query, latest.hash]);
  assert.ok(atLatest.result || atLatest.error.code === -32602, 'the latest block, unless a new one just came');
  const atOther = await rpcCall(node.url, 'gear_readState', [node.programId, query, `0x${'ab'.repeat(32)}`]);
  assert.equal(atOther.error.code, -32602);

  // A node writes the runtime's reason with Rust's `{:?}`: quoted.
  const unknown = await rpcCall(node.url, 'gear_readState', [`0x${'ee'.repeat(32)}`, query, null]);
  assert.deepEqual(unknown.error, { code: 8000, message: 'Runtime error', data: '"Program not found"' });
  const notAQuery = await rpcCall(node.url, 'gear_readState', [node.programId, '0xff', null]);
  assert.equal(notAQuery.error.code, 8000);
  assert.match(notAQuery.error.data, /panicked with 'payload is not a valid StateQuery'/);
});

// Gear IDEA and @gear-js/api hash metadata bytes as they hash code: blake2b-256.
test('gear_readMetahash answers the hash of the .meta.txt, as the program exports it', async () => {
  const metaHex = `0x${readFileSync(`${root}target/wasm32-gear/release/w3bstreaming.meta.txt`, 'utf8').trim()}`;
  assert.equal(await rpc(node.url, 'gear_readMetahash', [node.programId, null]), generateCodeHash(metaHex));
  assert.equal(await rpc(node.url, 'gear_readMetahash', [node.programId]), generateCodeHash(metaHex));
  const unknown = await rpcCall(node.url, 'gear_readMetahash', [`0x${'ee'.repeat(32)}`]);
  assert.deepEqual(unknown.error, { code: 8000, message: 'Runtime error', data: '"Program not found"' });
  const malformed = await rpcCall(node.url, 'gear_readMetahash', ['program']);
  assert.equal(malformed.error.code, -32602);
});

test('gear_calculateReplyForHandle dry-runs handle as a Vara node does', async () => {
  const before = await snapshot();
  const nobody = devKey('//Nobody');
  const dryRun = (key, action, gas = 750_000_000_000, value = 0) => rpcCall(node.url, 'gear_calculateReplyForHandle', [
    key.id, node.programId, meta.createType(meta.types.handle.input, action).toHex(), gas, value, null,
  ]);
  const stateQuery = { Stream: { id: node.demo.streamId } };

  // A query as an action answers with the state read's bytes after the variant's index,
  // from any origin, funded or not.
  const asked = await dryRun(nobody, { Query: stateQuery });
  assert.equal(asked.result.value, 0);
  assert.deepEqual(asked.result.code, { Success: 'Manual' }, 'gear-core\'s ReplyCode, in JSON as a node writes it');
  const read = await rpc(node.url, 'gear_readState', [
    node.programId, meta.createType(meta.types.state.input, stateQuery).toHex(), null,
  ]);
  assert.equal(asked.result.payload, `0x08${read.slice(2)}`);
  const event = meta.createType(meta.types.handle.output, asked.result.payload).toJSON();
  assert.equal(event.queryReply.stream.title, 'Writing Gear programs, live');

  // A rejection is a reply with an error code and the program's text.
  const badCursor = await dryRun(alice, {
    Query: { Subscribers: { broadcaster: alice.id, after: nobody.id, limit: 5 } },
  });
  assert.deepEqual(badCursor.result.code, { Error: { Execution: 'UserspacePanic' } });
  assert.match(Buffer.from(badCursor.result.payload.slice(2), 'hex').toString(), /^panicked with '/);

  // An action runs too, and is discarded: nothing changes, no nonce is spent.
  const unsubscribe = await dryRun(bob, { Unsubscribe: { account_id: alice.id } });
  const unsubscribed = meta.createType(meta.types.handle.output, unsubscribe.result.payload).toJSON();
  assert.deepEqual(unsubscribed, { unsubscribed: null });
  assert.deepEqual(await snapshot(), before);

  const refusals = [
    ['a value', dryRun(alice, { Query: stateQuery }, 1_000_000, 5), -32602],
    ['too few params', rpcCall(node.url, 'gear_calculateReplyForHandle', [alice.id, node.programId, '0x00']), -32602],
    ['the program as origin', rpcCall(node.url, 'gear_calculateReplyForHandle', [
      node.programId, node.programId, '0x00', 1_000_000, 0,
    ]), -32602],
  ];
  for (const [what, call, code] of refusals) {
    const { error } = await call;
    assert.equal(error?.code, code, what);
  }
  // The runtime's refusals, in the node's words (node-rpc/src/lib.rs, `reasons`): a
  // message to an account without a program goes to that user, and leaves nothing to run.
  const unknown = await rpcCall(node.url, 'gear_calculateReplyForHandle', [
    alice.id, `0x${'ee'.repeat(32)}`, '0x00', 1_000_000, 0,
  ]);
  assert.deepEqual(unknown.error, {
    code: 8000,
    message: 'Runtime error',
    data: '"Internal error: entered unreachable code \'Failed to get last message from the queue\'"',
  });
  const tooMuchGas = await dryRun(alice, { Query: stateQuery }, 750_000_000_001);
  assert.deepEqual(tooMuchGas.error, {
    code: 8000,
    message: 'Runtime error',
    data: '"Extrinsic `gear.send_message` failed: \'GasLimitTooHigh\'"',
  });
  assert.deepEqual(await snapshot(), before);
});

test('bad input gets a JSON-RPC error, spends nothing and changes nothing', async () => {
  const before = await snapshot();
  const valid = await signedMessage(node, ferdie, { Watch: { stream_id: node.demo.streamId } });
  const [sender, payload, nonce, signature] = valid;
  const other = meta.createType(meta.types.handle.input, { Unwatch: { stream_id: node.demo.streamId } }).toHex();
  const rejections = [
    ['not JSON', '{"jsonrpc":', -32700],
    ['a batch', '[]', -32600],
    ['another version', '{"jsonrpc":"1.0","id":1,"method":"dev_info"}', -32600],
    ['no method', '{"jsonrpc":"2.0","id":1}', -32600],
    ['a method that is a number', '{"jsonrpc":"2.0","id":1,"method":7}', -32600],
    ['an object id', '{"jsonrpc":"2.0","id":{},"method":"dev_info"}', -32600],
    ['params by name', '{"jsonrpc":"2.0","id":1,"method":"dev_nonce","params":{"account":"x"}}', -32602],
  ];
  for (const [what, body, code] of rejections) {
    const { status, json } = await post(body);
    assert.equal(status, 200, what);
    assert.equal(json.jsonrpc, '2.0', what);
    assert.equal(json.error.code, code, `${what}: ${JSON.stringify(json)}`);
  }

  const unknownMethod = await rpcCall(node.url, 'x'.repeat(10_000));
  assert.equal(unknownMethod.error.code, -32601);
  assert.ok(JSON.stringify(unknownMethod).length < 300, 'the refusal does not echo the input');

  const chainOf = (chain) => signText(ferdie, messageText({ ...node, chain }, sender, nonce, payload));
  const sends = [
    ['too few params', [sender, payload, nonce], -32602],
    ['a sender that is not an account', ['alice', payload, nonce, signature], -32602],
    ['a payload without 0x', [sender, payload.slice(2), nonce, signature], -32602],
    ['a payload that is not hex', [sender, '0xzz', nonce, signature], -32602],
    ['a negative nonce', [sender, payload, -1, signature], -32602],
    ['a fractional nonce', [sender, payload, 0.5, signature], -32602],
    ['a nonce as text', [sender, payload, String(nonce), signature], -32602],
    ['a signature that is not hex', [sender, payload, nonce, 'nope'], 1001],
    ['a signature by someone else', [sender, payload, nonce, signText(bob, messageText(node, sender, nonce, payload))], 1001],
    ['a signature of another payload', [sender, other, nonce, signature], 1001],
    ['a signature for another chain', [sender, payload, nonce, chainOf(`0x${'00'.repeat(32)}`)], 1001],
    ['a signature of the text itself, not its <Bytes>', [sender, payload, nonce,
      `0x${Buffer.from(ferdie.pair.sign(messageText(node, sender, nonce, payload))).toString('hex')}`], 1001],
    ['a nonce ahead', [sender, payload, nonce + 1,
      signText(ferdie, messageText(node, sender, nonce + 1, payload))], 1002],
    ['a value as a number', [sender, payload, nonce, signature, 5], -32602],
    ['a negative value', [sender, payload, nonce, signature, '-5'], -32602],
    ['a value the signature does not cover', [sender, payload, nonce, signature, '5'], 1001],
    ['more value than the sender holds', [sender, payload, nonce,
      signText(ferdie, messageText(node, sender, nonce, payload, 10n ** 30n)), (10n ** 30n).toString()], 1004],
  ];
  for (const [what, params, code] of sends) {
    const { error } = await rpcCall(node.url, 'dev_sendMessage', params);
    assert.equal(error?.code, code, `${what}: ${JSON.stringify(error)}`);
  }
  assert.deepEqual(await snapshot(), before, 'nothing was queued or spent');

  // The same valid message twice: the first runs, the replay is refused.
  const { messageId } = await rpc(node.url, 'dev_sendMessage', valid);
  assert.deepEqual((await reply(node, messageId)).event, { watchMarked: null });
  const afterOne = await snapshot();
  const replayed = await rpcCall(node.url, 'dev_sendMessage', valid);
  assert.equal(replayed.error.code, 1002);
  assert.equal(replayed.error.message, `nonce ${nonce} was already used: the sender's next nonce is ${nonce + 1}`);

  // Payloads over a Gear message's 8 MiB, inside and beyond the request size limit.
  const huge = `0x${'00'.repeat(8 * 1024 * 1024 + 1)}`;
  const tooLarge = await rpcCall(node.url, 'dev_sendMessage', [sender, huge, nonce + 1, signature]);
  assert.equal(tooLarge.error.code, 1003);
  assert.ok(JSON.stringify(tooLarge).length < 300);
  // The node reads an oversized body to its end before refusing it: closed on unread
  // bytes, the connection would be reset and a client still sending would lose the 413.
  const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'dev_sendMessage', params: [`0x${'00'.repeat(10 * 1024 * 1024)}`] });
  for (let round = 0; round < 5; round += 1) {
    const answers = await Promise.all([post(body), post(body), post(body), post(body)]);
    for (const { status, json } of answers) {
      assert.equal(status, 413);
      assert.equal(json.error.code, -32600);
      assert.match(json.error.message, /^the request body is larger than \d+ bytes$/);
    }
  }

  assert.equal(await rpc(node.url, 'dev_messageReply', [`0x${'12'.repeat(32)}`]), null, 'an unknown message has no reply');
  assert.equal((await rpcCall(node.url, 'dev_messageReply', ['0x12'])).error.code, -32602);
  assert.equal((await rpcCall(node.url, 'dev_nextBlock', ['soon'])).error.code, -32602);
  assert.deepEqual(await snapshot(), afterOne, 'the refusals changed nothing');
  const health = await fetch(new URL('/healthz', node.url));
  assert.equal((await health.json()).status, 'ok', 'the node still serves');
});

test('browsers on the allowed origins may call it, others may not', async () => {
  const preflight = (origin) => fetch(node.url, {
    method: 'OPTIONS',
    headers: { Origin: origin, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type' },
  });
  const allowed = await preflight('http://localhost:3000');
  assert.equal(allowed.headers.get('access-control-allow-origin'), 'http://localhost:3000');
  const foreign = await preflight('http://evil.example');
  assert.equal(foreign.headers.get('access-control-allow-origin'), null);
});

/// The resident and peak memory of process `pid`, in MiB.
function memoryOf(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name) => Number(status.match(new RegExp(`${name}:\\s+(\\d+) kB`))[1]) / 1024;
  return { rss: field('VmRSS'), peak: field('VmHWM') };
}

/// A TCP connection to `url` that sends `head`, then nothing; resolves with `closed`
/// once the node closes it, or `open` after `ms`.
function stalled(url, head, ms) {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port: Number(new URL(url).port) }, () => socket.write(head));
    const timer = setTimeout(() => { socket.destroy(); resolve('open'); }, ms);
    const done = () => { clearTimeout(timer); resolve('closed'); };
    socket.on('close', done);
    socket.on('error', () => {});
    // Read what comes (a refusal), so that the end of the connection is seen.
    socket.resume();
  });
}

test('the largest bodies cost their own bytes, and slow requests are dropped', async (t) => {
  const own = await startDevnode(['--header-timeout-ms', '1000', '--body-timeout-ms', '1000']);
  try {
    const before = memoryOf(own.pid);
    // Four bodies just under the size limit at once, each a request whose params are
    // eight million zeros, or an object nested that deep in arrays of arrays.
    const zeros = `{"jsonrpc":"2.0","id":1,"method":"dev_info","params":[${'0,'.repeat(8_000_000)}0]}`;
    const nested = `{"jsonrpc":"2.0","id":2,"method":"dev_info","params":[${'['.repeat(64)}${'{"a":0},'.repeat(1_000_000)}0${']'.repeat(64)}]}`;
    const answers = await Promise.all([zeros, nested, zeros, nested].map(async (body) => {
      const response = await fetch(own.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      return response.json();
    }));
    assert.equal(answers[0].error.message, 'expected 0 params, got 8000001');
    assert.equal(answers[1].error.message, 'expected 0 params, got 1');
    const peak = memoryOf(own.pid).peak - before.peak;
    t.diagnostic(`node peak ${before.peak.toFixed(1)} MiB, grew by ${peak.toFixed(1)} MiB for four ${(zeros.length / 1e6).toFixed(1)} MB bodies`);
    // Before: one such body peaked at 1,059 MiB (parsed to a Value, its params cloned).
    assert.ok(peak < 160, `the node's peak grew by ${peak.toFixed(1)} MiB`);

    // Twenty request heads that never end, and a body that never comes.
    const heads = Array.from({ length: 20 }, () => stalled(own.url, 'POST / HTTP/1.1\r\nHost: 127.0.0.1\r\n', 5_000));
    const body = stalled(own.url, 'POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"json', 5_000);
    assert.deepEqual(new Set(await Promise.all([...heads, body])), new Set(['closed']));
    assert.equal((await (await fetch(new URL('/healthz', own.url))).json()).status, 'ok');
  } finally {
    await own.stop();
  }
});
