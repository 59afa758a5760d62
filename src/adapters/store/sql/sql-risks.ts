import type { Selectable } from 'kysely';
import { RollgateError } from '../../../core/errors/rollgate-error.js';
import {
  checkDay,
  checkNewRisk,
  checkRiskChange,
  checkRiskId,
  type NewRisk,
  type Risk,
  type RiskChange,
  type RiskHistoryEntry,
  riskDiff,
  riskScore,
} from '../../../core/risk/risk-types.js';
import type { RiskFilter, RiskStore, RollbackForRisks } from '../../../ports/risk-store.js';
import type { Db, SqlSession } from './sql-session.js';
import type { RiskHistoryTable, RisksTable } from './store-schema.js';
import { fromJson, isoTime, toJson } from './store-values.js';

function toEntry(row: Selectable<RiskHistoryTable>): RiskHistoryEntry {
  const data = fromJson<{ changes?: Record<string, [unknown, unknown]> } | null>(row.data) ?? {};
  return {
    at: row.at,
    actor: row.actor,
    kind: row.kind as RiskHistoryEntry['kind'],
    text: row.text,
    ...(row.rollout_id === null ? {} : { rolloutId: row.rollout_id }),
    ...(data.changes ? { changes: data.changes } : {}),
  };
}

async function load(db: Db, rows: Selectable<RisksTable>[]): Promise<Risk[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.id);
  const services = await db
    .selectFrom('rollgate_risk_services')
    .selectAll()
    .where('risk_id', 'in', ids)
    .orderBy('service')
    .execute();
  const history = await db
    .selectFrom('rollgate_risk_history')
    .selectAll()
    .where('risk_id', 'in', ids)
    .orderBy('risk_id')
    .orderBy('seq')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    title: r.title,
    likelihood: r.likelihood as Risk['likelihood'],
    impact: r.impact as Risk['impact'],
    owner: r.owner,
    status: r.status as Risk['status'],
    services: services.filter((s) => s.risk_id === r.id).map((s) => s.service),
    reviewOn: r.review_on,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    history: history.filter((h) => h.risk_id === r.id).map(toEntry),
  }));
}

async function loadOne(db: Db, id: string): Promise<Risk | undefined> {
  const rows = await db.selectFrom('rollgate_risks').selectAll().where('id', '=', id).execute();
  return (await load(db, rows))[0];
}

async function append(db: Db, riskId: string, entry: RiskHistoryEntry): Promise<void> {
  const last = await db
    .selectFrom('rollgate_risk_history')
    .select((eb) => eb.fn.max('seq').as('seq'))
    .where('risk_id', '=', riskId)
    .executeTakeFirst();
  await db
    .insertInto('rollgate_risk_history')
    .values({
      risk_id: riskId,
      seq: Number(last?.seq ?? 0) + 1,
      at: entry.at,
      actor: entry.actor,
      kind: entry.kind,
      text: entry.text,
      rollout_id: entry.rolloutId ?? null,
      data: toJson(entry.changes ? { changes: entry.changes } : {}),
    })
    .execute();
}

function notFound(id: string): RollgateError {
  return new RollgateError('not_found', `no risk ${id}`, {
    hint: 'list the risks with: rollgate risk list',
  });
}

/** The risk register on the SQL store (migration 3 on both backends). */
export class SqlRisks implements RiskStore {
  constructor(private readonly session: SqlSession) {}

  async createRisk(input: NewRisk, by: { at: string; actor: string }): Promise<Risk> {
    const at = isoTime(by.at, 'createRisk: at');
    const r = checkNewRisk(input, 'risk add', at.slice(0, 10));
    const id = await this.session.write(
      'createRisk',
      async (db) => {
        let id = r.id;
        if (id === '') {
          const ids = await db.selectFrom('rollgate_risks').select('id').execute();
          const n = ids.reduce(
            (m, x) => Math.max(m, Number(/^RISK-(\d+)$/.exec(x.id)?.[1] ?? 0)),
            0,
          );
          id = `RISK-${n + 1}`;
        }
        await db
          .insertInto('rollgate_risks')
          .values({
            id,
            title: r.title,
            likelihood: r.likelihood,
            impact: r.impact,
            owner: r.owner,
            status: r.status,
            review_on: r.reviewOn,
            created_at: at,
            updated_at: at,
          })
          .execute();
        await db
          .insertInto('rollgate_risk_services')
          .values(r.services.map((service) => ({ risk_id: id, service })))
          .execute();
        await append(db, id, {
          at,
          actor: by.actor,
          kind: 'created',
          text: `risk opened: ${r.title} (likelihood ${r.likelihood}, impact ${r.impact}, owner ${r.owner})`,
        });
        return id;
      },
      async (err) =>
        new RollgateError('conflict', `a risk with id ${r.id} already exists`, {
          cause: err,
          hint: 'pick another --id, or leave it out to get the next RISK-<n>',
        }),
    );
    return (await this.getRisk(id)) as Risk;
  }

