// Engine-level test harness: run commands against an in-memory engine with a controllable
// clock and seeded randomness, read state canonically, and check the effects property
// (applying a command's effects to a copy of the state before it gives the state after it).
import { Engine } from '../../src/engine/engine.js';
import { detachedClient, type ClientState } from '../../src/commands/client-state.js';
import type { ExpiryPolicy } from '../../src/engine/keyspace.js';
import type { Effect } from '../../src/engine/effects.js';
import type { Reply } from '../../src/resp/reply.js';
import { ErrorReply, SimpleString } from '../../src/resp/reply.js';
import { BlockRequest } from '../../src/commands/spec.js';
import { encodeReply } from '../../src/resp/encoder.js';

/** A small deterministic PRNG (mulberry32) for seeded engines. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface RunResult {
  reply: Reply | BlockRequest;
  effects: Effect[];
}

export class EngineHarness {
  nowMs: number;
  readonly engine: Engine;
  readonly client: ClientState;

  constructor(options: { nowMs?: number; seed?: number; engine?: Engine } = {}) {
    this.nowMs = options.nowMs ?? 1_700_000_000_000;
    this.engine = options.engine ?? new Engine({ clock: () => this.nowMs, random: seededRandom(options.seed ?? 1) });
    this.client = detachedClient();
  }

  /** Runs a command as the primary would and returns its reply and effects. */
  exec(argv: string[], policy: ExpiryPolicy = 'primary'): RunResult {
    const outcome = this.engine.execute(this.client, argv, policy);
    return { reply: outcome.reply, effects: outcome.effects };
  }

  /** Runs a command and returns its reply in a test-friendly form (see `plain`). */
  run(...argv: (string | number)[]): unknown {
    return plain(this.exec(argv.map(String)).reply);
  }

  advance(ms: number): void {
    this.nowMs += ms;
  }

  /** Canonical state of every database: sorted [db, key, kind, value, expireAtMs]. */
  dump(): unknown[] {
    return dumpEngine(this.engine);
  }

  /** A deep copy of the data set, sharing this harness's clock. */
  clone(): EngineHarness {
    const copy = new EngineHarness({ nowMs: this.nowMs });
    copyState(this.engine, copy.engine);
    return copy;
  }
}

export function dumpEngine(engine: Engine): unknown[] {
  const rows: unknown[] = [];
  for (const db of engine.allDatabases()) {
    const keys = [...db.entries.keys()].sort();
    for (const key of keys) {
      const entry = db.peek(key)!;
      const value = typeof entry.value === 'string' ? entry.value : entry.value.toPlain();
      const kind = typeof entry.value === 'string' ? 'string' : entry.value.kind;
      rows.push([db.index, key, kind, value, entry.expireAtMs]);
    }
  }
  return rows;
}

export function copyState(from: Engine, to: Engine): void {
  for (const db of from.allDatabases()) {
    const target = to.database(db.index);
    for (const [key, entry] of db.entries.entries()) {
      const value = typeof entry.value === 'string' ? entry.value : entry.value.clone();
      target.restoreEntry(key, { value, expireAtMs: entry.expireAtMs, accessedAtMs: entry.accessedAtMs });
    }
  }
}

/**
 * The effects property for one command: run it on `harness` (as primary), apply its effects
 * to a copy of the state taken before (later, by `applyDelayMs`, to catch any dependence on
 * the clock), and return both dumps for comparison. Also returns the effects.
 */
export function effectsRoundTrip(harness: EngineHarness, argv: string[], applyDelayMs = 0): {
  after: unknown[]; replayed: unknown[]; effects: Effect[]; reply: Reply | BlockRequest;
} {
  const replica = harness.clone();
  const { reply, effects } = harness.exec(argv);
  replica.advance(applyDelayMs);
  replica.engine.applyEffects(effects);
  return { after: harness.dump(), replayed: replica.dump(), effects, reply };
}

/**
 * Replays commands whose replies were recorded from redis-server on a fresh engine and returns
 * one line per reply that differs byte for byte (an expected reply of null is not compared).
 */
export function replayMismatches(rows: [string[], string | null][], protocol: 2 | 3 = 2): string[] {
  const harness = new EngineHarness();
  harness.client.protocol = protocol;
  const mismatches: string[] = [];
  for (const [argv, expected] of rows) {
    const { reply } = harness.exec(argv);
    const actual = reply instanceof BlockRequest ? '(blocked)' : encodeReply(reply, protocol);
    if (expected !== null && actual !== expected) {
      mismatches.push(`${argv.join(' ')}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
    }
  }
  return mismatches;
}

/** Replies in a form easy to compare in tests: errors and simple strings as strings. */
export function plain(reply: Reply | BlockRequest): unknown {
  if (reply instanceof BlockRequest) return { blocked: reply.keys };
  if (reply instanceof ErrorReply) return `ERR:${reply.message}`;
  if (reply instanceof SimpleString) return reply.value;
  if (Array.isArray(reply)) return reply.map(plain);
  if (typeof reply === 'bigint') return reply;
  if (reply !== null && typeof reply === 'object') {
    const record = reply as unknown as Record<string, unknown>;
    if ('entries' in record) return (record.entries as Reply[]).map(plain);
    if ('items' in record) return (record.items as Reply[]).map(plain);
    if ('value' in record) return record.value;
    return null; // NullArray
  }
  return reply;
}
