// The chat beside a live stream, through the UI, with two signaling instances sharing
// one hub through a real redis-server: Alice broadcasts through one, and people on
// both chat; a visitor without an account reads but cannot post; a late viewer gets
// the history; hostile text stays text; Alice moderates, and names a moderator and
// bans an account on chain, which both instances hold to; a tip shows highlighted
// for everyone once the chain confirms it, and moves the balances by its amount; a
// chat she keeps is read after her stream.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startRedis, startServer } from 'w3bstreaming-testkit/signaling';
import { balance } from 'w3bstreaming-testkit/devnode';
import { actAs, gone, open, shown, startStack, unnamedControls } from './support.mjs';
import { goLive, line, player, streamPage, studio, tellOnFailure } from './live-support.mjs';

let redis;
let stack;
let second;
const pages = {};

before(async () => {
  redis = await startRedis();
  stack = await startStack(['--demo'], { live: true, signalingArgs: ['--redis-url', redis.url] });
  second = await startServer(
    ['--count-interval-ms', '200', '--redis-url', redis.url],
    stack.devnode,
    { origin: new URL(stack.app.url).origin },
  );
});

after(async () => {
  await second?.stop();
  await stack?.stop();
  await redis?.stop();
});

tellOnFailure({ first: () => stack?.signaling.logs(), second: () => second?.logs() }, () => pages);

const chat = (page) => page.getByRole('region', { name: 'Chat' });
const messages = (page) => chat(page).getByRole('log', { name: 'Chat messages' });

async function say(page, text) {
  await chat(page).getByLabel('Message', { exact: true }).fill(text);
  await chat(page).getByRole('button', { name: 'Send' }).click();
}

/// The messages `page` shows, each as its text.
const shownTexts = (page) => messages(page).locator('.chat-text').allTextContents();

test('people on two instances chat, a visitor reads, a late viewer gets the history', async () => {
  pages.Alice = await streamPage(stack, stack.browser, 'Alice');
  await shown(chat(pages.Alice).getByText('The chat opens when the stream is live.'));
  await goLive(pages.Alice);
  pages.Bob = await streamPage(stack, stack.browser, 'Bob', { signaling: second.url });
  pages.Charlie = await streamPage(stack, stack.browser, 'Charlie');
  const visitor = await open(stack, `/stream/${encodeURIComponent(stack.devnode.demo.streamId)}`);
  pages.visitor = visitor;
  await shown(chat(visitor).getByText('No messages yet.'));
  assert.equal(
    await chat(visitor).getByLabel('Message', { exact: true }).count(),
    0,
    'no box to post from',
  );
  await shown(chat(visitor).getByRole('link', { name: 'Pick an account' }));

  const hostile = 'Look <img src=x onerror=alert(1)> javascript:alert(2) https://example.com';
  await say(pages.Bob, hostile);
  for (const page of [pages.Alice, pages.Charlie, visitor, pages.Bob]) {
    await shown(messages(page).getByText(hostile, { exact: true }));
  }
  const line = messages(visitor).getByRole('listitem').first();
  await shown(line.getByText('Bob Demo'));
  assert.match(await line.locator('.chat-address').textContent(), /^kG\w+…\w+$/);
  assert.equal(await messages(visitor).locator('img, a').count(), 0, 'text, not markup or links');

  // From the keyboard: Enter sends.
  await chat(pages.Alice).getByLabel('Message', { exact: true }).fill('Welcome, everyone');
  await chat(pages.Alice).getByLabel('Message', { exact: true }).press('Enter');
  await shown(messages(pages.Bob).getByText('Welcome, everyone'));
  await say(pages.Charlie, 'Hi from the first instance');
  for (const page of [pages.Bob, visitor]) {
    await shown(messages(page).getByText('Hi from the first instance'));
  }
  assert.deepEqual(await shownTexts(pages.Bob), [
    hostile,
    'Welcome, everyone',
    'Hi from the first instance',
  ]);

  pages.Dave = await streamPage(stack, stack.browser, 'Dave', { signaling: second.url });
  await shown(messages(pages.Dave).getByText('Hi from the first instance'));
  assert.deepEqual(await shownTexts(pages.Dave), await shownTexts(pages.Bob));
  assert.deepEqual(await unnamedControls(pages.Dave), []);
  assert.deepEqual(pages.visitor.errors, []);
});

test('a message over the limit cannot be sent, and a refusal is said in words', async () => {
  const box = chat(pages.Charlie).getByLabel('Message', { exact: true });
  await box.fill('é'.repeat(251));
  await shown(chat(pages.Charlie).getByText('502 of at most 500 bytes'));
  assert.equal(await box.getAttribute('aria-invalid'), 'true');
  assert.ok(await chat(pages.Charlie).getByRole('button', { name: 'Send' }).isDisabled());
  await say(pages.Charlie, 'two\u202Eowt');
  await shown(
    chat(pages.Charlie)
      .getByRole('alert')
      .getByText('A chat message cannot hold the character U+202E'),
  );
  await say(pages.Charlie, 'fine again');
  await shown(messages(pages.Bob).getByText('fine again'));
  await chat(pages.Charlie).getByRole('alert').waitFor({ state: 'detached' });
});

