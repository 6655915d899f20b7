// Load benchmark of the console's release build: served from a local static server with gzip -9,
// loaded cold (a fresh browser context, cache disabled) in headless Chromium, LOADS times (7).
// Run: scripts/build-web.sh && node tests/e2e/load-bench.mjs      (DIST=dir measures another build)
//
// What it reports, median of the loads (min–max for times):
// - interactive: the page's clock (performance.now()) when the console is usable — the sample
//   world's payments rendered (the list, filters, details and actions) and the composer checking
//   as you type. The app records it as `__payrulesReadyAt` in the animation frame after the
//   records are in the DOM, i.e. just before the frame that shows them is painted. Since the
//   ledger is a module of its own, a Send made before it has arrived waits for it.
// - transferred by then: bytes (CDP encodedDataLength: gzip body and headers) of every response
//   that had finished loading at that moment — the first load.
// - ledger ready: when the page's ledger module is loaded and holds the sample world
//   (`__payrulesLedgerAt`; a build without a separate ledger has none).
// - transferred in all: every response once the page is idle (ledger module and the vendor
//   examples included).
// - first contentful paint, for reference.
import { join, resolve } from 'node:path';

import { chromium, coldPage, root, serve } from '../node/lib.mjs';

const LOADS = Number(process.env.LOADS ?? 7);
const dist = resolve(process.env.DIST ?? join(root, 'dist'));
const site = await serve(dist, { gzip: true });
const url = `${site.url}/`;

const browser = await chromium();
const runs = [];
for (let i = 0; i < LOADS; i++) {
  const { context, page, cdp } = await coldPage(browser);
  // CDP's clock (monotonic seconds) to wall-clock milliseconds, from the document's request.
  let offset;
  const finished = [];
  cdp.on('Network.requestWillBeSent', (e) => { if (offset === undefined && e.type === 'Document') offset = e.wallTime * 1000 - e.timestamp * 1000; });
  cdp.on('Network.loadingFinished', (e) => { finished.push({ bytes: e.encodedDataLength, at: e.timestamp * 1000 }); });
  await page.goto(url);
  await page.waitForFunction(() => window.__payrulesReadyAt !== undefined);
  const separate = (await page.locator('[data-testid="app"]').getAttribute('data-ledger')) !== null;
  if (separate) await page.waitForFunction(() => window.__payrulesLedgerAt !== undefined);
  await page.waitForLoadState('networkidle');
  const t = await page.evaluate(() => ({
    origin: performance.timeOrigin,
    ready: window.__payrulesReadyAt,
    ledger: window.__payrulesLedgerAt ?? window.__payrulesReadyAt,
    fcp: performance.getEntriesByName('first-contentful-paint')[0]?.startTime,
  }));
  const readyWall = t.origin + t.ready;
  const first = finished.filter((f) => f.at + offset <= readyWall).reduce((s, f) => s + f.bytes, 0);
  const total = finished.reduce((s, f) => s + f.bytes, 0);
  runs.push({ ...t, first, total });
  await context.close();
}
await browser.close();
site.close();
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const kb = (k) => `${(median(runs.map((r) => r[k])) / 1024).toFixed(1)} KB`;
const ms = (k) => { const xs = runs.map((r) => r[k]); return `${median(xs).toFixed(0)} ms (min ${Math.min(...xs).toFixed(0)}, max ${Math.max(...xs).toFixed(0)})`; };
console.log(`${dist}: loads: ${LOADS}, cold (cache disabled, fresh context), gzip -9`);
console.log(`interactive: median ${ms('ready')}`);
console.log(`transferred by then: median ${kb('first')}`);
console.log(`ledger ready: median ${ms('ledger')}`);
console.log(`transferred in all: median ${kb('total')}`);
console.log(`first contentful paint: median ${ms('fcp')}`);
