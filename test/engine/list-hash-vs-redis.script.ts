// Dev tool (not a test): runs command sequences against a real redis-server and the Keel
// engine and prints every reply that differs byte for byte (RESP2).
// Usage: npx vite-node test/engine/list-hash-vs-redis.script.ts <port> <commands file> [--fixture]
// The commands file has one command per line, words split by spaces (\s = space, \e = empty).
// With --fixture it prints [argv, redis RESP2 reply] pairs as TypeScript, for tests.
import net from 'node:net';
import { readFileSync } from 'node:fs';
import { EngineHarness } from '../helpers/engine.js';
import { encodeReply } from '../../src/resp/encoder.js';
import { BlockRequest } from '../../src/commands/spec.js';

function encodeCommand(argv: string[]): Buffer {
  let text = `*${argv.length}\r\n`;
  for (const arg of argv) text += `$${Buffer.byteLength(arg, 'latin1')}\r\n${arg}\r\n`;
  return Buffer.from(text, 'latin1');
}

/** Length of one complete RESP2 reply at the start of `data`, or -1 when incomplete. */
function replyLength(data: string, at = 0): number {
  const lineEnd = data.indexOf('\r\n', at);
  if (lineEnd < 0) return -1;
  const type = data[at];
  const header = data.slice(at + 1, lineEnd);
  const next = lineEnd + 2;
  if (type === '+' || type === '-' || type === ':') return next - at;
  if (type === '$') {
    const length = Number(header);
    if (length < 0) return next - at;
    return data.length >= next + length + 2 ? next + length + 2 - at : -1;
  }
  if (type === '*') {
    const count = Number(header);
    let position = next;
    for (let i = 0; i < count; i++) {
      const inner = replyLength(data, position);
      if (inner < 0) return -1;
      position += inner;
    }
    return position - at;
  }
  throw new Error(`bad reply type ${type}`);
}

async function main(): Promise<void> {
  const port = Number(process.argv[2]);
  const lines = readFileSync(process.argv[3]!, 'latin1').split('\n').filter((line) => line.trim() !== '' && !line.startsWith('#'));
  const socket = net.connect(port, '127.0.0.1');
  await new Promise((resolve) => socket.once('connect', resolve));
  let buffer = '';
  const waiters: ((text: string) => void)[] = [];
  socket.on('data', (chunk) => {
    buffer += chunk.toString('latin1');
    for (;;) {
      if (buffer.length === 0 || waiters.length === 0) break;
      const length = replyLength(buffer);
      if (length < 0) break;
      const reply = buffer.slice(0, length);
      buffer = buffer.slice(length);
      waiters.shift()!(reply);
    }
  });
  const send = (argv: string[]): Promise<string> => new Promise((resolve) => {
    waiters.push(resolve);
    socket.write(encodeCommand(argv));
  });
  await send(['FLUSHALL']);
  const harness = new EngineHarness();
  let differences = 0;
  const fixture = process.argv[4] === '--fixture';
  for (const line of lines) {
    const argv = line.split(' ').map((word) => word.replace(/\\s/g, ' ').replace(/\\e/g, ''));
    const redisReply = await send(argv);
    const outcome = harness.exec(argv);
    const keelReply = outcome.reply instanceof BlockRequest ? '(blocked)' : encodeReply(outcome.reply, 2);
    if (fixture) {
      console.log(`  [${JSON.stringify(argv)}, ${JSON.stringify(redisReply)}],`);
      continue;
    }
    if (redisReply !== keelReply) {
      differences++;
      console.log(`DIFF ${line}\n  redis: ${JSON.stringify(redisReply)}\n  keel:  ${JSON.stringify(keelReply)}`);
    }
  }
  if (!fixture) console.log(`${lines.length} commands, ${differences} differences`);
  socket.end();
}

void main();
