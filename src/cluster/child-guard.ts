// Loaded into every process the supervisor starts (`node --import <this file> …`): when the
// supervisor goes away — even by kill -9, which lets it run no cleanup — the IPC channel it
// opened closes, and the child stops itself (SIGTERM to itself for a clean shutdown, then a
// hard exit if that hangs). No orphans survive their supervisor.
const orphanExitMs = Number(process.env.KEEL_ORPHAN_EXIT_MS ?? 3000);

if (process.channel) {
  // The channel must not keep the process alive, only tell it when the supervisor is gone.
  process.channel.unref();
  process.once('disconnect', () => {
    setTimeout(() => process.exit(1), orphanExitMs).unref();
    process.kill(process.pid, 'SIGTERM');
  });
}

export {};
