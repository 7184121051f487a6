// Every action through the UI, as two new users would take them on a fresh local
// chain: a broadcaster registers, schedules (after two attempts the program would
// refuse, in its own words), edits and deletes a stream; a viewer follows her, marks
// the stream and unfollows; each sees the other's doing without reloading. Success
// shows only once the program has replied.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  actAs,
  devKey,
  gone,
  open,
  read,
  shown,
  startStack,
  unnamedControls,
  until,
} from './support.mjs';

let stack;
let alice;
let bob;
let streamPath;

before(async () => {
  stack = await startStack();
});

after(async () => {
  await stack?.stop();
});

/// `datetime-local` text for `ms` in Europe/Berlin, the tests' time zone.
function berlinInput(ms) {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', {
      timeZone: 'Europe/Berlin',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    })
      .formatToParts(ms)
      .map(({ type, value }) => [type, value]),
  );
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}`;
}

const HOUR = 3_600_000;
const status = (page, text) => shown(page.getByRole('status').filter({ hasText: text }));
const alert = (page, text) => shown(page.getByRole('alert').filter({ hasText: text }));

test('a broadcaster registers, and a refused schedule says why and marks the field', async () => {
  alice = await open(stack, '/account');
  await actAs(alice, 'Alice');
  await shown(alice.getByRole('heading', { name: 'Register' }));
  assert.deepEqual(await unnamedControls(alice), []);
  await alice.getByLabel('Name', { exact: true }).fill('Alice');
  await alice.getByLabel('Surname').fill('Broadcaster');
  await alice.getByRole('button', { name: 'Register' }).click();
  await shown(alice.getByRole('button', { name: 'Registering…' }));
  await status(alice, 'Waiting for the program’s reply');
  await status(alice, 'Registered.');
  const { profile } = await read(stack.devnode, { Profile: { account: devKey('//Alice').id } });
  assert.equal(profile.surname, 'Broadcaster', 'the program has the profile');

  const form = alice.getByRole('region', { name: 'Schedule a stream' });
  await shown(form);
  const start = Math.ceil(Date.now() / HOUR) * HOUR + 2 * HOUR;
  await form.getByLabel('Title').fill('x'.repeat(101));
  await form.getByLabel('Starts').fill(berlinInput(start));
  await form.getByLabel('Ends').fill(berlinInput(start + HOUR));
  await form.getByRole('button', { name: 'Schedule stream' }).click();
  await alert(form, 'The title is longer than 100 bytes');
  await shown(form.getByText('101 / 100 bytes'));
  assert.equal(await form.getByLabel('Title').getAttribute('aria-invalid'), 'true');

  await form.getByLabel('Title').fill('Gear & coffee: ünïcode is bytes');
  await form.getByLabel('Ends').fill(berlinInput(start - HOUR));
  await form.getByRole('button', { name: 'Schedule stream' }).click();
  await alert(form, 'The end must be after the start');
  // The field is marked and points at the words; the program's names are not shown.
  const ends = form.getByLabel('Ends');
  assert.equal(await ends.getAttribute('aria-invalid'), 'true');
  const describedBy = await ends.getAttribute('aria-describedby');
  assert.match(await alice.locator(`[id="${describedBy}"]`).textContent(), /end must be after/);
  assert.equal(await form.getByLabel('Title').getAttribute('aria-invalid'), 'false');
  assert.equal(await form.getByText('end_time', { exact: false }).count(), 0);

  await form.getByLabel('Ends').fill(berlinInput(start + 90 * 60_000));
  await shown(form.getByText('The stream lasts 1 h 30 min.'));
  await form.getByLabel('Description').fill('Beans, brews and Gear programs.');
  await form.getByRole('button', { name: 'Schedule stream' }).click();
  await status(form, 'Stream scheduled.');
  await form.getByRole('link', { name: 'Open it' }).click();
  await shown(alice.getByRole('heading', { level: 1, name: 'Gear & coffee: ünïcode is bytes' }));
  streamPath = new URL(alice.url()).pathname;
  assert.deepEqual(alice.errors, []);
});

test('the new stream is on the schedule under Upcoming, for anyone', async () => {
  const visitor = await open(stack, '/');
  const upcoming = visitor.getByRole('region', { name: /^Upcoming/ });
  await shown(upcoming.getByRole('link', { name: 'Gear & coffee: ünïcode is bytes' }));
  await shown(upcoming.getByRole('link', { name: 'Alice Broadcaster' }));
  await visitor.context().close();
});

test('the broadcaster edits the stream', async () => {
  await alice.getByRole('button', { name: 'Edit stream' }).click();
  const title = alice.getByRole('region', { name: 'Your stream' }).getByLabel('Title');
  await title.fill('Gear & coffee, second cup');
  await alice.getByRole('button', { name: 'Save changes' }).click();
  await status(alice, 'Changes saved.');
  await shown(alice.getByRole('heading', { level: 1, name: 'Gear & coffee, second cup' }));
  assert.equal(new URL(alice.url()).pathname, streamPath, 'an edit keeps the stream’s id');
});

test('a viewer without a profile is told by the program to register, then follows and marks', async () => {
  bob = await open(stack, streamPath);
  await actAs(bob, 'Bob');
  const follow = bob.getByRole('button', { name: 'Follow', exact: true });
  await follow.click();
  await alert(bob, 'The program refused: This account has no profile yet: register first');
  await bob.getByRole('link', { name: 'Register on your account page' }).click();
  await bob.getByLabel('Name', { exact: true }).fill('Bob');
  await bob.getByRole('button', { name: 'Register' }).click();
  await status(bob, 'Registered.');
  await bob.goBack();

  // From the keyboard; each action with its own pending state.
  await bob.getByRole('button', { name: 'Follow', exact: true }).focus();
  await bob.keyboard.press('Enter');
  await shown(bob.getByRole('button', { name: 'Following…' }));
  const mark = bob.getByRole('button', { name: 'Mark to watch' });
  assert.equal(await mark.isEnabled(), true, 'another action is not held up');
  await mark.click();
  await status(bob, 'Following.');
  await status(bob, 'Marked to watch.');
  await shown(bob.getByRole('button', { name: 'Unfollow' }));
  await shown(bob.getByRole('button', { name: 'Unmark' }));
  const watchers = bob.getByRole('region', { name: /^Marked to watch/ });
  await shown(watchers.getByRole('link', { name: 'Bob' }));
});

test('each sees the other’s doing without reloading', async () => {
  // Alice's page has been open all along.
  const watchers = alice.getByRole('region', { name: /^Marked to watch/ });
  await shown(watchers.getByRole('link', { name: 'Bob' }));
  assert.match(await watchers.getByRole('heading').textContent(), /Marked to watch\s*1/);

  await bob.getByRole('link', { name: 'Alice Broadcaster' }).click();
  const counts = bob.getByRole('list', { name: 'Counts' });
  await shown(counts);
  await until(async () => /1 follower(?!s)/.test(await counts.textContent()), 'one follower');
  await shown(bob.getByRole('region', { name: 'Followers' }).getByRole('link', { name: 'Bob' }));

  await bob.goto(`${stack.app.url}/account`);
  const marked = bob.getByRole('region', { name: 'Streams you marked to watch' });
  await shown(marked.getByRole('link', { name: 'Gear & coffee, second cup' }));
});

test('the viewer unfollows', async () => {
  await bob.goto(stack.app.url + streamPath);
  await bob.getByRole('button', { name: 'Unfollow' }).click();
  await status(bob, 'Unfollowed.');
  await shown(bob.getByRole('button', { name: 'Follow', exact: true }));
  const channel = await open(stack, `/channel/${devKey('//Alice').address}`);
  const counts = channel.getByRole('list', { name: 'Counts' });
  await shown(counts);
  await until(async () => /0 followers/.test(await counts.textContent()), 'no followers');
  await channel.context().close();
});

test('the broadcaster deletes the stream, after confirming', async () => {
  await alice.getByRole('button', { name: 'Delete stream' }).click();
  const dialog = alice.getByRole('dialog', { name: 'Delete this stream?' });
  await shown(dialog);
  await shown(dialog.getByText('and its one mark to watch with it'));
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await gone(alice.getByRole('dialog'));
  await shown(alice.getByRole('heading', { level: 1, name: 'Gear & coffee, second cup' }));

  await alice.getByRole('button', { name: 'Delete stream' }).click();
  await alice.keyboard.press('Escape');
  await gone(alice.getByRole('dialog'));

  // Her account page lists her streams (before, it listed none and said nothing).
  const yours = alice.getByRole('region', { name: 'Your streams' });
  await alice.getByRole('link', { name: 'Account', exact: true }).click();
  await shown(yours.getByRole('link', { name: 'Gear & coffee, second cup' }));
  await alice.goBack();
  await alice.getByRole('button', { name: 'Delete stream' }).click();
  await alice.getByRole('dialog').getByRole('button', { name: 'Delete', exact: true }).click();
  await shown(alice.getByRole('heading', { level: 1, name: 'Your account' }));
  await shown(alice.getByRole('status').getByText('Stream deleted: “Gear & coffee, second cup”.'));
  await shown(yours.getByText('None scheduled: schedule one below.'));
  await alice.goto(stack.app.url + streamPath);
  await shown(alice.getByRole('heading', { name: 'No stream with this id' }));
  // Bob's page, still open, learns it too.
  await shown(bob.getByRole('heading', { name: 'No stream with this id' }));
  assert.deepEqual([...alice.errors, ...bob.errors], []);
});
