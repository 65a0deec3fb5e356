// The server's resident memory (RSS) over a run: at its start, every 10 s, and at its end, so that
// a long run (BENCH_SECONDS=60) shows whether memory levels off or keeps growing. In-process
// gateways are measured with process.memoryUsage.rss() (that is the whole bench process: the
// server, the lifecycle loops and the autocannon and receiver worker threads); child processes
// with VmRSS from /proc/<pid>/status (the server alone). One read is a few microseconds.
import { readFile } from 'node:fs/promises';

export const MEMORY_SAMPLE_SECONDS = 10;

export interface MemoryReport {
  /** What was measured, e.g. "SQLite ×1 (in-process)" or "PostgreSQL ×2 process 1 (pid 1234)". */
  label: string;
  startMb: number;
  endMb: number;
  peakMb: number;
  /** Every MEMORY_SAMPLE_SECONDS from the start, the first at 0 s and the last at the end. */
  samples: Array<{ atSeconds: number; rssMb: number }>;
}

const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;

/** VmRSS of another process, in bytes (Linux). */
export async function rssOfPid(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  if (!match?.[1]) throw new Error(`memory: no VmRSS in /proc/${pid}/status`);
  return Number(match[1]) * 1024;
}

/** Samples the RSS of this process (no pid) or of `pid` until `stop()`, which takes the last sample. */
export function watchMemory(label: string, pid?: number): { stop(): Promise<MemoryReport> } {
  const read = pid === undefined ? async () => process.memoryUsage.rss() : () => rssOfPid(pid);
  const started = Date.now();
  const samples: Array<{ atSeconds: number; rssMb: number }> = [];
  const sample = async () => {
    try {
      const rss = await read();
      samples.push({ atSeconds: Math.round((Date.now() - started) / 1000), rssMb: mb(rss) });
    } catch {
      // the process has just exited: the samples taken so far stand
    }
  };
  const first = sample();
  const timer = setInterval(() => void sample(), MEMORY_SAMPLE_SECONDS * 1000);
  timer.unref();
  let stopped: Promise<MemoryReport> | null = null;
  return {
    // once: a second call (a `finally` after the normal path) returns the same report
    stop() {
      stopped ??= (async () => {
        clearInterval(timer);
        await first;
        await sample();
        const values = samples.map((s) => s.rssMb);
        return { label, startMb: values[0] ?? 0, endMb: values.at(-1) ?? 0, peakMb: Math.max(0, ...values), samples };
      })();
      return stopped;
    },
  };
}

/** One line per report: start → end (peak), then the samples. */
export function memoryLines(reports: MemoryReport[]): string[] {
  const width = Math.max(0, ...reports.map((r) => r.label.length));
  return reports.map((r) =>
    `${r.label.padEnd(width)}   ${r.startMb} → ${r.endMb} MB (peak ${r.peakMb})   every ${MEMORY_SAMPLE_SECONDS} s: ${r.samples.map((s) => s.rssMb).join(' ')}`);
}
