// The chat beside a live stream, on two signaling instances sharing one hub through a
// real redis-server: anyone reads it, signed in or not; an account with a profile posts
// under its profile name; a late reader gets the history; every refusal has its reason;
// the moderators and bans the program keeps hold on both instances; a tip the chain
// confirmed shows highlighted on both (docs/signaling.md, "Chat").
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startDevnode, startServer, startRedis, devKey, connect, next, nextRefusal, join, signRaw, settle, receivedOf,
} from 'w3bstreaming-testkit/signaling';
import { balance, read as readChain, send } from 'w3bstreaming-testkit/devnode';

let devnode;
let redis;
let alice;
let bob;
let ferdie;
let streamId;
const servers = [];
const sockets = [];

const instance = async (args = []) => {
  const server = await startServer(['--redis-url', redis.url, ...args], devnode);
  servers.push(server);
  return server;
};

const open = async (server) => {
  const socket = await connect(server.url);
  sockets.push(socket);
  return socket;
};

before(async () => {
  devnode = await startDevnode(['--demo']);
  [alice, bob, ferdie] = ['//Alice', '//Bob', '//Ferdie'].map(devKey);
  streamId = devnode.demo.streamId;
  redis = await startRedis();
});

after(async () => {
  sockets.forEach((socket) => socket.close());
  await Promise.all(servers.map((server) => server.stop()));
  await redis?.stop();
  await devnode?.stop();
});

/// `chatPost` of `text` by `key`, signing the socket's challenge unless `signed` is false.
function post(socket, key, text, { signed = true, stream = streamId } = {}) {
  const proof = signed ? { signedMsg: signRaw(key, socket.challenge.text), encodedId: key.address } : {};
  socket.emit('chatPost', key.id, { streamId: stream, text, ...proof });
}

/// A chat's settings before its broadcaster changes them.
const OPEN = { followersOnly: false, slowSecs: 0, keep: false };

const read = (socket, stream = streamId) => socket.emit('chatRead', '', { streamId: stream });

/// Alice live on `server`: her socket, closed when test `t` ends (her stream with it),
/// so that a failing test leaves the next one a stream to go live with.
async function aliceLive(t, server) {
  const live = await open(server);
  t.after(async () => {
    live.close();
    await settle();
  });
  join(live, 'broadcast', alice, streamId);
  assert.deepEqual(await next(live, 'isStreaming'), [true]);
  return live;
}

test('readers on both instances, signed in or not, get every message and a late one the history', async (t) => {
  const [a, b] = await Promise.all([instance(), instance()]);
  const live = await aliceLive(t, a);
  const anonymous = await open(b);
  read(anonymous);
  assert.deepEqual(await next(anonymous, 'chatHistory'), [{ streamId, messages: [], settings: OPEN }]);
  const bobs = await open(a);
  read(bobs);
  await next(bobs, 'chatHistory');

  post(bobs, bob, '  Hello <b>everyone</b> javascript:alert(1)  ');
  const [{ message: first }] = await next(anonymous, 'chatMessage');
  assert.equal(first.id, 1);
  assert.equal(first.author, bob.id);
  assert.equal(first.name, 'Bob Demo');
  assert.equal(first.text, 'Hello <b>everyone</b> javascript:alert(1)', 'trimmed, and kept as text');
  assert.ok(Math.abs(first.atMs - Date.now()) < 60_000);
  assert.deepEqual(await next(bobs, 'chatMessage'), [{ streamId, message: first }]);

  // Ferdie follows nobody: reading and posting need no follow.
  const ferdies = await open(b);
  post(ferdies, ferdie, 'hi from the other instance');
  const [{ message: second }] = await next(bobs, 'chatMessage');
  assert.deepEqual([second.id, second.author, second.name], [2, ferdie.id, 'Ferdie Demo']);
  assert.deepEqual(await next(anonymous, 'chatMessage'), [{ streamId, message: second }]);
  // Bob's connection is signed in now: no signature needed again.
  post(bobs, bob, 'again', { signed: false });
  const [{ message: third }] = await next(anonymous, 'chatMessage');
  assert.equal(third.id, 3);

  const late = await open(a);
  read(late);
  assert.deepEqual(await next(late, 'chatHistory'), [{ streamId, messages: [first, second, third], settings: OPEN }]);
  assert.equal(receivedOf(ferdies, 'chatMessage').length, 0, 'posting is not reading');

  // The stream ends: its chat is not kept.
  live.emit('stopBroadcasting', alice.id, { streamId });
  await settle();
  const after = await open(b);
  read(after);
  assert.deepEqual(await next(after, 'chatHistory'), [{ streamId, messages: [], settings: OPEN }]);
  post(bobs, bob, 'anyone?', { signed: false });
  assert.deepEqual(await nextRefusal(bobs), {
    message: `Stream with id ${streamId} hasn't started yet`,
    reason: 'not_started',
  });
});

