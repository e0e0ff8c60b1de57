/**
 * `npm run bench:web`: Lighthouse 13 on the production build of the web app (`next start`), signed
 * in as the compliance officer, for the dashboard, the device list and the compliance console.
 * Mobile form factor (Lighthouse's default emulation and simulated throttling), performance and
 * accessibility, BENCH_RUNS (default 3) runs per page; the median performance score is reported.
 * First Load JS is the JavaScript the browser downloads to load the route: the Script requests of
 * Lighthouse's `network-requests` audit, gzipped here with node:zlib so that the figure does not
 * depend on whether the server compressed (Lighthouse's transfer size, headers included, is shown
 * beside it), and the set of scripts is checked against the route's list in `next build`'s
 * .next/diagnostics/route-bundle-stats.json.
 * Prints a table and writes bench-results/web.json, and each Lighthouse report to
 * bench-results/web-lighthouse/. Not a test: missed budgets are reported and the exit code stays 0.
 * Uses Debian's Chromium (CHROMIUM_PATH, default /usr/bin/chromium); it never downloads a browser.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { type Browser, chromium } from '@playwright/test';
import * as chromeLauncher from 'chrome-launcher';
import lighthouse from 'lighthouse';
import { chromiumPath as chromePath, chromiumArgs } from '../web/support/chromium.ts';
import { startWebStack } from '../web/support/web-stack.ts';

const runs = Number(process.env.BENCH_RUNS ?? 3);
const user = 'compliance';
const root = new URL('../../', import.meta.url).pathname;
const pages = [
  ['dashboard', '/en'],
  ['devices', '/en/devices'],
  ['compliance', '/en/compliance'],
] as const;
const budgets = { performance: 90, accessibility: 100, firstLoadJsKbGzip: 150 };

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
/** kB as Next.js prints First Load JS: 1 kB = 1000 bytes. */
const kb = (bytes: number) => Number((bytes / 1000).toFixed(1));
const mark = (ok: boolean) => (ok ? '✔' : '✘');

