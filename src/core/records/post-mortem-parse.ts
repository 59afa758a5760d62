/**
 * Reads a filled post-mortem (the draft of post-mortem.ts, edited by people) back: the
 * root cause sections, the 5 Whys, contributing factors, data integrity, lessons and the
 * action items table. A malformed table is an error that names the line and the fix;
 * sections still holding the draft's placeholder are listed in `missing`.
 */
import { RollgateError } from '../errors/rollgate-error.js';
import { TO_FILL } from './post-mortem.js';

export const ACTION_STATUSES = ['planned', 'in_progress', 'done', 'blocked'] as const;
export type ActionStatus = (typeof ACTION_STATUSES)[number];

export interface ActionItem {
  id: string;
  action: string;
  owner: string;
  due: string;
  status: ActionStatus;
  ticket?: string;
}

export interface FilledPostMortem {
  whatHappened?: string;
  whys: string[];
  rootCause?: string;
  contributingFactors: string[];
  businessImpact?: string;
  dataIntegrity: { confirmed: string[]; unconfirmed: string[]; notes?: string };
  actionItems: ActionItem[];
  lessons: { wentWell?: string; wentPoorly?: string; surprises?: string };
  author?: string;
  /** Sections that still hold the placeholder or are empty. */
  missing: string[];
}

interface Section {
  title: string;
  /** 1-based line number of the heading. */
  line: number;
  body: string[];
}

function sections(lines: readonly string[]): Section[] {
  const out: Section[] = [];
  let current: Section | undefined;
  lines.forEach((text, i) => {
    const m = /^#{1,4}\s+(.+?)\s*$/.exec(text);
    if (m) {
      current = { title: (m[1] ?? '').toLowerCase(), line: i + 1, body: [] };
      out.push(current);
    } else current?.body.push(text);
  });
  return out;
}

function find(all: Section[], title: string): Section | undefined {
  return all.find((s) => s.title.startsWith(title));
}

/** The section's prose, without placeholders, checklists and tables; undefined if empty. */
function prose(s: Section | undefined): string | undefined {
  if (s === undefined) return undefined;
  const text = s.body
    .filter((l) => !/^\s*[-*]\s+\[[ xX]\]/.test(l) && !l.trim().startsWith('|'))
    .map((l) => l.replace(/^>\s?/, ''))
    .join('\n')
    .replaceAll(TO_FILL, '')
    .trim();
  return text === '' ? undefined : text;
}

function checkboxes(s: Section | undefined): { checked: string[]; unchecked: string[] } {
  const checked: string[] = [];
  const unchecked: string[] = [];
  for (const l of s?.body ?? []) {
    const m = /^\s*[-*]\s+\[([ xX])\]\s+(.*)$/.exec(l);
    if (!m) continue;
    (m[1] === ' ' ? unchecked : checked).push((m[2] ?? '').trim());
  }
  return { checked, unchecked };
}

function splitRow(text: string): string[] {
  const inner = text.trim().replace(/^\|/, '').replace(/\|$/, '');
  const cells: string[] = [];
  let cur = '';
  for (let i = 0; i < inner.length; i += 1) {
    const c = inner[i];
    if (c === '\\' && inner[i + 1] === '|') {
      cur += '|';
      i += 1;
    } else if (c === '|') {
      cells.push(cur.trim());
      cur = '';
    } else cur += c;
  }
  cells.push(cur.trim());
  return cells;
}

function status(text: string): ActionStatus | undefined {
  const k = text
    .toLowerCase()
    .replace(/[^a-z ]/g, '')
    .trim()
    .replace(/\s+/g, '_');
  return (ACTION_STATUSES as readonly string[]).includes(k) ? (k as ActionStatus) : undefined;
}

function validDay(text: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
  const t = Date.parse(`${text}T00:00:00Z`);
  return !Number.isNaN(t) && new Date(t).toISOString().slice(0, 10) === text;
}

const COLUMNS = ['id', 'action', 'owner', 'due date', 'status'] as const;

