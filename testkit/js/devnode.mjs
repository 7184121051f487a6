// Shared by the tests that need the local chain (`w3bstreaming-devnode`): starts the
// binary, calls its JSON-RPC, and sends actions the way a client does: encoded
// through the built .meta.txt, signed by a development account with its nonce.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { ProgramMetadata } from '@gear-js/api';
import { Keyring } from '@polkadot/keyring';
import { stringToU8a, u8aToHex, u8aWrapBytes } from '@polkadot/util';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { builtBinary, root } from './built.mjs';

export const meta = ProgramMetadata.from(
  `0x${readFileSync(`${root}target/wasm32-gear/release/w3bstreaming.meta.txt`, 'utf8').trim()}`,
);

let keyring;

/// A development account's key (`//Alice`, `//viewer-3`, ...), as the devnode's demo
/// and polkadot.js make it.
export function devKey(uri) {
  keyring ??= new Keyring({ type: 'sr25519', ss58Format: 137 });
  const pair = keyring.addFromUri(uri);
  return { pair, uri, id: u8aToHex(pair.publicKey), address: pair.address };
}

/// Starts the local chain with `args` (`--demo`, ...) on a free port; resolves once it
/// serves, with its URL, program id, chain (genesis) hash, the demo it printed, its
/// logs and a `stop()` that sends SIGTERM and resolves with the exit code.
export async function startDevnode(args = []) {
  await cryptoWaitReady();
  const child = spawn(builtBinary('w3bstreaming-devnode'), ['--listen', '127.0.0.1:0', ...args], {
    cwd: root, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let logs = '';
  child.stderr.on('data', (chunk) => { logs += chunk; });
  // 'close', not 'exit': it comes once stderr is read to its end, so an error printed
  // just before exiting is in `logs` when the start fails.
  const exited = new Promise((resolve) => child.on('close', (code) => resolve(code)));
  const line = await new Promise((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', resolve);
    exited.then((code) => reject(new Error(`devnode exited with ${code}:\n${logs}`)));
  });
  const started = JSON.parse(line);
  return {
    url: started.rpc,
    programId: started.programId,
    chain: started.chain,
    demo: started.demo,
    pid: child.pid,
    logs: () => logs,
    stop: async () => {
      child.kill('SIGTERM');
      return exited;
    },
  };
}

let nextId = 1;

/// The whole JSON-RPC response to `method(params)`.
export async function rpcCall(url, method, params = []) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: nextId++, method, params }),
  });
  return response.json();
}

/// `method(params)`'s result; throws with the error's message and code otherwise.
export async function rpc(url, method, params = []) {
  const { result, error } = await rpcCall(url, method, params);
  if (error) throw Object.assign(new Error(`${method}: ${error.message}`), { rpc: error });
  return result;
}

/// The text a sender signs to send `payload` (hex) with `nonce`, carrying `value` (a
/// bigint or a decimal string; a last line only when not 0): devnode/src/signing.rs.
export function messageText(node, sender, nonce, payload, value = 0n) {
  const lines = [
    'w3bstreaming devnode message',
    `chain: ${node.chain}`,
    `program: ${node.programId}`,
    `sender: ${sender}`,
    `nonce: ${nonce}`,
    `payload: ${payload}`,
  ];
  if (BigInt(value) !== 0n) lines.push(`value: ${BigInt(value)}`);
  return lines.join('\n');
}

export const signText = (key, text) => u8aToHex(key.pair.sign(u8aWrapBytes(stringToU8a(text))));

/// The `dev_sendMessage` params that send `action` from `key` with its next nonce,
/// carrying `value` if it is not 0.
export async function signedMessage(node, key, action, value = 0n) {
  const payload = meta.createType(meta.types.handle.input, action).toHex();
  const nonce = await rpc(node.url, 'dev_nonce', [key.id]);
  const signature = signText(key, messageText(node, key.id, nonce, payload, value));
  const params = [key.id, payload, nonce, signature];
  return BigInt(value) === 0n ? params : [...params, BigInt(value).toString()];
}

/// Sends `action` from `key`, carrying `value`, and waits for the reply: `{ event }`
/// or `{ error }`.
export async function send(node, key, action, value = 0n) {
  const params = await signedMessage(node, key, action, value);
  const { messageId } = await rpc(node.url, 'dev_sendMessage', params);
  return reply(node, messageId);
}

/// What `account` holds, in the chain's smallest unit.
export async function balance(node, account) {
  return BigInt(await rpc(node.url, 'dev_balance', [account]));
}

/// Queues every action from `key` for the next block (one after another: nonces are
/// taken in order), each carrying the value at its index in `values` (none if left
/// out), then waits for their replies, in order.
export async function sendAll(node, key, actions, values = []) {
  const first = await rpc(node.url, 'dev_nonce', [key.id]);
  const queued = [];
  for (const [i, action] of actions.entries()) {
    const payload = meta.createType(meta.types.handle.input, action).toHex();
    const value = BigInt(values[i] ?? 0n);
    const text = messageText(node, key.id, first + i, payload, value);
    const params = [key.id, payload, first + i, signText(key, text)];
    if (value !== 0n) params.push(value.toString());
    queued.push(await rpc(node.url, 'dev_sendMessage', params));
  }
  return Promise.all(queued.map(({ messageId }) => reply(node, messageId)));
}

/// The reply to a queued message: `{ event }` (decoded) or `{ error }` (its text).
export async function reply(node, messageId) {
  for (;;) {
    const answer = await rpc(node.url, 'dev_messageReply', [messageId, 25_000]);
    if (answer === null) continue;
    return answer.ok
      ? { event: meta.createType(meta.types.handle.output, answer.payload).toJSON(), gasBurned: answer.gasBurned }
      : { error: answer.error };
  }
}

/// Reads the state through the `state` export, as the seed's clients do: the decoded
/// StateReply.
export async function read(node, query) {
  const payload = meta.createType(meta.types.state.input, query).toHex();
  const reply = await rpc(node.url, 'gear_readState', [node.programId, payload, null]);
  return meta.createType(meta.types.state.output, reply).toJSON();
}

/// Asks `query` as the web app and the signaling server do, as an `Action::Query` in a
/// dry run of `handle`: the decoded StateReply.
export async function ask(node, query) {
  const payload = meta.createType(meta.types.handle.input, { Query: query }).toHex();
  const origin = `0x${'00'.repeat(32)}`;
  const reply = await rpc(node.url, 'gear_calculateReplyForHandle', [origin, node.programId, payload, 50_000_000_000, 0, null]);
  if (!('Success' in Object(reply.code))) throw new Error(`the query was refused: ${JSON.stringify(reply)}`);
  return meta.createType(meta.types.handle.output, reply.payload).toJSON().queryReply;
}
