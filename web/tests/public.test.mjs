// The app as a visitor without an account sees it, on the local chain's demo world:
// the schedule live, upcoming by day and ended, times in the visitor's own time zone,
// a search that ignores case and accents, stream and channel pages that open from
// their links, and no control without a name.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { open, shown, startStack, unnamedControls } from './support.mjs';

let stack;

before(async () => {
  stack = await startStack(['--demo']);
});

after(async () => {
  await stack?.stop();
});

const section = (page, name) => page.getByRole('region', { name: new RegExp(`^${name}`) });

test('the schedule shows what is live, what is coming by day, and who broadcasts it', async () => {
  const page = await open(stack);
  const live = section(page, 'Live now');
  await shown(live.getByRole('link', { name: 'Writing Gear programs, live' }));
  await shown(live.getByText('on now'));
  assert.equal(await live.getByRole('article').count(), 2);
  await shown(live.getByRole('link', { name: 'Alice Demo' }));

  const upcoming = section(page, 'Upcoming');
  await shown(upcoming.getByRole('link', { name: 'Vara validator Q&A' }));
  const days = await upcoming.getByRole('heading', { level: 3 }).allTextContents();
  assert.ok(days.length >= 3, `grouped by day: ${days}`);
  assert.match(days.at(-1), /^\w+day,? \d+ \w+/, 'a day heading names its weekday and date');
  assert.match(await upcoming.getByRole('article').first().textContent(), /starts in \d+ min/);
  await shown(page.getByText('Times are in your time zone, Europe/Berlin'));
  assert.deepEqual(await unnamedControls(page), []);
  assert.deepEqual(page.errors, []);
});

test('search finds titles and broadcasters whatever the case and accents', async () => {
  const page = await open(stack);
  await shown(page.getByRole('link', { name: 'Speedrunning Gear IDEA' }));
  const search = page.getByLabel('Search titles and broadcasters');
  const titles = () => page.getByRole('article').getByRole('heading').allTextContents();

  await search.fill('GEAR');
  assert.deepEqual((await titles()).sort(), [
    'Speedrunning Gear IDEA',
    'Writing Gear programs, live',
  ]);
  await search.fill('chárlie');
  assert.deepEqual(
    await titles(),
    ['Vara validator Q&A'],
    'by the broadcaster’s name, accents aside',
  );
  await search.fill('no such stream');
  await shown(page.getByText('None of the loaded streams match the search.').first());
  await search.fill('');
  assert.ok((await titles()).length >= 6);
});

test('times are shown in the visitor’s time zone', async () => {
  const zone = 'America/New_York';
  const page = await open(stack, '/', { timezoneId: zone });
  const card = page.getByRole('article').filter({ hasText: 'Vara validator Q&A' });
  await shown(card);
  const startsAt = await card.locator('time').first().getAttribute('datetime');
  const expected = new Intl.DateTimeFormat('en-GB', {
    hour: '2-digit',
    minute: '2-digit',
    timeZone: zone,
  }).format(new Date(startsAt));
  assert.equal(await card.locator('time').first().textContent(), expected);
  await shown(page.getByText(`Times are in your time zone, ${zone}`));
});

