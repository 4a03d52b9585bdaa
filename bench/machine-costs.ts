// What this machine charges for the steps every durable write takes: one synced LevelDB write
// (through keel's own LevelLogStore) and a loopback round trip, in this process and to another
// one. bench:log and bench:floor state their goals in these units, measured in the same run.

import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, connect, type AddressInfo, type Socket } from 'node:net';
import { LevelLogStore } from '../log-service/store/level-store.js';
import { raftEntryKey } from '../log-service/store/keys.js';

/**
 * How this VM's idle vCPUs wake, where the kernel says: a vCPU that halts as soon as it is idle
 * costs a VM exit to wake, and an append at one appender wakes one ≈ 8 times. On this machine
 * (guest_halt_poll_ns 0) p50 at one appender read 0.70–0.73 ms; with the guest polling for
 * 200 µs before it halts, 0.52–0.55 (log-service README, "4 December, night"). Empty where
 * the files do not exist.
 */
export function vcpuIdleSettings(): string {
  const read = (path: string) => {
    try {
      return readFileSync(path, 'utf8').trim();
    } catch {
      return null;
    }
  };
  const haltPollNs = read('/sys/module/haltpoll/parameters/guest_halt_poll_ns');
  const vcpuPack = read('/proc/sys/kernel/sched_vcpu_pack');
  const parts = [
    ...(haltPollNs === null ? [] : [`guest halt polling ${haltPollNs} ns`]),
    ...(vcpuPack === null ? [] : [`sched_vcpu_pack ${vcpuPack}`]),
  ];
  return parts.length === 0 ? '' : `; idle vCPUs: ${parts.join(', ')}`;
}

/** The value at percentile p of an ascending array (NaN when empty). */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export function median(values: number[]): number {
  return percentile([...values].sort((a, b) => a - b), 50);
}

/** "median [min–max]" of rounds' values, with digits decimals (0: rounded to an integer). */
export function medianWithRange(values: number[], digits: number): string {
  const format = (value: number) => (digits === 0 ? String(Math.round(value)) : value.toFixed(digits));
  return `${format(median(values))} [${format(Math.min(...values))}–${format(Math.max(...values))}]`;
}

/** p50 of 500 synced single-put batches of entryBytes in a fresh store at directory. */
export async function measureSyncWriteMs(directory: string, entryBytes: number): Promise<number> {
  const store = new LevelLogStore(directory);
  await store.open();
  const value = new Uint8Array(entryBytes);
  const samples: number[] = [];
  for (let i = 0; i < 500; i++) {
    const start = performance.now();
    await store.batch([{ type: 'put', key: raftEntryKey(i), value }], { sync: true });
    samples.push(performance.now() - start);
  }
  await store.close();
  return percentile(samples.sort((a, b) => a - b), 50);
}

/** p50 of 2000 request/echo round trips of one entry-sized payload on a connected socket. */
async function roundTripP50Ms(socket: Socket, entryBytes: number): Promise<number> {
  const samples: number[] = [];
  const payload = Buffer.alloc(entryBytes + 40);
  for (let i = 0; i < 2000; i++) {
    const start = performance.now();
    await new Promise<void>((done) => {
      socket.once('data', () => done());
      socket.write(payload);
    });
    samples.push(performance.now() - start);
  }
  return percentile(samples.sort((a, b) => a - b), 50);
}

async function connectedSocket(port: number): Promise<Socket> {
  const socket = connect(port, '127.0.0.1');
  socket.setNoDelay(true);
  await new Promise((done) => socket.once('connect', done));
  return socket;
}

/** The round trip to an echo server in this same process. */
export async function measureLoopbackRoundTripMs(entryBytes: number): Promise<number> {
  const server = createServer((socket) => socket.on('data', (chunk) => socket.write(chunk)));
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const socket = await connectedSocket((server.address() as AddressInfo).port);
  const p50 = await roundTripP50Ms(socket, entryBytes);
  socket.destroy();
  await new Promise((done) => server.close(done));
  return p50;
}

/**
 * The same round trip to an echo server in another process: what a hop between log nodes
 * costs (wake-ups across processes), which the in-process figure above does not include.
 */
export async function measureCrossProcessRoundTripMs(entryBytes: number): Promise<number> {
  const echo = spawn(process.execPath, ['-e', `
    const server = require('node:net').createServer((socket) => { socket.setNoDelay(true); socket.on('data', (chunk) => socket.write(chunk)); });
    server.listen(0, '127.0.0.1', () => console.log(server.address().port));`], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const port = await new Promise<number>((done) => echo.stdout!.once('data', (chunk: Buffer) => done(Number(chunk.toString().trim()))));
    const socket = await connectedSocket(port);
    const p50 = await roundTripP50Ms(socket, entryBytes);
    socket.destroy();
    return p50;
  } finally {
    echo.kill();
  }
}

/** CPU seconds (user, system; all threads) used so far by the given processes (Linux /proc), or NaN. */
export function processCpuSeconds(pids: readonly number[]): { user: number; system: number } {
  try {
    let user = 0;
    let system = 0;
    for (const pid of pids) {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      user += Number(fields[11]);
      system += Number(fields[12]);
    }
    return { user: user / 100, system: system / 100 }; // USER_HZ
  } catch {
    return { user: NaN, system: NaN };
  }
}
