// Every command family, one file each. The command table is built from this list.
import type { CommandSpec } from './spec.js';
import { commands as strings } from './strings.js';
import { commands as bits } from './bits.js';
import { commands as keys } from './keys.js';
import { commands as transactions } from './transactions.js';
import { commands as pubsub } from './pubsub.js';
import { commands as connection } from './connection.js';
import { commands as server } from './server.js';
import { commands as lists } from './lists.js';
import { commands as hashes } from './hashes.js';
import { commands as sets } from './sets.js';
import { commands as sortedSets } from './sorted-sets.js';
import { commands as hyperloglog } from './hyperloglog.js';
import { commands as replication } from './replication.js';

export const commandFamilies: CommandSpec[][] = [
  strings, bits, keys, transactions, pubsub, connection, server, replication, lists, hashes, sets, sortedSets, hyperloglog,
];
