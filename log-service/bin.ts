// Stand-alone entry for the log service until the `keel` CLI wires it:
//   node dist/log-service/bin.js log-node …   |   node dist/log-service/bin.js log status …

import { logNodeMain, logToolMain } from './cli.js';

const [command, ...args] = process.argv.slice(2);
const main = command === 'log-node' ? logNodeMain : command === 'log' ? logToolMain : null;
if (!main) {
  process.stderr.write('usage: bin.js log-node … | bin.js log status|append|read …\n');
  process.exitCode = 2;
} else {
  main(args).then(
    (code) => {
      process.exitCode = code;
      if (command === 'log-node') process.exit(code);
    },
    (error: unknown) => {
      process.stderr.write(`${(error as Error)?.stack ?? String(error)}\n`);
      process.exit(1);
    },
  );
}
