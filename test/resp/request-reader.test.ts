import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { RequestReader, type RequestLimits } from '../../src/resp/request-reader.js';
import { encodeCommand } from '../helpers/resp-client.js';

const limits: RequestLimits = { protoMaxBulkLenBytes: 512 * 1024 * 1024, multibulkLenMax: 2 ** 31 - 1, inlineLenBytes: 64 * 1024, queryBufferBytes: 1024 * 1024 * 1024 };

function collect(chunks: Buffer[], readerLimits: RequestLimits = limits): { commands: string[][]; errors: string[] } {
  const commands: string[][] = [];
  const errors: string[] = [];
  const reader = new RequestReader(readerLimits, { command: (argv) => commands.push(argv), protocolError: (message) => errors.push(message) });
  for (const chunk of chunks) reader.feed(chunk);
  return { commands, errors };
}

// Binary-safe arguments: any byte, as latin1 chars.
const argArb = fc.uint8Array({ maxLength: 40 }).map((bytes) => Buffer.from(bytes).toString('latin1'));
const commandArb = fc.array(argArb, { minLength: 1, maxLength: 6 });

describe('RequestReader', () => {
  it('parses RESP arrays fed whole, byte by byte, and split at every boundary', () => {
    fc.assert(fc.property(fc.array(commandArb, { minLength: 1, maxLength: 8 }), (commands) => {
      const bytes = Buffer.from(commands.map(encodeCommand).join(''), 'latin1');
      expect(collect([bytes]).commands).toEqual(commands);
      expect(collect([...bytes].map((byte) => Buffer.from([byte]))).commands).toEqual(commands);
      for (let split = 1; split < bytes.length; split++) {
        expect(collect([bytes.subarray(0, split), bytes.subarray(split)]).commands).toEqual(commands);
      }
    }), { numRuns: 60 });
  });

  it('parses inline commands with quotes and escapes, mixed with RESP', () => {
    const input = 'PING\r\nSET k "a b\\x41\\n"\r\n' + encodeCommand(['GET', 'k']) + "ECHO 'it\\'s'\n\r\n";
    const { commands, errors } = collect([Buffer.from(input, 'latin1')]);
    expect(errors).toEqual([]);
    expect(commands).toEqual([['PING'], ['SET', 'k', 'a bA\n'], ['GET', 'k'], ['ECHO', "it's"]]);
  });

  it('ignores empty arrays and empty inline lines', () => {
    expect(collect([Buffer.from('*0\r\n\r\n*-1\r\nPING\r\n')]).commands).toEqual([['PING']]);
  });

  it('reports Redis protocol errors', () => {
    const cases: [string, string][] = [
      ['*1\r\n+PING\r\n', "Protocol error: expected '$', got '+'"],
      ['*x\r\n', 'Protocol error: invalid multibulk length'],
      ['*1\r\n$-5\r\n', 'Protocol error: invalid bulk length'],
      ['*1\r\n$1099511627776\r\n', 'Protocol error: invalid bulk length'],
      ['*1\r\n$abc\r\n', 'Protocol error: invalid bulk length'],
      ['SET "unterminated\r\n', 'Protocol error: unbalanced quotes in request'],
      ['SET "a"b\r\n', 'Protocol error: unbalanced quotes in request'],
    ];
    for (const [input, error] of cases) expect(collect([Buffer.from(input)]).errors).toEqual([error]);
  });

  it('enforces the configured limits without allocating declared sizes', () => {
    const small: RequestLimits = { protoMaxBulkLenBytes: 100, multibulkLenMax: 10, inlineLenBytes: 64, queryBufferBytes: 1000 };
    expect(collect([Buffer.from('*11\r\n')], small).errors).toEqual(['Protocol error: invalid multibulk length']);
    expect(collect([Buffer.from('*1\r\n$101\r\n')], small).errors).toEqual(['Protocol error: invalid bulk length']);
    expect(collect([Buffer.from('x'.repeat(65))], small).errors).toEqual(['Protocol error: too big inline request']);
    expect(collect([Buffer.from('*1\r\n$100\r\n'), Buffer.alloc(50)], small).errors).toEqual([]);
    const flood = collect([Buffer.from('*10\r\n'), ...Array.from({ length: 12 }, () => Buffer.from('$99\r\n' + 'x'.repeat(99) + '\r\n'))], small);
    expect(flood.errors).toEqual(['Protocol error: query buffer limit exceeded (client-query-buffer-limit)']);
    // A 10^7-element header within the limit just waits for data.
    expect(collect([Buffer.from('*10000000\r\n')]).errors).toEqual([]);
  });

  it('frames a large bulk string arriving in many chunks', () => {
    const payload = 'v'.repeat(3_000_000);
    const bytes = Buffer.from(encodeCommand(['SET', 'k', payload]), 'latin1');
    const chunks: Buffer[] = [];
    for (let i = 0; i < bytes.length; i += 65536) chunks.push(bytes.subarray(i, i + 65536));
    const { commands } = collect(chunks);
    expect(commands).toHaveLength(1);
    expect(commands[0]![2]!.length).toBe(3_000_000);
  });
});
