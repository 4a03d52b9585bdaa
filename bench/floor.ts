// `npm run bench:floor`: the floor under keel's performance goals on this machine. It runs the
// shape keel must have — a primary process, three log processes, each write synced to LevelDB
// on two of the three before its reply — with everything else taken out: no Raft (the leader is
// fixed), no checksums, no msgpack, no validation, no dirty keys, 4-byte length frames. What the
// floor cannot reach, keel (which does all of that on the same path) cannot either.
//
//   log leader   forwards each frame to both followers, then syncs it to its own LevelDB
//                (through keel's LevelLogStore); acknowledges once its own write and one
//                follower's are done.
//   log follower syncs each frame, then acknowledges.
//   primary      parses RESP with redis-parser, applies SET to a Map, sends one frame per
//                event-loop turn to the leader, releases +OK when its frame is acknowledged;
//                two of them run, one with frames pipelined, one with a single frame in flight.
//
// Measured in one run, KEEL_BENCH_ROUNDS (default 3) rounds interleaved, median with range:
// the log alone through a client like keel's (appends issued in one turn go as one frame) at 1
// and 64 appenders, next to one local synced write and loopback round trips (issue 4's goals);
// the primary with redis-benchmark SET at -c 1 and -c 50 next to redis-server with appendonly
// yes, appendfsync always (issue 5's goals).

import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect, type Socket } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import RedisParser from 'redis-parser';
import { LevelLogStore } from '../log-service/store/level-store.js';
import { Cleanup, startBenchProcess, startBenchRedis } from './bench-processes.js';
import { measureCrossProcessRoundTripMs, measureLoopbackRoundTripMs, measureSyncWriteMs, median, medianWithRange, percentile, processCpuSeconds, vcpuIdleSettings } from './machine-costs.js';
import { findTool, formatTable, runRedisBenchmark } from './redis-benchmark.js';
import { freePort } from '../test/helpers/server.js';

const entryBytes = 100;
const frameHeaderBytes = 4;
/** A frame bigger than this is a bug in this file, not a load to carry. */
const frameBytesMax = 16 * 1024 * 1024;
const rounds = Number(process.env.KEEL_BENCH_ROUNDS ?? 3);
const logRunMs = 3000;

// ---- frames: [u32 length][u32 tag][body] ----------------------------------------------------

function frame(tag: number, body: Buffer[]): Buffer {
  const length = 4 + body.reduce((sum, part) => sum + part.length, 0);
  const header = Buffer.allocUnsafe(frameHeaderBytes + 4);
  header.writeUInt32BE(length, 0);
  header.writeUInt32BE(tag, 4);
  return Buffer.concat([header, ...body]);
}

/** Calls onFrame(tag, body) for each complete frame in the stream. */
function frameReader(onFrame: (tag: number, body: Buffer) => void): (chunk: Buffer) => void {
  let pending: Buffer = Buffer.alloc(0);
  return (chunk) => {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    while (pending.length >= frameHeaderBytes) {
      const length = pending.readUInt32BE(0);
      if (length < 4 || length > frameBytesMax) throw new Error(`floor: bad frame length ${length}`);
      if (pending.length < frameHeaderBytes + length) break;
      onFrame(pending.readUInt32BE(frameHeaderBytes), pending.subarray(frameHeaderBytes + 4, frameHeaderBytes + length));
      pending = pending.subarray(frameHeaderBytes + length);
    }
  };
}

async function connectTo(port: number): Promise<Socket> {
  const socket = connect(port, '127.0.0.1');
  socket.setNoDelay(true);
  await new Promise((resolve, reject) => { socket.once('connect', resolve); socket.once('error', reject); });
  return socket;
}

function listen(port: number, onConnection: (socket: Socket) => void): void {
  createServer((socket) => { socket.setNoDelay(true); onConnection(socket); }).listen(port, '127.0.0.1');
}

/** One synced LevelDB write per frame, keyed by a counter (what a log node must do at least). */
async function openSyncedStore(dir: string): Promise<(body: Buffer) => Promise<void>> {
  const store = new LevelLogStore(dir);
  await store.open();
  let sequence = 0;
  return (body) => {
    const key = Buffer.allocUnsafe(8);
    key.writeBigUInt64BE(BigInt(++sequence));
    return store.batch([{ type: 'put', key, value: body }], { sync: true });
  };
}

// ---- roles (child processes) ---------------------------------------------------------------

async function runFollower(port: number, dir: string): Promise<void> {
  const write = await openSyncedStore(dir);
  listen(port, (socket) => socket.on('data', frameReader((tag, body) => {
    void write(body).then(() => socket.write(frame(tag, [])));
  })));
}

