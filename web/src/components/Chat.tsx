// The chat beside a stream: anyone reads it while the stream is live, signed in or not;
// the account that acts posts under its profile name, its address beside every name so
// that no name passes for another account. Messages are text: nothing in them is a
// link, markup or a preview. The broadcaster and the moderators the program names
// delete messages, time accounts out and set followers-only and slow mode, from the
// keyboard as well; the broadcaster also bans accounts and names moderators
// (`ChatModeration.tsx`). A banned account reads but cannot post. A tip the chain
// confirmed is a highlighted message; signed-in viewers tip from here (`TipForm.tsx`).
import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import type { Account } from '../chain/types';
import { addressOf, shortAddress } from '../app/profiles';
import { useNow } from '../app/hooks';
import { Link, paths } from '../app/router';
import { ChatRoom, type ChatAct } from '../live/chat';
import type { ChatMessage, ChatSettings, Role } from '../live/protocol';
import type { Hex } from '../program/types';
import { formatVara } from '../program/value';
import { MessageActions, RoleOutcome, useChannelRole, useRoleChange } from './ChatModeration';
import { TipForm } from './TipForm';

const bytesOf = (text: string): number => new TextEncoder().encode(text.trim()).length;

/** The slow modes offered, in seconds (0: off). */
const SLOW_MODES = [0, 5, 30, 120];

const OPEN: ChatSettings = { followersOnly: false, slowSecs: 0, keep: false };

const slowLabel = (secs: number): string =>
  secs === 0 ? 'Off' : secs < 60 ? `${secs} s` : `${secs / 60} min`;

const clock = (ms: number): string =>
  new Date(ms).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });

/** Who wrote `message`, as the chat shows it: the name, else the short address. */
const authorOf = (message: Pick<ChatMessage, 'author' | 'name'>): string =>
  message.name ?? shortAddress(message.author);

