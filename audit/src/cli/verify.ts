#!/usr/bin/env node
/**
 * Entry point of the `custos-audit-verify` command (package bin): runs main() on the process arguments
 * and exits with its code. Everything else lives in main.ts, where tests can call it in-process.
 */

import { main } from './main.js';

process.exitCode = await main(process.argv.slice(2));
