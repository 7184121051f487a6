// Ending the account's live stream from a page that does not broadcast it: an
// encoder's, or one left live in another tab. A signaling connection of its own signs
// in with the wallet and asks the server to end it (`endStream`), and listens to the
// stream to hear that it ended.
import { signText } from '../chain/sign';
import type { Account } from '../chain/types';
import { isSignInTo, openSignaling, reasons } from './protocol';

/** Resolves once the stream is not live; rejects with the server's words. */
export function endStream(url: string, account: Account, streamId: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let done = false;
    const socket = openSignaling(url, () => !done);
    const finish = (problem?: string) => {
      if (done) return;
      done = true;
      socket.close();
      if (problem === undefined) resolve();
      else reject(new Error(problem));
    };
    socket.on('caps', () => socket.emit('listen', account.id, { streamIds: [streamId] }));
    socket.on('challenge', (challenge) => {
      if (!isSignInTo(challenge, url)) {
        finish('The signaling server asked to sign a sign-in to another server');
        return;
      }
      signText(account, challenge.text).then(
        (signedMsg) =>
          socket.emit('endStream', account.id, {
            streamId,
            signedMsg,
            encodedId: account.address,
          }),
        (error: unknown) => finish(error instanceof Error ? error.message : String(error)),
      );
    });
    socket.on('streamStatus', ({ streamId: id, live }) => {
      if (id === streamId && !live) finish();
    });
    socket.on('error', ({ message, reason }) => {
      if (reason !== reasons.expired) finish(message);
    });
  });
}