function actionItems(s: Section | undefined, source: string): ActionItem[] {
  if (s === undefined) {
    throw new RollgateError('invalid_input', `${source}: no "## Action Items" section`, {
      hint: 'keep the draft’s "## Action Items" heading and its table',
    });
  }
  const rows = s.body
    .map((text, i) => ({ text, line: s.line + 1 + i }))
    .filter((r) => r.text.trim().startsWith('|'));
  const where = (line: number) => `${source}:${line}`;
  const header = rows[0];
  if (header === undefined) {
    throw new RollgateError(
      'invalid_input',
      `${where(s.line)}: the Action Items section has no table`,
      {
        hint: 'keep the table: | ID | Action | Owner | Due Date | Status | Ticket |',
      },
    );
  }
  const names = splitRow(header.text).map((c) => c.toLowerCase());
  const index: Record<string, number> = {};
  for (const col of COLUMNS) {
    const at = names.indexOf(col);
    if (at < 0) {
      throw new RollgateError(
        'invalid_input',
        `${where(header.line)}: the action items table has no "${col}" column`,
        { hint: 'the header must be: | ID | Action | Owner | Due Date | Status | Ticket |' },
      );
    }
    index[col] = at;
  }
  const ticketAt = names.indexOf('ticket');
  const sep = rows[1];
  if (sep === undefined || !splitRow(sep.text).every((c) => /^:?-{3,}:?$/.test(c))) {
    throw new RollgateError(
      'invalid_input',
      `${where(sep?.line ?? header.line)}: the action items table needs a separator row under its header`,
      { hint: 'put |---|---|---|---|---|---| under the header' },
    );
  }
  const items: ActionItem[] = [];
  for (const [n, r] of rows.slice(2).entries()) {
    const cells = splitRow(r.text);
    const at = `${where(r.line)}: action item row ${n + 1}`;
    if (cells.length !== names.length) {
      throw new RollgateError(
        'invalid_input',
        `${at} has ${cells.length} cells, the header has ${names.length}`,
        { hint: 'a "|" inside a cell must be written "\\|"; every row needs every column' },
      );
    }
    const get = (col: (typeof COLUMNS)[number]) => cells[index[col] as number] ?? '';
    const action = get('action');
    if (action === '' || action === TO_FILL) continue; // the draft's empty row
    const owner = get('owner');
    if (!/^@[A-Za-z0-9][A-Za-z0-9._/-]*$/.test(owner) || owner === '@owner') {
      throw new RollgateError('invalid_input', `${at}: owner "${owner}" is not a person's @name`, {
        hint: 'write the owner as @name, e.g. @alice',
      });
    }
    const due = get('due date');
    if (!validDay(due)) {
      throw new RollgateError(
        'invalid_input',
        `${at}: due date "${due}" is not a YYYY-MM-DD date`,
        {
          hint: 'e.g. 2026-03-20',
        },
      );
    }
    const st = status(get('status'));
    if (st === undefined) {
      throw new RollgateError('invalid_input', `${at}: status "${get('status')}" is not known`, {
        hint: 'use Planned, In Progress, Done or Blocked',
      });
    }
    const ticket = ticketAt >= 0 ? (cells[ticketAt] ?? '') : '';
    items.push({
      id: get('id') || String(n + 1),
      action,
      owner,
      due,
      status: st,
      ...(ticket === '' ? {} : { ticket }),
    });
  }
  return items;
}

/** Parse a filled post-mortem; `source` names it in errors (a file path). */
export function parsePostMortem(markdown: string, source = 'post-mortem'): FilledPostMortem {
  const lines = markdown.split(/\r?\n/);
  const all = sections(lines);
  const missing: string[] = [];
  const what = prose(find(all, 'what happened'));
  if (what === undefined) missing.push('What Happened?');
  const whySection = find(all, 'why did it happen');
  const whys: string[] = [];
  let rootCause: string | undefined;
  for (const l of whySection?.body ?? []) {
    const w = /^\s*\d+\.\s+\*\*[^*]+\*\*\s*(.*)$/.exec(l);
    if (w) {
      const answer = (w[1] ?? '').replaceAll(TO_FILL, '').trim();
      if (answer !== '') whys.push(answer);
    }
    const rc = /^\*\*Root Cause\*\*\s*:\s*(.*)$/.exec(l.trim());
    if (rc) {
      const v = (rc[1] ?? '').replaceAll(TO_FILL, '').trim();
      if (v !== '') rootCause = v;
    }
  }
  if (whys.length === 0) missing.push('5 Whys');
  if (rootCause === undefined) missing.push('Root Cause');
  const factors = checkboxes(find(all, 'contributing factors')).checked;
  const integritySection = find(all, 'data integrity');
  const integrity = checkboxes(integritySection);
  const integrityNotes = prose(integritySection);
  if (integrity.checked.length === 0 && integrityNotes === undefined)
    missing.push('Data Integrity');
  const items = actionItems(find(all, 'action items'), source);
  if (items.length === 0) missing.push('Action Items');
  const business = prose(find(all, 'business impact'));
  const wentWell = prose(find(all, 'what went well'));
  const wentPoorly = prose(find(all, 'what went poorly'));
  const surprises = prose(find(all, 'surprising discoveries'));
  if (wentWell === undefined && wentPoorly === undefined) missing.push('Lessons Learned');
  const authorLine = lines.find((l) => l.startsWith('**Post-Mortem Author**'));
  const author = authorLine
    ?.replace(/^\*\*Post-Mortem Author\*\*\s*:\s*/, '')
    .replaceAll(TO_FILL, '')
    .trim();
  return {
    ...(what === undefined ? {} : { whatHappened: what }),
    whys,
    ...(rootCause === undefined ? {} : { rootCause }),
    contributingFactors: factors,
    ...(business === undefined ? {} : { businessImpact: business }),
    dataIntegrity: {
      confirmed: integrity.checked,
      unconfirmed: integrity.unchecked,
      ...(integrityNotes === undefined ? {} : { notes: integrityNotes }),
    },
    actionItems: items,
    lessons: {
      ...(wentWell === undefined ? {} : { wentWell }),
      ...(wentPoorly === undefined ? {} : { wentPoorly }),
      ...(surprises === undefined ? {} : { surprises }),
    },
    ...(author ? { author } : {}),
    missing,
  };
}
