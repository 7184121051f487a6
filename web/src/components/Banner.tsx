// A stream's or a profile's picture. What may load is decided in app/pictures.ts: a
// picture from a host the viewer has not allowed waits behind its placeholder, a
// gradient with the title's initial, where `offer` puts a button to show it; a link
// that is no picture, one on a private address, and a picture that fails to load keep
// the placeholder.
import { useState } from 'react';
import { allowHost, pictureOf, useAllowedHosts } from '../app/pictures';

export function Banner({
  link,
  title,
  className = 'banner',
  offer = false,
}: {
  link: string | null | undefined;
  title: string;
  className?: string;
  /** Offer to show a picture whose host is not allowed yet. */
  offer?: boolean;
}) {
  const [failed, setFailed] = useState<string | null>(null);
  const allowed = useAllowedHosts();
  const picture = pictureOf(link);
  const source =
    picture.kind === 'inline' || (picture.kind === 'remote' && allowed.has(picture.host))
      ? picture.source
      : null;
  if (!source || failed === source) {
    const initial = [...title.trim()][0]?.toLocaleUpperCase() ?? '?';
    const askable = offer && picture.kind === 'remote' && !source;
    return (
      <div className={`${className} placeholder`}>
        <span aria-hidden="true">{initial}</span>
        {askable && (
          <button
            type="button"
            className="show-picture"
            onClick={() => allowHost(picture.host)}
            aria-label={`Show pictures from ${picture.host}`}
            title={`Loading it tells ${picture.host} that you visit`}
          >
            Show pictures<span className="from"> from {picture.host}</span>
          </button>
        )}
      </div>
    );
  }
  return (
    <img
      className={className}
      src={source}
      alt=""
      loading="lazy"
      referrerPolicy="no-referrer"
      onError={() => setFailed(source)}
    />
  );
}
