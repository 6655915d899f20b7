// Where the console's first load spends the main thread until it is interactive: a Chromium trace
// of LOADS (5) cold loads of the release build (served with gzip -9, as load-bench.mjs serves it),
// each event's self time (its duration less its children's) summed by name over the renderer's
// main thread up to `__payrulesReadyAt`, then averaged over the loads.
// Run: scripts/build-web.sh && node tests/e2e/load-trace.mjs      (DIST=dir traces another build)
import { join, resolve } from 'node:path';

import { chromium, coldPage, root, serve } from '../node/lib.mjs';

const LOADS = Number(process.env.LOADS ?? 5);
const dist = resolve(process.env.DIST ?? join(root, 'dist'));
const site = await serve(dist, { gzip: true });
const url = `${site.url}/`;

const browser = await chromium();
const self = new Map();
const readies = [];
for (let i = 0; i < LOADS; i++) {
  const { context, page, cdp } = await coldPage(browser);
  const events = [];
  cdp.on('Tracing.dataCollected', (e) => events.push(...e.value));
  const complete = new Promise((ok) => cdp.once('Tracing.tracingComplete', ok));
  await cdp.send('Tracing.start', { categories: 'devtools.timeline,v8,v8.wasm', transferMode: 'ReportEvents' });
  await page.goto(url);
  await page.waitForFunction(() => window.__payrulesReadyAt !== undefined);
  // The page's clock against the trace's: a time stamp written now, and performance.now() with it.
  const { ready, now } = await page.evaluate(() => {
    console.timeStamp('payrules-probe');
    return { ready: window.__payrulesReadyAt, now: performance.now() };
  });
  await cdp.send('Tracing.end');
  await complete;
  // The renderer's main thread: the one the time stamp was written on.
  const stamp = events.find((e) => e.name === 'TimeStamp' && e.args?.data?.message === 'payrules-probe');
  const thread = (e) => `${e.pid}:${e.tid}`;
  const main = thread(stamp);
  const origin = stamp.ts / 1000 - now;
  const spans = events.filter((e) => thread(e) === main && e.ph === 'X' && e.dur !== undefined)
    .map((e) => ({ name: e.name, at: e.ts / 1000 - origin, dur: e.dur / 1000 }))
    .filter((e) => e.at >= 0 && e.at < ready)
    .sort((a, b) => a.at - b.at || b.dur - a.dur);
  const stack = [];
  for (const e of spans) {
    while (stack.length && stack.at(-1).at + stack.at(-1).dur <= e.at) stack.pop();
    if (stack.length) stack.at(-1).children += e.dur;
    e.children = 0;
    stack.push(e);
  }
  for (const e of spans) self.set(e.name, (self.get(e.name) ?? 0) + Math.max(0, e.dur - e.children) / LOADS);
  readies.push(ready);
  await context.close();
}
await browser.close();
site.close();
const sorted = [...readies].sort((a, b) => a - b);
console.log(`${dist}: ${LOADS} cold loads; interactive: median ${sorted[Math.floor(LOADS / 2)].toFixed(0)} ms`);
console.log('main thread until interactive, self time by trace event (ms, mean of the loads):');
for (const [name, ms] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 20)) console.log(`${ms.toFixed(1).padStart(8)}  ${name}`);
