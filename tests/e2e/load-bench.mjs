// Load benchmark of the console's release build: served from a local static server with gzip,
// loaded cold (a fresh browser context: empty cache) in headless Chromium, several times.
// Reports total bytes transferred and the time until the app is interactive (the sample world
// loaded and the UI mounted), median of the loads.
// Run: scripts/build-web.sh && node tests/e2e/load-bench.mjs
import { readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join } from 'node:path';
import { gzipSync } from 'node:zlib';

import { chromium, root } from '../node/lib.mjs';

const LOADS = Number(process.env.LOADS ?? 7);
const dist = join(root, 'dist');
const types = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm', '.css': 'text/css', '.json': 'application/json', '.jsonl': 'text/plain' };
const cache = new Map();
const server = createServer((req, res) => {
  let path = join(dist, decodeURIComponent(new URL(req.url, 'http://x').pathname));
  try {
    if (statSync(path).isDirectory()) path = join(path, 'index.html');
    if (!cache.has(path)) cache.set(path, gzipSync(readFileSync(path), { level: 9 }));
    res.writeHead(200, { 'Content-Type': types[extname(path)] ?? 'application/octet-stream', 'Content-Encoding': 'gzip' });
    res.end(cache.get(path));
  } catch {
    res.writeHead(404).end();
  }
});
await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
const url = `http://127.0.0.1:${server.address().port}/`;

const browser = await chromium();
const runs = [];
for (let i = 0; i < LOADS; i++) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  let bytes = 0;
  cdp.on('Network.loadingFinished', (e) => { bytes += e.encodedDataLength; });
  await page.goto(url);
  await page.waitForSelector('[data-testid="app"][data-ready="true"]');
  const ready = await page.evaluate(() => window.__payrulesReadyAt);
  runs.push({ bytes, ready });
  await context.close();
}
await browser.close();
server.close();
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(`loads: ${LOADS}, cold (cache disabled, fresh context), gzip -9`);
console.log(`transferred: median ${(median(runs.map((r) => r.bytes)) / 1024).toFixed(1)} KB`);
console.log(`interactive: median ${median(runs.map((r) => r.ready)).toFixed(0)} ms (min ${Math.min(...runs.map((r) => r.ready)).toFixed(0)}, max ${Math.max(...runs.map((r) => r.ready)).toFixed(0)})`);
