// Renders replies as RESP2 or RESP3 text. All strings are latin1 (one char per byte), so the
// whole reply is built as one JS string and written with the 'latin1' encoding.
import {
  BoolReply, DoubleReply, ErrorReply, MapReply, MultiReply, NullArray, PushReply, RawReply, Reply, SetReply,
  SimpleString, VerbatimReply,
} from './reply.js';
import { formatDouble } from '../util/numbers.js';

export type ProtocolVersion = 2 | 3;

export function encodeReply(reply: Reply, protocol: ProtocolVersion): string {
  switch (typeof reply) {
    case 'string':
      return `$${reply.length}\r\n${reply}\r\n`;
    case 'number':
    case 'bigint':
      return `:${reply}\r\n`;
    case 'object':
      break;
    default:
      throw new TypeError(`cannot encode reply of type ${typeof reply}`);
  }
  if (reply === null) return protocol === 3 ? '_\r\n' : '$-1\r\n';
  if (Array.isArray(reply)) return encodeAggregate('*', reply, protocol);
  if (reply instanceof SimpleString) return `+${reply.value}\r\n`;
  if (reply instanceof ErrorReply) return `-${reply.message}\r\n`;
  if (reply instanceof NullArray) return protocol === 3 ? '_\r\n' : '*-1\r\n';
  if (reply instanceof MapReply) {
    if (protocol === 2) return encodeAggregate('*', reply.entries, protocol);
    let out = `%${reply.entries.length / 2}\r\n`;
    for (const item of reply.entries) out += encodeReply(item, protocol);
    return out;
  }
  if (reply instanceof SetReply) return encodeAggregate(protocol === 3 ? '~' : '*', reply.items, protocol);
  if (reply instanceof PushReply) return encodeAggregate(protocol === 3 ? '>' : '*', reply.items, protocol);
  if (reply instanceof DoubleReply) {
    const text = formatDouble(reply.value);
    return protocol === 3 ? `,${text}\r\n` : `$${text.length}\r\n${text}\r\n`;
  }
  if (reply instanceof BoolReply) {
    if (protocol === 3) return reply.value ? '#t\r\n' : '#f\r\n';
    return reply.value ? ':1\r\n' : ':0\r\n';
  }
  if (reply instanceof VerbatimReply) {
    if (protocol === 2) return `$${reply.text.length}\r\n${reply.text}\r\n`;
    return `=${reply.text.length + 4}\r\n${reply.format}:${reply.text}\r\n`;
  }
  if (reply instanceof RawReply) return reply.bytes.toString('latin1');
  if (reply instanceof MultiReply) return reply.replies.map((item) => encodeReply(item, protocol)).join('');
  throw new TypeError('cannot encode unknown reply object');
}

function encodeAggregate(prefix: string, items: Reply[], protocol: ProtocolVersion): string {
  let out = `${prefix}${items.length}\r\n`;
  for (const item of items) out += encodeReply(item, protocol);
  return out;
}
