/**
 * Reads the commits between two refs (`git log A..B`) for the release notes builder.
 * Outside core: it runs git as a child process.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { RollgateError } from '../core/errors/rollgate-error.js';
import type { CommitInput } from '../core/records/release-notes.js';

const run = promisify(execFile);
const FIELD = '\x1f';
const RECORD = '\x1e';

/** Commits in `from..to` (newest first), in the repository at `cwd`. */
export async function gitLog(from: string, to: string, cwd: string): Promise<CommitInput[]> {
  for (const ref of [from, to]) {
    if (ref.startsWith('-') || ref.trim() === '') {
      throw new RollgateError('invalid_input', `"${ref}" is not a git revision`, {
        hint: 'pass tags or commit ids, e.g. v2.3.1 and v2.4.0',
      });
    }
  }
  let stdout: string;
  try {
    ({ stdout } = await run(
      'git',
      ['log', '--no-color', `--format=%H${FIELD}%s${FIELD}%b${RECORD}`, `${from}..${to}`, '--'],
      { cwd, maxBuffer: 64 * 1024 * 1024 },
    ));
  } catch (err) {
    const stderr = (err as { stderr?: string }).stderr?.trim();
    throw new RollgateError(
      'invalid_input',
      `git log ${from}..${to} failed in ${cwd}: ${stderr || String(err)}`,
      {
        cause: err,
        hint: 'run it inside the repository, with both revisions fetched (git fetch --tags)',
      },
    );
  }
  return stdout
    .split(RECORD)
    .map((r) => r.replace(/^\n/, ''))
    .filter((r) => r.trim() !== '')
    .map((r) => {
      const [hash = '', subject = '', body = ''] = r.split(FIELD);
      return { hash, subject, body: body.trim() };
    });
}
