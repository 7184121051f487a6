// The end of a paged list: why it could not be read, that it is loading, or the
// button that loads its next page.
import type { Pages } from '../app/hooks';

export function ListFooter({ list, more }: { list: Pages<unknown>; more: string }) {
  return (
    <>
      {list.error && (
        <p className="outcome error" role="alert">
          Could not read the list: {list.error}
        </p>
      )}
      {list.loading && (
        <p className="muted" role="status">
          Loading…
        </p>
      )}
      {list.more && !list.loading && (
        <button type="button" className="button secondary" onClick={list.loadMore}>
          {more}
        </button>
      )}
    </>
  );
}
