// The wallet extension path on the local chain: a page with an injected polkadot-js
// extension (`window.injectedWeb3`, as the extension injects it, with its signing done
// in Node by @polkadot/keyring) connects, offers its account, and signs the program's
// messages with `signRaw`; the choice survives a reload.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { actAsWallet, devKey, injectWallet, read, shown, startStack } from './support.mjs';

let stack;

before(async () => {
  stack = await startStack(['--demo']);
});

after(async () => {
  await stack?.stop();
});

test('a wallet extension’s account registers and signs every message', async () => {
  const wallet = devKey('//wallet-carol');
  const requests = [];
  const context = await stack.browser.newContext({ timezoneId: 'Europe/Berlin', locale: 'en-GB' });
  await injectWallet(context, wallet, 'Wallet Carol', (request) => requests.push(request));

  const page = await context.newPage();
  await page.goto(`${stack.app.url}/account`);
  await actAsWallet(page, 'Wallet Carol');
  await page.getByLabel('Name', { exact: true }).fill('Carol from the wallet');
  await page.getByRole('button', { name: 'Register' }).click();
  await shown(page.getByRole('status').filter({ hasText: 'Registered.' }));

  const { profile } = await read(stack.devnode, { Profile: { account: wallet.id } });
  assert.equal(profile.name, 'Carol from the wallet');
  assert.equal(requests.length, 1);
  assert.equal(requests[0].type, 'bytes');
  assert.match(
    requests[0].text,
    /^w3bstreaming devnode message\n/,
    'the wallet shows what it signs',
  );
  assert.match(requests[0].text, new RegExp(`\nsender: ${wallet.id}\n`));

  await page.reload();
  await shown(page.getByRole('heading', { name: 'Wallet Carol' }));
  await page.goto(`${stack.app.url}/stream/${encodeURIComponent(stack.devnode.demo.streamId)}`);
  await page.getByRole('button', { name: 'Follow', exact: true }).click();
  await shown(page.getByRole('status').filter({ hasText: 'Following.' }));
  assert.equal(requests.length, 2, 'the follow was signed by the wallet too');
  await context.close();
});