test('a message that breaks the rule, or from who may not post, is refused and reaches nobody', async (t) => {
  const server = await instance(['--chat-burst-per-account', '3']);
  const live = await aliceLive(t, server);
  const reader = await open(server);
  read(reader);
  await next(reader, 'chatHistory');
  const bobs = await open(server);

  const refusals = [
    [() => post(bobs, bob, 'hi', { signed: false }), 'missing_signature', 'Signature is missing: sign this connection\'s challenge'],
    [() => post(bobs, bob, ' \n\t '), 'chat_empty', 'A chat message cannot be empty'],
    [() => post(bobs, bob, 'x'.repeat(501)), 'chat_too_long', 'A chat message is at most 500 bytes; this one is 501'],
    [() => post(bobs, bob, 'abc\u202Efed'), 'chat_character', 'A chat message cannot hold the character U+202E'],
    [() => post(bobs, bob, 'two\nlines'), 'chat_character', 'A chat message cannot hold the character U+000A'],
    [() => post(bobs, bob, 'elsewhere', { stream: 'no-such-stream' }), 'not_started', 'Stream with id no-such-stream hasn\'t started yet'],
  ];
  for (const [send, reason, message] of refusals) {
    send();
    assert.deepEqual(await nextRefusal(bobs), { message, reason });
  }
  const nobody = devKey('//Nobody');
  const nobodys = await open(server);
  post(nobodys, nobody, 'who am I');
  assert.deepEqual(await nextRefusal(nobodys), {
    message: 'Create your profile first: chat messages show its name',
    reason: 'no_profile',
  });
  bobs.emit('chatPost', bob.id, { streamId, text: 42 });
  assert.equal((await nextRefusal(bobs)).reason, 'malformed');

  // The longest message passes; then the account's burst of 3 is spent (the post to
  // a stream that is not live counted).
  post(bobs, bob, 'é'.repeat(250));
  assert.equal((await next(reader, 'chatMessage'))[0].message.text, 'é'.repeat(250));
  // One at a time: two posts sent in the same instant may be taken in either order.
  post(bobs, bob, 'two', { signed: false });
  await next(reader, 'chatMessage');
  post(bobs, bob, 'three', { signed: false });
  assert.deepEqual(await nextRefusal(bobs), {
    message: 'You are sending chat messages too fast: wait a moment',
    reason: 'too_many_chat_messages',
  });
  await settle();
  assert.deepEqual(
    receivedOf(reader, 'chatMessage').map(({ args: [{ message }] }) => message.text),
    ['é'.repeat(250), 'two'],
  );
});

test('one address posts at most its burst, whatever its accounts', async (t) => {
  const server = await instance(['--chat-burst-per-address', '2', '--chat-per-sec-per-address', '1']);
  const live = await aliceLive(t, server);
  const [bobs, ferdies] = await Promise.all([open(server), open(server)]);
  post(bobs, bob, 'one');
  post(ferdies, ferdie, 'two');
  await settle();
  post(bobs, bob, 'three', { signed: false });
  assert.deepEqual(await nextRefusal(bobs), {
    message: 'Too many chat messages from your address: wait a moment',
    reason: 'too_many_chat_messages_from_address',
  });
  const reader = await open(server);
  read(reader);
  const [{ messages }] = await next(reader, 'chatHistory');
  // Two posters at once: either may come first.
  assert.deepEqual(messages.map(({ text }) => text).sort(), ['one', 'two']);
});

