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
