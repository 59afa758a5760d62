import type { ReceivedRequest, Reply } from './notify-receiver.js';

/** A small in-memory GitHub issues API for `acme/shop`: list (paged by 2), create, comments. */
export function fakeGitHub(token: string) {
  const issues: { number: number; title: string; body: string; labels: string[] }[] = [];
  const comments: Record<number, { body: string }[]> = {};
  /** Answer 502 after doing the write (a lost response), this many times. */
  const state = { loseNextWrites: 0 };
  const handler = (r: ReceivedRequest): Reply => {
    if (r.headers.authorization !== `Bearer ${token}`)
      return { status: 401, body: '{"message":"Bad credentials"}' };
    const url = new URL(r.path, `http://${r.headers.host}`);
    const lose = (reply: Reply): Reply => {
      if (state.loseNextWrites > 0) {
        state.loseNextWrites -= 1;
        return { status: 502, body: 'bad gateway' };
      }
      return reply;
    };
    if (r.method === 'GET' && url.pathname === '/repos/acme/shop/issues') {
      const page = Number(url.searchParams.get('page') ?? '1');
      const sorted = [...issues].reverse();
      const slice = sorted.slice((page - 1) * 2, page * 2);
      const next =
        page * 2 < sorted.length
          ? `<${url.origin}${url.pathname}?page=${page + 1}>; rel="next"`
          : '';
      return { status: 200, body: JSON.stringify(slice), headers: next ? { link: next } : {} };
    }
    if (r.method === 'POST' && url.pathname === '/repos/acme/shop/issues') {
      const b = JSON.parse(r.body);
      const issue = { number: issues.length + 1, title: b.title, body: b.body, labels: b.labels };
      issues.push(issue);
      return lose({ status: 201, body: JSON.stringify(issue) });
    }
    const m = /^\/repos\/acme\/shop\/issues\/(\d+)\/comments$/.exec(url.pathname);
    if (m) {
      const n = Number(m[1]);
      comments[n] ??= [];
      const list = comments[n];
      if (r.method === 'GET') return { status: 200, body: JSON.stringify(list) };
      list.push({ body: JSON.parse(r.body).body });
      return lose({ status: 201, body: '{}' });
    }
    return { status: 404, body: '{"message":"Not Found"}' };
  };
  return { issues, comments, state, handler };
}
