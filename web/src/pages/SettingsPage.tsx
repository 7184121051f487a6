// Which chain and program this browser uses: the site's configuration, or an
// override kept in this browser (a Vara node and the program id Gear IDEA shows,
// or a local chain's address).
import { useId, useState, type FormEvent } from 'react';
import { useChainState } from '../app/chain';
import { checked, saveOverride, type Config } from '../app/config';
import { PageHeading } from '../components/PageHeading';

export function SettingsPage() {
  const { connection, reconnect } = useChainState();
  const current = connection.status !== 'connecting' ? connection.config : undefined;
  const overridden = connection.status === 'ready' && connection.overridden;
  const id = useId();
  const [network, setNetwork] = useState<Config['network']>(current?.network ?? 'local');
  const [rpc, setRpc] = useState(
    current?.network === 'local' ? current.rpc : 'http://127.0.0.1:9955',
  );
  const [node, setNode] = useState(
    current?.network === 'vara' ? current.node : 'wss://testnet.vara.network',
  );
  const [programId, setProgramId] = useState(current?.network === 'vara' ? current.programId : '');
  const [signaling, setSignaling] = useState(current?.signaling ?? '');
  const [problem, setProblem] = useState<string | null>(null);

  const save = (event: FormEvent) => {
    event.preventDefault();
    try {
      const extra = signaling.trim() ? { signaling: signaling.trim() } : {};
      const config =
        network === 'local'
          ? checked({ network, rpc: rpc.trim(), ...extra })
          : checked({ network, node: node.trim(), programId: programId.trim(), ...extra });
      saveOverride(config);
      setProblem(null);
      reconnect();
    } catch (error) {
      setProblem(error instanceof Error ? error.message : String(error));
    }
  };

  return (
    <div className="page settings">
      <PageHeading>Settings</PageHeading>
      <p className="hint">
        {overridden
          ? 'This browser uses its own settings below.'
          : 'This browser uses the site’s settings. Saving here overrides them for this browser only.'}
      </p>
      <form className="form" onSubmit={save} noValidate>
        <fieldset className="field">
          <legend>Network</legend>
          <label>
            <input
              type="radio"
              name="network"
              checked={network === 'local'}
              onChange={() => setNetwork('local')}
            />{' '}
            Local chain (w3bstreaming-devnode)
          </label>
          <label>
            <input
              type="radio"
              name="network"
              checked={network === 'vara'}
              onChange={() => setNetwork('vara')}
            />{' '}
            Vara
          </label>
        </fieldset>
        {network === 'local' ? (
          <div className="field">
            <label htmlFor={`${id}-rpc`}>Local chain JSON-RPC address</label>
            <input
              id={`${id}-rpc`}
              type="url"
              value={rpc}
              onChange={(e) => setRpc(e.target.value)}
            />
          </div>
        ) : (
          <>
            <div className="field">
              <label htmlFor={`${id}-node`}>Vara node WebSocket address</label>
              <input
                id={`${id}-node`}
                type="url"
                value={node}
                onChange={(e) => setNode(e.target.value)}
              />
            </div>
            <div className="field">
              <label htmlFor={`${id}-program`}>Program id (from Gear IDEA)</label>
              <input
                id={`${id}-program`}
                value={programId}
                onChange={(e) => setProgramId(e.target.value)}
                placeholder="0x…"
                spellCheck={false}
              />
            </div>
          </>
        )}
        <div className="field">
          <label htmlFor={`${id}-signaling`}>Signaling server address (for live video)</label>
          <input
            id={`${id}-signaling`}
            type="url"
            value={signaling}
            onChange={(e) => setSignaling(e.target.value)}
          />
        </div>
        {problem && (
          <p className="outcome error" role="alert">
            {problem}
          </p>
        )}
        <div className="form-actions">
          <button type="submit" className="button primary">
            Save and connect
          </button>
          {overridden && (
            <button
              type="button"
              className="button secondary"
              onClick={() => {
                saveOverride(null);
                reconnect();
              }}
            >
              Use the site’s settings
            </button>
          )}
        </div>
      </form>
    </div>
  );
}