test('the broadcaster deletes a message for everyone, times out, and sets followers-only and slow mode', async () => {
  const alice = chat(pages.Alice);
  await say(pages.Bob, 'Buy cheap tokens at scam.example');
  await shown(messages(pages.Alice).getByText('Buy cheap tokens at scam.example'));
  assert.equal(
    await chat(pages.Bob)
      .getByRole('button', { name: /^Delete message/ })
      .count(),
    0,
  );
  // From the keyboard.
  const remove = alice.getByRole('button', { name: 'Delete message from Bob Demo' }).last();
  await remove.focus();
  await pages.Alice.keyboard.press('Enter');
  for (const page of [pages.Bob, pages.visitor, pages.Dave, pages.Alice]) {
    await messages(page).getByText('Buy cheap tokens').waitFor({ state: 'detached' });
  }

  await alice.getByRole('button', { name: 'Time out Bob Demo for 5 minutes' }).first().click();
  await shown(chat(pages.Bob).getByText(/^You cannot post until \d\d:\d\d\.$/));
  await shown(chat(pages.visitor).getByText(/^Bob Demo cannot post until/));
  await say(pages.Bob, 'let me speak');
  await shown(
    chat(pages.Bob)
      .getByRole('alert')
      .getByText(/^You are timed out of this chat for \d+ more seconds$/),
  );

  await alice.getByLabel('Followers only').check();
  await shown(chat(pages.visitor).getByText('Followers only'));
  pages.Ferdie = await streamPage(stack, stack.browser, 'Ferdie', { signaling: second.url });
  await say(pages.Ferdie, 'I follow nobody');
  await shown(
    chat(pages.Ferdie)
      .getByRole('alert')
      .getByText('Only followers of the broadcaster can post in this chat now'),
  );
  await alice.getByLabel('Slow mode').selectOption({ label: '30 s' });
  await shown(chat(pages.Dave).getByText('Followers only · Slow mode: one message every 30 s'));
  await say(pages.Dave, 'Dave follows Alice');
  await shown(messages(pages.visitor).getByText('Dave follows Alice'));
  await say(pages.Dave, 'and talks fast');
  await shown(
    chat(pages.Dave)
      .getByRole('alert')
      .getByText('Slow mode: one message every 30 seconds, wait a little'),
  );
  assert.deepEqual(await unnamedControls(pages.Alice), []);
});

test('a moderator named on chain deletes; a ban holds on both instances until it is lifted', async () => {
  const alice = chat(pages.Alice);
  await alice.getByLabel('Followers only').uncheck();
  await alice.getByLabel('Slow mode').selectOption({ label: 'Off' });
  await player(pages.Dave).getByRole('button', { name: 'Watch' }).click();
  await shown(line(player(pages.Dave)).getByText('Playing, peer to peer.'));

  // Charlie, on the first instance, is named a moderator on chain: the controls come.
  assert.equal(
    await chat(pages.Charlie)
      .getByRole('button', { name: /^Delete message/ })
      .count(),
    0,
  );
  await alice
    .getByRole('button', { name: 'Make Charlie Demo a moderator of your channel' })
    .first()
    .click();
  await shown(alice.getByText('Charlie Demo is a moderator.'));
  // Named twice: the program refuses, in a person's words.
  await alice
    .getByRole('button', { name: 'Make Charlie Demo a moderator of your channel' })
    .first()
    .click();
  await shown(alice.getByRole('alert').getByText('They already hold this role in your channel'));
  await say(pages.Dave, 'Dave again, on the second instance');
  await shown(messages(pages.Charlie).getByText('Dave again, on the second instance'));
  await chat(pages.Charlie)
    .getByRole('button', { name: 'Delete message from Dave Demo' })
    .last()
    .click();
  for (const page of [pages.Bob, pages.visitor, pages.Dave, pages.Alice]) {
    await gone(messages(page).getByText('Dave again, on the second instance'));
  }
  assert.equal(
    await chat(pages.Charlie).getByRole('button', { name: /^Ban / }).count(),
    0,
    'only the broadcaster bans',
  );

  // Dave, watching through the second instance, is banned: his watching ends, his
  // messages go for everyone, and he cannot post.
  await say(pages.Dave, 'Dave, about to be banned');
  await shown(messages(pages.Alice).getByText('Dave, about to be banned'));
  await alice.getByRole('button', { name: 'Ban Dave Demo from your channel' }).last().click();
  await shown(alice.getByText('Dave Demo is banned.'));
  const banned = 'The broadcaster banned you from this channel';
  await shown(line(player(pages.Dave)).getByText(banned));
  await shown(
    chat(pages.Dave).getByText(/^The broadcaster banned you from this channel: you can read/),
  );
  for (const page of [pages.Bob, pages.visitor, pages.Charlie]) {
    await gone(messages(page).getByText(/^Dave, /));
  }
  assert.equal(await chat(pages.Dave).getByLabel('Message', { exact: true }).count(), 0);
  // On the first instance too, from a page opened afresh.
  pages.DaveAgain = await streamPage(stack, stack.browser, 'Dave');
  await player(pages.DaveAgain).getByRole('button', { name: 'Watch' }).click();
  await shown(line(player(pages.DaveAgain)).getByText(banned));
  await shown(chat(pages.DaveAgain).getByText(/^The broadcaster banned you/));

  // Alice lifts the ban from her account page; Dave watches and posts again.
  const account = await open(stack, '/account');
  pages.AliceAccount = account;
  await actAs(account, 'Alice');
  const roles = account.getByRole('region', { name: 'Moderators and bans' });
  await shown(roles.getByText('Moderator'));
  await roles.getByRole('button', { name: 'Lift the ban: Dave Demo' }).click();
  await shown(roles.getByText('Dave Demo: Ban lifted.'));
  await shown(roles.getByRole('button', { name: 'Remove as moderator: Charlie Demo' }));
  assert.equal(await roles.getByRole('button', { name: /Dave Demo/ }).count(), 0);
  await shown(chat(pages.Dave).getByLabel('Message', { exact: true }));
  await say(pages.Dave, 'Dave is back');
  await shown(messages(pages.visitor).getByText('Dave is back'));
  // His refused player on the first instance plays once he tries again.
  await player(pages.DaveAgain).getByRole('button', { name: 'Try again' }).click();
  await shown(line(player(pages.DaveAgain)).getByText('Playing, peer to peer.'));
  assert.deepEqual(await unnamedControls(account), []);
});

