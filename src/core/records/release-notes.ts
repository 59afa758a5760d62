/**
 * Release notes (seed 002's template) from Conventional Commits: the commits between the
 * previous release and this one are passed in (reading git lives outside core); breaking
 * changes (`!` or a `BREAKING CHANGE:` footer) become migration steps.
 */
import { count } from './record-format.js';

export interface CommitInput {
  hash?: string;
  subject: string;
  body?: string;
}

export interface ParsedCommit {
  hash?: string;
  type: string;
  scope?: string;
  breaking: boolean;
  description: string;
  /** Text of BREAKING CHANGE footers (or the description when only `!` marks it). */
  breakingNotes: string[];
  conventional: boolean;
}

const HEADER = /^(\w+)(?:\(([^()]+)\))?(!)?:\s+(.+)$/;
const FOOTER = /^(BREAKING[ -]CHANGE|[\w-]+)(?::\s|\s#)(.*)$/;

/** Parse one commit message (Conventional Commits 1.0.0). */
export function parseCommit(c: CommitInput): ParsedCommit {
  const m = HEADER.exec(c.subject.trim());
  const base = c.hash === undefined ? {} : { hash: c.hash };
  if (!m) {
    return {
      ...base,
      type: 'other',
      breaking: false,
      description: c.subject.trim(),
      breakingNotes: [],
      conventional: false,
    };
  }
  const notes: string[] = [];
  const lines = (c.body ?? '').split(/\r?\n/);
  for (let i = 0; i < lines.length; i += 1) {
    const f = FOOTER.exec(lines[i] ?? '');
    if (!f || !/^BREAKING[ -]CHANGE$/.test(f[1] ?? '')) continue;
    const text = [f[2] ?? ''];
    // A footer's value runs on until the next footer token or a blank line.
    while (
      i + 1 < lines.length &&
      (lines[i + 1] ?? '').trim() !== '' &&
      !FOOTER.test(lines[i + 1] ?? '')
    ) {
      i += 1;
      text.push((lines[i] ?? '').trim());
    }
    notes.push(text.join(' ').trim());
  }
  const bang = m[3] === '!';
  const description = (m[4] ?? '').trim();
  if (bang && notes.length === 0) notes.push(description);
  return {
    ...base,
    type: (m[1] ?? '').toLowerCase(),
    ...(m[2] ? { scope: m[2] } : {}),
    breaking: bang || notes.length > 0,
    description,
    breakingNotes: notes,
    conventional: true,
  };
}

export interface ReleaseNotesInput {
  service: string;
  version: string;
  previousVersion?: string;
  /** Release date, YYYY-MM-DD (passed in). */
  date: string;
  commits: readonly CommitInput[];
  /** A person's summary; generated from the change counts when absent. */
  summary?: string;
  knownIssues?: readonly string[];
}

export interface ReleaseNotes {
  markdown: string;
  commits: ParsedCommit[];
  breaking: ParsedCommit[];
}

const GROUPS: [string, string][] = [
  ['feat', 'Features'],
  ['fix', 'Bug fixes'],
  ['perf', 'Performance'],
  ['revert', 'Reverts'],
  ['security', 'Security'],
];

function item(c: ParsedCommit): string {
  const scope = c.scope ? `**${c.scope}:** ` : '';
  const hash = c.hash ? ` (${c.hash.slice(0, 7)})` : '';
  return `- ${scope}${c.description}${hash}`;
}

function plural(n: number, word: string): string {
  return `${count(n)} ${word}${n === 1 ? '' : 's'}`;
}

export function buildReleaseNotes(input: ReleaseNotesInput): ReleaseNotes {
  const commits = input.commits.map(parseCommit);
  const breaking = commits.filter((c) => c.breaking);
  // A breaking change is listed once, under breaking changes.
  const rest = commits.filter((c) => !c.breaking);
  const by = (t: string) => rest.filter((c) => c.type === t);
  const others = rest.filter((c) => !GROUPS.some(([t]) => t === c.type));
  const counts = [
    breaking.length > 0 ? plural(breaking.length, 'breaking change') : undefined,
    by('feat').length > 0 ? plural(by('feat').length, 'feature') : undefined,
    by('fix').length > 0 ? plural(by('fix').length, 'fix').replace('fixs', 'fixes') : undefined,
    by('perf').length > 0 ? plural(by('perf').length, 'performance improvement') : undefined,
    others.length > 0 ? plural(others.length, 'other change') : undefined,
  ].filter((x) => x !== undefined);
  const since = input.previousVersion ? ` since ${input.previousVersion}` : '';
  const summary =
    input.summary ??
    (commits.length === 0
      ? `No changes${since}.`
      : `${input.service} ${input.version}: ${counts.join(', ')}${since}.`);
  const notable: string[] = [];
  if (breaking.length > 0) {
    notable.push('### ⚠ Breaking changes', '', ...breaking.map(item), '');
  }
  for (const [type, title] of GROUPS) {
    const list = by(type);
    if (list.length > 0) notable.push(`### ${title}`, '', ...list.map(item), '');
  }
  if (others.length > 0) notable.push('### Other changes', '', ...others.map(item), '');
  if (notable.length === 0) notable.push('None.', '');
  const migration = breaking.flatMap((c) =>
    c.breakingNotes.map((n) => `${c.scope ? `**${c.scope}:** ` : ''}${n}`),
  );
  const lines = [
    `# Release Notes: ${input.service} ${input.version}`,
    '',
    `- **Release name / number:** ${input.service} ${input.version}`,
    `- **Date:** ${input.date}`,
    `- **Summary:** ${summary}`,
    '',
    '## Notable changes',
    '',
    ...notable,
    '## Migration steps',
    '',
    ...(migration.length > 0 ? migration.map((m, i) => `${i + 1}. ${m}`) : ['None.']),
    '',
    '## Known issues',
    '',
    ...(input.knownIssues && input.knownIssues.length > 0
      ? input.knownIssues.map((k) => `- ${k}`)
      : ['None known.']),
    '',
  ];
  return { markdown: lines.join('\n'), commits, breaking };
}
