// The app checks a stream, a profile and a tip before sending them, with the program's figures
// and words (web/src/program/rules.ts). This holds the check to the program itself:
// each case goes through both, the app's function (loaded from its source by Vite)
// and the program on the local chain, and both must give the same answer.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { createServer } from 'vite';
import { devKey, send, sendAll, startDevnode } from './support.mjs';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
let node;
let vite;
let rules;
const key = devKey('//rules');

before(async () => {
  node = await startDevnode();
  vite = await createServer({
    root: fileURLToPath(new URL('..', import.meta.url)),
    server: { middlewareMode: true, hmr: false },
    appType: 'custom',
    logLevel: 'error',
  });
  rules = await vite.ssrLoadModule('/src/program/rules.ts');
  const { event } = await send(node, key, {
    EditProfile: { name: 'Rules', surname: null, img_link: null },
  });
  assert.deepEqual(event, { profileEdited: null });
});

after(async () => {
  await vite?.close();
  await node?.stop();
});

/// The program's verdicts on `actions`, each carrying the value at its index in
/// `values`, sent in one block: null for accepted, else its error text.
async function programVerdicts(actions, values = []) {
  const replies = await sendAll(node, key, actions, values);
  return replies.map((answer) =>
    answer.error ? answer.error.replace(/^panicked with '(.*)'$/s, '$1') : null,
  );
}

test('the app’s stream check answers as the program does', async () => {
  // The block these run in has a time within a few seconds of now: no case is that close.
  const now = Date.now();
  const later = now + 2 * HOUR;
  const ok = {
    title: 'Fine',
    description: null,
    startTime: later,
    endTime: later + HOUR,
    imgLink: '',
  };
  const cases = [
    ok,
    { ...ok, title: '' },
    { ...ok, title: ' \t\n\u3000\u00a0' },
    { ...ok, title: '\ufeff' },
    { ...ok, title: 'x'.repeat(100) },
    { ...ok, title: 'x'.repeat(101) },
    { ...ok, title: '日'.repeat(34) },
    { ...ok, title: '🎥'.repeat(25) },
    { ...ok, imgLink: 'h'.repeat(256) },
    { ...ok, imgLink: 'é'.repeat(129) },
    { ...ok, description: 'd'.repeat(1000) },
    { ...ok, description: 'd'.repeat(1001) },
    { ...ok, endTime: later },
    { ...ok, endTime: later - HOUR },
    { ...ok, startTime: now - 3 * HOUR, endTime: now - HOUR },
    { ...ok, startTime: now - HOUR, endTime: now + HOUR },
    { ...ok, endTime: later + 7 * DAY },
    { ...ok, endTime: later + 7 * DAY + 1 },
    { ...ok, startTime: now + 364 * DAY, endTime: now + 364 * DAY + HOUR },
    { ...ok, startTime: now + 366 * DAY, endTime: now + 366 * DAY + HOUR },
    { ...ok, title: 'x'.repeat(101), endTime: later - HOUR },
    { ...ok, title: '', imgLink: 'h'.repeat(300) },
  ];
  const program = await programVerdicts(
    cases.map((stream) => ({
      NewStream: {
        title: stream.title,
        description: stream.description,
        start_time: stream.startTime,
        end_time: stream.endTime,
        img_link: stream.imgLink,
      },
    })),
  );
  const app = cases.map((stream) => rules.streamProblem(stream, now));
  assert.deepEqual(app, program);
  assert.ok(
    program.filter((verdict) => verdict === null).length >= 6,
    'accepted cases are there too',
  );
  assert.equal(new Set(program).size, 9, 'every stream check is exercised, and acceptance');
});

test('the app’s profile check answers as the program does', async () => {
  const cases = [
    { name: 'n'.repeat(64), surname: null, imgLink: null },
    { name: 'n'.repeat(65), surname: null, imgLink: null },
    { name: 'ñ'.repeat(33), surname: null, imgLink: null },
    { name: null, surname: 's'.repeat(65), imgLink: null },
    { name: null, surname: null, imgLink: 'i'.repeat(257) },
    { name: 'n'.repeat(65), surname: 's'.repeat(65), imgLink: 'i'.repeat(257) },
    { name: null, surname: null, imgLink: null },
  ];
  const program = await programVerdicts(
    cases.map((profile) => ({
      EditProfile: { name: profile.name, surname: profile.surname, img_link: profile.imgLink },
    })),
  );
  assert.deepEqual(
    cases.map((profile) => rules.profileProblem(profile)),
    program,
  );
});

test('the app’s tip check answers as the program does', async () => {
  const broadcaster = devKey('//rules-broadcaster');
  await send(node, broadcaster, { EditProfile: { name: 'On air', surname: null, img_link: null } });
  const start = Date.now() + HOUR;
  const { event } = await send(node, broadcaster, {
    NewStream: {
      title: 'Tipped',
      description: null,
      start_time: start,
      end_time: start + HOUR,
      img_link: '',
    },
  });
  const streamId = event.streamIsScheduled.id;
  const VARA = 10n ** 12n;
  const cases = [
    [VARA, ''],
    [VARA - 1n, 'just under'],
    [0n, ''],
    [(5n * VARA) / 2n, 'm'.repeat(200)],
    [VARA, 'm'.repeat(201)],
    [VARA, 'é'.repeat(100)],
    [0n, 'é'.repeat(101)],
    [1n, '🎉'.repeat(51)],
  ];
  const program = await programVerdicts(
    cases.map(([, message]) => ({ Tip: { stream_id: streamId, message } })),
    cases.map(([amount]) => amount),
  );
  assert.deepEqual(
    cases.map(([amount, message]) => rules.tipProblem(amount, message)),
    program,
  );
  assert.equal(new Set(program).size, 4, 'every tip check is exercised, and acceptance');
});

test('an error reply gives the program’s text', () => {
  assert.equal(rules.rejectionText("panicked with 'title is empty'"), 'title is empty');
  assert.equal(rules.rejectionText("panicked with 'it's two\nlines'"), "it's two\nlines");
  assert.equal(rules.rejectionText('Ran out of gas'), 'Ran out of gas');
});
