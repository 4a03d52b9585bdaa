// NodeConnection's request timeouts: one timer, armed for the earliest deadline, sweeps every
// request past its own (node-connection.ts says why not a timer per request). Against a real
// socket whose other end reads the frames and answers only the ones it is told to.

import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, expect, it } from 'vitest';
import { NodeConnection } from '../../log-service/client/node-connection.js';
import { LogError } from '../../log-service/errors.js';
import { encodeFrame, FrameDecoder } from '../../log-service/wire/frame.js';

const frameBytesMax = 1024 * 1024;
let server: Server | undefined;
let connection: NodeConnection | undefined;

afterEach(async () => {
  connection?.close();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
});

/** A server that reads request frames and answers those whose `answer` is true. */
async function startServer(): Promise<{ address: string; received: Array<Record<string, unknown>> }> {
  const received: Array<Record<string, unknown>> = [];
  server = createServer((peer: Socket) => {
    const decoder = new FrameDecoder(frameBytesMax);
    peer.on('data', (chunk: Buffer) => {
      for (const event of decoder.push(chunk)) {
        if (event.kind !== 'frame') continue;
        const request = event.value as Record<string, unknown>;
        received.push(request);
        if (request.answer === true) peer.write(encodeFrame({ id: request.id, ok: true, result: request.n }, frameBytesMax));
      }
    });
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return { address: `127.0.0.1:${(server.address() as { port: number }).port}`, received };
}

/** Resolves with how long the request took and how it ended. */
async function timed(request: Promise<unknown>): Promise<{ ms: number; result?: unknown; code?: string }> {
  const started = performance.now();
  try {
    const result = await request;
    return { ms: performance.now() - started, result };
  } catch (error) {
    return { ms: performance.now() - started, code: error instanceof LogError ? error.code : String(error) };
  }
}

it('fails each unanswered request with TIMEOUT at its own deadline, an earlier one first', async () => {
  const { address, received } = await startServer();
  connection = new NodeConnection(address, frameBytesMax, 1000);
  await connection.request({ op: 'hello', answer: true, n: 0 }, 1000); // connected
  // The long one arms the sweep first; the short one, sent after it, must re-arm it earlier.
  const long = timed(connection.request({ op: 'x', n: 1 }, 600));
  const short = timed(connection.request({ op: 'x', n: 2 }, 150));
  const answered = timed(connection.request({ op: 'x', answer: true, n: 3 }, 2000));
  const [longOutcome, shortOutcome, answeredOutcome] = await Promise.all([long, short, answered]);
  expect(answeredOutcome).toMatchObject({ result: 3 });
  expect(shortOutcome.code).toBe('TIMEOUT');
  expect(shortOutcome.ms).toBeGreaterThanOrEqual(145);
  expect(shortOutcome.ms).toBeLessThan(550); // not at the long one's deadline
  expect(longOutcome.code).toBe('TIMEOUT');
  expect(longOutcome.ms).toBeGreaterThanOrEqual(595);
  expect(longOutcome.ms).toBeLessThan(3000);
  expect(received.map((request) => request.n)).toEqual([0, 1, 2, 3]);
}, 10_000);

it('keeps sweeping: requests sent after a sweep fired still time out', async () => {
  const { address } = await startServer();
  connection = new NodeConnection(address, frameBytesMax, 1000);
  expect((await timed(connection.request({ op: 'x', n: 1 }, 100))).code).toBe('TIMEOUT');
  // Answered ones leave nothing behind; the next unanswered one has its own deadline.
  expect((await timed(connection.request({ op: 'x', answer: true, n: 2 }, 2000))).result).toBe(2);
  const again = await timed(connection.request({ op: 'x', n: 3 }, 100));
  expect(again.code).toBe('TIMEOUT');
  expect(again.ms).toBeGreaterThanOrEqual(95);
  expect(again.ms).toBeLessThan(2000);
}, 10_000);

it('fails what is outstanding with CLOSED when the client closes, and sends nothing after', async () => {
  const { address } = await startServer();
  connection = new NodeConnection(address, frameBytesMax, 1000);
  await connection.request({ op: 'hello', answer: true, n: 0 }, 1000);
  const waiting = timed(connection.request({ op: 'x', n: 1 }, 5000));
  connection.close();
  expect((await waiting).code).toBe('CLOSED');
  expect((await timed(connection.request({ op: 'x', answer: true, n: 2 }, 1000))).code).toBe('CLOSED');
});
