// The console's main views, each opened the same way for the accessibility scan and the visual
// regression test: a name, a viewport, and the steps that bring the page there.
import { join } from 'node:path';

import { root } from '../node/lib.mjs';
import { Console } from './pages.mjs';

export const desktop = { width: 1400, height: 1000 };
export const phone = { width: 390, height: 844 };

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

/** A new page on `url` in `browser`, at the view's viewport, brought to the view. */
export async function openView(browser, url, view) {
  const context = await browser.newContext({ viewport: view.viewport, deviceScaleFactor: 1, reducedMotion: 'reduce' });
  const c = new Console(await context.newPage());
  await c.open(url);
  await c.waitForLedger();
  await view.open(c);
  return { c, context };
}

export const axeScript = join(root, 'tests/node_modules/axe-core/axe.min.js');
