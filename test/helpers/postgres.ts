import { execFileSync, spawnSync } from 'node:child_process';
import {
  accessSync,
  chownSync,
  constants,
  existsSync,
  mkdtempSync,
  readdirSync,
  rmSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import pg from 'pg';

/**
 * A real PostgreSQL for integration tests, in a temporary directory on a free port of
 * 127.0.0.1, trust auth, removed on stop() (and on process exit). initdb refuses to run
 * as root, so as root the server runs as the `postgres` user.
 *
 * Outside CI, with no initdb on PATH, `startPostgres` returns a skip reason; under
 * CI=true it throws instead (integration tests may not skip for a missing server).
 */
export interface PostgresServer {
  host: string;
  port: number;
  /** URL of the `postgres` maintenance database. */
  url: string;
  /** Creates a fresh database and returns its URL. */
  createDatabase(prefix?: string): Promise<string>;
  /** Stops the server but keeps its data (a crash: `pg_ctl stop -m immediate`). */
  halt(): Promise<void>;
  /** Starts a halted server again on the same port. */
  resume(): Promise<void>;
  /** Stops the server and removes its directory. */
  stop(): Promise<void>;
}

export type PostgresStart =
  | { server: PostgresServer; skip?: undefined }
  | { server?: undefined; skip: string };

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * The folder holding initdb and pg_ctl: from PATH, else Debian's
 * /usr/lib/postgresql/VERSION/bin (the `postgresql` package does not put them on PATH).
 */
function postgresBinDir(): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir && executable(join(dir, 'initdb')) && executable(join(dir, 'pg_ctl'))) return dir;
  }
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => /^\d+$/.test(v))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  for (const v of versions) {
    const dir = join(root, v, 'bin');
    if (executable(join(dir, 'initdb')) && executable(join(dir, 'pg_ctl'))) return dir;
  }
  return undefined;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

function asPostgresUser(args: string[]): [string, string[]] {
  const root = process.getuid?.() === 0;
  const [cmd, ...rest] = args as [string, ...string[]];
  const runuser = ['/usr/sbin/runuser', '/sbin/runuser'].find(executable) ?? 'runuser';
  return root ? [runuser, ['-u', 'postgres', '--', cmd, ...rest]] : [cmd, rest];
}

function run(args: string[]): void {
  const [cmd, rest] = asPostgresUser(args);
  const result = spawnSync(cmd, rest, { encoding: 'utf8', timeout: 60_000 });
  if (result.status !== 0) {
    throw new Error(
      `${args.join(' ')} failed (${result.status ?? result.signal}): ${result.stderr || result.stdout}`,
    );
  }
}

let counter = 0;

export async function startPostgres(): Promise<PostgresStart> {
  const bin = postgresBinDir();
  if (!bin) {
    const reason = 'PostgreSQL (initdb, pg_ctl) is not on PATH nor in /usr/lib/postgresql/*/bin';
    if (process.env.CI === 'true') throw new Error(`${reason}; CI must install PostgreSQL`);
    return { skip: `${reason}; install PostgreSQL to run these tests` };
  }
  const dir = mkdtempSync(join(tmpdir(), 'rollgate-pg-'));
  const data = join(dir, 'data');
  if (process.getuid?.() === 0) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    chownSync(dir, uid, gid);
  }
  const port = await freePort();
  let stopped = false;
  const stopSync = () => {
    if (stopped) return;
    stopped = true;
    const [cmd, rest] = asPostgresUser([
      join(bin, 'pg_ctl'),
      '-D',
      data,
      '-m',
      'immediate',
      '-w',
      'stop',
    ]);
    spawnSync(cmd, rest, { stdio: 'ignore', timeout: 30_000 });
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', stopSync);
  const startServer = () =>
    run([
      join(bin, 'pg_ctl'),
      '-D',
      data,
      '-l',
      join(dir, 'server.log'),
      '-o',
      `-p ${port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=${dir} -c fsync=off -c max_connections=50 -c shared_buffers=16MB`,
      '-w',
      '-t',
      '60',
      'start',
    ]);
  try {
    run([
      join(bin, 'initdb'),
      '-D',
      data,
      '-U',
      'postgres',
      '--auth=trust',
      '--no-sync',
      '-E',
      'UTF8',
    ]);
    startServer();
  } catch (err) {
    stopSync();
    process.removeListener('exit', stopSync);
    throw err;
  }
  const host = '127.0.0.1';
  const url = `postgres://postgres@${host}:${port}/postgres`;
  return {
    server: {
      host,
      port,
      url,
      async createDatabase(prefix = 'rollgate_test') {
        counter += 1;
        const name = `${prefix}_${process.pid}_${counter}`;
        const client = new pg.Client({ connectionString: url });
        await client.connect();
        try {
          await client.query(`create database "${name}"`);
        } finally {
          await client.end();
        }
        return `postgres://postgres@${host}:${port}/${name}`;
      },
      async halt() {
        run([join(bin, 'pg_ctl'), '-D', data, '-m', 'immediate', '-w', 'stop']);
      },
      async resume() {
        startServer();
      },
      async stop() {
        stopSync();
        process.removeListener('exit', stopSync);
      },
    },
  };
}