test('a tip shows highlighted for everyone once the chain confirms it, and the balances moved', async () => {
  const { demo } = stack.devnode;
  const [alice, bob] = [demo.broadcaster.id, demo.follower.id];
  const before = {
    alice: await balance(stack.devnode, alice),
    bob: await balance(stack.devnode, bob),
  };
  const tip = chat(pages.Bob).getByRole('form', { name: 'Tip the broadcaster' });
  assert.equal(
    await chat(pages.Alice).getByRole('form', { name: 'Tip the broadcaster' }).count(),
    0,
    'a broadcaster does not tip their own stream',
  );
  // Below the minimum: refused in words before the wallet is asked; nothing moves.
  await tip.getByLabel('Amount in VARA').fill('0.5');
  await tip.getByRole('button', { name: 'Tip', exact: true }).click();
  await shown(tip.getByRole('alert').getByText('A tip is at least 1 VARA'));
  await tip.getByLabel('Amount in VARA').fill('2');
  await tip.getByLabel('Message (optional)').fill('Great stream! <b>bold</b>');
  await tip.getByRole('button', { name: 'Tip', exact: true }).click();
  await shown(tip.getByText('You tipped 2 VARA. It shows in the chat for everyone.'));
  const VARA = 10n ** 12n;
  assert.equal(
    await balance(stack.devnode, alice),
    before.alice + 2n * VARA,
    'Alice has the whole tip',
  );
  assert.ok(before.bob - (await balance(stack.devnode, bob)) >= 2n * VARA, 'Bob paid it');
  // Highlighted on both instances, its text as text.
  for (const page of [pages.Alice, pages.Bob, pages.Charlie, pages.visitor]) {
    const shownTip = messages(page).locator('.chat-tip').last();
    await shown(shownTip.getByText('tipped 2 VARA'));
    await shown(shownTip.getByText('Great stream! <b>bold</b>'));
  }
  // Alice's account page lists it.
  const account = pages.AliceAccount ?? (await open(stack, '/account'));
  await actAs(account, 'Alice');
  await account.reload();
  const received = account.getByRole('region', { name: 'Tips received' });
  await shown(received.getByText('2 VARA'));
  await shown(received.getByText('Great stream! <b>bold</b>'));
});

test('a chat its broadcaster keeps is read after the stream ends', async () => {
  const alice = chat(pages.Alice);
  await shown(alice.getByLabel('Keep the chat for a day after the stream'));
  assert.equal(
    await chat(pages.Charlie).getByLabel('Keep the chat for a day after the stream').count(),
    0,
    'the broadcaster’s choice alone',
  );
  await alice.getByLabel('Keep the chat for a day after the stream').check();
  await say(pages.Alice, 'Thanks for watching, see you next week');
  await shown(messages(pages.visitor).getByText('Thanks for watching, see you next week'));
  await studio(pages.Alice).getByRole('button', { name: 'End stream' }).click();
  const kept = /^The stream has ended\. Its broadcaster kept this chat/;
  await shown(chat(pages.visitor).getByText(kept));
  const later = await open(stack, `/stream/${encodeURIComponent(stack.devnode.demo.streamId)}`);
  pages.later = later;
  await shown(chat(later).getByText(kept));
  await shown(messages(later).getByText('Thanks for watching, see you next week'));
  assert.equal(await chat(later).getByLabel('Message', { exact: true }).count(), 0);
});