async function runLeader(port: number, dir: string, followerPorts: number[]): Promise<void> {
  const write = await openSyncedStore(dir);
  const followers = await Promise.all(followerPorts.map(connectTo));
  const waiting = new Map<number, { ownWritten: boolean; followerAcks: number; acknowledge(): void }>();
  const settle = (id: number) => {
    const entry = waiting.get(id);
    if (!entry || !entry.ownWritten || entry.followerAcks < 1) return;
    waiting.delete(id);
    entry.acknowledge();
  };
  for (const follower of followers) {
    follower.on('data', frameReader((id) => {
      const entry = waiting.get(id);
      if (entry) { entry.followerAcks += 1; settle(id); }
    }));
  }
  let nextId = 0;
  listen(port, (client) => client.on('data', frameReader((tag, body) => {
    const id = ++nextId;
    waiting.set(id, { ownWritten: false, followerAcks: 0, acknowledge: () => client.write(frame(tag, [])) });
    const forwarded = frame(id, [body]);
    for (const follower of followers) follower.write(forwarded);
    void write(body).then(() => { waiting.get(id)!.ownWritten = true; settle(id); });
  })));
}

/**
 * framesInFlightMax 0: a frame leaves at the end of every turn that has writes. 1: the next
 * frame waits for the previous one's acknowledgement, gathering every write that arrived
 * meanwhile (fewer, larger frames: less work per write, more latency).
 */
async function runPrimary(port: number, leaderPort: number, framesInFlightMax: number): Promise<void> {
  const leader = await connectTo(leaderPort);
  const data = new Map<string, Buffer>();
  /** Replies held per frame: [socket, how many +OK]. */
  const held = new Map<number, Array<[Socket, number]>>();
  let turn: Array<[Socket, number]> = [];
  let turnParts: Buffer[] = [];
  let nextTag = 0;
  let flushQueued = false;
  const flush = () => {
    flushQueued = false;
    if (turn.length === 0 || (framesInFlightMax > 0 && held.size >= framesInFlightMax)) return;
    const tag = ++nextTag;
    held.set(tag, turn);
    leader.write(frame(tag, turnParts));
    turn = [];
    turnParts = [];
  };
  leader.on('data', frameReader((tag) => {
    for (const [socket, count] of held.get(tag) ?? []) socket.write('+OK\r\n'.repeat(count));
    held.delete(tag);
    flush();
  }));
  listen(port, (socket) => {
    const parser = new RedisParser({
      returnBuffers: true,
      returnReply: (reply) => {
        const command = reply as Buffer[];
        if (command[0]?.toString().toUpperCase() !== 'SET' || command.length < 3) {
          socket.write(command[0]?.toString().toUpperCase() === 'CONFIG' ? '*0\r\n' : '+OK\r\n'); // redis-benchmark's CONFIG GET
          return;
        }
        data.set(command[1]!.toString('latin1'), command[2]!);
        turnParts.push(command[1]!, command[2]!);
        const last = turn[turn.length - 1];
        if (last && last[0] === socket) last[1] += 1;
        else turn.push([socket, 1]);
        if (!flushQueued) { flushQueued = true; setImmediate(flush); }
      },
      returnError: () => socket.destroy(),
    });
    socket.on('data', (chunk: Buffer) => parser.execute(chunk));
    socket.on('error', () => undefined);
  });
}

// ---- the log alone, driven from this process -------------------------------------------------

interface LogRow { appenders: number; entriesPerSecond: number; p50Ms: number; cpuMicrosPerEntry: number }

