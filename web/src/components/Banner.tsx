// A stream's or a profile's picture. Only links a browser can show as an image are
// shown (https, http, data:image, ipfs through a public gateway); anything else, and
// a picture that fails to load, gives way to a gradient with the title's initial.
import { useState } from 'react';

const IPFS_GATEWAY = 'https://ipfs.io/ipfs/';

export function imageSource(link: string | null | undefined): string | null {
  if (!link) return null;
  if (link.startsWith('ipfs://')) return IPFS_GATEWAY + link.slice('ipfs://'.length);
  if (/^https?:\/\//i.test(link) || /^data:image\//i.test(link)) return link;
  return null;
}

export function Banner({
  link,
  title,
  className = 'banner',
}: {
  link: string | null | undefined;
  title: string;
  className?: string;
}) {
  const [failed, setFailed] = useState<string | null>(null);
  const source = imageSource(link);
  if (!source || failed === source) {
    const initial = [...title.trim()][0]?.toLocaleUpperCase() ?? '?';
    return (
      <div className={`${className} placeholder`} aria-hidden="true">
        {initial}
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