/// The signature of `socket`'s challenge by `key`, for an event that signs in.
const proof = (socket, key) => ({ signedMsg: signRaw(key, socket.challenge.text), encodedId: key.address });

/// What the moderation tests start from: two instances, Alice live on the first, a
/// reader of her chat on the second, and `told(event)`, the reader's next `event`.
async function moderated(t) {
  const [a, b] = await Promise.all([instance(), instance()]);
  const live = await aliceLive(t, a);
  const reader = await open(b);
  read(reader);
  await next(reader, 'chatHistory');
  const told = async (event) => (await next(reader, event))[0];
  return { a, b, live, told };
}

test('the broadcaster deletes, times out and sets followers-only and slow mode, on both instances', async (t) => {
  const { a, b, live, told } = await moderated(t);
  const charlie = devKey('//Charlie');
  const [bobs, ferdies, charlies] = await Promise.all([open(b), open(b), open(a)]);

  post(bobs, bob, 'spam spam spam');
  const { message: spam } = await told('chatMessage');
  ferdies.emit('chatDelete', ferdie.id, { streamId, id: spam.id, ...proof(ferdies, ferdie) });
  assert.deepEqual(await nextRefusal(ferdies), {
    message: `Only the broadcaster of stream ${streamId} and their moderators can moderate its chat`,
    reason: 'not_chat_moderator',
  });
  live.emit('chatDelete', alice.id, { streamId, id: spam.id });
  assert.deepEqual(await told('chatDeleted'), { streamId, id: spam.id });
  live.emit('chatDelete', alice.id, { streamId, id: spam.id });
  assert.deepEqual(await nextRefusal(live), {
    message: `Message ${spam.id} is not in the chat any more`,
    reason: 'no_such_chat_message',
  });

  live.emit('chatTimeout', alice.id, { streamId, account: bob.id, minutes: 0 });
  assert.deepEqual(await nextRefusal(live), { message: 'A time out is from 1 to 1440 minutes', reason: 'timeout_out_of_range' });
  live.emit('chatTimeout', alice.id, { streamId, account: bob.id, minutes: 1 });
  const timedOut = await told('chatTimedOut');
  assert.equal(timedOut.account, bob.id);
  assert.ok(Math.abs(timedOut.untilMs - Date.now() - 60_000) < 5_000);
  post(bobs, bob, 'let me speak', { signed: false });
  const refusal = await nextRefusal(bobs);
  assert.equal(refusal.reason, 'chat_timed_out');
  assert.match(refusal.message, /^You are timed out of this chat for (5\d|60) more seconds$/);

  live.emit('chatSettings', alice.id, { streamId, followersOnly: true, slowSecs: 301 });
  assert.deepEqual(await nextRefusal(live), { message: 'Slow mode is from 0 to 300 seconds', reason: 'slow_mode_out_of_range' });
  live.emit('chatSettings', alice.id, { streamId, followersOnly: true, slowSecs: 30 });
  assert.deepEqual(await told('chatSettings'), {
    streamId,
    settings: { followersOnly: true, slowSecs: 30, keep: false },
  });
  post(ferdies, ferdie, 'I follow nobody');
  assert.deepEqual(await nextRefusal(ferdies), {
    message: 'Only followers of the broadcaster can post in this chat now',
    reason: 'chat_followers_only',
  });
  post(charlies, charlie, 'I follow Alice');
  assert.equal((await told('chatMessage')).message.text, 'I follow Alice');
  post(charlies, charlie, 'and again', { signed: false });
  assert.deepEqual(await nextRefusal(charlies), {
    message: 'Slow mode: one message every 30 seconds, wait a little',
    reason: 'chat_slow_mode',
  });
  live.emit('chatPost', alice.id, { streamId, text: 'the host is never slowed' });
  assert.equal((await told('chatMessage')).message.text, 'the host is never slowed');
  live.emit('chatPost', alice.id, { streamId, text: 'nor timed out' });
  assert.equal((await told('chatMessage')).message.text, 'nor timed out');

  const late = await open(a);
  read(late);
  const [history] = await next(late, 'chatHistory');
  assert.deepEqual(history.settings, { followersOnly: true, slowSecs: 30, keep: false });
  assert.deepEqual(history.messages.map(({ text }) => text), ['I follow Alice', 'the host is never slowed', 'nor timed out']);
  live.emit('stopBroadcasting', alice.id, { streamId });
  await settle();
});

