import { useEffect } from 'react';
import type { WhoAmI } from './api/api-types.js';
import { useApi } from './api/use-api.js';
import { Link, useLocation } from './navigation.js';
import { MetricsPage } from './pages/metrics-page.js';
import { PostMortemPage } from './pages/post-mortem-page.js';
import { PostMortemsPage } from './pages/post-mortems-page.js';
import { ReleaseLogPage } from './pages/release-log-page.js';
import { ReportPage } from './pages/report-page.js';
import { RolloutPage } from './pages/rollout-page.js';
import { RolloutsPage } from './pages/rollouts-page.js';
import { parseRoute, type Route } from './routes.js';
import { WhoAmIContext } from './whoami.js';

const NAV: { to: string; label: string; pages: Route['page'][] }[] = [
  { to: '/', label: 'Rollouts', pages: ['rollouts', 'rollout', 'report'] },
  { to: '/log', label: 'Release log', pages: ['log'] },
  { to: '/postmortems', label: 'Post-mortems', pages: ['postmortems', 'postmortem'] },
  { to: '/metrics', label: 'DORA metrics', pages: ['metrics'] },
];

export function App() {
  const location = useLocation();
  const route = parseRoute(location.pathname, location.search);
  const me = useApi<WhoAmI>('/whoami');

  useEffect(() => {
    document.title = `${titleOf(route)} · rollgate`;
  });

  return (
    <WhoAmIContext.Provider value={me.data}>
      <header className="top">
        <Link to="/" className="brand">
          rollgate
        </Link>
        <nav aria-label="Main">
          <ul>
            {NAV.map((n) => (
              <li key={n.to}>
                <Link to={n.to} className={n.pages.includes(route.page) ? 'current' : undefined}>
                  {n.label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <span className="whoami">
          {me.data
            ? `signed in as ${me.data.actor} · ${me.data.role}`
            : me.error
              ? 'not signed in'
              : ''}
        </span>
      </header>
      <main>{page(route)}</main>
    </WhoAmIContext.Provider>
  );
}

function page(route: Route) {
  switch (route.page) {
    case 'rollouts':
      return <RolloutsPage />;
    case 'rollout':
      return <RolloutPage key={route.id} id={route.id} />;
    case 'report':
      return <ReportPage id={route.id} />;
    case 'log':
      return <ReleaseLogPage service={route.service} />;
    case 'postmortems':
      return <PostMortemsPage />;
    case 'postmortem':
      return <PostMortemPage id={route.id} />;
    case 'metrics':
      return <MetricsPage />;
    case 'not-found':
      return (
        <>
          <h1>Not found</h1>
          <p>
            Nothing lives at <code>{route.path}</code>. <Link to="/">Back to the rollouts</Link>
          </p>
        </>
      );
  }
}

function titleOf(route: Route): string {
  switch (route.page) {
    case 'rollouts':
      return 'Rollouts';
    case 'rollout':
      return `Rollout ${route.id}`;
    case 'report':
      return 'Post-release report';
    case 'log':
      return 'Release log';
    case 'postmortems':
      return 'Post-mortems';
    case 'postmortem':
      return 'Post-mortem';
    case 'metrics':
      return 'DORA metrics';
    case 'not-found':
      return 'Not found';
  }
}