  getRisk(id: string): Promise<Risk | undefined> {
    return this.session.read('getRisk', (db) => loadOne(db, id));
  }

  listRisks(filter: RiskFilter = {}): Promise<Risk[]> {
    return this.session.read('listRisks', async (db) => {
      let q = db.selectFrom('rollgate_risks').selectAll();
      if (filter.status !== undefined) q = q.where('status', '=', filter.status);
      if (filter.service !== undefined) {
        const service = filter.service;
        q = q.where('id', 'in', (eb) =>
          eb.selectFrom('rollgate_risk_services').select('risk_id').where('service', '=', service),
        );
      }
      const risks = await load(db, await q.execute());
      return risks.sort(
        (a, b) =>
          riskScore(b) - riskScore(a) ||
          (a.reviewOn < b.reviewOn ? -1 : a.reviewOn > b.reviewOn ? 1 : 0) ||
          (a.id < b.id ? -1 : 1),
      );
    });
  }

  async updateRisk(
    id: string,
    change: RiskChange,
    by: { at: string; actor: string },
  ): Promise<Risk> {
    checkRiskId(id, 'risk update');
    const at = isoTime(by.at, 'updateRisk: at');
    const c = checkRiskChange(change, `risk update ${id}`);
    await this.session.write('updateRisk', async (db) => {
      const before = await loadOne(db, id);
      if (!before) throw notFound(id);
      const diff = riskDiff(before, c);
      if (Object.keys(diff).length === 0) return;
      const row: Partial<RisksTable> = { updated_at: at };
      if (c.title !== undefined) row.title = c.title;
      if (c.likelihood !== undefined) row.likelihood = c.likelihood;
      if (c.impact !== undefined) row.impact = c.impact;
      if (c.owner !== undefined) row.owner = c.owner;
      if (c.status !== undefined) row.status = c.status;
      if (c.reviewOn !== undefined) row.review_on = c.reviewOn;
      await db.updateTable('rollgate_risks').set(row).where('id', '=', id).execute();
      if (c.services !== undefined) {
        await db.deleteFrom('rollgate_risk_services').where('risk_id', '=', id).execute();
        await db
          .insertInto('rollgate_risk_services')
          .values(c.services.map((service) => ({ risk_id: id, service })))
          .execute();
      }
      await append(db, id, {
        at,
        actor: by.actor,
        kind: 'updated',
        text: Object.entries(diff)
          .map(([k, [a, b]]) => `${k} ${JSON.stringify(a)} → ${JSON.stringify(b)}`)
          .join('; '),
        changes: diff,
      });
    });
    return (await this.getRisk(id)) as Risk;
  }

  async recordRollback(rb: RollbackForRisks): Promise<string[]> {
    const at = isoTime(rb.at, 'recordRollback: at');
    const reviewBy = checkDay(rb.reviewBy, 'recordRollback', 'reviewBy');
    return this.session.write('recordRollback', async (db) => {
      const linked = await db
        .selectFrom('rollgate_risks')
        .selectAll()
        .where('status', '!=', 'closed')
        .where('id', 'in', (eb) =>
          eb
            .selectFrom('rollgate_risk_services')
            .select('risk_id')
            .where('service', '=', rb.service),
        )
        .orderBy('id')
        .execute();
      const touched: string[] = [];
      for (const r of linked) {
        const seen = await db
          .selectFrom('rollgate_risk_history')
          .select('seq')
          .where('risk_id', '=', r.id)
          .where('rollout_id', '=', rb.rolloutId)
          .executeTakeFirst();
        if (seen) continue;
        const next = reviewBy < r.review_on ? reviewBy : r.review_on;
        await append(db, r.id, {
          at,
          actor: 'rollgate',
          kind: 'rollback',
          text:
            next === r.review_on
              ? rb.text
              : `${rb.text}; review brought forward from ${r.review_on} to ${next}`,
          rolloutId: rb.rolloutId,
          ...(next === r.review_on ? {} : { changes: { reviewOn: [r.review_on, next] } }),
        });
        await db
          .updateTable('rollgate_risks')
          .set({ review_on: next, updated_at: at })
          .where('id', '=', r.id)
          .execute();
        touched.push(r.id);
      }
      return touched;
    });
  }
}
