// Byte streams for store and format tests: a buffer as an async iterable of blocks, and back.

/** `data` as blocks of `size` bytes (the last one shorter). */
export async function* blocks(data: Buffer, size: number): AsyncIterable<Uint8Array> {
  for (let offset = 0; offset < data.length; offset += size) yield data.subarray(offset, offset + size);
}

/** Every byte of `stream`, in one buffer. */
export async function readAll(stream: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of stream) parts.push(Buffer.from(part));
  return Buffer.concat(parts);
}