export function Chat({
  account,
  streamId,
  url,
  live,
  broadcaster,
}: {
  account: Account | null;
  streamId: string;
  url: string;
  live: boolean;
  /** The stream's broadcaster: the channel whose roles hold here. */
  broadcaster: Hex;
}) {
  const id = useId();
  const [messages, setMessages] = useState<ChatMessage[]>([]);
  const [maxBytes, setMaxBytes] = useState<number | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [settings, setSettings] = useState<ChatSettings>(OPEN);
  // The broadcaster's change, shown at once until the server tells the chat's rules
  // (or refuses it).
  const [asked, setAsked] = useState<ChatSettings | null>(null);
  const rules = asked ?? settings;
  const [timedOut, setTimedOut] = useState<{ account: Hex; untilMs: number } | null>(null);
  const now = useNow(timedOut ? 1_000 : 60_000);
  const [text, setText] = useState('');
  // What the servers told of the acting account's role since the chat opened.
  const [told, setTold] = useState<{ role: Role | null } | null>(null);
  const role = useChannelRole(account, broadcaster, told);
  const owner = account !== null && account.id === broadcaster;
  const moderator = owner || role === 'moderator';
  const banned = !owner && role === 'banned';
  const room = useRef<ChatRoom | null>(null);
  const list = useRef<HTMLOListElement>(null);
  // A connection signs in as one account: another account reads and posts on its own.
  const accountId = account?.id;
  useEffect(() => {
    const opened = new ChatRoom(url, streamId, {
      onMessages: setMessages,
      onSettings: (told) => {
        setSettings(told);
        setAsked(null);
      },
      onTimedOut: (timed, untilMs) => setTimedOut({ account: timed, untilMs }),
      onRole: (changed, now) => {
        if (changed === accountId) setTold({ role: now });
      },
      onMaxBytes: setMaxBytes,
      onProblem: (text) => {
        setProblem(text);
        if (text !== null) setAsked(null);
      },
    });
    room.current = opened;
    return () => {
      opened.close();
      room.current = null;
      setMessages([]);
      setProblem(null);
      setSettings(OPEN);
      setAsked(null);
      setTimedOut(null);
      setTold(null);
    };
  }, [url, streamId, accountId]);

  // New messages keep the list at its end, unless the reader scrolled up to read.
  const atEnd = useRef(true);
  useEffect(() => {
    const element = list.current;
    if (element && atEnd.current) element.scrollTop = element.scrollHeight;
  }, [messages]);

  const bytes = bytesOf(text);
  const tooLong = maxBytes !== null && bytes > maxBytes;
  const act = (what: ChatAct) => {
    if (account) void room.current?.act(account, what);
  };
  const roles = useRoleChange(account, act);
  const send = (event: FormEvent) => {
    event.preventDefault();
    if (!account || bytes === 0 || tooLong) return;
    act({ kind: 'post', text });
    setText('');
  };
  const setRules = (next: ChatSettings) => {
    setAsked(next);
    act({ kind: 'settings', settings: next });
  };
  const rulesLine = [
    settings.followersOnly && 'Followers only',
    settings.slowSecs > 0 && `Slow mode: one message every ${slowLabel(settings.slowSecs)}`,
  ].filter(Boolean);
  const timedOutName = timedOut
    ? authorOf({
        author: timedOut.account,
        name: messages.find((message) => message.author === timedOut.account)?.name ?? null,
      })
    : null;

  return (
    <section className="chat" aria-labelledby={`${id}-heading`}>
      <h2 id={`${id}-heading`}>Chat</h2>
      <ol
        ref={list}
        className="chat-messages"
        role="log"
        aria-label="Chat messages"
        onScroll={(event) => {
          const element = event.currentTarget;
          atEnd.current = element.scrollHeight - element.scrollTop - element.clientHeight < 24;
        }}
      >
        {messages.map((message) => (
          <li key={message.id} className={message.tip ? 'chat-tip' : undefined}>
            <span className="chat-author">
              {message.name && <strong>{message.name}</strong>}{' '}
              <span className="chat-address" title={addressOf(message.author)}>
                {shortAddress(message.author)}
              </span>
            </span>{' '}
            {message.tip && (
              <span className="chat-tip-amount">tipped {formatVara(message.tip.amount)} </span>
            )}
            <span className="chat-text">{message.text}</span>
            {account && moderator && ![account.id, broadcaster].includes(message.author) && (
              <MessageActions
                author={message.author}
                authorName={authorOf(message)}
                messageId={message.id}
                act={act}
                roles={owner ? roles : null}
              />
            )}
          </li>
        ))}
      </ol>
      {owner && <RoleOutcome roles={roles} />}
      {timedOut && timedOut.untilMs > now && (
        <p className="muted small" role="status">
          {timedOut.account === account?.id ? 'You' : timedOutName} cannot post until{' '}
          {clock(timedOut.untilMs)}.
        </p>
      )}
      {rulesLine.length > 0 && <p className="muted small">{rulesLine.join(' · ')}</p>}
      {moderator && live && (
        <fieldset className="chat-settings">
          <legend className="small">Chat rules</legend>
          <label className="small">
            <input
              type="checkbox"
              checked={rules.followersOnly}
              onChange={(event) => setRules({ ...rules, followersOnly: event.target.checked })}
            />{' '}
            Followers only
          </label>
          <label className="small">
            Slow mode{' '}
            <select
              value={rules.slowSecs}
              onChange={(event) => setRules({ ...rules, slowSecs: Number(event.target.value) })}
            >
              {SLOW_MODES.map((secs) => (
                <option key={secs} value={secs}>
                  {slowLabel(secs)}
                </option>
              ))}
            </select>
          </label>
          {owner && (
            <label className="small">
              <input
                type="checkbox"
                checked={rules.keep}
                onChange={(event) => setRules({ ...rules, keep: event.target.checked })}
              />{' '}
              Keep the chat for a day after the stream
            </label>
          )}
        </fieldset>
      )}
      {!live && settings.keep && messages.length > 0 && (
        <p className="muted small">
          The stream has ended. Its broadcaster kept this chat: it is shown for a day after its last
          message.
        </p>
      )}
      {messages.length === 0 && (
        <p className="muted small">
          {live ? 'No messages yet.' : 'The chat opens when the stream is live.'}
        </p>
      )}
      {banned ? (
        <p className="muted small" role="status">
          The broadcaster banned you from this channel: you can read the chat, not post.
        </p>
      ) : account ? (
        <form className="chat-form" onSubmit={send}>
          <label htmlFor={`${id}-text`} className="visually-hidden">
            Message
          </label>
          <input
            id={`${id}-text`}
            value={text}
            onChange={(event) => setText(event.target.value)}
            placeholder={live ? `Say something as ${account.name}` : 'Wait for the stream'}
            disabled={!live}
            aria-invalid={tooLong}
            aria-describedby={tooLong ? `${id}-size` : undefined}
            autoComplete="off"
          />
          <button type="submit" className="button" disabled={!live || bytes === 0 || tooLong}>
            Send
          </button>
          {tooLong && (
            <p id={`${id}-size`} className="outcome error small">
              {bytes} of at most {maxBytes} bytes
            </p>
          )}
        </form>
      ) : (
        <p className="hint small">
          <Link to={paths.account()}>Pick an account</Link> to chat.
        </p>
      )}
      {problem && (
        <p className="outcome error small" role="alert">
          {problem}
        </p>
      )}
      {account && !owner && !banned && live && (
        <TipForm
          account={account}
          streamId={streamId}
          onTipped={(number) => room.current?.announceTip(number)}
        />
      )}
    </section>
  );
}
