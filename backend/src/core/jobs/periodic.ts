/**
 * A job every instance runs on a timer (the jobs themselves are safe to run in many instances at
 * once). Never two runs of one job at a time in one instance: a tick that finds the previous run
 * still going is skipped. `stop` waits for a run in progress, so shutdown does not cut one short.
 */
export interface PeriodicJob {
  stop(): Promise<void>;
}

export function runPeriodically(
  intervalMs: number,
  task: () => Promise<unknown>,
  onError: (error: Error) => void,
): PeriodicJob {
  let running: Promise<unknown> | undefined;
  const timer = setInterval(() => {
    running ??= task()
      .catch((error: unknown) => onError(error instanceof Error ? error : new Error(String(error))))
      .finally(() => {
        running = undefined;
      });
  }, intervalMs);
  // A timer alone never keeps the process alive.
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
