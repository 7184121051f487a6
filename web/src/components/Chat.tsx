// The chat beside a stream: anyone reads it while the stream is live, signed in or not;
// the account that acts posts under its profile name, its address beside every name so
// that no name passes for another account. Messages are text: nothing in them is a
// link, markup or a preview.
import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import type { Account } from '../chain/types';
import { addressOf, shortAddress } from '../app/profiles';
import { Link, paths } from '../app/router';
import { ChatRoom } from '../live/chat';
import type { ChatMessage } from '../live/protocol';

const bytesOf = (text: string): number => new TextEncoder().encode(text.trim()).length;

export function Chat({
  account,
  streamId,
  url,
  live,
}: {
  account: Account | null;
  streamId: string;
  url: string;
  live: boolean;
}) {
  const id = useId();
  const [messages, setMessages] = useState<ChatMessage[]>([]);
  const [maxBytes, setMaxBytes] = useState<number | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [text, setText] = useState('');
  const room = useRef<ChatRoom | null>(null);
  const list = useRef<HTMLOListElement>(null);
  // A connection signs in as one account: another account reads and posts on its own.
  const accountId = account?.id;
  useEffect(() => {
    const opened = new ChatRoom(url, streamId, {
      onMessages: setMessages,
      onMaxBytes: setMaxBytes,
      onProblem: setProblem,
    });
    room.current = opened;
    return () => {
      opened.close();
      room.current = null;
      setMessages([]);
      setProblem(null);
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
  const send = (event: FormEvent) => {
    event.preventDefault();
    if (!account || bytes === 0 || tooLong) return;
    void room.current?.post(account, text);
    setText('');
  };

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
          <li key={message.id}>
            <span className="chat-author">
              {message.name && <strong>{message.name}</strong>}{' '}
              <span className="chat-address" title={addressOf(message.author)}>
                {shortAddress(message.author)}
              </span>
            </span>{' '}
            <span className="chat-text">{message.text}</span>
          </li>
        ))}
      </ol>
      {messages.length === 0 && (
        <p className="muted small">
          {live ? 'No messages yet.' : 'The chat opens when the stream is live.'}
        </p>
      )}
      {account ? (
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
    </section>
  );
}
