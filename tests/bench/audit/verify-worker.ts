/**
 * A child process of `npm run bench:audit`: the offline verifier (what an auditor runs, with only
 * the audit package loaded) on the exported bundle, with its peak RSS sampled every 50 ms. Prints
 * one line of JSON. Environment: BENCH_FILE, BENCH_TRUSTED_KEYS (JSON of the published log keys).
 */
import { createReadStream } from 'node:fs';
import { verifyBundle } from '../../../audit/dist/index.js';

let peakRss = process.memoryUsage.rss();
const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage.rss());
}, 50);

const rssBefore = process.memoryUsage.rss();
const started = performance.now();
const trusted = process.env.BENCH_TRUSTED_KEYS;
const verdict = await verifyBundle(
  createReadStream(process.env.BENCH_FILE as string),
  trusted ? { trustedLogKeys: JSON.parse(trusted) } : {},
);
const seconds = (performance.now() - started) / 1000;
clearInterval(sampler);
peakRss = Math.max(peakRss, process.memoryUsage.rss());
process.stdout.write(
  `${JSON.stringify({
    ok: verdict.ok,
    reason: verdict.reason ?? null,
    events: verdict.events,
    omitted: verdict.omitted,
    warnings: verdict.warnings,
    seconds,
    rssBefore,
    peakRss,
    maxRssKernel: process.resourceUsage().maxRSS * 1024,
  })}\n`,
);
