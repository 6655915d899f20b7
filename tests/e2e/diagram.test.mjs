// End-to-end tests of a payment's lifecycle diagram in the console as `trunk build --release`
// builds it, in Debian's Chromium: the current state and its moves highlighted, the path taken
// numbered (and kept over a reload), zoom, pan, the SVG download, and what is on screen measured
// at a desktop's and a phone's width.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import { root } from '../node/lib.mjs';
import { Console } from './pages.mjs';
import { Lifecycle, problems } from './diagram-page.mjs';
import { servedConsole } from './site.mjs';

const shots = join(root, 'target/e2e-screenshots');
mkdirSync(shots, { recursive: true });
const it = servedConsole();

const CRM_DRAFT = '4653BEFC9239043011096B329DFEF3F7';

/** The first plentymarkets payment listed, opened. */
async function openPlenty(c) {
  await c.profile('plentymarkets');
  const key = await c.page.locator('[data-testid^="payment-row-"]').first().getAttribute('data-testid');
  await c.select(key.replace('payment-row-', ''));
  return c.status();
}

test('plentymarkets: the current state in words with its code, its moves highlighted, zoom, pan, SVG download', async () => {
  const context = await it.browser.newContext({ viewport: { width: 1400, height: 1000 } });
  const c = new Console(await context.newPage());
  const d = new Lifecycle(c);
  await c.open(it.site.url);
  await c.waitForLedger();
  const status = await openPlenty(c);

  assert.equal(await d.currentCount(), 1);
  const current = await d.current();
  assert.equal(current.state, status);
  assert.equal(current.code, status, 'the code is drawn beside the words');
  assert.ok(current.words && current.words !== status && !/^\d/.test(current.words), `words: ${current.words}`);
  assert.notEqual(current.stroke, '#57606a', 'the current state is highlighted');
  const now = await d.now();
  assert.ok(now.includes(current.words) && now.includes(status), now);

  // Exactly the moves from the current state are highlighted, every one of the table drawn.
  const moves = await d.moves();
  assert.equal(moves.length, 19);
  const allowed = moves.filter((m) => m.allowed);
  assert.ok(allowed.length > 0);
  assert.deepEqual(allowed, moves.filter((m) => m.from === status));
  assert.ok(allowed.every((m) => m.stroke === allowed[0].stroke) && moves.filter((m) => !m.allowed).every((m) => m.stroke !== allowed[0].stroke));
  for (const m of allowed) assert.equal(await c.page.locator(`g.state[data-state="${m.to}"]`).getAttribute('data-next'), 'true');
  const selfLoop = moves.find((m) => m.from === '10' && m.to === '10');
  assert.equal(selfLoop?.action, 'refund_partially');

  const g = await d.geometry();
  assert.deepEqual(problems(g), []);
  await c.screenshot(join(shots, 'diagram-plentymarkets-1400.png'));

  // Zoom in and out about the centre; a drag pans; reset.
  assert.equal(await d.transform(), 'translate(0 0) scale(1)');
  await d.zoomIn();
  const zoomed = await d.transform();
  assert.match(zoomed, /scale\(1\.25\)$/);
  await d.drag(-80, -60);
  const panned = await d.transform();
  assert.notEqual(panned, zoomed);
  const [tx, ty] = panned.match(/translate\((\S+) (\S+)\)/).slice(1).map(Number);
  const [zx, zy] = zoomed.match(/translate\((\S+) (\S+)\)/).slice(1).map(Number);
  assert.ok(tx < zx && ty < zy, `${zoomed} → ${panned}`);
  await d.zoomOut();
  assert.match(await d.transform(), /scale\(1\)$/);
  await d.resetView();
  assert.equal(await d.transform(), 'translate(0 0) scale(1)');

  // The download is the same picture as a standalone SVG (namespace, colours inline, no zoom).
  await d.zoomIn();
  const file = await d.download();
  assert.equal(file.name, 'plentymarkets-lifecycle.svg');
  assert.match(file.text, /^<\?xml version="1.0" encoding="UTF-8"\?>\n<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  const parsed = await d.parse(file.text);
  assert.equal(parsed.error, null);
  assert.equal(parsed.root, 'svg');
  assert.equal(parsed.ns, 'http://www.w3.org/2000/svg');
  assert.equal(parsed.states.length, 10);
  assert.equal(parsed.current, status);
  assert.equal(parsed.edges, 19);
  assert.equal(parsed.transform, null, 'the download is not zoomed');
  assert.ok(parsed.styles, 'colours are attributes of the file');
  assert.ok(!file.text.includes('min-width'), 'the page sizing is not in the file');
  c.assertNoConsoleErrors();
  await context.close();
});

test('CRM.COM: a draft posted then cancelled draws the path it took, kept over a reload, started again by a reset', async () => {
  const context = await it.browser.newContext({ viewport: { width: 1400, height: 1000 } });
  const c = new Console(await context.newPage());
  const d = new Lifecycle(c);
  await c.open(it.site.url);
  await c.waitForLedger();
  await c.profile('crmcom');
  await c.operation('crmcom.payments_post');
  await c.fill('/body/token', 'B8D7A12E9F91AFADE914B7330AFD08CB');
  await c.search('117');
  await c.select(CRM_DRAFT);

  const current = await d.current();
  assert.equal(current.state, 'DRAFT');
  assert.equal(current.words, 'DRAFT');
  assert.match(await d.now(), /DRAFT/);
  const allowed = (await d.moves()).filter((m) => m.allowed).map((m) => `${m.action} ${m.to}`);
  assert.deepEqual(allowed, ['post POSTED', 'reject REJECTED']);
  assert.deepEqual(await d.trail(), ['DRAFT']);
  assert.deepEqual(await d.steps(), []);

  assert.equal((await c.doAction('post')).status, 200);
  assert.equal((await d.current()).state, 'POSTED');
  assert.deepEqual((await d.moves()).filter((m) => m.allowed).map((m) => m.action), ['cancel']);
  assert.deepEqual(await d.trail(), ['DRAFT', 'POSTED']);
  assert.equal((await c.doAction('cancel')).status, 200);
  assert.equal((await d.current()).state, 'CANCELLED');
  assert.deepEqual((await d.moves()).filter((m) => m.allowed), [], 'nothing leads on from a final state');
  assert.match(await d.now(), /final/);
  assert.deepEqual(await d.trail(), ['DRAFT', 'POSTED', 'CANCELLED']);
  assert.deepEqual(await d.steps(), [['post', '1'], ['cancel', '2']]);
  const taken = (await d.moves()).filter((m) => m.taken).map((m) => m.action);
  assert.deepEqual(taken, ['post', 'cancel']);
  for (const s of ['DRAFT', 'POSTED']) assert.equal(await c.page.locator(`g.state[data-state="${s}"]`).getAttribute('data-seen'), 'true');
  assert.deepEqual(problems(await d.geometry()), []);
  await c.screenshot(join(shots, 'diagram-crmcom-trail.png'));

  // Saved beside the ledger: the path is still there after a reload.
  await c.reload();
  await c.waitForLedger();
  await c.profile('crmcom');
  await c.search('117');
  await c.select(CRM_DRAFT);
  assert.deepEqual(await d.trail(), ['DRAFT', 'POSTED', 'CANCELLED']);
  assert.deepEqual(await d.steps(), [['post', '1'], ['cancel', '2']]);

  // A reset to the sample world starts every path again, saved so over a reload too.
  c.page.once('dialog', (dialog) => dialog.accept());
  await c.id('reset').click();
  await c.page.waitForSelector('[data-testid="detail"]', { state: 'detached' });
  await c.search('117');
  await c.select(CRM_DRAFT);
  assert.equal((await d.current()).state, 'DRAFT');
  assert.deepEqual(await d.trail(), ['DRAFT']);
  assert.deepEqual(await d.steps(), []);
  await c.reload();
  await c.waitForLedger();
  await c.profile('crmcom');
  await c.search('117');
  await c.select(CRM_DRAFT);
  assert.deepEqual(await d.trail(), ['DRAFT']);
  c.assertNoConsoleErrors();
  await context.close();
});

test('at a phone\'s width the diagram stays readable: no overlaps, text at 11 px or more, and it pans', async () => {
  const context = await it.browser.newContext({ viewport: { width: 390, height: 844 } });
  const c = new Console(await context.newPage());
  const d = new Lifecycle(c);
  await c.open(it.site.url);
  await c.waitForLedger();
  for (const open of [openPlenty, async () => { await c.profile('crmcom'); await c.search('117'); await c.select(CRM_DRAFT); }]) {
    await open(c);
    const g = await d.geometry();
    assert.deepEqual(problems(g), []);
    assert.ok(g.scale >= 11 / 12 - 0.001, `scale ${g.scale}`);
  }
  // plentymarkets' lifecycle is wider than the phone: its frame scrolls, and a drag pans.
  await openPlenty(c);
  const g = await d.geometry();
  assert.ok(g.width > g.frame.w, `${g.width} in ${g.frame.w}`);
  await d.drag(-60, 0);
  assert.match(await d.transform(), /^translate\(-\d/);
  await c.screenshot(join(shots, 'diagram-plentymarkets-390.png'));
  c.assertNoConsoleErrors();
  await context.close();
});
