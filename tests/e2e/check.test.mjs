// End-to-end tests of the console's file check (a file validated in a Web Worker), as
// `trunk build --release` builds it, in Debian's Chromium. The oracle is the CLI:
// `payrules validate --format json FILE` prints one report per line.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import { chromium, root, serve } from '../node/lib.mjs';
import { FileCheck } from './check-page.mjs';

const bin = process.env.PAYRULES_BIN ?? join(root, 'target/debug/payrules');
const work = join(root, 'target/e2e-check');
mkdirSync(work, { recursive: true });
let site, browser, big, oracle;

function cli(args) {
  const run = spawnSync(bin, args, { encoding: 'utf8', maxBuffer: 1 << 30 });
  assert.ok(run.status === 0 || run.status === 1, `payrules ${args.join(' ')}: ${run.stderr}`);
  return run.stdout;
}

/** What the CLI says about a JSON Lines file: counts, codes and fields, problems by line, reports. */
function judge(path) {
  const lines = readFileSync(path, 'utf8').split('\n');
  if (lines.at(-1) === '') lines.pop();
  const numbers = lines.flatMap((l, i) => (l.trim() === '' ? [] : [i + 1]));
  const reports = cli(['validate', '--format', 'json', path]).split('\n').filter((l) => l !== '');
  assert.equal(reports.length, numbers.length);
  const out = { lines: lines.length, valid: 0, invalid: 0, warned: 0, blank: lines.length - numbers.length, byCode: {}, byField: {}, problems: [], reports: new Map() };
  reports.forEach((text, i) => {
    const report = JSON.parse(text);
    if (report.valid) out.valid += 1; else out.invalid += 1;
    if (report.errors.length === 0) return;
    if (report.valid) out.warned += 1;
    out.reports.set(numbers[i], text);
    for (const v of report.errors) {
      out.byCode[v.code] = (out.byCode[v.code] ?? 0) + 1;
      out.byField[v.path] = (out.byField[v.path] ?? 0) + 1;
      if (v.severity === 'error') out.problems.push([String(numbers[i]), v.path, v.code, v.message]);
    }
  });
  return out;
}

before(async () => {
  big = join(work, 'plentymarkets-100k.jsonl');
  writeFileSync(big, cli(['generate', '--kind', 'plentymarkets-create', '--seed', '42', '--count', '100000']));
  oracle = judge(big);
  assert.equal(oracle.lines, 100_000);
  assert.ok(oracle.invalid > 5_000, `${oracle.invalid} invalid lines`);
  site = await serve(join(root, 'dist'));
  browser = await chromium();
});
after(async () => {
  await browser?.close();
  site?.close();
});

async function open() {
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 }, acceptDownloads: true });
  const c = new FileCheck(await context.newPage());
  await c.open(site.url);
  return { c, context };
}

const table = (counts) => Object.entries(counts).map(([k, n]) => [k, String(n)]).sort();

test('a 100,000-line file: the CLI\'s counts, advancing progress, a responsive page, the report', async () => {
  const { c, context } = await open();
  await c.startProbe();
  await c.check(big);
  await c.waitForPhase('running');
  // A click on another control while the worker runs is handled at once, and takes effect.
  await c.id('export-tokens').click();
  assert.equal(await c.id('export-tokens').isChecked(), true);
  const clickedWhile = await c.phase();
  await c.waitForResults();
  const probe = await c.stopProbe();
  assert.equal(clickedWhile, 'running', 'the click landed after the check ended: the test proves nothing');
  assert.ok(probe.clicks.length >= 1 && Math.max(...probe.clicks) < 100, `click waited ${probe.clicks} ms`);
  assert.ok(probe.timerGap < 100, `the main thread was blocked for ${probe.timerGap} ms`);
  assert.ok(probe.frameGap < 100, `a frame took ${probe.frameGap} ms`);
  // The bar advanced in steps, never back, up to the file's size.
  const size = readFileSync(big).length;
  assert.ok(probe.progress.length >= 10, `progress took ${probe.progress.length} values`);
  assert.ok(probe.progress.every((v, i) => i === 0 || v >= probe.progress[i - 1]), 'progress went back');
  assert.ok(probe.progress.some((v) => v > 0 && v < size), 'no intermediate progress');
  assert.equal(await c.progress(), size);
  assert.match(await c.id('check-status').innerText(), /100000 lines/);

  assert.deepEqual(await c.counts(), { lines: oracle.lines, valid: oracle.valid, invalid: oracle.invalid, warned: oracle.warned, blank: 0 });
  assert.ok(oracle.warned > 1000, 'the batch has valid requests with warnings');
  assert.deepEqual((await c.rows('check-by-code')).sort(), table(oracle.byCode));
  assert.deepEqual((await c.rows('check-by-field')).map(([f, n]) => [f === '(the request)' ? '' : f, n]).sort(), table(oracle.byField));
  assert.deepEqual(await c.rows('check-first'), oracle.problems.slice(0, 50));

  // The report: one line per request with a violation, its report byte for byte the CLI's.
  const report = (await c.download()).split('\n').filter((l) => l !== '');
  assert.equal(report.length, oracle.reports.size);
  for (const line of report) {
    const m = line.match(/^\{"line":(\d+),"report":(.*)\}$/);
    assert.ok(m, line);
    assert.equal(m[2], oracle.reports.get(Number(m[1])), `line ${m[1]}`);
  }
  c.assertNoConsoleErrors();
  await context.close();
});

