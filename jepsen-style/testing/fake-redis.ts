// TEST FIXTURE ONLY: a tiny in-process RESP server with a few commands, used to test the
// harness's own client, session, workloads and runner plumbing. It says nothing about Keel.
// Faults are injected per command so the client's ok/fail/info rules can be exercised.
import net from 'node:net';
import { once } from 'node:events';
import { parseReply, RespValue } from '../client/resp.js';

export type FakeFault = 'none' | 'readonly' | 'tryagain' | 'hang' | 'apply-then-close';

export interface FakeRedis {
  port: number;
  /** Commands received, by name, in order (to prove the client never resends). */
  received: string[][];
  data: Map<string, string | Set<string> | string[]>;
  /** Fault applied to the next write commands (SET, INCRBY, SADD, RPUSH, EXEC). */
  faultForWrites: FakeFault;
  /** Fault applied to reads (GET, SMEMBERS, LRANGE). */
  faultForReads: FakeFault;
  /** A deliberately broken server: GET returns the value before the latest SET. */
  staleReads: boolean;
  close(): Promise<void>;
}

const writeCommands = new Set(['SET', 'INCRBY', 'SADD', 'RPUSH', 'EXEC']);
const readCommands = new Set(['GET', 'SMEMBERS', 'LRANGE']);

function bulk(value: string | null): string {
  return value === null ? '$-1\r\n' : `$${Buffer.byteLength(value)}\r\n${value}\r\n`;
}

export async function startFakeRedis(): Promise<FakeRedis> {
  const sockets = new Set<net.Socket>();
  const fake: FakeRedis = {
    port: 0, received: [], data: new Map(), faultForWrites: 'none', faultForReads: 'none', staleReads: false,
    close: () => new Promise((resolve) => { for (const s of sockets) s.destroy(); server.close(() => resolve()); }),
  };
  const version = new Map<string, number>();
  const previous = new Map<string, string>();
  const bump = (key: string): void => { version.set(key, (version.get(key) ?? 0) + 1); };

  const execute = (args: string[], state: { watched: Map<string, number>; queue: string[][] | undefined }): string => {
    const [name, key = '', ...rest] = args;
    switch (name) {
      case 'ROLE': return '*3\r\n$6\r\nmaster\r\n:0\r\n*0\r\n';
      case 'GET': {
        const v = fake.staleReads && previous.has(key) ? previous.get(key) : fake.data.get(key);
        return bulk(typeof v === 'string' ? v : null);
      }
      case 'SET': {
        const old = fake.data.get(key);
        if (typeof old === 'string') previous.set(key, old);
        fake.data.set(key, rest[0]!);
        bump(key);
        return '+OK\r\n';
      }
      case 'INCRBY': { const n = Number(fake.data.get(key) ?? 0) + Number(rest[0]); fake.data.set(key, String(n)); bump(key); return `:${n}\r\n`; }
      case 'SADD': { let s = fake.data.get(key) as Set<string> | undefined; if (!s) fake.data.set(key, (s = new Set())); const added = s.has(rest[0]!) ? 0 : 1; s.add(rest[0]!); bump(key); return `:${added}\r\n`; }
      case 'SMEMBERS': { const s = (fake.data.get(key) as Set<string> | undefined) ?? new Set(); return `*${s.size}\r\n${[...s].map(bulk).join('')}`; }
      case 'RPUSH': { let l = fake.data.get(key) as string[] | undefined; if (!l) fake.data.set(key, (l = [])); l.push(rest[0]!); bump(key); return `:${l.length}\r\n`; }
      case 'LRANGE': { const l = (fake.data.get(key) as string[] | undefined) ?? []; return `*${l.length}\r\n${l.map(bulk).join('')}`; }
      case 'WATCH': state.watched.set(key, version.get(key) ?? 0); return '+OK\r\n';
      case 'UNWATCH': state.watched.clear(); return '+OK\r\n';
      default: return `-ERR unknown command '${name}'\r\n`;
    }
  };

  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    let buffer = Buffer.alloc(0);
    const state: { watched: Map<string, number>; queue: string[][] | undefined } = { watched: new Map(), queue: undefined };
    socket.on('data', (chunk) => {
      buffer = Buffer.concat([buffer, chunk]);
      for (;;) {
        const parsed = parseReply(buffer, 0);
        if (parsed === undefined) break;
        buffer = buffer.subarray(parsed.end);
        const args = (parsed.value as RespValue[]).map(String);
        fake.received.push(args);
        const name = args[0]!;
        const fault = writeCommands.has(name) ? fake.faultForWrites : readCommands.has(name) ? fake.faultForReads : 'none';
        if (fault === 'hang') continue;
        if (fault === 'readonly') { socket.write("-READONLY You can't write against a read only replica.\r\n"); continue; }
        if (fault === 'tryagain') { socket.write('-TRYAGAIN try again later\r\n'); continue; }
        let reply: string;
        if (name === 'MULTI') { state.queue = []; reply = '+OK\r\n'; }
        else if (name === 'EXEC') {
          const queue = state.queue ?? [];
          state.queue = undefined;
          const aborted = [...state.watched].some(([k, v]) => (version.get(k) ?? 0) !== v);
          state.watched.clear();
          reply = aborted ? '*-1\r\n' : `*${queue.length}\r\n${queue.map((c) => execute(c, state)).join('')}`;
        } else if (state.queue !== undefined) { state.queue.push(args); reply = '+QUEUED\r\n'; }
        else reply = execute(args, state);
        if (fault === 'apply-then-close') { socket.destroy(); return; }
        socket.write(reply);
      }
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  fake.port = (server.address() as net.AddressInfo).port;
  return fake;
}
