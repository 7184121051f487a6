import { AccountProvider } from './app/accounts';
import { ChainProvider, useChainState } from './app/chain';
import { LiveProvider } from './app/live';
import { Link, paths, useRoute } from './app/router';
import { AccountPicker } from './components/AccountPicker';
import { AccountPage } from './pages/AccountPage';
import { ChannelPage } from './pages/ChannelPage';
import { SchedulePage } from './pages/SchedulePage';
import { SettingsPage } from './pages/SettingsPage';
import { StreamPage } from './pages/StreamPage';
import { PageHeading } from './components/PageHeading';

export function App() {
  return (
    <ChainProvider>
      <Shell />
    </ChainProvider>
  );
}

function Shell() {
  const { connection, reconnect } = useChainState();
  const route = useRoute();
  if (connection.status !== 'ready') {
    return (
      <Frame network={null}>
        {route.page === 'settings' && connection.status === 'failed' ? (
          <SettingsPage />
        ) : connection.status === 'connecting' ? (
          <p role="status" className="page">
            Connecting to the chain…
          </p>
        ) : (
          <div className="page" role="alert">
            <h1>Cannot reach the chain</h1>
            <p>{connection.error}</p>
            <div className="actions">
              <button type="button" className="button primary" onClick={reconnect}>
                Try again
              </button>
              <Link to={paths.settings()} className="button secondary">
                Settings
              </Link>
            </div>
          </div>
        )}
      </Frame>
    );
  }
  return (
    <AccountProvider>
      <LiveProvider>
        <Frame network={connection.chain.network}>
          <Page />
        </Frame>
      </LiveProvider>
    </AccountProvider>
  );
}

function Frame({
  network,
  children,
}: {
  network: 'local' | 'vara' | null;
  children: React.ReactNode;
}) {
  return (
    <>
      <a className="skip" href="#main">
        Skip to the content
      </a>
      <header className="top">
        <Link to={paths.schedule()} className="logo">
          <span aria-hidden="true" className="logo-mark">
            ▶
          </span>{' '}
          w3bstreaming
        </Link>
        <nav aria-label="Main">
          <Link to={paths.schedule()}>Schedule</Link>
          <Link to={paths.account()}>Account</Link>
          <Link to={paths.settings()}>Settings</Link>
        </nav>
        {network && (
          <span className={`network ${network}`}>
            {network === 'local' ? 'Local chain' : 'Vara'}
          </span>
        )}
        {network && <AccountPicker compact />}
      </header>
      <main id="main">{children}</main>
      <footer className="bottom">
        <p>
          Live streams scheduled on Vara, watched by followers only. The schedule is public; acting
          needs an account.
        </p>
      </footer>
    </>
  );
}

function Page() {
  const route = useRoute();
  switch (route.page) {
    case 'schedule':
      return <SchedulePage />;
    case 'stream':
      return <StreamPage key={route.id} id={route.id} />;
    case 'channel':
      return <ChannelPage key={route.account} account={route.account} />;
    case 'account':
      return <AccountPage />;
    case 'settings':
      return <SettingsPage />;
    case 'missing':
      return (
        <div className="page">
          <PageHeading>No such page</PageHeading>
          <p>
            <Link to={paths.schedule()}>See the schedule</Link>
          </p>
        </div>
      );
  }
}
