// A page's heading: it names the browser tab, and after a change of page it takes the
// focus, so that a screen reader says the new page and the keyboard starts from it (a
// page changed without a reload would leave the focus on the link that was followed).
import { useEffect, useRef } from 'react';
import { takeArrival } from '../app/router';

export function PageHeading({ children }: { children: string }) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = `${children} · w3bstreaming`;
  }, [children]);
  useEffect(() => {
    if (takeArrival()) heading.current?.focus();
  }, []);
  return (
    <h1 ref={heading} tabIndex={-1}>
      {children}
    </h1>
  );
}
