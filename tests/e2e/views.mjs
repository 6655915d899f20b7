// The console's main views, each opened the same way for the accessibility scan and the visual
// regression test: a name, a viewport, and the steps that bring the page there.
import { join } from 'node:path';

import { root } from '../node/lib.mjs';
import { FileCheck } from './check-page.mjs';
import { HistoryPanel, SandboxPanel } from './history-pages.mjs';
import { startServer } from './site.mjs';

export const desktop = { width: 1400, height: 1000 };
export const phone = { width: 390, height: 844 };

/** The page's clock, fixed: the times shown (history, the ledger's records) are the same every run. */
const now = new Date('2026-12-01T12:00:00Z');
/** A fixed file of requests for the file check's view. */
const requests = join(root, 'crates/payrules/data/crmcom/seeds/originals.jsonl'); // the vendor's own examples, as written: every one refused

/** Sends a plentymarkets capture of payment 2 (an action's request) and waits for its entry. */
async function sendCapture(c) {
  await c.profile('plentymarkets');
  await c.select('2');
  await c.action('capture').click();
  await c.send();
  await new HistoryPanel(c).waitFor(1);
}

/** Every main view: `open(c)` brings a freshly opened console there. */
export const views = [
  {
    name: 'first-paint',
    viewport: desktop,
    open: async (c) => {
      await c.profile('plentymarkets');
    },
  },
  {
    name: 'detail-crmcom',
    viewport: desktop,
    open: async (c) => {
      await c.profile('crmcom');
      await c.search('117');
      await c.select('4653BEFC9239043011096B329DFEF3F7');
    },
  },
  {
    name: 'detail-plentymarkets',
    viewport: desktop,
    open: async (c) => {
      await c.profile('plentymarkets');
      await c.select('2');
    },
  },
  {
    name: 'composer-attempted',
    viewport: desktop,
    open: async (c) => {
      await c.profile('logisense');
      await c.id('composer-operation').selectOption({ index: 0 });
      await c.id('send').click({ force: true });
    },
  },
  {
    name: 'komet-batch',
    viewport: desktop,
    open: async (c) => {
      await c.profile('komet');
    },
  },
  {
    name: 'history',
    viewport: desktop,
    open: async (c) => {
      await sendCapture(c);
      await new HistoryPanel(c).openResponse(1);
    },
  },
  {
    name: 'file-check',
    viewport: desktop,
    open: async (c) => {
      await c.check(requests);
      await c.waitForResults();
    },
  },
  {
    // HTTP mode: the sandboxes panel with its log. The server's clock is the machine's, so this
    // view is scanned for accessibility but has no screenshot baseline.
    name: 'http-sandboxes',
    viewport: desktop,
    server: true,
    screenshot: false,
    open: async (c) => {
      await c.useHttp(c.server.url);
      await new SandboxPanel(c).create('views');
      // HTTP mode knows no credentials: a payment created from the form, its token typed.
      await c.profile('plentymarkets');
      await c.operation('plentymarkets.create_payment');
      await c.fill('/headers/authorization', 'Bearer plenty-demo-token');
      for (const [p, v] of [['/body/amount', '12.3400'], ['/body/exchangeRatio', '1.0000'], ['/body/mopId', '6000'], ['/body/currency', 'EUR'], ['/body/type', 'credit'], ['/body/status', '2'], ['/body/transactionType', '2']]) {
        await c.fill(p, v);
      }
      await c.send();
      await new SandboxPanel(c).log(1);
    },
  },
  {
    name: 'phone-list',
    viewport: phone,
    open: async (c) => {
      await c.profile('plentymarkets');
    },
  },
  {
    name: 'phone-detail',
    viewport: phone,
    open: async (c) => {
      await c.profile('plentymarkets');
      await c.select('2');
    },
  },
];

/** A new page on `url` in `browser`, at the view's viewport, brought to the view; `close()` ends
 * it (and the view's `payrules serve`, when it has one). */
export async function openView(browser, url, view) {
  const context = await browser.newContext({ viewport: view.viewport, deviceScaleFactor: 1, reducedMotion: 'reduce' });
  const server = view.server ? await startServer() : null;
  const page = await context.newPage();
  await page.clock.setFixedTime(now);
  const c = new FileCheck(page);
  c.server = server;
  const close = async () => {
    await context.close();
    server?.stop();
  };
  try {
    await c.open(url);
    await c.waitForLedger();
    await view.open(c);
  } catch (e) {
    await close();
    throw e;
  }
  return { c, close };
}

export const axeScript = join(root, 'tests/node_modules/axe-core/axe.min.js');
