import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCheckCli } from './check-cli.js';
import { generateRegisterHistory, toEvents } from './testing/histories.js';

let dir: string;
beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'keel-check-cli-')); });
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, lines: object[] | string): string {
  const path = join(dir, name);
  writeFileSync(path, typeof lines === 'string' ? lines : lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
  return path;
}

function run(args: string[]): { code: number; out: string; err: string } {
  const out: string[] = [];
  const err: string[] = [];
  const code = runCheckCli(args, (l) => out.push(l), (l) => err.push(l));
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const ev = (process: number, type: string, f: string, value: unknown, time: number, key = 'x') => ({ process, type, f, key, value, time });

describe('check CLI exit codes', () => {
  it('0 for a valid register history (with nemesis events skipped)', () => {
    const path = file('valid.jsonl', [
      { process: 'nemesis', type: 'info', f: 'start', value: { fault: 'kill', targets: ['db-1'] }, time: 0 },
      ev(0, 'invoke', 'write', 1, 1), ev(0, 'ok', 'write', 1, 2),
      ev(1, 'invoke', 'read', null, 3), ev(1, 'ok', 'read', 1, 4),
      ev(2, 'invoke', 'cas', [1, 2], 5), ev(2, 'ok', 'cas', [1, 2], 6),
      ev(1, 'invoke', 'read', null, 7), ev(1, 'ok', 'read', 2, 8),
      { process: 'nemesis', type: 'info', f: 'stop', value: { fault: 'kill', targets: ['db-1'] }, time: 9 },
    ]);
    const r = run(['--model', 'register', path]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/register: ok/);
    expect(existsSync(`${path}.timeline.html`)).toBe(false);
  });

  it('1 for a stale read, with the failing operations printed and an HTML timeline written', () => {
    const path = file('stale.jsonl', [
      ev(0, 'invoke', 'write', 1, 1), ev(0, 'ok', 'write', 1, 2),
      ev(0, 'invoke', 'write', 2, 3), ev(0, 'ok', 'write', 2, 4),
      ev(1, 'invoke', 'read', null, 5), ev(1, 'ok', 'read', 1, 6),
    ]);
    const r = run(['--model', 'register', path]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/not linearizable/);
    expect(r.out).toMatch(/read → 1/);
    const html = readFileSync(`${path}.timeline.html`, 'utf8');
    expect(html).toContain('register linearizability: illegal');
    expect(html).toContain('class="op ok failing"');
  });

  it('2 for bad input: malformed JSON, time going backwards, a crashed process reused, a bad model, no file', () => {
    expect(run(['--model', 'register', file('bad1.jsonl', '{"process":0,')]).code).toBe(2);
    expect(run(['--model', 'register', file('bad2.jsonl', [ev(0, 'invoke', 'read', null, 5), ev(0, 'ok', 'read', null, 4)])]).code).toBe(2);
    const reused = file('bad3.jsonl', [ev(0, 'invoke', 'write', 1, 1), ev(0, 'info', 'write', 1, 2), ev(0, 'invoke', 'write', 2, 3)]);
    const r = run(['--model', 'register', reused]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/HISTORY_INVALID.*new id/);
    expect(run(['--model', 'register', file('bad4.jsonl', [ev(0, 'invoke', 'incr', 1, 1), ev(0, 'ok', 'incr', 1, 2)])]).code).toBe(2);
    expect(run(['--model', 'queue', file('ok.jsonl', [])]).code).toBe(2);
    expect(run(['--model', 'register', join(dir, 'missing.jsonl')]).code).toBe(2);
    expect(run(['--model', 'register']).code).toBe(2);
  });

  it('3 when the search budget runs out', () => {
    const lines: object[] = [ev(90, 'invoke', 'write', 100, 0), ev(90, 'ok', 'write', 100, 1)];
    for (let p = 0; p < 6; p++) lines.push(ev(p, 'invoke', 'write', p, 2 + p), ev(p, 'info', 'write', p, 2 + p));
    for (let p = 0; p < 6; p++) lines.push(ev(20 + p, 'invoke', 'read', null, 20));
    for (let p = 0; p < 6; p++) lines.push(ev(20 + p, 'ok', 'read', p, 21));
    lines.push(ev(99, 'invoke', 'read', null, 30), ev(99, 'ok', 'read', 100, 31));
    const path = file('budget.jsonl', lines);
    const r = run(['--model', 'register', '--budget', '100', path]);
    expect(r.code).toBe(3);
    expect(r.out).toMatch(/unknown/);
    expect(run(['--model', 'register', path]).code).toBe(1);
  });

  it('counter and set models, and the simpler counter-bounds and set-full checks', () => {
    const counter = file('counter.jsonl', [
      ev(0, 'invoke', 'add', 1, 1), ev(0, 'ok', 'add', 1, 2),
      ev(1, 'invoke', 'add', 1, 3), ev(1, 'ok', 'add', 1, 4),
      ev(2, 'invoke', 'read', null, 5), ev(2, 'ok', 'read', 1, 6), // one acknowledged add lost
    ]);
    expect(run(['--model', 'counter', counter]).code).toBe(1);
    const bounds = run(['--check', 'counter-bounds', counter]);
    expect(bounds.code).toBe(1);
    expect(bounds.out).toMatch(/lost/);
    const set = file('set.jsonl', [
      ev(0, 'invoke', 'add', 'a', 1), ev(0, 'ok', 'add', 'a', 2),
      ev(1, 'invoke', 'add', 'b', 3), ev(1, 'info', 'add', 'b', 9),
      ev(2, 'invoke', 'read', null, 10), ev(2, 'ok', 'read', ['a', 'b'], 11),
    ]);
    expect(run(['--model', 'set', set]).code).toBe(0);
    expect(run(['--check', 'set-full', set]).code).toBe(0);
  });

  it('a generated valid history of 3,000 operations passes through the file path', () => {
    const planned = generateRegisterHistory(7, { keys: 10, processesPerKey: 5, opsPerKey: 300, infoRate: 0.02, values: 0, uniqueValues: true });
    const path = file('generated.jsonl', toEvents(planned));
    expect(run(['--model', 'register', path]).code).toBe(0);
  });

  it('converts a list-append history to Elle EDN', () => {
    const path = file('append.jsonl', [
      ev(0, 'invoke', 'txn', [['append', '1', 3], ['r', '1', null]], 1, ''),
      ev(0, 'ok', 'txn', [['append', '1', 3], ['r', '1', [1, 3]]], 2, ''),
      ev(1, 'invoke', 'txn', [['r', 'k"x', null]], 3, ''),
      ev(1, 'info', 'txn', [['r', 'k"x', null]], 4, ''),
    ]);
    const out = join(dir, 'append.edn');
    expect(run(['--elle-edn', out, path]).code).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe(
      '{:index 0, :type :invoke, :process 0, :f :txn, :value [[:append 1 3] [:r 1 nil]], :time 1}\n'
      + '{:index 1, :type :ok, :process 0, :f :txn, :value [[:append 1 3] [:r 1 [1 3]]], :time 2}\n'
      + '{:index 2, :type :invoke, :process 1, :f :txn, :value [[:r "k\\"x" nil]], :time 3}\n'
      + '{:index 3, :type :info, :process 1, :f :txn, :value [[:r "k\\"x" nil]], :time 4}\n');
    // element 1 was read but never appended in this history: garbage
    const basic = run(['--check', 'list-append', path]);
    expect(basic.code).toBe(1);
    expect(basic.out).toMatch(/garbage on "1": element 1/);
    expect(run(['--elle-edn', out, file('append-bad.jsonl', [ev(0, 'invoke', 'txn', [['push', '1', 3]], 1, '')])]).code).toBe(2);
  });
});
