// `keel`: one command, one subcommand per process kind or operator action. Each subcommand's
// module is imported only when it runs: `keel snapshot` (spawned by keel up and SAVE, run from
// cron) never loads the server, and `keel server` never loads the snapshot tools' extras.
import { UsageError } from './flags.js';
import { KEEL_RELEASE } from '../version.js';

type Subcommand = { summary: string; run: (args: string[]) => Promise<number> };

async function loadLogService(): Promise<{ logNodeMain: (a: string[]) => Promise<number>; logToolMain: (a: string[]) => Promise<number> }> {
  // Loaded lazily (and through a variable, so the log service builds independently): a
  // database node never pays for the log service's code unless it runs it.
  const modulePath = '../../log-service/cli.js';
  return import(modulePath);
}

const subcommands: Record<string, Subcommand> = {
  server: { summary: 'run one database node (RESP server)', run: async (args) => (await import('./server-command.js')).serverMain(args) },
  'log-node': { summary: 'run one log node of the replicated transaction log', run: async (args) => (await loadLogService()).logNodeMain(args) },
  log: { summary: 'operate the log service: status, append, read', run: async (args) => (await loadLogService()).logToolMain(args) },
  snapshot: { summary: 'take a snapshot of a shard off-box, mark it in the log, trim the log', run: async (args) => (await import('./snapshot-command.js')).snapshotMain(args) },
  restore: { summary: 'seed a new cluster from a snapshot (disaster recovery)', run: async (args) => (await import('./snapshot-command.js')).restoreMain(args) },
  backup: { summary: 'copy the latest verified snapshot to a directory or s3://', run: async (args) => (await import('./snapshot-command.js')).backupMain(args) },
  up: { summary: 'start a local cluster (3 log nodes, a primary, replicas, Sentinel endpoint) in the foreground', run: async (args) => (await import('./up-command.js')).upMain(args) },
  status: { summary: 'show the cluster: log nodes, db nodes, shards', run: async (args) => (await import('./status-command.js')).statusMain(args) },
  failover: { summary: 'hand the primary role to another db node and wait until it serves', run: async (args) => (await import('./failover-command.js')).failoverMain(args) },
};

function usage(): string {
  const width = Math.max(...Object.keys(subcommands).map((name) => name.length)) + 2;
  return [
    'Usage: keel <command> [flags]',
    '',
    'Keel: a durable, Redis-compatible in-memory database.',
    '',
    'Commands:',
    ...Object.entries(subcommands).map(([name, sub]) => `  ${name.padEnd(width)}${sub.summary}`),
    '',
    'Run `keel <command> --help` for the flags of each command.',
  ].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    console.log(usage());
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === 'version') {
    console.log(`keel ${KEEL_RELEASE}`);
    return 0;
  }
  const sub = subcommands[name];
  if (!sub) {
    console.error(`keel: unknown command '${name}' (run keel --help)`);
    return 2;
  }
  return sub.run(rest);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof UsageError) {
      console.error(`keel: ${error.message}`);
      process.exit(2);
    }
    console.error(`keel: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
