import { useCallback, useEffect, useRef, useState } from 'react';
import { apiFetch, streamUrl } from './api-client.js';
import type { RolloutSummary, TimelineEvent } from './api-types.js';

export type StreamStatus = 'connecting' | 'live' | 'reconnecting';

export interface RolloutLive {
  events: TimelineEvent[];
  /** The newest summary the stream or a command answered with. */
  summary: RolloutSummary | undefined;
  status: StreamStatus;
  addEvent: (e: TimelineEvent) => void;
  setSummary: (s: RolloutSummary) => void;
}

/**
 * A rollout's timeline, live: the events so far, then the SSE stream (`timeline` and
 * `snapshot` events; EventSource reconnects on its own with Last-Event-ID). While the
 * stream is down the events are polled. `onEvent` hears every new event once.
 */
export function useRolloutLive(id: string, onEvent: (e: TimelineEvent) => void): RolloutLive {
  const [events, setEvents] = useState<TimelineEvent[]>([]);
  const [summary, setSummary] = useState<RolloutSummary>();
  const [status, setStatus] = useState<StreamStatus>('connecting');
  const seen = useRef(new Set<number>());
  const lastSeq = useRef(0);
  const handler = useRef(onEvent);
  handler.current = onEvent;

  const addEvents = useCallback((incoming: TimelineEvent[]) => {
    const fresh = incoming.filter((e) => !seen.current.has(e.seq));
    if (fresh.length === 0) return;
    for (const e of fresh) {
      seen.current.add(e.seq);
      lastSeq.current = Math.max(lastSeq.current, e.seq);
    }
    setEvents((old) => [...old, ...fresh].sort((a, b) => a.seq - b.seq));
    for (const e of fresh) handler.current(e);
  }, []);

  const poll = useCallback(
    async (signal?: AbortSignal) => {
      const res = await apiFetch<{ events: TimelineEvent[] }>(
        `/rollouts/${encodeURIComponent(id)}/events?after=${lastSeq.current}`,
        signal ? { signal } : {},
      );
      addEvents(res.events);
    },
    [id, addEvents],
  );

  useEffect(() => {
    const abort = new AbortController();
    poll(abort.signal).catch(() => undefined);
    const source = new EventSource(streamUrl(id));
    source.addEventListener('open', () => setStatus('live'));
    source.addEventListener('error', () => setStatus('reconnecting'));
    source.addEventListener('timeline', (m) => {
      const e = parse<TimelineEvent>((m as MessageEvent<string>).data);
      if (e) addEvents([e]);
    });
    source.addEventListener('snapshot', (m) => {
      const s = parse<RolloutSummary>((m as MessageEvent<string>).data);
      if (s) setSummary(s);
    });
    return () => {
      abort.abort();
      source.close();
    };
  }, [id, poll, addEvents]);

  // Polling backs the stream up while it is down.
  useEffect(() => {
    if (status === 'live') return;
    const timer = window.setInterval(() => void poll().catch(() => undefined), 3_000);
    return () => window.clearInterval(timer);
  }, [status, poll]);

  return {
    events,
    summary,
    status,
    addEvent: (e) => addEvents([e]),
    setSummary,
  };
}

function parse<T>(data: string): T | undefined {
  try {
    return JSON.parse(data) as T;
  } catch {
    return undefined;
  }
}
