// Dev tool (not a test): runs set / sorted-set / HyperLogLog command sequences against a real
// redis-server and the Keel engine, and prints every reply that differs byte for byte.
// Usage:
//   node node_modules/vite-node/vite-node.mjs test/engine/sets-zsets-vs-redis.script.ts <port> <file | --random seed> [--resp3] [--fixture]
// A commands file has one command per line, words split by spaces (\s = a space).
// `--random seed` generates 400 commands over small sets (integer members, so Redis 7.0 replies
// in intset order) and sorted sets (half-integer scores, so 7.0's %.17g equals 7.2's output).
// With --fixture it prints [argv, reply] rows as TypeScript (differing rows as comments), the
// form of test/engine/*-redis-replies.test.ts and zsets-redis-fuzz.test.ts.
// Start a server with: redis-server --port <port> --save '' --appendonly no
import net from 'node:net';
import { readFileSync } from 'node:fs';
import { EngineHarness, seededRandom } from '../helpers/engine.js';
import { encodeReply } from '../../src/resp/encoder.js';
import { BlockRequest } from '../../src/commands/spec.js';

function encodeCommand(argv: string[]): string {
  let text = `*${argv.length}\r\n`;
  for (const arg of argv) text += `$${Buffer.byteLength(arg, 'latin1')}\r\n${arg}\r\n`;
  return text;
}

/** End of the complete RESP2/RESP3 reply starting at `at`, or -1 when incomplete. */
function replyEnd(data: string, at: number): number {
  const lineEnd = data.indexOf('\r\n', at);
  if (lineEnd < 0) return -1;
  const type = data[at]!;
  const header = data.slice(at + 1, lineEnd);
  let next = lineEnd + 2;
  if ('$=!'.includes(type)) {
    const length = Number(header);
    if (length < 0) return next;
    return data.length >= next + length + 2 ? next + length + 2 : -1;
  }
  if ('*~>%'.includes(type)) {
    let count = Number(header);
    if (count < 0) return next;
    if (type === '%') count *= 2;
    for (let i = 0; i < count; i++) {
      if (next >= data.length) return -1;
      next = replyEnd(data, next);
      if (next < 0) return -1;
    }
    return next;
  }
  return next;
}

async function redisReplies(port: number, commands: string[][], resp3: boolean): Promise<string[]> {
  const all = [['FLUSHALL'], ...(resp3 ? [['HELLO', '3']] : []), ...commands];
  const skip = resp3 ? 2 : 1;
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let data = '';
    socket.on('error', reject);
    socket.on('data', (chunk) => {
      data += chunk.toString('latin1');
      const replies: string[] = [];
      let at = 0;
      while (at < data.length) {
        const end = replyEnd(data, at);
        if (end < 0) break;
        replies.push(data.slice(at, end));
        at = end;
      }
      if (replies.length === all.length) {
        socket.end();
        resolve(replies.slice(skip));
      }
    });
    socket.write(all.map(encodeCommand).join(''), 'latin1');
  });
}