test('a moderator named on chain moderates, and a ban ends watching and posting on both instances', async (t) => {
  const { a, b, live, told } = await moderated(t);
  const charlie = devKey('//Charlie');
  const [bobs, bobWatching, charlies] = await Promise.all([open(b), open(b), open(a)]);
  const setRole = async (account, role) => {
    const { event } = await send(devnode, alice, { SetChannelRole: { account_id: account.id, role } });
    assert.deepEqual(event, { channelRoleSet: null });
  };

  // Charlie, named on chain, deletes and times out, but not the broadcaster.
  post(bobs, bob, 'first');
  const { message: first } = await told('chatMessage');
  charlies.emit('chatDelete', charlie.id, { streamId, id: first.id, ...proof(charlies, charlie) });
  assert.equal((await nextRefusal(charlies)).reason, 'not_chat_moderator');
  await setRole(charlie, 'Moderator');
  live.emit('channelRole', alice.id, { account: charlie.id });
  assert.deepEqual(await next(live, 'channelRole'), [{ account: charlie.id, role: 'moderator' }]);
  assert.deepEqual(await told('chatRole'), { streamId, account: charlie.id, role: 'moderator' });
  charlies.emit('chatDelete', charlie.id, { streamId, id: first.id });
  assert.deepEqual(await told('chatDeleted'), { streamId, id: first.id });
  charlies.emit('chatTimeout', charlie.id, { streamId, account: alice.id, minutes: 1 });
  assert.deepEqual(await nextRefusal(charlies), {
    message: 'A moderator cannot time out the broadcaster',
    reason: 'time_out_broadcaster',
  });

  // Bob watches through the second instance; banned, he is put out and cannot post,
  // and his messages go from the history.
  join(bobWatching, 'watch', bob, streamId);
  await next(bobWatching, 'iceServers');
  post(bobs, bob, 'about to be banned', { signed: false });
  assert.equal((await told('chatMessage')).message.text, 'about to be banned');
  await setRole(bob, 'Banned');
  // Only the broadcaster's word starts the servers asking: a stranger's names their own channel.
  bobs.emit('channelRole', bob.id, { account: alice.id });
  assert.deepEqual(await next(bobs, 'channelRole'), [{ account: alice.id, role: null }]);
  live.emit('channelRole', alice.id, { account: bob.id });
  const banned = { message: 'The broadcaster banned you from this channel', reason: 'banned' };
  assert.deepEqual(await nextRefusal(bobWatching), banned);
  assert.deepEqual(await told('chatRole'), { streamId, account: bob.id, role: 'banned' });
  post(bobs, bob, 'let me back', { signed: false });
  assert.deepEqual(await nextRefusal(bobs), banned);
  const again = await open(a);
  join(again, 'watch', bob, streamId);
  assert.deepEqual(await nextRefusal(again), banned);
  const late = await open(a);
  read(late);
  const [history] = await next(late, 'chatHistory');
  assert.ok(!history.messages.some(({ author }) => author === bob.id), 'his messages are gone');

  // Lifted: he watches and posts again.
  await setRole(bob, null);
  live.emit('channelRole', alice.id, { account: bob.id });
  assert.deepEqual(await told('chatRole'), { streamId, account: bob.id, role: null });
  const lifted = await open(b);
  join(lifted, 'watch', bob, streamId);
  await next(lifted, 'iceServers');
  post(bobs, bob, 'thanks', { signed: false });
  assert.equal((await told('chatMessage')).message.text, 'thanks');
  await setRole(charlie, null);
  live.emit('channelRole', alice.id, { account: charlie.id });
  await told('chatRole');
  live.emit('stopBroadcasting', alice.id, { streamId });
  await settle();
});

