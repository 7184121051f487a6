// Telling the signaling servers of a channel role the broadcaster changed on chain,
// from a page that reads no chat (the account page): a signaling connection of its own
// signs in with the wallet, says which account's role changed (`channelRole`), and
// hears back the role the servers asked the program for and act on now.
import { signText } from '../chain/sign';
import type { Account } from '../chain/types';
import type { Hex } from '../program/types';
import { isSignInTo, openSignaling, reasons, type Role } from './protocol';

/** Resolves with the role the servers act on; rejects with the server's words. */
export function announceRole(url: string, account: Account, changed: Hex): Promise<Role | null> {
  return new Promise((resolve, reject) => {
    let done = false;
    const socket = openSignaling(url, () => !done);
    const finish = (outcome: { role: Role | null } | { problem: string }) => {
      if (done) return;
      done = true;
      socket.close();
      if ('role' in outcome) resolve(outcome.role);
      else reject(new Error(outcome.problem));
    };
    socket.on('challenge', (challenge) => {
      if (!isSignInTo(challenge, url)) {
        finish({ problem: 'The signaling server asked to sign a sign-in to another server' });
        return;
      }
      signText(account, challenge.text).then(
        (signedMsg) =>
          socket.emit('channelRole', account.id, {
            account: changed,
            signedMsg,
            encodedId: account.address,
          }),
        (error: unknown) =>
          finish({ problem: error instanceof Error ? error.message : String(error) }),
      );
    });
    socket.on('channelRole', ({ account: told, role }) => {
      if (told === changed) finish({ role });
    });
    socket.on('error', ({ message, reason }) => {
      if (reason !== reasons.expired) finish({ problem: message });
    });
  });
}
