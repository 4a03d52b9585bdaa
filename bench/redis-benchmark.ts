// Runs redis-benchmark and parses its CSV output (Redis 7 columns: test, rps, avg, min, p50,
// p95, p99, max latency in ms).
import { spawn, spawnSync } from 'node:child_process';

export interface BenchRow {
  test: string;
  rps: number;
  p50Ms: number;
  p99Ms: number;
}

export function findTool(name: string): string | null {
  const found = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  return found.status === 0 ? found.stdout.trim() : null;
}

function benchmarkArgs(port: number, args: string[]): string[] {
  return ['-h', '127.0.0.1', '-p', String(port), '--csv', ...args];
}

function parseCsv(stdout: string): BenchRow[] {
  const rows: BenchRow[] = [];
  for (const line of stdout.split('\n')) {
    const fields = line.split(',').map((field) => field.replace(/^"|"$/g, ''));
    if (fields.length < 8 || fields[0] === 'test') continue;
    rows.push({ test: fields[0]!, rps: Number(fields[1]), p50Ms: Number(fields[4]), p99Ms: Number(fields[6]) });
  }
  return rows;
}

export function runRedisBenchmark(port: number, args: string[]): BenchRow[] {
  const result = spawnSync('redis-benchmark', benchmarkArgs(port, args), { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0) throw new Error(`redis-benchmark failed: ${result.stderr || result.stdout}`);
  return parseCsv(result.stdout);
}

/** The same without blocking this event loop (for benchmarks that start other work meanwhile). */
export function runRedisBenchmarkAsync(port: number, args: string[]): Promise<BenchRow[]> {
  return new Promise((resolve, reject) => {
    const child = spawn('redis-benchmark', benchmarkArgs(port, args), { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString(); });
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0) reject(new Error(`redis-benchmark failed: ${stderr || stdout}`));
      else resolve(parseCsv(stdout));
    });
  });
}

export function formatTable(headers: string[], rows: (string | number)[][]): string {
  const cells = [headers, ...rows.map((row) => row.map(String))];
  const widths = headers.map((_, column) => Math.max(...cells.map((row) => row[column]!.length)));
  const line = (row: string[]) => `| ${row.map((cell, column) => cell.padEnd(widths[column]!)).join(' | ')} |`;
  return [line(headers), `|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`, ...cells.slice(1).map(line)].join('\n');
}