function randomCommands(seed: number): string[][] {
  const random = seededRandom(seed);
  const int = (min: number, max: number): number => min + Math.floor(random() * (max - min + 1));
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const key = (): string => pick(['a', 'b', 'c', 's']);
  const setKey = (): string => `S${key()}`;
  const zkey = (): string => `Z${key()}`;
  const members = (n: number): string[] => Array.from({ length: n }, () => String(int(-5, 20)));
  const score = (): string => String(pick([int(-4, 4), int(-8, 8) / 2]));
  const bound = (): string => pick(['-inf', '+inf', score(), `(${score()}`]);
  const member = (): string => pick(['m', 'n', 'o', 'p', 'q', 'aa', 'b', 'c']);
  const lex = (): string => pick(['-', '+', `[${member()}`, `(${member()}`]);
  const index = (): string => String(int(-6, 6));
  const limit = (): string[] => (random() < 0.4 ? ['LIMIT', String(int(-1, 3)), String(int(-1, 3))] : []);
  const commands: string[][] = [];
  for (let i = 0; i < 400; i++) {
    const family = pick(['set', 'zset', 'zset', 'misc']);
    if (family === 'set') {
      const name = pick(['SADD', 'SREM', 'SMEMBERS', 'SCARD', 'SISMEMBER', 'SMISMEMBER', 'SINTER', 'SUNION', 'SDIFF', 'SINTERSTORE', 'SUNIONSTORE', 'SDIFFSTORE', 'SINTERCARD', 'SMOVE', 'SSCAN']);
      const keys = (): string[] => Array.from({ length: int(1, 3) }, setKey);
      if (name === 'SADD' || name === 'SREM') commands.push([name, setKey(), ...members(int(1, 4))]);
      else if (name === 'SMEMBERS' || name === 'SCARD') commands.push([name, setKey()]);
      else if (name === 'SISMEMBER') commands.push([name, setKey(), ...members(1)]);
      else if (name === 'SMISMEMBER') commands.push([name, setKey(), ...members(3)]);
      else if (name === 'SINTER' || name === 'SUNION' || name === 'SDIFF') commands.push([name, ...keys()]);
      else if (name.endsWith('STORE')) commands.push([name, setKey(), ...keys()]);
      else if (name === 'SINTERCARD') { const ks = keys(); commands.push([name, String(ks.length), ...ks, ...(random() < 0.5 ? ['LIMIT', String(int(0, 3))] : [])]); }
      else if (name === 'SMOVE') commands.push([name, setKey(), setKey(), ...members(1)]);
      else commands.push([name, setKey(), '0', ...(random() < 0.5 ? ['MATCH', pick(['1*', '*', '-*'])] : [])]);
    } else if (family === 'zset') {
      const name = pick(['ZADD', 'ZADD', 'ZINCRBY', 'ZREM', 'ZSCORE', 'ZMSCORE', 'ZCARD', 'ZCOUNT', 'ZLEXCOUNT', 'ZRANGE', 'ZRANGEBYSCORE', 'ZREVRANGEBYSCORE', 'ZRANGEBYLEX', 'ZREVRANGEBYLEX', 'ZREVRANGE', 'ZRANK', 'ZREVRANK', 'ZREMRANGEBYRANK', 'ZREMRANGEBYSCORE', 'ZREMRANGEBYLEX', 'ZPOPMIN', 'ZPOPMAX', 'ZMPOP', 'ZUNION', 'ZINTER', 'ZDIFF', 'ZUNIONSTORE', 'ZINTERSTORE', 'ZDIFFSTORE', 'ZINTERCARD', 'ZRANGESTORE', 'ZSCAN']);
      const inputs = (): string[] => Array.from({ length: int(1, 3) }, () => (random() < 0.5 ? zkey() : setKey()));
      const algebraOptions = (n: number): string[] => [
        ...(random() < 0.4 ? ['WEIGHTS', ...Array.from({ length: n }, () => pick(['1', '2', '0.5', '-1', '0']))] : []),
        ...(random() < 0.4 ? ['AGGREGATE', pick(['SUM', 'MIN', 'MAX'])] : []),
      ];
      switch (name) {
        case 'ZADD': {
          const flags = pick([[], [], ['NX'], ['XX'], ['GT'], ['LT'], ['CH'], ['GT', 'CH'], ['XX', 'LT', 'CH'], ['INCR'], ['NX', 'INCR']]);
          const pairs = flags.includes('INCR') ? 1 : int(1, 3);
          commands.push([name, zkey(), ...flags, ...Array.from({ length: pairs }, () => [score(), member()]).flat()]);
          break;
        }
        case 'ZINCRBY': commands.push([name, zkey(), score(), member()]); break;
        case 'ZREM': commands.push([name, zkey(), ...Array.from({ length: int(1, 3) }, member)]); break;
        case 'ZSCORE': case 'ZRANK': case 'ZREVRANK': commands.push([name, zkey(), member()]); break;
        case 'ZMSCORE': commands.push([name, zkey(), member(), member()]); break;
        case 'ZCARD': commands.push([name, zkey()]); break;
        case 'ZCOUNT': case 'ZREMRANGEBYSCORE': commands.push([name, zkey(), bound(), bound()]); break;
        case 'ZLEXCOUNT': case 'ZREMRANGEBYLEX': commands.push([name, zkey(), lex(), lex()]); break;
        case 'ZRANGEBYLEX': case 'ZREVRANGEBYLEX': commands.push([name, zkey(), lex(), lex(), ...limit()]); break;
        case 'ZRANGE': {
          const mode = pick(['rank', 'score', 'lex']);
          const [from, to] = mode === 'rank' ? [index(), index()] : mode === 'score' ? [bound(), bound()] : [lex(), lex()];
          commands.push([name, zkey(), from, to, ...(mode === 'score' ? ['BYSCORE'] : mode === 'lex' ? ['BYLEX'] : []),
            ...(random() < 0.4 ? ['REV'] : []), ...(mode !== 'rank' ? limit() : []), ...(mode !== 'lex' && random() < 0.5 ? ['WITHSCORES'] : [])]);
          break;
        }
        case 'ZRANGEBYSCORE': case 'ZREVRANGEBYSCORE': commands.push([name, zkey(), bound(), bound(), ...(random() < 0.5 ? ['WITHSCORES'] : []), ...limit()]); break;
        case 'ZREVRANGE': commands.push([name, zkey(), index(), index(), ...(random() < 0.5 ? ['WITHSCORES'] : [])]); break;
        case 'ZREMRANGEBYRANK': commands.push([name, zkey(), index(), index()]); break;
        case 'ZPOPMIN': case 'ZPOPMAX': commands.push([name, zkey(), ...(random() < 0.6 ? [String(int(0, 3))] : [])]); break;
        case 'ZMPOP': { const ks = Array.from({ length: int(1, 3) }, zkey); commands.push([name, String(ks.length), ...ks, pick(['MIN', 'MAX']), ...(random() < 0.5 ? ['COUNT', String(int(1, 3))] : [])]); break; }
        case 'ZUNION': case 'ZINTER': { const ks = inputs(); commands.push([name, String(ks.length), ...ks, ...algebraOptions(ks.length), ...(random() < 0.6 ? ['WITHSCORES'] : [])]); break; }
        case 'ZDIFF': { const ks = inputs(); commands.push([name, String(ks.length), ...ks, ...(random() < 0.6 ? ['WITHSCORES'] : [])]); break; }
        case 'ZINTERCARD': { const ks = inputs(); commands.push([name, String(ks.length), ...ks, ...(random() < 0.5 ? ['LIMIT', String(int(0, 2))] : [])]); break; }
        case 'ZUNIONSTORE': case 'ZINTERSTORE': { const ks = inputs(); commands.push([name, zkey(), String(ks.length), ...ks, ...algebraOptions(ks.length)]); break; }
        case 'ZDIFFSTORE': { const ks = inputs(); commands.push([name, zkey(), String(ks.length), ...ks]); break; }
        case 'ZRANGESTORE': commands.push([name, zkey(), zkey(), index(), index()]); break;
        default: commands.push([name, zkey(), '0']);
      }
    } else {
      const name = pick(['SET', 'DEL', 'TYPE', 'EXISTS', 'PFADD', 'PFCOUNT', 'PFMERGE']);
      const anyKey = (): string => `${pick(['Z', 'S', 'H'])}${key()}`;
      const hll = (): string => `H${key()}`;
      if (name === 'SET') commands.push([name, anyKey(), 'v']);
      else if (name === 'PFADD') commands.push([name, hll(), ...Array.from({ length: int(0, 4) }, () => `${member()}${int(0, 50)}`)]);
      else if (name === 'PFCOUNT') commands.push([name, ...Array.from({ length: int(1, 2) }, hll)]);
      else if (name === 'PFMERGE') commands.push([name, hll(), ...Array.from({ length: int(0, 2) }, hll)]);
      else commands.push([name, anyKey()]);
    }
  }
  return commands;
}

