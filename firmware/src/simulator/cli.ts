/**
 * `npm run simulate -- --devices N --rate R`: a fleet of simulated devices against a running platform (see
 * options.ts for every option, firmware/README.md "Fleet simulator"). Exit codes: 0 when the run ended as
 * asked (duration over, or Ctrl-C) and the fleet was cleaned up, 1 when something failed, 2 for bad options.
 * The first Ctrl-C stops cleanly (agents disconnect, devices are decommissioned); a second one quits at once.
 */
import { OptionsError, parseOptions, USAGE } from './options.js';
import { runSimulator } from './run.js';
import { DEMO_PASSWORD } from './token.js';

async function main(argv: readonly string[]): Promise<number> {
  let parsed: ReturnType<typeof parseOptions>;
  try {
    parsed = parseOptions(argv);
  } catch (error) {
    if (!(error instanceof OptionsError)) throw error;
    process.stderr.write(`simulate: ${error.message}\nRun with --help to see the options.\n`);
    return 2;
  }
  if (parsed.kind === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }

  const stop = new AbortController();
  let interrupts = 0;
  const onSignal = () => {
    interrupts += 1;
    if (interrupts === 1) {
      process.stderr.write(
        '\nstopping: disconnecting the devices and cleaning up (Ctrl-C again to quit now)\n',
      );
      stop.abort();
      return;
    }
    process.stderr.write('quitting without cleaning up: the simulated devices stay registered\n');
    process.exit(130);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await runSimulator(parsed.options, {
      out: process.stdout,
      err: process.stderr,
      stop: stop.signal,
      // Not an option: a password on the command line ends up in the shell history and in `ps`.
      password: process.env.IDP_PASSWORD || DEMO_PASSWORD,
    });
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

const code = await main(process.argv.slice(2));
process.exitCode = code;
// Idle keep-alive sockets of fetch can hold the event loop for a few seconds after the run; the work is
// done, so do not wait for them (stdout and stderr are synchronous for files and pipes on Linux).
setTimeout(() => process.exit(code), 1000).unref();
