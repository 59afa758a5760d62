import { type MouseEvent, type ReactNode, useEffect, useState } from 'react';

/** The client routes of the dashboard (API contract: "Client routes"). */
export type Route =
  | { page: 'rollouts' }
  | { page: 'rollout'; id: string }
  | { page: 'report'; id: string }
  | { page: 'log'; service: string | undefined }
  | { page: 'postmortems' }
  | { page: 'postmortem'; id: string }
  | { page: 'metrics' }
  | { page: 'not-found'; path: string };

export function parseRoute(pathname: string, search: string): Route {
  const parts = pathname.split('/').filter(Boolean).map(decodeURIComponent);
  const query = new URLSearchParams(search);
  const [first, second, third] = parts;
  if (parts.length === 0) return { page: 'rollouts' };
  if (first === 'rollouts' && second && parts.length === 2) return { page: 'rollout', id: second };
  if (first === 'rollouts' && second && third === 'report' && parts.length === 3)
    return { page: 'report', id: second };
  if (first === 'log' && parts.length === 1)
    return { page: 'log', service: query.get('service') ?? undefined };
  if (first === 'postmortems' && parts.length === 1) return { page: 'postmortems' };
  if (first === 'postmortems' && second && parts.length === 2)
    return { page: 'postmortem', id: second };
  if (first === 'metrics' && parts.length === 1) return { page: 'metrics' };
  return { page: 'not-found', path: pathname };
}

const NAVIGATE = 'rollgate:navigate';

export function navigate(to: string): void {
  window.history.pushState(null, '', to);
  window.dispatchEvent(new Event(NAVIGATE));
  window.scrollTo(0, 0);
}

/** The current location, updated on link clicks and the browser's back and forward. */
function read(): { pathname: string; search: string } {
  return { pathname: window.location.pathname, search: window.location.search };
}

export function useLocation(): { pathname: string; search: string } {
  const [location, setLocation] = useState(read);
  useEffect(() => {
    const update = () => setLocation(read());
    window.addEventListener('popstate', update);
    window.addEventListener(NAVIGATE, update);
    return () => {
      window.removeEventListener('popstate', update);
      window.removeEventListener(NAVIGATE, update);
    };
  }, []);
  return location;
}

/** An ordinary link that navigates inside the page (modified clicks open a new tab as usual). */
export function Link(props: { to: string; children: ReactNode; className?: string }) {
  const onClick = (e: MouseEvent<HTMLAnchorElement>) => {
    if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(props.to);
  };
  return (
    <a href={props.to} onClick={onClick} className={props.className}>
      {props.children}
    </a>
  );
}