test('the first load fetches neither the worker nor its module', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const fetched = [];
  page.on('request', (r) => fetched.push(new URL(r.url()).pathname));
  const c = new FileCheck(page);
  await c.open(site.url);
  await page.waitForLoadState('networkidle');
  assert.deepEqual(fetched.filter((p) => p.includes('check-worker') || p.startsWith('/check/')), []);
  await context.close();
});

test('cancel stops a run midway: no more progress, a cancelled state, no results', async () => {
  const { c, context } = await open();
  // Three copies of the batch, so the run is long enough to stop halfway through.
  const triple = join(work, 'plentymarkets-300k.jsonl');
  const text = readFileSync(big, 'utf8');
  writeFileSync(triple, text + text + text);
  await c.startProbe();
  await c.check(triple);
  await c.page.waitForFunction(() => window.__probe.progress.some((v) => v > 0));
  await c.id('check-cancel').click();
  await c.waitForPhase('cancelled');
  const at = await c.progress();
  const size = readFileSync(triple).length;
  assert.ok(at > 0 && at < size, `cancelled at ${at} of ${size}`);
  await c.page.waitForTimeout(1000);
  assert.equal(await c.progress(), at, 'progress moved after cancel');
  assert.equal(await c.phase(), 'cancelled');
  assert.match(await c.id('check-status').innerText(), /^Cancelled after \d+ lines/);
  assert.equal(await c.id('check-counts').count(), 0);
  assert.equal(await c.id('check-cancel').isDisabled(), true);
  // A new run after a cancel works.
  const small = join(work, 'five.jsonl');
  writeFileSync(small, text.split('\n').slice(0, 5).join('\n') + '\n\n');
  await c.check(small);
  await c.waitForResults();
  const five = judge(small);
  assert.deepEqual(await c.counts(), { lines: 6, valid: five.valid, invalid: five.invalid, warned: five.warned, blank: 1 });
  c.assertNoConsoleErrors();
  await context.close();
});

test('a CSV file: columns mapped to the chosen operation by name, rows checked with their line numbers', async () => {
  const { c, context } = await open();
  await c.id('profile-tab-plentymarkets').click();
  await c.chooseOperation('plentymarkets.create_payment');
  const csv = join(work, 'payments.csv');
  writeFileSync(csv, [
    'authorization,amount,exchangeRatio,mopId,currency,type,status,transactionType,note',
    'Bearer plenty-demo-token,12.3400,1.0000,6000,EUR,credit,2,2,"first, with a comma"',
    'Bearer plenty-demo-token,12.34,1.0000,6000,EUR,credit,2,2,two decimals',
    '',
    'Bearer plenty-demo-token,99.5000,1.0000,,EUR,debit,2,1,"a quoted',
    'line break and no mopId"',
    'Bearer plenty-demo-token,1.0000,1.0000,6000,EUR,debit,2,1,fine',
  ].join('\r\n') + '\r\n');
  await c.check(csv);
  await c.waitForResults();
  assert.deepEqual(await c.rows('check-mapping'), [
    ['authorization', '/headers/authorization'], ['amount', '/body/amount'], ['exchangeRatio', '/body/exchangeRatio'],
    ['mopId', '/body/mopId'], ['currency', '/body/currency'], ['type', '/body/type'], ['status', '/body/status'],
    ['transactionType', '/body/transactionType'],
  ]);
  assert.equal(await c.id('check-unmapped').innerText(), 'Not mapped (no such field): note');
  assert.deepEqual(await c.counts(), { lines: 4, valid: 2, invalid: 2, warned: 0, blank: 0 });
  const first = await c.rows('check-first');
  assert.deepEqual(first.map(([line, path, code]) => [line, path, code]), [['3', '/body/amount', 'pattern'], ['5', '/body/mopId', 'required']]);
  assert.match(first[0][3], /12\.3400/);
  const report = (await c.download()).trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(report.map((r) => [r.line, r.report.valid, r.report.operation]), [
    [3, false, 'plentymarkets.create_payment'], [5, false, 'plentymarkets.create_payment'],
  ]);
  c.assertNoConsoleErrors();
  await context.close();
});