test('a chat its broadcaster keeps is read after the stream, on both instances, until it goes live again', async (t) => {
  const [a, b] = await Promise.all([instance(), instance()]);
  let live = await aliceLive(t, a);
  live.emit('chatSettings', alice.id, { streamId, followersOnly: false, slowSecs: 0, keep: true });
  live.emit('chatPost', alice.id, { streamId, text: 'thanks for watching' });
  const reader = await open(b);
  read(reader);
  await next(reader, 'chatHistory');
  live.emit('stopBroadcasting', alice.id, { streamId });
  await next(live, 'isStreaming');
  await settle();
  for (const server of [a, b]) {
    const late = await open(server);
    read(late);
    const [history] = await next(late, 'chatHistory');
    assert.deepEqual(history.settings, { followersOnly: false, slowSecs: 0, keep: true });
    assert.deepEqual(history.messages.map(({ text }) => text), ['thanks for watching']);
  }
  live.close();
  live = await aliceLive(t, a);
  const fresh = await open(b);
  read(fresh);
  assert.deepEqual(await next(fresh, 'chatHistory'), [{ streamId, messages: [], settings: OPEN }]);
  live.emit('stopBroadcasting', alice.id, { streamId });
  await settle();
});

test('a tip the chain confirmed shows once, highlighted, on both instances; one it does not is refused', async (t) => {
  const [a, b] = await Promise.all([instance(), instance()]);
  const live = await aliceLive(t, a);
  const readers = [await open(a), await open(b)];
  for (const reader of readers) {
    read(reader);
    await next(reader, 'chatHistory');
  }
  const oneVara = 10n ** 12n;
  const before = await balance(devnode, alice.id);
  const message = 'Thanks! \u202Egnorw';
  const { event } = await send(devnode, bob, { Tip: { stream_id: streamId, message } }, 2n * oneVara);
  const { number } = event.tipped;
  assert.equal(await balance(devnode, alice.id), before + 2n * oneVara);

  // Anyone may announce it: the receipt on chain is the proof, and its text is shown
  // without the characters a chat message may not hold.
  const announcer = await open(b);
  announcer.emit('chatTip', '', { streamId, number });
  for (const reader of readers) {
    const [{ message: shown }] = await next(reader, 'chatMessage');
    assert.deepEqual(shown.tip, { number, amount: (2n * oneVara).toString() });
    assert.equal(shown.author, bob.id);
    assert.equal(shown.name, 'Bob Demo');
    assert.equal(shown.text, 'Thanks! gnorw');
  }
  announcer.emit('chatTip', '', { streamId, number });
  const { streamPage } = await readChain(devnode, { BroadcasterStreams: { broadcaster: alice.id, after: null, limit: 10 } });
  const otherStream = streamPage.streams.map(([id]) => id).find((id) => id !== streamId);
  const elsewhere = (await send(devnode, bob, { Tip: { stream_id: otherStream, message: '' } }, oneVara)).event.tipped.number;
  const refusals = [
    [{ streamId, number: number + 1000 }, 'no_such_tip', `The program keeps no tip number ${number + 1000}`],
    [{ streamId, number: elsewhere }, 'tip_for_another_stream', `Tip number ${elsewhere} was for another stream`],
    [{ streamId: 'no-such-stream', number }, 'not_started', 'Stream with id no-such-stream hasn\'t started yet'],
    [{ streamId, number: -1 }, 'malformed', undefined],
  ];
  for (const [args, reason, text] of refusals) {
    announcer.emit('chatTip', '', args);
    const refusal = await nextRefusal(announcer);
    assert.equal(refusal.reason, reason, JSON.stringify(refusal));
    if (text) assert.equal(refusal.message, text);
  }
  await settle();
  for (const reader of readers) {
    assert.equal(receivedOf(reader, 'chatMessage').length, 1, 'the tip is shown once');
  }
  const late = await open(b);
  read(late);
  const [{ messages }] = await next(late, 'chatHistory');
  assert.equal(messages.at(-1).tip.number, number, 'a late reader sees the tip in the history');
  live.close();
});
