// Long lists and unusual titles: more than 100 upcoming streams read page by page
// with "load more" until the program says the list ended, and a stream whose title
// holds `/ ? # %` and letters of other scripts opening from its address.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { devKey, gone, open, send, sendAll, shown, startStack, until } from './support.mjs';

const HOUR = 3_600_000;
const UNUSUAL = '50% off / why? #1 & more — Ünïcødé 日本語';
let stack;
let unusualId;

before(async () => {
  stack = await startStack();
  const node = stack.devnode;
  const [alice, bob] = ['//Alice', '//Bob'].map(devKey);
  for (const [key, name] of [
    [alice, 'Alice'],
    [bob, 'Bob'],
  ]) {
    const { event } = await send(node, key, {
      EditProfile: { name, surname: null, img_link: null },
    });
    assert.deepEqual(event, { profileEdited: null });
  }
  const start = Date.now() + 2 * HOUR;
  const stream = (title, i) => ({
    NewStream: {
      title,
      description: null,
      start_time: start + i * 60_000,
      end_time: start + i * 60_000 + HOUR,
      img_link: '',
    },
  });
  const many = await sendAll(
    node,
    alice,
    Array.from({ length: 100 }, (_, i) => stream(`Alice #${i}`, i)),
  );
  assert.ok(
    many.every((r) => r.event),
    JSON.stringify(many.find((r) => r.error)),
  );
  const more = await sendAll(node, bob, [
    ...Array.from({ length: 5 }, (_, i) => stream(`Bob #${i}`, 100 + i)),
    stream(UNUSUAL, 200),
  ]);
  assert.ok(
    more.every((r) => r.event),
    JSON.stringify(more.find((r) => r.error)),
  );
  unusualId = more.at(-1).event.streamIsScheduled.id;
});

after(async () => {
  await stack?.stop();
});

test('more than 100 upcoming streams, page by page until the list ends', async () => {
  const page = await open(stack, '/');
  const upcoming = page.getByRole('region', { name: /^Upcoming/ });
  const cards = upcoming.getByRole('article');
  await shown(cards);
  assert.equal(await cards.count(), 20, 'a page at a time');
  const loadMore = upcoming.getByRole('button', { name: 'Load more upcoming streams' });
  while ((await loadMore.count()) > 0) {
    const before = await cards.count();
    await loadMore.click();
    await until(async () => (await cards.count()) > before, 'the next page');
  }
  assert.equal(await cards.count(), 106);
  const titles = await upcoming.getByRole('heading', { level: 4 }).allTextContents();
  assert.equal(new Set(titles).size, 106, 'none repeated');
  assert.equal(titles[0], 'Alice #0');
  assert.equal(titles.at(-1), UNUSUAL, 'in start-time order');
  await gone(loadMore);
});

test('a list read again after a change keeps its cards and its Load more button', async () => {
  const page = await open(stack, '/');
  const upcoming = page.getByRole('region', { name: /^Upcoming/ });
  const cards = upcoming.getByRole('article');
  const loadMore = upcoming.getByRole('button', { name: 'Load more upcoming streams' });
  await shown(loadMore);
  assert.equal(await cards.count(), 20);

  // Hold every query the page asks from now on, so the read after the change stays
  // under way while the page is looked at.
  const held = [];
  let holding = true;
  const isQuery = (request) => request.postDataJSON()?.method === 'gear_calculateReplyForHandle';
  const toNode = (url) => url.origin === new URL(stack.devnode.url).origin;
  await page.route(toNode, (route) =>
    holding && isQuery(route.request()) ? held.push(route) : route.continue(),
  );
  const { event } = await send(stack.devnode, devKey('//Charlie'), {
    EditProfile: { name: 'Charlie', surname: null, img_link: null },
  });
  assert.deepEqual(event, { profileEdited: null });
  await until(() => held.length > 0, 'the list read again');

  assert.equal(await cards.count(), 20, 'the cards stay while they are read again');
  assert.equal(await loadMore.count(), 1, 'and so does the button');
  holding = false;
  await Promise.all(held.map((route) => route.continue()));
  await loadMore.click();
  await until(async () => (await cards.count()) === 40, 'the second page');
  assert.deepEqual(page.errors, []);
});

