// Helpers for snapshot tests with real processes: run a `keel` one-shot command, dump every
// key of every database exactly (DUMP bytes + PEXPIRETIME), wait for a node's role.
import { spawn } from 'node:child_process';
import { Redis } from 'ioredis';
import { keelBin } from '../helpers/server.js';
import { waitFor as waitForCondition } from '../helpers/db-nodes.js';

export interface CommandRun {
  code: number | null;
  stdout: string;
  stderr: string;
  json: Record<string, unknown> | null;
}

export function runKeel(args: string[], env: NodeJS.ProcessEnv = process.env, timeoutMs = 60_000): Promise<CommandRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [keelBin, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString(); });
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`keel ${args[0]} timed out; stderr:\n${stderr}`)); }, timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      const last = stdout.trim().split('\n').pop() ?? '';
      resolve({ code, stdout, stderr, json: last.startsWith('{') ? JSON.parse(last) as Record<string, unknown> : null });
    });
  });
}

export function connect(port: number): Redis {
  return new Redis({ port, host: '127.0.0.1', maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: () => null, lazyConnect: true });
}

/** [db, key, DUMP hex, PEXPIRETIME] for every key of every database, sorted. */
export async function dumpAll(port: number, databases = 16): Promise<[number, string, string, number][]> {
  const redis = connect(port);
  await redis.connect();
  try {
    const rows: [number, string, string, number][] = [];
    for (let db = 0; db < databases; db++) {
      await redis.select(db);
      const keys = (await redis.keysBuffer('*')).map((key) => key.toString('latin1')).sort();
      for (const key of keys) {
        const keyBuffer = Buffer.from(key, 'latin1');
        const dump = await redis.dumpBuffer(keyBuffer);
        const expireAt = Number(await redis.call('PEXPIRETIME', keyBuffer));
        rows.push([db, key, dump ? dump.toString('hex') : 'none', expireAt]);
      }
    }
    return rows;
  } finally {
    redis.disconnect();
  }
}

export async function infoField(port: number, field: string): Promise<string> {
  const redis = connect(port);
  try {
    await redis.connect();
    const text = await redis.info('replication');
    return new RegExp(`${field}:(\\S*)`).exec(text)?.[1] ?? '';
  } finally {
    redis.disconnect();
  }
}

/** The shared waitFor, with the longer default these snapshot scenarios need. */
export function waitFor<T>(probe: () => Promise<T>, accept: (value: T) => boolean, timeoutMs = 20_000): Promise<T> {
  return waitForCondition(probe, accept, timeoutMs);
}

/** Writes every type (binary too), TTLs, in several databases. */
export async function writeAllTypes(port: number, tag: string, count: number): Promise<void> {
  const redis = connect(port);
  await redis.connect();
  try {
    const binary = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    for (const db of [0, 5]) {
      await redis.select(db);
      const pipeline = redis.pipeline();
      for (let i = 0; i < count; i++) {
        pipeline.set(`${tag}:s:${i}`, `value-${i}`);
        pipeline.rpush(`${tag}:l:${i % 7}`, `e${i}`);
        pipeline.hset(`${tag}:h:${i % 5}`, `f${i}`, `v${i}`);
        pipeline.sadd(`${tag}:t:${i % 3}`, i % 2 ? `${i}` : `m${i}`);
        pipeline.zadd(`${tag}:z:${i % 4}`, i / 7, `m${i}`);
      }
      pipeline.set(Buffer.concat([Buffer.from(`${tag}:bin`), binary]), binary);
      pipeline.set(`${tag}:ttl`, 'x', 'EX', 3600);
      pipeline.pexpire(`${tag}:l:0`, 7_200_000);
      pipeline.pfadd(`${tag}:hll`, 'a', 'b', 'c');
      for (let i = 0; i < 300; i++) pipeline.rpush(`${tag}:biglist`, `element-${i}`);
      await pipeline.exec();
    }
  } finally {
    redis.disconnect();
  }
}