test('a stream and its broadcaster’s channel open from their links, for anyone', async () => {
  const page = await open(stack);
  await shown(page.getByRole('heading', { level: 1, name: 'Schedule' }));
  assert.equal(await page.title(), 'Schedule · w3bstreaming');
  await page.getByRole('link', { name: 'Writing Gear programs, live' }).first().click();
  await shown(page.getByRole('heading', { level: 1, name: 'Writing Gear programs, live' }));
  // The tab is named after the page, and the page's heading has the focus, so that a
  // screen reader says where the link led.
  assert.equal(await page.title(), 'Writing Gear programs, live · w3bstreaming');
  assert.equal(
    await page.evaluate(() => document.activeElement?.textContent),
    'Writing Gear programs, live',
  );
  assert.equal(
    decodeURIComponent(new URL(page.url()).pathname),
    `/stream/${stack.devnode.demo.streamId}`,
  );
  const watchers = page.getByRole('region', { name: /^Marked to watch/ });
  await shown(watchers.getByRole('link', { name: 'Bob Demo' }));
  await shown(page.getByRole('link', { name: 'Pick an account' }));
  assert.equal(
    await page.getByRole('button', { name: 'Follow' }).count(),
    0,
    'no account, no Follow',
  );
  assert.deepEqual(await unnamedControls(page), []);

  await page.getByRole('main').getByRole('link', { name: 'Alice Demo' }).first().click();
  await shown(page.getByRole('heading', { level: 1, name: 'Alice Demo' }));
  const counts = page.getByRole('list', { name: 'Counts' });
  await shown(counts.getByText('followers'));
  assert.match(await counts.textContent(), /2 streams\s*4 followers\s*1 following/);
  await shown(
    page.getByRole('region', { name: 'Followers' }).getByRole('link', { name: 'Eve Demo' }),
  );
  await shown(
    page.getByRole('region', { name: 'Following' }).getByRole('link', { name: 'Charlie Demo' }),
  );
  assert.deepEqual(await unnamedControls(page), []);

  await page.goBack();
  await shown(page.getByRole('heading', { level: 1, name: 'Writing Gear programs, live' }));
  assert.deepEqual(page.errors, []);
});

test('unknown ids and addresses say so', async () => {
  const page = await open(stack, `/stream/${encodeURIComponent('1796000000000Nothing here')}`);
  await shown(page.getByRole('heading', { name: 'No stream with this id' }));
  await page.goto(`${stack.app.url}/channel/not-an-address`);
  await shown(page.getByRole('heading', { name: 'Not an account' }));
  await page.goto(
    `${stack.app.url}/channel/${encodeURIComponent('kGgBfwM4KpmRKYfkXUt8CQvjuNfJKVkcvJkYuMBaw9pCDoCjH')}`,
  );
  await shown(page.getByRole('heading', { level: 1, name: 'Ferdie Demo' }));
  await page.goto(`${stack.app.url}/nowhere`);
  await shown(page.getByRole('heading', { name: 'No such page' }));
});

test('the pages fit a 390 px phone without sideways scrolling, and use a wide screen', async () => {
  const streamPath = `/stream/${encodeURIComponent(stack.devnode.demo.streamId)}`;
  const phone = await open(stack, streamPath, { viewport: { width: 390, height: 844 } });
  await shown(phone.getByRole('heading', { level: 1, name: 'Writing Gear programs, live' }));
  for (const path of [streamPath, '/', `/channel/${stack.devnode.demo.broadcaster.address}`]) {
    await phone.goto(stack.app.url + path);
    await shown(phone.getByRole('heading', { level: 1 }));
    const { scroll, header } = await phone.evaluate(() => ({
      scroll: document.documentElement.scrollWidth,
      header: document.querySelector('header.top').getBoundingClientRect().height,
    }));
    assert.ok(scroll <= 390, `${path} is ${scroll} px wide`);
    assert.ok(header <= 110, `the header takes ${header} px of ${path}`);
  }
  await phone.context().close();

  const wide = await open(stack, '/', { viewport: { width: 1600, height: 1000 } });
  const upcoming = wide.getByRole('region', { name: /^Upcoming/ });
  await shown(upcoming.getByRole('link', { name: 'Speedrunning Gear IDEA' }));
  const tops = await upcoming
    .locator('.card')
    .evaluateAll((cards) => cards.map((card) => Math.round(card.getBoundingClientRect().top)));
  assert.ok(tops.length >= 4, `${tops.length} upcoming cards`);
  assert.ok(
    tops.filter((top) => top === tops[0]).length >= 3,
    `the first row holds several days' cards: ${tops}`,
  );
  const used = await wide.evaluate(
    () => document.querySelector('main').getBoundingClientRect().width,
  );
  assert.ok(used >= 1300, `the schedule uses ${used} px of 1600`);
  await wide.context().close();
});
