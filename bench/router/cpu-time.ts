import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat (USER_HZ, 100 on Linux). */
const HZ = 100;

function statFields(path: string): string[] | undefined {
  try {
    const s = readFileSync(path, 'utf8');
    // The command name is in parentheses and may contain spaces: split after it.
    return s.slice(s.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

function children(pid: number): number[] {
  const out: number[] = [];
  let tasks: string[] = [];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return out;
  }
  for (const t of tasks) {
    try {
      const c = readFileSync(`/proc/${pid}/task/${t}/children`, 'utf8').trim();
      if (c !== '') out.push(...c.split(' ').map(Number));
    } catch {
      // The thread ended meanwhile.
    }
  }
  return out;
}

/** CPU time (user + system, ms) used so far by a live process and all its live descendants. */
export function cpuMsOfTree(pid: number): number {
  const f = statFields(`/proc/${pid}/stat`);
  // Fields after the name: state is [0], utime [11], stime [12].
  let ms = f === undefined ? 0 : ((Number(f[11]) + Number(f[12])) * 1000) / HZ;
  for (const c of children(pid)) ms += cpuMsOfTree(c);
  return ms;
}

/** CPU time (ms) of this process's children that have exited and been waited for (wrk runs). */
export function waitedChildrenCpuMs(): number {
  const f = statFields('/proc/self/stat');
  // cutime [13], cstime [14].
  return f === undefined ? 0 : ((Number(f[13]) + Number(f[14])) * 1000) / HZ;
}