/** Appends through the floor's log; CPU is that of logPids (the three log processes), per entry. */
async function runLogClient(leaderPort: number, logPids: readonly number[], appenders: number): Promise<LogRow> {
  const socket = await connectTo(leaderPort);
  const held = new Map<number, Array<() => void>>();
  let turn: Array<() => void> = [];
  let nextTag = 0;
  let flushQueued = false;
  const entry = Buffer.alloc(entryBytes, 97);
  const flush = () => {
    flushQueued = false;
    const tag = ++nextTag;
    held.set(tag, turn);
    socket.write(frame(tag, turn.map(() => entry)));
    turn = [];
  };
  socket.on('data', frameReader((tag) => {
    for (const done of held.get(tag) ?? []) done();
    held.delete(tag);
  }));
  const append = () => new Promise<void>((done) => {
    turn.push(done);
    if (!flushQueued) { flushQueued = true; setImmediate(flush); }
  });
  const latencies: number[] = [];
  const warmEnd = performance.now() + 500;
  const end = warmEnd + logRunMs;
  let cpuBefore = null as { user: number; system: number } | null; // set by the first append after the warm-up
  await Promise.all(Array.from({ length: appenders }, async () => {
    while (performance.now() < end) {
      const start = performance.now();
      if (start >= warmEnd) cpuBefore ??= processCpuSeconds(logPids);
      await append();
      if (start >= warmEnd) latencies.push(performance.now() - start);
    }
  }));
  const cpuAfter = processCpuSeconds(logPids);
  socket.destroy();
  latencies.sort((a, b) => a - b);
  const cpuSeconds = cpuBefore === null ? NaN : cpuAfter.user + cpuAfter.system - cpuBefore.user - cpuBefore.system;
  return {
    appenders, entriesPerSecond: Math.round(latencies.length / (logRunMs / 1000)), p50Ms: percentile(latencies, 50),
    cpuMicrosPerEntry: (cpuSeconds * 1e6) / latencies.length,
  };
}

// ---- orchestration --------------------------------------------------------------------------

async function startFloor(cleanup: Cleanup): Promise<{ leaderPort: number; logPids: number[]; primaryPorts: { pipelined: number; oneInFlight: number } }> {
  const root = mkdtempSync(join(tmpdir(), 'keel-bench-floor-'));
  cleanup.add(`directory ${root}`, () => rmSync(root, { recursive: true, force: true }));
  const [leaderPort, followerB, followerC, pipelined, oneInFlight] = [await freePort(), await freePort(), await freePort(), await freePort(), await freePort()];
  const self = import.meta.filename;
  const logPids: number[] = [];
  for (const [id, port] of [['b', followerB], ['c', followerC]] as const) {
    logPids.push(await startBenchProcess(cleanup, `floor log follower ${id}`, process.execPath, [self, '--role', 'follower', '--port', String(port), '--dir', join(root, id)], port));
  }
  logPids.push(await startBenchProcess(cleanup, 'floor log leader', process.execPath, [self, '--role', 'leader', '--port', String(leaderPort), '--dir', join(root, 'a'), '--followers', `${followerB},${followerC}`], leaderPort));
  for (const [port, framesInFlightMax] of [[pipelined, 0], [oneInFlight, 1]] as const) {
    await startBenchProcess(cleanup, `floor primary (frames in flight ${framesInFlightMax || 'unbounded'})`, process.execPath, [self, '--role', 'primary', '--port', String(port), '--leader', String(leaderPort), '--in-flight', String(framesInFlightMax)], port);
  }
  return { leaderPort, logPids, primaryPorts: { pipelined, oneInFlight } };
}

