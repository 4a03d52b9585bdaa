// FramedConnection.drained() is what a log node's held requests wait on (connectionQueueBytesMax).
// Node emits 'drain' only after a write found the queue above the socket's high-water mark, so
// a queue that stays below it (here: a high-water mark above everything written, the other side
// not reading for a while) must still wake its waiters once written out. Real sockets.

import { createServer, connect, type NetConnectOpts, type Server, type Socket } from 'node:net';
import { afterEach, expect, it } from 'vitest';
import { FramedConnection } from '../../log-service/wire/connection.js';

const frameBytesMax = 16 * 1024 * 1024;
let server: Server | undefined;
let socket: Socket | undefined;

afterEach(async () => {
  socket?.destroy();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
});

it('drained() resolves once a queue that never passed the high-water mark is written out', async () => {
  let resumeReader = () => undefined as void;
  server = createServer((peer) => {
    peer.pause(); // fills the kernel's buffers, so the sender's queue holds the rest
    resumeReader = () => void peer.resume();
    peer.on('data', () => undefined);
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  // Node passes stream options through to the socket; its types do not list them.
  const options: NetConnectOpts & { writableHighWaterMark: number } = { port, host: '127.0.0.1', writableHighWaterMark: 64 * 1024 * 1024 };
  socket = connect(options);
  await new Promise((resolve) => socket!.once('connect', resolve));
  const connection = new FramedConnection(socket, frameBytesMax, { onFrame: () => undefined, onFrameError: () => undefined, onClose: () => undefined });

  for (let i = 0; i < 3; i++) connection.send({ payload: new Uint8Array(4 * 1024 * 1024) });
  await new Promise((resolve) => setTimeout(resolve, 50));
  expect(connection.queuedBytes).toBeGreaterThan(0); // more than loopback's buffers take
  expect(connection.queuedBytes).toBeLessThan(socket.writableHighWaterMark); // so no 'drain' will come

  let drained = false;
  const waiting = connection.drained().then(() => { drained = true; });
  await new Promise((resolve) => setTimeout(resolve, 50));
  expect(drained).toBe(false);
  resumeReader();
  await waiting; // without the wake-up from the write callbacks, this never resolves (test timeout)
  expect(connection.queuedBytes).toBe(0);
}, 10_000);
