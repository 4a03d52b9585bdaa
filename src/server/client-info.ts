// One line of CLIENT LIST / CLIENT INFO, with Redis 7's fields.
import type { Connection } from './connection.js';

export function renderClientInfo(connection: Connection): string {
  const now = Date.now();
  let flags = '';
  if (connection.blocked) flags += 'b';
  if (connection.multi !== null) flags += 'x';
  if (connection.subscriptionCount() > 0) flags += 'P';
  if (connection.monitor) flags += 'O';
  if (connection.noEvict) flags += 'e';
  if (flags === '') flags = 'N';
  const fields: [string, string | number][] = [
    ['id', connection.id],
    ['addr', connection.address],
    ['laddr', connection.localAddress],
    ['fd', 0],
    ['name', connection.name],
    ['age', Math.floor((now - connection.createdAtMs) / 1000)],
    ['idle', Math.floor((now - connection.lastCommandAtMs) / 1000)],
    ['flags', flags],
    ['db', connection.dbIndex],
    ['sub', connection.channels.size],
    ['psub', connection.patterns.size],
    ['ssub', 0],
    ['multi', connection.multi === null ? -1 : connection.multi.length],
    ['watch', connection.watched.size],
    ['qbuf', connection.queryBufferBytes],
    ['qbuf-free', 0],
    ['argv-mem', 0],
    ['multi-mem', 0],
    ['rbs', 0],
    ['rbp', 0],
    ['obl', 0],
    ['oll', connection.waitingReplies],
    ['omem', connection.outputBytes],
    ['tot-mem', connection.queryBufferBytes + connection.outputBytes],
    ['events', 'r'],
    ['cmd', connection.lastCommandName],
    ['user', 'default'],
    ['redir', -1],
    ['resp', connection.protocol],
    ['lib-name', ''],
    ['lib-ver', ''],
  ];
  return fields.map(([name, value]) => `${name}=${value}`).join(' ');
}
