// Shared helpers of the Node tests: where things are, the packed package installed into a
// temporary project, the native CLI, a static file server and Debian's Chromium.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, extname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const npmDir = join(root, 'target/npm');

/** The `npm pack` tarball scripts/build-npm.sh made. */
export function tarball() {
  const file = readdirSync(npmDir).find((f) => /^payrules-.*\.tgz$/.test(f));
  if (!file) throw new Error(`no payrules-*.tgz in ${npmDir}: run scripts/build-npm.sh`);
  return join(npmDir, file);
}

let installed;
/** The packed package installed into a fresh project: `module` as `import … from 'payrules'` sees it,
 * `ledger` as `import … from 'payrules/ledger'` does. */
export async function installedPackage() {
  if (installed) return installed;
  const dir = mkdtempSync(join(tmpdir(), 'payrules-node-'));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'probe', private: true, type: 'module' }));
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--offline', '--loglevel=error', tarball()], { cwd: dir });
  // A module inside the project imports the bare names, so Node resolves them through the package's exports map.
  writeFileSync(join(dir, 'probe.mjs'), "export * from 'payrules';\nexport { default } from 'payrules';\n");
  writeFileSync(join(dir, 'probe-ledger.mjs'), "export * from 'payrules/ledger';\nexport { default } from 'payrules/ledger';\n");
  installed = {
    dir,
    module: await import(pathToFileURL(join(dir, 'probe.mjs')).href),
    ledger: await import(pathToFileURL(join(dir, 'probe-ledger.mjs')).href),
  };
  return installed;
}

/** Runs the native `payrules` binary the Rust tests built; its stdout. Exit 1 (“something is
 * invalid”) is an answer, not a failure; exit 2 is. */
export function cli(args, input) {
  const bin = process.env.PAYRULES_BIN ?? join(root, 'target/debug/payrules');
  const run = spawnSync(bin, args, { input, maxBuffer: 1 << 30, encoding: 'utf8' });
  if (run.error) throw run.error;
  if (run.status !== 0 && run.status !== 1) throw new Error(`payrules ${args.join(' ')}: exit ${run.status}\n${run.stderr}`);
  return run.stdout;
}

/** The vendors' data folders, `crates/payrules/data/<profile>/`, in registry order (`payrules profiles`). */
export function vendors() {
  return JSON.parse(cli(['profiles'], '')).map((p) => p.id);
}

/** A vendor's data folder. */
export const data = (profile) => join(root, 'crates/payrules/data', profile);

/** Every vendor's seed file `seeds/<name>`, one after another (absent files give nothing). */
export function seeds(name) {
  return vendors().map((v) => join(data(v), 'seeds', name)).filter((f) => existsSync(f)).map((f) => readFileSync(f, 'utf8')).join('');
}

/** Every scenario: [name, input text, expected output text]. */
export function scenarios() {
  const out = [];
  for (const profile of vendors()) {
    const base = join(data(profile), 'scenarios');
    for (const file of readdirSync(base).sort().filter((f) => f.endsWith('.in.jsonl'))) {
      const input = readFileSync(join(base, file), 'utf8');
      const expected = readFileSync(join(base, file.replace('.in.jsonl', '.out.jsonl')), 'utf8');
      out.push([`${profile}/${file}`, input, expected]);
    }
  }
  return out;
}

export const lines = (text) => text.split('\n').filter((l) => l.trim() !== '');

const types = { '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm', '.html': 'text/html', '.css': 'text/css', '.json': 'application/json', '.jsonl': 'text/plain', '.png': 'image/png' };

/** Serves `dir` on 127.0.0.1 (an ephemeral port); resolves to {url, close}. With `gzip`, every
 * file goes out compressed with gzip -9 (each compressed once), as the load benchmarks measure it. */
export function serve(dir, { gzip = false } = {}) {
  const compressed = new Map();
  const body = (path) => {
    if (!gzip) return readFileSync(path);
    if (!compressed.has(path)) compressed.set(path, gzipSync(readFileSync(path), { level: 9 }));
    return compressed.get(path);
  };
  const server = createServer((req, res) => {
    let path = join(dir, decodeURIComponent(new URL(req.url, 'http://x').pathname));
    if (!path.startsWith(dir)) return res.writeHead(403).end();
    try {
      if (statSync(path).isDirectory()) path = join(path, 'index.html');
      const content = body(path);
      res.writeHead(200, { 'Content-Type': types[extname(path)] ?? 'application/octet-stream', ...(gzip ? { 'Content-Encoding': 'gzip' } : {}) });
      res.end(content);
    } catch {
      res.writeHead(404).end();
    }
  });
  return new Promise((ok) => server.listen(0, '127.0.0.1', () => ok({ url: `http://127.0.0.1:${server.address().port}`, close: () => server.close() })));
}

/** Debian's Chromium, headless, with the flags this machine needs (never a downloaded browser). */
export async function chromium() {
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** A page in a fresh browser context with its cache disabled (a cold load, as the load benchmarks
 * make it), with the CDP session that watches its network. */
export async function coldPage(browser) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  return { context, page, cdp };
}

/** The first bytes of tables Rust's standard library links in when a module uses Unicode case
 * mapping (`char::to_lowercase`, `str::to_uppercase`) or parses a float (`str::parse::<f64>`):
 * ~24 KB of case tables and a 10 KB table of powers of five. payrules' modules use ASCII case
 * mapping, the browser's `toLowerCase` and `parseFloat` instead (BENCHMARKS.md, *Eighth round*);
 * each pattern was seen in the modules built before that round. */
export const stdTables = {
  'Unicode lowercase table (core::unicode::conversions)': Buffer.from('c0000000e0000000c1000000e1000000', 'hex'),
  'Unicode uppercase table (core::unicode::conversions)': Buffer.from('b50000009c030000df000000', 'hex'),
  'powers of five of the float parser (core::num::dec2flt)': Buffer.from('5ad63b92d653f4ee', 'hex'),
};

/** The names of the `stdTables` the module `file` carries. */
export function stdTablesIn(file) {
  const wasm = readFileSync(file);
  return Object.entries(stdTables).filter(([, bytes]) => wasm.includes(bytes)).map(([name]) => name);
}
