// Length-prefixed msgpackr frames: whole, byte by byte and split anywhere decode the same;
// the limit is enforced from the prefix alone; garbage bodies are reported, not thrown.

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { encodeFrame, FrameDecoder } from '../../log-service/wire/frame.js';
import { LogError } from '../../log-service/errors.js';
import { encode } from '../../log-service/codec.js';

const frameValue = fc.record({
  id: fc.nat(),
  op: fc.constantFrom('append', 'read', 'tail'),
  log: fc.string({ maxLength: 20 }),
  payloads: fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 4 }),
});

function normalize(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value, (_key, v) => (v instanceof Uint8Array ? [...v] : v && v.type === 'Buffer' ? v.data : v)));
}

describe('frames', () => {
  it('decode identically whole, byte by byte and split at arbitrary points', () => {
    fc.assert(
      fc.property(fc.array(frameValue, { minLength: 1, maxLength: 5 }), fc.array(fc.nat(), { maxLength: 10 }), (values, cuts) => {
        const stream = Buffer.concat(values.map((value) => encodeFrame(value, 1 << 20)));
        const points = [...new Set(cuts.map((cut) => cut % (stream.length + 1)))].sort((a, b) => a - b);
        const decode = (chunks: Buffer[]) => {
          const decoder = new FrameDecoder(1 << 20);
          return chunks.flatMap((chunk) => decoder.push(chunk)).map((event) => (event.kind === 'frame' ? normalize(event.value) : event));
        };
        const expected = values.map(normalize);
        expect(decode([stream])).toEqual(expected);
        expect(decode([...stream].map((byte) => Buffer.from([byte])))).toEqual(expected);
        const pieces: Buffer[] = [];
        let from = 0;
        for (const point of points) {
          pieces.push(stream.subarray(from, point));
          from = point;
        }
        pieces.push(stream.subarray(from));
        expect(decode(pieces)).toEqual(expected);
      }),
      { numRuns: 100 },
    );
  });

  it('refuses an oversized frame from its length prefix, before buffering the body', () => {
    const decoder = new FrameDecoder(100);
    const prefix = Buffer.alloc(4);
    prefix.writeUInt32BE(101);
    const events = decoder.push(prefix);
    expect(events).toHaveLength(1);
    expect(events[0]!.kind).toBe('error');
    expect((events[0] as { error: LogError }).error.code).toBe('FRAME_TOO_LARGE');
    expect(decoder.isFailed).toBe(true);
    expect(decoder.push(Buffer.alloc(50))).toEqual([]);
    expect(() => encodeFrame({ big: new Uint8Array(200) }, 100)).toThrow(/FRAME_TOO_LARGE/);
  });

  it('never lets a body read into the frame after it (msgpackr bundled strings)', () => {
    // ext 0x62 moves msgpackr's read position; decoded from a range of the whole chunk, this
    // body once took 20 bytes of the next frame as its own, while decoded alone it is short.
    const body = Buffer.from([0xd6, 0x62, 0, 0, 0, 6, 0xc4, 20, 0xa0, 0xa0]);
    const prefix = Buffer.alloc(4);
    prefix.writeUInt32BE(body.length);
    const next = encodeFrame({ op: 'next', token: 'abcdefghijkl' }, 1 << 20);
    const whole = new FrameDecoder(1 << 20).push(Buffer.concat([prefix, body, next]));
    const split = new FrameDecoder(1 << 20);
    const apart = [...split.push(Buffer.concat([prefix, body])), ...split.push(next)];
    expect(whole.map((event) => (event.kind === 'frame' ? normalize(event.value) : event.error.code))).toEqual(
      apart.map((event) => (event.kind === 'frame' ? normalize(event.value) : event.error.code)),
    );
    expect(whole[1]).toEqual({ kind: 'frame', value: { op: 'next', token: 'abcdefghijkl' } });
  });

  it('reports a malformed body as BAD_REQUEST and keeps decoding the frames after it', () => {
    const decoder = new FrameDecoder(100);
    const events = decoder.push(Buffer.concat([Buffer.from([0, 0, 0, 1, 0x81]), encodeFrame({ ok: 1 }, 100)]));
    expect(events[0]).toMatchObject({ kind: 'error' });
    expect((events[0] as { error: LogError }).error.code).toBe('BAD_REQUEST');
    expect(events[1]).toEqual({ kind: 'frame', value: { ok: 1 } });
  });

  it('carries frames larger than the encoder\'s 8 KiB buffer, and frames encoded after them, intact', () => {
    // The body is encoded behind room for its prefix; a body that outgrows the encoder's
    // buffer is moved with that room, and the frames encoded next must not overwrite it.
    const big = new Uint8Array(100_000).map((_, i) => i % 251);
    const frames = [encodeFrame({ n: 1, big }, 1 << 20), encodeFrame({ n: 2 }, 1 << 20), encodeFrame({ n: 3, big }, 1 << 20)];
    for (const frame of frames) expect(frame.readUInt32BE(0)).toBe(frame.length - 4);
    // A small frame after a large one does not lie in (and keep alive) the grown buffer;
    // nor does a small value encoded after one (a command kept in the in-memory Raft log).
    expect(frames[1]!.buffer.byteLength).toBeLessThanOrEqual(64 * 1024);
    encode({ big });
    expect(encode({ n: 4 }).buffer.byteLength).toBeLessThanOrEqual(64 * 1024);
    const decoder = new FrameDecoder(1 << 20);
    const stream = Buffer.concat(frames);
    const values = [...decoder.push(stream.subarray(0, 70_000)), ...decoder.push(stream.subarray(70_000))].map((event) => (event.kind === 'frame' ? normalize(event.value) : event));
    expect(values).toEqual([normalize({ n: 1, big }), { n: 2 }, normalize({ n: 3, big })]);
  });
});
