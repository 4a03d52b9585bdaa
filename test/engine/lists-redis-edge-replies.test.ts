// Edge cases (int64 limits, empty strings, option spelling, float forms, moves within one
// list) recorded from a real redis-server (7.0.15) and compared byte for byte (RESP2).
// Regenerate with test/engine/list-hash-vs-redis.script.ts --fixture.
import { describe, expect, it } from 'vitest';
import { EngineHarness } from '../helpers/engine.js';
import { encodeReply } from '../../src/resp/encoder.js';
import { BlockRequest } from '../../src/commands/spec.js';

const recorded: [string[], string][] = [
  [["RPUSH","l","a","b","c","a"], ":4\r\n"],
  [["LRANGE","l","0","9223372036854775807"], "*4\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\na\r\n"],
  [["LRANGE","l","-9223372036854775808","-1"], "*4\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\na\r\n"],
  [["LRANGE","l","9223372036854775807","-9223372036854775808"], "*0\r\n"],
  [["LRANGE","l","0","9223372036854775808"], "-ERR value is not an integer or out of range\r\n"],
  [["LINDEX","l","9223372036854775807"], "$-1\r\n"],
  [["LINDEX","l","-9223372036854775808"], "$-1\r\n"],
  [["LSET","l","-9223372036854775808","x"], "-ERR index out of range\r\n"],
  [["LREM","l","-9223372036854775808","zz"], ":0\r\n"],
  [["LPOS","l","a","COUNT","9223372036854775808"], "-ERR COUNT can't be negative\r\n"],
  [["LPOS","l","a","MAXLEN","9223372036854775808"], "-ERR MAXLEN can't be negative\r\n"],
  [["LPOS","l","a","RANK","9223372036854775807"], "$-1\r\n"],
  [["LPOS","l","a","MAXLEN","0","COUNT","0"], "*2\r\n:0\r\n:3\r\n"],
  [["LPOS","l","a","RANK","-1","COUNT","0","MAXLEN","1"], "*1\r\n:3\r\n"],
  [["LPOS","l","a","rank","-1","count","1","maxlen","0"], "*1\r\n:3\r\n"],
  [["LINSERT","l","before","","x"], ":-1\r\n"],
  [["LINSERT","l","BEFORE","a",""], ":5\r\n"],
  [["LRANGE","l","0","-1"], "*5\r\n$0\r\n\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\na\r\n"],
  [["LPOS","l",""], ":0\r\n"],
  [["LPOP","l","9223372036854775807"], "*5\r\n$0\r\n\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\na\r\n"],
  [["RPUSH","l","a","b","c"], ":3\r\n"],
  [["LPOP","l","9223372036854775808"], "-ERR value is out of range, must be positive\r\n"],
  [["LPOP","l","-9223372036854775808"], "-ERR value is out of range, must be positive\r\n"],
  [["LPOP","l","01"], "-ERR value is out of range, must be positive\r\n"],
  [["LMPOP","9223372036854775807","a","LEFT"], "-ERR syntax error\r\n"],
  [["LMPOP","9223372036854775808","a","LEFT"], "-ERR numkeys should be greater than 0\r\n"],
  [["LMPOP","1","l","LEFT","COUNT","9223372036854775808"], "-ERR count should be greater than 0\r\n"],
  [["LMPOP","1","l","left","count","9223372036854775807"], "*2\r\n$1\r\nl\r\n*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n"],
  [["RPUSH","l","a","b","c"], ":3\r\n"],
  [["LMPOP","1","l","LEFT","COUNT"], "-ERR syntax error\r\n"],
  [["LMPOP","1","l","LEFT","COUNT","1","extra"], "-ERR syntax error\r\n"],
  [["LMPOP","2","l"], "-ERR wrong number of arguments for 'lmpop' command\r\n"],
  [["LMPOP","1","l"], "-ERR wrong number of arguments for 'lmpop' command\r\n"],
  [["BLPOP","l","0.0001"], "*2\r\n$1\r\nl\r\n$1\r\na\r\n"],
  [["BLPOP","l","1e3"], "*2\r\n$1\r\nl\r\n$1\r\nb\r\n"],
  [["BLMPOP","0.5","1","l","right"], "*2\r\n$1\r\nl\r\n*1\r\n$1\r\nc\r\n"],
  [["RPUSH","l","z"], ":1\r\n"],
  [["BLPOP","l","9999999999999"], "*2\r\n$1\r\nl\r\n$1\r\nz\r\n"],
  [["HSET","h","",""], ":1\r\n"],
  [["HGET","h",""], "$0\r\n\r\n"],
  [["HSTRLEN","h",""], ":0\r\n"],
  [["HINCRBY","h","n","+1"], "-ERR value is not an integer or out of range\r\n"],
  [["HINCRBY","h","n","1.0"], "-ERR value is not an integer or out of range\r\n"],
  [["HINCRBY","h","n","-9223372036854775808"], ":-9223372036854775808\r\n"],
  [["HINCRBY","h","n","-1"], "-ERR increment or decrement would overflow\r\n"],
  [["HINCRBY","h","m","9223372036854775807"], ":9223372036854775807\r\n"],
  [["HINCRBY","h","m","0"], ":9223372036854775807\r\n"],
  [["HINCRBYFLOAT","h","fl",".5"], "$3\r\n0.5\r\n"],
  [["HINCRBYFLOAT","h","fl","5."], "$3\r\n5.5\r\n"],
  [["HINCRBYFLOAT","h","fl","-0"], "$3\r\n5.5\r\n"],
  [["HINCRBYFLOAT","h","fl","+1e2"], "$5\r\n105.5\r\n"],
  [["HINCRBYFLOAT","h","fl","1e-20"], "$5\r\n105.5\r\n"],
  [["HINCRBYFLOAT","h","z","-0.0"], "$1\r\n0\r\n"],
  [["HINCRBYFLOAT","h","z2","1.10"], "$3\r\n1.1\r\n"],
  [["HSET","h","sp"," 1"], ":1\r\n"],
  [["HINCRBYFLOAT","h","sp","1"], "-ERR hash value is not a float\r\n"],
  [["HSET","h","x","1e3"], ":1\r\n"],
  [["HINCRBYFLOAT","h","x","1"], "$4\r\n1001\r\n"],
  [["HINCRBY","h","x","1"], ":1002\r\n"],
  [["HGETALL","h"], "*16\r\n$0\r\n\r\n$0\r\n\r\n$1\r\nn\r\n$20\r\n-9223372036854775808\r\n$1\r\nm\r\n$19\r\n9223372036854775807\r\n$2\r\nfl\r\n$5\r\n105.5\r\n$1\r\nz\r\n$1\r\n0\r\n$2\r\nz2\r\n$3\r\n1.1\r\n$2\r\nsp\r\n$2\r\n 1\r\n$1\r\nx\r\n$4\r\n1002\r\n"],
  [["DEL","q"], ":0\r\n"],
  [["RPUSH","q","1"], ":1\r\n"],
  [["LINSERT","q","AFTER","1","2"], ":2\r\n"],
  [["LINSERT","q","BEFORE","2","1.5"], ":3\r\n"],
  [["LRANGE","q","0","-1"], "*3\r\n$1\r\n1\r\n$3\r\n1.5\r\n$1\r\n2\r\n"],
  [["RPOPLPUSH","q","q"], "$1\r\n2\r\n"],
  [["LRANGE","q","0","-1"], "*3\r\n$1\r\n2\r\n$1\r\n1\r\n$3\r\n1.5\r\n"],
  [["LMOVE","q","q","RIGHT","RIGHT"], "$3\r\n1.5\r\n"],
  [["LMOVE","q","q","LEFT","LEFT"], "$1\r\n2\r\n"],
  [["LRANGE","q","0","-1"], "*3\r\n$1\r\n2\r\n$1\r\n1\r\n$3\r\n1.5\r\n"],
];

describe('edge-case replies match redis-server byte for byte', () => {
  it('runs the recorded sequence', () => {
    const harness = new EngineHarness();
    const mismatches: string[] = [];
    for (const [argv, expected] of recorded) {
      const { reply } = harness.exec(argv);
      const actual = reply instanceof BlockRequest ? '(blocked)' : encodeReply(reply, 2);
      if (actual !== expected) mismatches.push(`${argv.join(' ')}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
    }
    expect(mismatches).toEqual([]);
  });
});
