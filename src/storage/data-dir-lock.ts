// SQLite has one writer process: a second `posgate start` on the same DATA_DIR would share the file
// with the first and their in-memory state (long-poll wake-ups, leases) would disagree. The server
// takes DATA_DIR/posgate.lock (its pid, made with O_EXCL) and a second one refuses at once, naming
// the holder. A lock left by a process that died is taken over. One-shot CLI commands do not take it:
// `posgate credentials` next to a running server is the walkthrough.
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';

export class DataDirInUse extends Error {}

interface Holder {
  pid: number;
  host: string;
  command: string;
  since: string;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else; ESRCH: gone
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readHolder(file: string): Holder | null {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Holder;
  } catch {
    return null; // gone meanwhile, or half-written by a holder that died while writing
  }
}

function youngerThan(file: string, ms: number): boolean {
  try {
    return Date.now() - statSync(file).mtimeMs < ms;
  } catch {
    return false;
  }
}

/** Takes the data dir for this process; returns the release. Throws DataDirInUse naming the holder. */
export function lockDataDir(dataDir: string): () => void {
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, 'posgate.lock');
  const me: Holder = { pid: process.pid, host: hostname(), command: process.argv.slice(1).join(' '), since: new Date().toISOString() };
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(file, 'wx', 0o600);
      writeSync(fd, JSON.stringify(me) + '\n');
      closeSync(fd);
      return () => {
        if (readHolder(file)?.pid === process.pid) rmSync(file, { force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = readHolder(file);
    // another host's pid means nothing here: its lock stands (a shared volume)
    const stale = holder !== null && holder.host === me.host && (holder.pid === process.pid || !alive(holder.pid));
    if (holder && !stale) {
      throw new DataDirInUse(
        `DATA_DIR ${dataDir} is in use by process ${holder.pid}${holder.host === me.host ? '' : ` on ${holder.host}`} (${holder.command || 'posgate'}, since ${holder.since}): ` +
          `SQLite serves one process. Stop that process, or give this one another DATA_DIR (or DATABASE_URL for several processes). Lock file: ${file}`,
      );
    }
    // empty: a process that is writing it this very moment, unless it has been empty for a while
    if (!holder && youngerThan(file, 5000)) throw new DataDirInUse(`DATA_DIR ${dataDir} is being taken by another process starting now (${file}).`);
    rmSync(file, { force: true }); // left by a process that is gone (or unreadable): take it over
  }
  throw new DataDirInUse(`DATA_DIR ${dataDir}: could not take ${file}; another process keeps taking it`);
}