async function main(): Promise<void> {
  const [portText, source, ...flags] = process.argv.slice(2);
  const port = Number(portText);
  if (!Number.isInteger(port) || source === undefined) {
    console.error('usage: sets-zsets-vs-redis.script.ts <port> <file | --random seed> [--resp3] [--fixture]');
    process.exit(2);
  }
  const commands = source === '--random'
    ? randomCommands(Number(flags.shift()))
    : readFileSync(source, 'latin1').split('\n').filter((line) => line.trim() !== '' && !line.startsWith('#'))
      .map((line) => line.trim().split(/ +/).map((word) => word.replace(/\\s/g, ' ')));
  const resp3 = flags.includes('--resp3');
  const h = new EngineHarness();
  h.client.protocol = resp3 ? 3 : 2;
  const ours = commands.map((argv) => {
    const { reply } = h.exec(argv);
    return reply instanceof BlockRequest ? 'BLOCK' : encodeReply(reply, resp3 ? 3 : 2);
  });
  const theirs = await redisReplies(port, commands, resp3);
  let differing = 0;
  commands.forEach((argv, i) => {
    const same = ours[i] === theirs[i];
    if (!same) differing++;
    if (flags.includes('--fixture')) {
      console.log(same ? `  [${JSON.stringify(argv)}, ${JSON.stringify(theirs[i])}],` : `  [${JSON.stringify(argv)}, null], // differs: ${JSON.stringify(ours[i])}`);
    } else if (!same) {
      console.log(`DIFF ${argv.join(' ')}\n  keel : ${JSON.stringify(ours[i])}\n  redis: ${JSON.stringify(theirs[i])}`);
    }
  });
  console.error(`${commands.length - differing} same, ${differing} different`);
}

await main();
