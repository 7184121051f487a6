// The wallet extension path on the local chain: a page with an injected polkadot-js
// extension (`window.injectedWeb3`, as the extension injects it, with its signing done
// in Node by @polkadot/keyring) connects, offers its account, and signs the program's
// messages with `signRaw`; the choice survives a reload.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { hexToU8a, u8aToHex, u8aWrapBytes } from '@polkadot/util';
import { devKey, read, shown, startStack } from './support.mjs';

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
  await context.exposeBinding('signInWallet', (_source, { address, data, type }) => {
    requests.push({ address, type, text: Buffer.from(hexToU8a(data)).toString('utf8') });
    if (address !== wallet.address) throw new Error(`no key for ${address}`);
    return u8aToHex(wallet.pair.sign(u8aWrapBytes(hexToU8a(data))));
  });
  await context.addInitScript(
    (account) => {
      const accounts = [account];
      window.injectedWeb3 = {
        'polkadot-js': {
          version: '0.63.1',
          enable: async () => ({
            accounts: {
              get: async () => accounts,
              subscribe: (callback) => {
                callback(accounts);
                return () => undefined;
              },
            },
            signer: {
              signRaw: async (payload) => ({
                id: 1,
                signature: await window.signInWallet(payload),
              }),
            },
          }),
        },
      };
    },
    { address: wallet.address, name: 'Wallet Carol', type: 'sr25519' },
  );

  const page = await context.newPage();
  await page.goto(`${stack.app.url}/account`);
  await page.getByRole('main').getByRole('button', { name: 'Connect wallet' }).click();
  const picker = page.getByRole('main').getByLabel('Account');
  const option = picker.locator('option', { hasText: 'Wallet Carol · polkadot-js' });
  await option.waitFor({ state: 'attached', timeout: 30_000 });
  await picker.selectOption({ label: 'Wallet Carol · polkadot-js' });
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
