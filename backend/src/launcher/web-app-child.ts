/**
 * The web app's process under `npm start`: Next.js's own `next start`, plus a watch on the
 * launcher. If the launcher dies without stopping us (kill -9, a crash), we exit too, so no
 * orphaned server keeps the web port.
 * Usage: node web-app-child.js <launcher pid> <next bin> start --port … --hostname …
 */
const [launcherPid, nextBin, ...nextArgs] = process.argv.slice(2);

const launcherAlive = () => {
  try {
    process.kill(Number(launcherPid), 0);
    return true;
  } catch {
    return false;
  }
};

setInterval(() => {
  if (!launcherAlive()) process.exit(0);
}, 1_000).unref();

// next's CLI reads its arguments from process.argv.
process.argv = [process.argv[0] as string, nextBin as string, ...nextArgs];
await import(nextBin as string);
