// Loaded into every process the supervisor starts (`node --import <this file> …`): when the
// supervisor goes away — even by kill -9, which lets it run no cleanup — the child stops
// itself: through its own SIGTERM handler when it has one (a clean shutdown), at once when it
// has none yet (still starting), and by a hard exit if the clean shutdown hangs. No orphans
// survive their supervisor.
//
// How a child knows: its parent is no longer the supervisor whose pid it was given
// (KEEL_SUPERVISOR_PID), checked at load — a child on a loaded machine can reach this code
// after its supervisor already died — and every parentCheckMs; and, sooner, the IPC channel
// the supervisor opened closes.
const orphanExitMs = Number(process.env.KEEL_ORPHAN_EXIT_MS ?? 3000);
const supervisorPid = Number(process.env.KEEL_SUPERVISOR_PID ?? 0);
const parentCheckMs = 250;

if (supervisorPid > 0) {
  let stopping = false;
  const stop = (reason: string) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`${JSON.stringify({ level: 40, time: Date.now(), msg: `supervisor ${supervisorPid} gone (${reason}): stopping` })}\n`);
    setTimeout(() => process.exit(1), orphanExitMs);
    if (process.listenerCount('SIGTERM') === 0) process.exit(1);
    process.emit('SIGTERM', 'SIGTERM');
  };
  const checkParent = () => {
    if (process.ppid !== supervisorPid) stop(`parent is now ${process.ppid}`);
  };
  checkParent();
  setInterval(checkParent, parentCheckMs).unref();
  if (process.channel) {
    // The channel must not keep the process alive, only tell it when the supervisor is gone.
    process.channel.unref();
    process.once('disconnect', () => stop('IPC channel closed'));
  }
}

export {};
