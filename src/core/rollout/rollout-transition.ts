/**
 * Builds one transition: the events of one commit, the snapshot they fold into, and the
 * outbox messages they notify. Shared by the command and engine-input halves of the
 * rollout machine.
 */
import { RollgateError } from '../errors/rollgate-error.js';
import {
  DEFAULT_OUTBOX_ROUTES,
  type OutboxRoutes,
  type OutboxType,
  type RolloutEventType,
  SYSTEM_ACTOR,
} from './rollout-events.js';
import { applyEvent } from './rollout-reducer.js';
import type { NewEvent, NewOutboxMessage, RolloutSnapshot } from './rollout-types.js';

/** One commit's worth of change: write `events` and `outbox`, and `next` replaces the snapshot. */
export interface Transition {
  next: RolloutSnapshot;
  events: NewEvent[];
  outbox: NewOutboxMessage[];
}

export interface TransitionContext {
  /** ISO 8601 time of the transition (the engine's clock; pure code never reads one). */
  at: string;
  routes?: OutboxRoutes;
}

export interface Notify {
  type: OutboxType;
  /** Send to the page route as well as the notify route. */
  page?: boolean;
  /** Send to the page route only. */
  pageOnly?: boolean;
}

export class TransitionBuilder {
  readonly events: NewEvent[] = [];
  readonly outbox: NewOutboxMessage[] = [];
  current: RolloutSnapshot;
  private readonly epoch: number;

  constructor(
    readonly start: RolloutSnapshot,
    readonly ctx: TransitionContext,
  ) {
    this.current = start;
    this.epoch = start.epoch + 1;
  }

  get at(): string {
    return this.ctx.at;
  }

  add(
    type: RolloutEventType,
    message: string,
    data: Record<string, unknown> = {},
    actor: string = SYSTEM_ACTOR,
    notify?: Notify,
  ): this {
    const event: NewEvent = {
      at: this.ctx.at,
      actor,
      type,
      message,
      data: { ...data, epoch: this.epoch },
    };
    this.events.push(event);
    this.current = applyEvent(this.current, event);
    if (notify) this.notify(notify, message, actor, data);
    return this;
  }

  private notify(n: Notify, message: string, actor: string, data: Record<string, unknown>): void {
    const routes = this.ctx.routes ?? DEFAULT_OUTBOX_ROUTES;
    const targets = n.pageOnly
      ? routes.page
      : n.page
        ? [...routes.notify, ...routes.page]
        : routes.notify;
    const s = this.current;
    const seq = s.lastSeq;
    for (const route of new Set(targets)) {
      this.outbox.push({
        idempotencyKey: `${s.id}:${seq}:${n.type}:${route}`,
        rolloutId: s.id,
        route,
        eventType: n.type,
        payload: {
          rolloutId: s.id,
          releaseId: s.releaseId,
          service: s.service,
          environment: s.environment,
          version: s.version,
          previousVersion: s.previousVersion,
          state: s.state,
          step: s.stepIndex,
          weight: s.weight,
          seq,
          at: this.ctx.at,
          actor,
          message,
          ...(typeof data.reason === 'string' ? { reason: data.reason } : {}),
        },
      });
    }
  }

  build(): Transition {
    if (this.events.length === 0) {
      throw new RollgateError('internal', 'a transition must write at least one event');
    }
    return { next: this.current, events: this.events, outbox: this.outbox };
  }
}