async function orchestrate(): Promise<void> {
  if (!Number.isInteger(rounds) || rounds < 1 || rounds > 20) throw new Error(`KEEL_BENCH_ROUNDS must be an integer in 1..20, got ${process.env.KEEL_BENCH_ROUNDS}`);
  const cleanup = new Cleanup();
  process.once('SIGINT', () => void cleanup.run().then(() => process.exit(130)));
  try {
    console.log(`machine: load average ${loadavg().map((value) => value.toFixed(1)).join(' ')}${vcpuIdleSettings()} (results are only comparable on an idle machine)`);
    const syncDir = mkdtempSync(join(tmpdir(), 'keel-bench-floor-sync-'));
    cleanup.add(`directory ${syncDir}`, () => rmSync(syncDir, { recursive: true, force: true }));
    const syncMs = await measureSyncWriteMs(syncDir, entryBytes);
    const roundTripMs = await measureLoopbackRoundTripMs(entryBytes);
    const crossProcessMs = await measureCrossProcessRoundTripMs(entryBytes);
    const budgetMs = 2 * (syncMs + 2 * roundTripMs);
    console.log(`local synced LevelDB write (p50) ${syncMs.toFixed(3)} ms; loopback round trip (p50) ${roundTripMs.toFixed(3)} ms in one process, ${crossProcessMs.toFixed(3)} ms to another`);

    const { leaderPort, logPids, primaryPorts } = await startFloor(cleanup);
    const redisTool = findTool('redis-benchmark');
    const redis = redisTool ? await startBenchRedis(cleanup, 'redis, appendfsync always', ['--appendonly', 'yes', '--appendfsync', 'always']) : null;
    if (!redis) console.log('redis-benchmark is not installed (apt-get install redis-tools redis-server): the primary rows are skipped');

    const one: LogRow[] = [];
    const many: LogRow[] = [];
    const set1 = { floor: [] as number[], redis: [] as number[] };
    const set50 = { floor: [] as number[], floorOneInFlight: [] as number[], redis: [] as number[] };
    for (let round = 0; round < rounds; round++) {
      one.push(await runLogClient(leaderPort, logPids, 1));
      many.push(await runLogClient(leaderPort, logPids, 64));
      if (!redis) continue;
      for (const [port, into] of [[primaryPorts.pipelined, 'floor'], [redis.port, 'redis']] as const) {
        set1[into].push(runRedisBenchmark(port, ['-t', 'set', '-c', '1', '-n', '5000'])[0]!.p50Ms);
      }
      for (const [port, into] of [[primaryPorts.pipelined, 'floor'], [primaryPorts.oneInFlight, 'floorOneInFlight'], [redis.port, 'redis']] as const) {
        set50[into].push(runRedisBenchmark(port, ['-t', 'set', '-c', '50', '-n', '50000'])[0]!.rps);
      }
    }

    console.log(`\n${rounds} round(s), interleaved; median [min–max]\n`);
    const p50One = median(one.map((row) => row.p50Ms));
    const rateMany = median(many.map((row) => row.entriesPerSecond));
    const rows: string[][] = [
      ['log, 1 appender: p50', `${medianWithRange(one.map((row) => row.p50Ms), 3)} ms`, `≤ 2 × (fsync + 2 round trips) = ${budgetMs.toFixed(3)} ms`, p50One <= budgetMs ? 'reachable' : 'out of reach'],
      ['log, 64 appenders: entries/s', medianWithRange(many.map((row) => row.entriesPerSecond), 0), '≥ 50000', rateMany >= 50_000 ? 'reachable' : 'out of reach'],
      // No goal of its own: the same figure as bench:log's "node CPU µs/entry", so the two
      // runs say how much CPU keel's own work adds per entry.
      ['log, 1 appender: CPU µs/entry (3 log processes)', medianWithRange(one.map((row) => row.cpuMicrosPerEntry), 0), '—', 'bench:log prints keel\'s'],
      ['log, 64 appenders: CPU µs/entry', medianWithRange(many.map((row) => row.cpuMicrosPerEntry), 1), '—', 'bench:log prints keel\'s'],
    ];
    if (redis) {
      const ratios1 = set1.floor.map((value, i) => value / set1.redis[i]!);
      const ratios50 = set50.floor.map((value, i) => value / set50.redis[i]!);
      const ratios50OneInFlight = set50.floorOneInFlight.map((value, i) => value / set50.redis[i]!);
      rows.push(
        ['primary SET -c 1: p50 floor / redis', `${medianWithRange(ratios1, 2)} (${medianWithRange(set1.floor, 3)} / ${medianWithRange(set1.redis, 3)} ms)`, '≤ 3.0', median(ratios1) <= 3 ? 'reachable' : 'out of reach'],
        ['primary SET -c 50: SET/s floor / redis', `${medianWithRange(ratios50, 2)} (${medianWithRange(set50.floor, 0)} / ${medianWithRange(set50.redis, 0)})`, '≥ 1.0', median(ratios50) >= 1 ? 'reachable' : 'out of reach'],
        ['the same, one frame in flight', `${medianWithRange(ratios50OneInFlight, 2)} (${medianWithRange(set50.floorOneInFlight, 0)} / ${medianWithRange(set50.redis, 0)})`, '≥ 1.0', median(ratios50OneInFlight) >= 1 ? 'reachable' : 'out of reach'],
      );
    }
    console.log(formatTable(['floor', 'measured', 'keel goal', 'for keel'], rows));
    console.log(JSON.stringify({ syncMs, roundTripMs, crossProcessMs, budgetMs, rounds, one, many, set1, set50 }));
  } finally {
    await cleanup.run();
  }
}

function flag(name: string): string {
  const index = process.argv.indexOf(name);
  const value = index === -1 ? undefined : process.argv[index + 1];
  if (value === undefined) throw new Error(`floor: ${name} is required`);
  return value;
}

const roleIndex = process.argv.indexOf('--role');
if (roleIndex === -1) {
  await orchestrate();
} else {
  const role = process.argv[roleIndex + 1];
  if (role === 'follower') await runFollower(Number(flag('--port')), flag('--dir'));
  else if (role === 'leader') await runLeader(Number(flag('--port')), flag('--dir'), flag('--followers').split(',').map(Number));
  else if (role === 'primary') await runPrimary(Number(flag('--port')), Number(flag('--leader')), Number(flag('--in-flight')));
  else throw new Error(`floor: unknown --role ${role}`);
}
