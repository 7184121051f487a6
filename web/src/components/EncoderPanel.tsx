// On the broadcaster's own stream page: streaming from OBS or another encoder over
// WHIP instead of this page's camera. The dialog signs in with the wallet, gives the
// WHIP address and the account's stream keys: a new one is shown once, and any can be
// revoked.
import { useEffect, useId, useRef, useState } from 'react';
import type { Account } from '../chain/types';
import { formatDateTime } from '../app/format';
import { StreamKeys, whipUrl } from '../live/keys';
import type { StreamKeyInfo } from '../live/protocol';

export function EncoderPanel({
  account,
  streamId,
  url,
}: {
  account: Account;
  streamId: string;
  url: string;
}) {
  const id = useId();
  const [open, setOpen] = useState(false);
  return (
    <section className="section encoder" aria-labelledby={`${id}-heading`}>
      <h2 id={`${id}-heading`}>Stream from OBS</h2>
      <p className="hint">
        Instead of this page’s camera, send the stream from OBS Studio or another encoder that
        speaks WHIP. Your followers watch it here, as any stream.
      </p>
      <div className="actions">
        <button type="button" className="button secondary" onClick={() => setOpen(true)}>
          Stream keys…
        </button>
      </div>
      {open && (
        <StreamKeyDialog
          account={account}
          streamId={streamId}
          url={url}
          onClose={() => setOpen(false)}
        />
      )}
    </section>
  );
}

function StreamKeyDialog({
  account,
  streamId,
  url,
  onClose,
}: {
  account: Account;
  streamId: string;
  url: string;
  onClose: () => void;
}) {
  const id = useId();
  const dialog = useRef<HTMLDialogElement>(null);
  const keys = useRef<StreamKeys | null>(null);
  const [listed, setListed] = useState<StreamKeyInfo[] | null>(null);
  const [made, setMade] = useState<{ id: string; key: string } | null>(null);
  const [mediaServer, setMediaServer] = useState(true);
  const [problem, setProblem] = useState<string | null>(null);

  useEffect(() => {
    dialog.current?.showModal();
    const opened = new StreamKeys(url, account, {
      onKeys: (now) => {
        setListed(now);
        setProblem(null);
      },
      onMade: ({ id: made, key }) => setMade({ id: made, key }),
      onMediaServer: setMediaServer,
      onProblem: setProblem,
    });
    keys.current = opened;
    return () => opened.close();
  }, [url, account]);

  const whip = whipUrl(url, streamId);
  return (
    <dialog
      ref={dialog}
      className="dialog wide"
      aria-labelledby={`${id}-title`}
      onCancel={(event) => {
        event.preventDefault();
        onClose();
      }}
    >
      <h2 id={`${id}-title`}>Stream from OBS or another encoder</h2>
      {mediaServer ? (
        <ol className="steps">
          <li>
            In OBS, open Settings › Stream and pick the service <strong>WHIP</strong>.
          </li>
          <li>
            <CopyField label="Server" value={whip} />
          </li>
          <li>
            As <strong>Bearer Token</strong>, paste a stream key made here. In Settings › Output,
            turn B-frames off (x264 profile <em>baseline</em>) and set a key frame every second.
          </li>
        </ol>
      ) : (
        <p className="outcome error">
          This signaling server has no media server, so encoders cannot publish to it: go live from
          this page instead.
        </p>
      )}
      {made && (
        <div className="new-key">
          <CopyField label="Your new stream key" value={made.key} />
          <p className="hint">
            Copy it now: it is shown this once. Anyone who holds it can broadcast your streams until
            you revoke it.
          </p>
        </div>
      )}
      {listed === null ? (
        <p role="status">Signing in with your wallet…</p>
      ) : (
        <>
          <h3>Your stream keys</h3>
          {listed.length === 0 ? (
            <p className="hint">None yet.</p>
          ) : (
            <ul className="keys" aria-label="Your stream keys">
              {listed.map((key) => (
                <li key={key.id}>
                  <span>
                    Key <code>{key.id}</code>, made {formatDateTime(key.createdAt)}
                  </span>
                  <button
                    type="button"
                    className="button secondary"
                    aria-label={`Revoke key ${key.id}`}
                    onClick={() => {
                      if (made?.id === key.id) setMade(null);
                      keys.current?.revoke(key.id);
                    }}
                  >
                    Revoke
                  </button>
                </li>
              ))}
            </ul>
          )}
        </>
      )}
      {problem && (
        <p className="outcome error" role="alert">
          {problem}
        </p>
      )}
      <div className="dialog-actions">
        <button type="button" className="button secondary" onClick={onClose}>
          Close
        </button>
        <button
          type="button"
          className="button primary"
          disabled={listed === null || !mediaServer}
          onClick={() => keys.current?.create()}
        >
          Create a stream key
        </button>
      </div>
    </dialog>
  );
}

/** A value to paste elsewhere, read-only, with a button that copies it. */
function CopyField({ label, value }: { label: string; value: string }) {
  const id = useId();
  const [copied, setCopied] = useState(false);
  return (
    <div className="field copy">
      <label htmlFor={id}>{label}</label>
      <div className="field-row">
        <input id={id} readOnly value={value} onFocus={(event) => event.target.select()} />
        <button
          type="button"
          className="button secondary"
          aria-label={`Copy ${label.toLowerCase()}`}
          onClick={() =>
            void navigator.clipboard.writeText(value).then(
              () => setCopied(true),
              () => setCopied(false),
            )
          }
        >
          {copied ? 'Copied' : 'Copy'}
        </button>
      </div>
    </div>
  );
}
