// A framed TCP connection: decodes incoming frames with the limit checked up front, writes
// frames, and exposes how many bytes wait in the socket's write queue (back-pressure).
// With coalesceWrites, frames written together leave in one writev: the socket is corked at
// the first send and uncorked in a microtask, after the code that is running now, so a Ready
// that answers many proposals, or a client with several batches, costs one syscall (and one
// wake-up of the other side) instead of one per frame. A microtask, not process.nextTick: a
// tick runs only once every queued promise job has, and a log node's answers then waited for
// the rest of its Ready loop. Raft peer links do not coalesce: a follower's acknowledgement
// must leave as soon as its write is done, not after the synchronous work of the next Ready.

import type { Socket } from 'node:net';
import { LogError } from '../errors.js';
import { encodeFrame, FrameDecoder } from './frame.js';

export interface FrameHandlers {
  onFrame(value: unknown): void;
  /** A frame that could not be decoded; FRAME_TOO_LARGE leaves the stream unusable. */
  onFrameError(error: LogError): void;
  onClose(): void;
}

export class FramedConnection {
  private readonly decoder: FrameDecoder;
  private closed = false;
  private corked = false;
  private readonly drainWaiters: Array<() => void> = [];

  constructor(
    readonly socket: Socket,
    public frameBytesMax: number,
    private readonly handlers: FrameHandlers,
    private readonly coalesceWrites = false,
  ) {
    this.decoder = new FrameDecoder(frameBytesMax);
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      for (const event of this.decoder.push(chunk)) {
        if (this.closed) return;
        if (event.kind === 'frame') this.handlers.onFrame(event.value);
        else this.handlers.onFrameError(event.error);
      }
    });
    socket.on('drain', this.wakeDrainWaiters);
    socket.on('error', () => {
      // 'close' follows; the reason does not change what the owner does.
    });
    socket.on('close', () => {
      this.closed = true;
      for (const waiter of this.drainWaiters.splice(0)) waiter();
      this.handlers.onClose();
    });
  }

  /** Changes the incoming frame limit (a peer connection is allowed larger frames). */
  setFrameBytesMax(frameBytesMax: number): void {
    this.frameBytesMax = frameBytesMax;
    this.decoder.frameBytesMax = frameBytesMax;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  get queuedBytes(): number {
    return this.socket.writableLength;
  }

  /** Encodes and writes one frame; throws FRAME_TOO_LARGE (nothing written) above the limit. */
  send(value: unknown, frameBytesMax = this.frameBytesMax): void {
    if (this.closed) throw new LogError('CLOSED', 'connection closed');
    const frame = encodeFrame(value, frameBytesMax);
    if (this.coalesceWrites && !this.corked) {
      this.corked = true;
      this.socket.cork();
      queueMicrotask(() => this.uncork());
    }
    this.socket.write(frame, this.afterWrite);
  }

  /**
   * 'drain' alone is not enough for drained(): Node emits it only after a write found the queue
   * above its high-water mark, so a queue that never got that long would be waited on forever.
   */
  private readonly afterWrite = (): void => {
    if (this.socket.writableLength === 0) this.wakeDrainWaiters();
  };

  private readonly wakeDrainWaiters = (): void => {
    for (const waiter of this.drainWaiters.splice(0)) waiter();
  };

  private uncork(): void {
    if (!this.corked) return;
    this.corked = false;
    this.socket.uncork();
  }

  /** Resolves once the write queue has drained (or the connection closed). */
  drained(): Promise<void> {
    if (this.corked) this.uncork(); // 'drain' comes only after the queue was written out
    if (this.closed || this.socket.writableLength === 0) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.destroy();
  }

  /** Ends after flushing what was written (used to deliver a final error frame). */
  end(): void {
    this.socket.end();
  }
}
