import { describeCompat } from './compare.js';

describeCompat('keys, transactions, connection', {
  'DEL / EXISTS / TYPE': [
    ['SET', 'a', '1'], ['SET', 'b', '2'], ['EXISTS', 'a', 'a', 'b', 'c'], ['DEL', 'a', 'c'], ['TYPE', 'a'], ['TYPE', 'b'],
    ['UNLINK', 'b'], ['DEL'], ['EXISTS'],
  ],
  'EXPIRE family with options': [
    ['SET', 'k', 'v'], ['EXPIRE', 'k', '100', 'XX'], ['EXPIRE', 'k', '100', 'NX'], ['TTL', 'k'], ['PTTL', 'missing'],
    ['EXPIRE', 'k', '50', 'GT'], ['EXPIRE', 'k', '200', 'GT'], ['EXPIRE', 'k', '300', 'LT'], ['EXPIRE', 'k', '10', 'LT'], ['TTL', 'k'],
    ['EXPIRE', 'k', '10', 'NX', 'XX'], ['EXPIRE', 'k', '10', 'GT', 'LT'], ['EXPIRE', 'k', '10', 'FOO'], ['EXPIRE', 'k', 'abc'],
    ['PERSIST', 'k'], ['PERSIST', 'k'], ['TTL', 'k'], ['EXPIRE', 'k', '-1'], ['EXISTS', 'k'],
    ['SET', 'k2', 'v'], ['EXPIREAT', 'k2', '4102444800'], ['EXPIRETIME', 'k2'], ['PEXPIRETIME', 'k2'], ['EXPIRETIME', 'nokey'],
    ['SET', 'k3', 'v'], ['EXPIRETIME', 'k3'], ['EXPIRE', 'k3', '9223372036854775807'], ['PEXPIRE', 'k3', '9223372036854775807'],
  ],
  'RENAME / RENAMENX / COPY / MOVE': [
    ['RENAME', 'nokey', 'x'], ['SET', 'a', '1'], ['RENAME', 'a', 'b'], ['GET', 'b'], ['RENAME', 'b', 'b'], ['SET', 'c', '3'],
    ['RENAMENX', 'b', 'c'], ['RENAMENX', 'b', 'd'], ['COPY', 'd', 'c'], ['COPY', 'd', 'c', 'REPLACE'], ['GET', 'c'],
    ['COPY', 'd', 'd'], ['COPY', 'd', 'e', 'DB', '99'], ['COPY', 'd', 'e', 'DB', '1'], ['MOVE', 'd', '1'], ['MOVE', 'c', '1'],
    ['MOVE', 'c', '0'], ['MOVE', 'c', 'x'], ['SELECT', '1'], ['KEYS', '*'], ['SELECT', '0'], ['SELECT', '16'], ['SELECT', 'x'],
  ],
  'KEYS glob patterns': [
    ...['hello', 'hallo', 'hxllo', 'hllo', 'heeeello', 'h[a]llo'].map((key) => ['SET', key, '1']),
    ['KEYS', 'h?llo'], ['KEYS', 'h*llo'], ['KEYS', 'h[ae]llo'], ['KEYS', 'h[^e]llo'], ['KEYS', 'h[a-b]llo'], ['KEYS', 'h\\[a\\]llo'],
    ['KEYS', 'nomatch*'],
  ],
  'SWAPDB / DBSIZE / FLUSHDB': [
    ['SET', 'a', '1'], ['DBSIZE'], ['SWAPDB', '0', '1'], ['DBSIZE'], ['SELECT', '1'], ['DBSIZE'], ['FLUSHDB'], ['DBSIZE'],
    ['SWAPDB', '0', 'x'], ['SWAPDB', 'x', '0'], ['SWAPDB', '0', '99'], ['FLUSHDB', 'FOO'], ['FLUSHALL', 'SYNC'], ['SELECT', '0'],
  ],
  'MULTI / EXEC / DISCARD / WATCH': [
    ['MULTI'], ['SET', 'a', '1'], ['INCR', 'a'], ['GET', 'a'], ['EXEC'],
    ['MULTI'], ['SET', 'a'], ['INCR', 'a'], ['EXEC'], ['GET', 'a'],
    ['MULTI'], ['SET', 'b', 'x'], ['INCR', 'b'], ['SET', 'c', '1'], ['EXEC'],
    ['EXEC'], ['DISCARD'], ['MULTI'], ['MULTI'], ['WATCH', 'x'], ['DISCARD'],
    ['WATCH', 'a'], ['SET', 'a', '5'], ['MULTI'], ['INCR', 'a'], ['EXEC'], ['GET', 'a'],
    ['WATCH', 'a'], ['MULTI'], ['INCR', 'a'], ['EXEC'], ['UNWATCH'],
    ['MULTI'], ['FOO'], ['EXEC'],
  ],
  'errors of the dispatcher': [
    ['GET'], ['FOO', 'bar', 'baz'], ['FOO'], ['CLIENT', 'FOO'], ['CONFIG', 'GET'], ['OBJECT', 'FOO', 'x'], ['PING', 'a', 'b'],
    ['AUTH', 'x'], ['AUTH', 'u', 'p'], ['HELLO', '4'], ['HELLO', 'x'], ['SELECT', '1', '2'],
  ],
  'connection commands': [
    ['PING'], ['PING', 'hi'], ['ECHO', 'hello world'], ['CLIENT', 'SETNAME', 'my-name'], ['CLIENT', 'GETNAME'],
    ['CLIENT', 'SETNAME', 'bad name'], ['CLIENT', 'SETNAME', ''], ['CLIENT', 'GETNAME'], ['CLIENT', 'REPLY', 'FOO'],
    ['CLIENT', 'UNBLOCK', '999999'], ['CLIENT', 'UNBLOCK', '1', 'FOO'], ['CLIENT', 'KILL', 'ID', '99999'], ['CLIENT', 'KILL', '1.2.3.4:5'],
    ['CLIENT', 'NO-EVICT', 'maybe'], ['CLIENT', 'LIST', 'TYPE', 'foo'],
  ],
  'OBJECT / DUMP errors / RESTORE errors': [
    ['SET', 'i', '12345'], ['OBJECT', 'ENCODING', 'i'], ['SET', 's', 'short'], ['OBJECT', 'ENCODING', 's'],
    ['SET', 'r', 'x'.repeat(45)], ['OBJECT', 'ENCODING', 'r'], ['OBJECT', 'ENCODING', 'missing'], ['OBJECT', 'REFCOUNT', 'missing'],
    ['OBJECT', 'FREQ', 'i'], ['DUMP', 'missing'], ['RESTORE', 'x', '0', 'garbage'], ['RESTORE', 'x', '-1', 'garbage'],
    ['RESTORE', 'i', '0', 'garbage'],
  ],
  'SCAN arguments': [
    ['SCAN', 'x'], ['SCAN', '0', 'COUNT', '0'], ['SCAN', '0', 'FOO'], ['SCAN', '0', 'COUNT', 'x'], ['SET', 'a', '1'], ['SCAN', '0'],
    ['SCAN', '0', 'TYPE', 'hash'], ['SCAN', '0', 'MATCH', 'a', 'TYPE', 'string'],
  ],
  'CONFIG': [
    ['CONFIG', 'GET', 'maxclients'], ['CONFIG', 'SET', 'nosuchparam', '1'], ['CONFIG', 'GET', 'nosuch*'],
    ['CONFIG', 'SET', 'maxclients'],
  ],
});