test('a broadcaster’s 100 streams on the channel, page by page', async () => {
  const page = await open(stack, `/channel/${devKey('//Alice').address}`);
  const streams = page.getByRole('region', { name: 'Streams' });
  const cards = streams.getByRole('article');
  await shown(cards);
  const loadMore = streams.getByRole('button', { name: 'Load more streams' });
  while ((await loadMore.count()) > 0) {
    const before = await cards.count();
    await loadMore.click();
    await until(async () => (await cards.count()) > before, 'the next page');
  }
  assert.equal(await cards.count(), 100);
});

test('a title with / ? # % and other scripts opens from its address', async () => {
  const path = `/stream/${encodeURIComponent(unusualId)}`;
  const page = await open(stack, path);
  await shown(page.getByRole('heading', { level: 1, name: UNUSUAL }));

  await page.goto(stack.app.url);
  const link = page.getByRole('link', { name: UNUSUAL });
  const cards = page.getByRole('article');
  const loadMore = page.getByRole('button', { name: 'Load more upcoming streams' });
  await shown(cards);
  while ((await link.count()) === 0 && (await loadMore.count()) > 0) {
    const before = await cards.count();
    await loadMore.click();
    await until(async () => (await cards.count()) > before, 'the next page');
  }
  await link.click();
  await shown(page.getByRole('heading', { level: 1, name: UNUSUAL }));
  assert.equal(new URL(page.url()).pathname, path, 'the link is the encoded id');
  await page.reload();
  await shown(page.getByRole('heading', { level: 1, name: UNUSUAL }));
  assert.deepEqual(page.errors, []);
});

test('names and titles cannot pass for others’, and long ones wrap at any width', async () => {
  const node = stack.devnode;
  const eve = devKey('//Eve');
  // A right-to-left override that shows `ecila` as `alice`, and a 64-byte surname
  // without a space.
  const surname = 'W'.repeat(64);
  const { event } = await send(node, eve, {
    EditProfile: { name: '\u202Eecila\u202C', surname, img_link: null },
  });
  assert.deepEqual(event, { profileEdited: null });
  // Alice's first title with a zero-width space, and a ZWJ emoji that must stay whole.
  const start = Date.now() + 30 * HOUR;
  const scheduled = await send(node, eve, {
    NewStream: {
      title: 'Alice\u200B #0 👩‍💻',
      description: null,
      start_time: start,
      end_time: start + HOUR,
      img_link: '',
    },
  });
  const id = scheduled.event.streamIsScheduled.id;
  const name = `⟨U+202E⟩ecila⟨U+202C⟩ ${surname}`;
  const title = 'Alice⟨U+200B⟩ #0 👩‍💻';

  for (const width of [1280, 390]) {
    const channel = await open(stack, `/channel/${eve.address}`, {
      viewport: { width, height: 900 },
    });
    await shown(channel.getByRole('heading', { level: 1, name }));
    await shown(channel.getByRole('article').getByRole('link', { name: title }));
    const wide = await channel.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(wide <= width, `the channel page is ${wide} px wide at ${width}`);

    const page = await open(stack, `/stream/${encodeURIComponent(id)}`, {
      viewport: { width, height: 900 },
    });
    await shown(page.getByRole('heading', { level: 1, name: title }));
    await shown(page.getByRole('main').getByRole('link', { name }));
    const streamWide = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(streamWide <= width, `the stream page is ${streamWide} px wide at ${width}`);
    assert.deepEqual([...channel.errors, ...page.errors], []);
    await channel.context().close();
    await page.context().close();
  }
});