/** Signs in through the identity provider's form (code + PKCE) and returns the session cookie. */
async function signIn(browser: Browser, webUrl: string): Promise<string> {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await page.goto(`${webUrl}/en/sign-in`);
    await page.locator('main').getByRole('link', { name: 'Sign in' }).click();
    await page.getByLabel('Username').fill(user);
    await page.getByLabel('Password').fill('custos-demo');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${webUrl}/en`);
    const cookie = (await context.cookies()).find((c) => c.name === 'custos_session');
    if (!cookie) throw new Error('signed in, but no custos_session cookie was set');
    return cookie.value;
  } finally {
    await context.close();
  }
}

interface Script {
  url: string;
  transferSize: number;
  resourceSize: number;
}

/** One Lighthouse navigation; throws when the page was not the one asked for (a lost session). */
async function audit(url: string, port: number, cookie: string) {
  const result = await lighthouse(url, {
    port,
    logLevel: 'error',
    output: 'json',
    formFactor: 'mobile',
    throttlingMethod: 'simulate',
    onlyCategories: ['performance', 'accessibility'],
    extraHeaders: { Cookie: `custos_session=${cookie}` },
  });
  const lhr = result?.lhr;
  if (!lhr || !result) throw new Error(`Lighthouse returned no result for ${url}`);
  if (lhr.runtimeError) throw new Error(`Lighthouse: ${lhr.runtimeError.code} ${lhr.runtimeError.message}`);
  if (lhr.finalDisplayedUrl !== url) throw new Error(`${url} ended at ${lhr.finalDisplayedUrl}`);
  const audits = lhr.audits;
  const numeric = (id: string) => Math.round(audits[id]?.numericValue ?? Number.NaN);
  const items = (id: string) =>
    ((audits[id]?.details as { items?: any[] } | undefined)?.items ?? []) as any[];
  const scripts: Script[] = items('network-requests')
    .filter((r) => r.resourceType === 'Script')
    .map((r) => ({ url: r.url, transferSize: r.transferSize ?? 0, resourceSize: r.resourceSize ?? 0 }));
  return {
    report: result.report as string,
    performance: Math.round((lhr.categories.performance?.score ?? 0) * 100),
    accessibility: Math.round((lhr.categories.accessibility?.score ?? 0) * 100),
    accessibilityFailures: Object.values(lhr.categories.accessibility?.auditRefs ?? [])
      .map((ref) => audits[ref.id])
      .filter((a) => a && a.scoreDisplayMode === 'binary' && a.score === 0)
      .map((a) => `${a?.id}: ${a?.title}`),
    metricsMs: {
      fcp: numeric('first-contentful-paint'),
      lcp: numeric('largest-contentful-paint'),
      tbt: numeric('total-blocking-time'),
      speedIndex: numeric('speed-index'),
      cls: Number((audits['cumulative-layout-shift']?.numericValue ?? 0).toFixed(3)),
      serverResponse: numeric('server-response-time'),
      bootup: numeric('bootup-time'),
    },
    lcpBreakdown: items('lcp-breakdown-insight')
      .flatMap((i) => (i.type === 'table' ? i.items : []))
      .map((i: any) => ({ phase: i.label ?? i.subpart, ms: Math.round(i.duration ?? 0) })),
    renderBlocking: items('render-blocking-insight').map((i) => ({ url: i.url, wastedMs: i.wastedMs })),
    unusedJavaScript: items('unused-javascript').map((i) => ({ url: i.url, wastedKb: kb(i.wastedBytes) })),
    documentTransferKb: kb(
      items('network-requests').find((r) => r.resourceType === 'Document')?.transferSize ?? 0,
    ),
    scripts,
    scriptTransferBytes: scripts.reduce((n, s) => n + s.transferSize, 0),
  };
}
type Run = Omit<Awaited<ReturnType<typeof audit>>, 'report'>;

/** The chunks `next build` counts as the route's First Load JS, to check the set measured. */
async function nextBuildChunks(route: string): Promise<string[] | undefined> {
  const file = path.join(root, 'frontend/.next/diagnostics/route-bundle-stats.json');
  const stats = JSON.parse(await readFile(file, 'utf8').catch(() => '[]')) as {
    route: string;
    firstLoadChunkPaths: string[];
  }[];
  const chunks = stats.find((s) => s.route === `/[locale]${route.slice(3)}`)?.firstLoadChunkPaths;
  return chunks?.map((c) => path.basename(c)).sort();
}

/** Gzip (node:zlib, default level) of every script, fetched uncompressed from the server. */
async function gzipBytes(scripts: Script[], cookie: string) {
  let raw = 0;
  let gzip = 0;
  for (const { url } of scripts) {
    const response = await fetch(url, {
      headers: { cookie: `custos_session=${cookie}`, 'accept-encoding': 'identity' },
    });
    if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
    const body = Buffer.from(await response.arrayBuffer());
    raw += body.length;
    gzip += gzipSync(body).length;
  }
  return { raw, gzip };
}

const load = { before: loadavg()[0] };
const stack = await startWebStack();
let chrome: chromeLauncher.LaunchedChrome | undefined;
let browser: Browser | undefined;
try {
  process.stderr.write(`web app at ${stack.webUrl}\n`);
  browser = await chromium.launch({ executablePath: chromePath, args: chromiumArgs });
  chrome = await chromeLauncher.launch({ chromePath, chromeFlags: ['--headless', ...chromiumArgs] });
  const reports = path.join(root, 'bench-results/web-lighthouse');
  await mkdir(reports, { recursive: true });
  const results = [];
  for (const [name, route] of pages) {
    const url = `${stack.webUrl}${route}`;
    const pageRuns: Run[] = [];
    let cookie = '';
    for (let i = 0; i < runs; i++) {
      // A fresh session each run: Lighthouse's requests cannot hand a renewed cookie back to us.
      cookie = await signIn(browser, stack.webUrl);
      process.stderr.write(`${name}: Lighthouse run ${i + 1} of ${runs}…\n`);
      const { report, ...run } = await audit(url, chrome.port, cookie);
      await writeFile(path.join(reports, `${name}-${i + 1}.json`), report);
      pageRuns.push(run);
    }
    const performance = median(pageRuns.map((r) => r.performance));
    const typical = pageRuns.find((r) => r.performance === performance) as Run;
    const measured = await gzipBytes(typical.scripts, cookie);
    const measuredChunks = typical.scripts.map((s) => path.basename(new URL(s.url).pathname)).sort();
    const buildChunks = await nextBuildChunks(route);
    results.push({
      page: name,
      route,
      performance,
      performanceRuns: pageRuns.map((r) => r.performance),
      accessibility: Math.min(...pageRuns.map((r) => r.accessibility)),
      firstLoadJsKbGzip: kb(measured.gzip),
      firstLoadJsKbTransfer: kb(typical.scriptTransferBytes),
      firstLoadJsKbUncompressed: kb(measured.raw),
      scriptCount: typical.scripts.length,
      sameChunksAsNextBuild: buildChunks && buildChunks.join() === measuredChunks.join(),
      medianRun: typical,
      runs: pageRuns.map(({ scripts: _s, ...rest }) => rest),
    });
  }

  const missed: string[] = [];
  const table = results.map((r) => {
    const m = r.medianRun.metricsMs;
    const perf = r.performance >= budgets.performance;
    const a11y = r.accessibility >= budgets.accessibility;
    const js = r.firstLoadJsKbGzip <= budgets.firstLoadJsKbGzip;
    if (!perf) {
      missed.push(
        `${r.page}: performance ${r.performance} < ${budgets.performance} (median run: FCP ${m.fcp} ms, ` +
          `LCP ${m.lcp} ms, TBT ${m.tbt} ms, SI ${m.speedIndex} ms, CLS ${m.cls})`,
      );
    }
    if (!a11y) {
      const failures = new Set(r.runs.flatMap((run) => run.accessibilityFailures));
      missed.push(`${r.page}: accessibility ${r.accessibility} < 100: ${[...failures].join('; ')}`);
    }
    if (!js)
      missed.push(
        `${r.page}: First Load JS ${r.firstLoadJsKbGzip} kB gzip > ${budgets.firstLoadJsKbGzip} kB`,
      );
    if (r.sameChunksAsNextBuild === false)
      console.warn(`${r.page}: the scripts differ from next build's list`);
    return {
      page: `${r.page} (${r.route})`,
      'performance (runs)': `${r.performance} (${r.performanceRuns.join(', ')})`,
      'perf ≥ 90': mark(perf),
      accessibility: r.accessibility,
      'a11y = 100': mark(a11y),
      'First Load JS kB gzip (transfer)': `${r.firstLoadJsKbGzip} (${r.firstLoadJsKbTransfer})`,
      'JS ≤ 150 kB': mark(js),
    };
  });
  console.table(table);
  console.log(missed.length ? `budgets missed:\n  ${missed.join('\n  ')}` : 'all budgets met');
  console.log('Lighthouse reports: bench-results/web-lighthouse/ (open in the Lighthouse viewer)');

  const report = {
    benchmark: 'web',
    date: new Date().toISOString(),
    machine: {
      cpus: cpus().length,
      node: process.version,
      load1Before: load.before,
      load1After: loadavg()[0],
    },
    settings: { runs, user, formFactor: 'mobile', throttlingMethod: 'simulate', chromePath },
    budgets,
    results,
    missed,
  };
  await writeFile(path.join(root, 'bench-results/web.json'), `${JSON.stringify(report, null, 2)}\n`);
  console.log('written: bench-results/web.json');
} finally {
  await browser?.close();
  chrome?.kill();
  await stack.stop();
}
