// Visual regression: a screenshot of each of the console's main views (tests/e2e/views.mjs),
// compared with its committed baseline in tests/e2e/baselines/ by pixelmatch. A view fails when
// its size changed or more than 0.01 % of its pixels differ (anti-aliasing aside: pixelmatch's
// threshold 0.1), so a broken layout fails the test, and so does a changed colour of a badge's
// border (~1,100 pixels of a detail view); the same build renders the same pixels here (0 differ),
// and the differing pixels are written beside the shot for a look.
//   BLESS_SCREENSHOTS=1 node --test e2e/visual.test.mjs    writes the baselines after a wanted change
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import pixelmatch from 'pixelmatch';
import { PNG } from 'pngjs';

import { root } from '../node/lib.mjs';
import { openView, views } from './views.mjs';
import { servedConsole } from './site.mjs';

const baselines = join(root, 'tests/e2e/baselines');
const shots = join(root, 'target/e2e-screenshots/visual');
mkdirSync(shots, { recursive: true });
const bless = process.env.BLESS_SCREENSHOTS === '1';
/** The share of pixels that may differ. */
const tolerance = 0.0001;

const it = servedConsole();

for (const view of views.filter((v) => v.screenshot !== false)) {
  test(`the ${view.name} view looks as its baseline`, async () => {
    const { c, close } = await openView(it.browser, it.site.url, view);
    let png;
    try {
      // Still: no caret, no transitions, fonts loaded, nothing pending.
      await c.page.addStyleTag({ content: '*, *::before, *::after { caret-color: transparent !important; transition: none !important; animation: none !important; }' });
      await c.page.evaluate(() => document.fonts.ready);
      await c.page.evaluate(() => new Promise((ok) => requestAnimationFrame(() => requestAnimationFrame(ok))));
      png = await c.page.screenshot({ fullPage: true, animations: 'disabled' });
    } finally {
      await close();
    }
    const file = join(baselines, `${view.name}.png`);
    writeFileSync(join(shots, `${view.name}.png`), png);
    if (bless) {
      mkdirSync(baselines, { recursive: true });
      writeFileSync(file, png);
      return;
    }
    assert.ok(existsSync(file), `no baseline for ${view.name}: look at ${join(shots, `${view.name}.png`)}, then bless it with BLESS_SCREENSHOTS=1`);
    const want = PNG.sync.read(readFileSync(file));
    const got = PNG.sync.read(png);
    assert.deepEqual([got.width, got.height], [want.width, want.height], `${view.name}: the page's size changed`);
    const diff = new PNG({ width: want.width, height: want.height });
    const differ = pixelmatch(want.data, got.data, diff.data, want.width, want.height, { threshold: 0.1 });
    const share = differ / (want.width * want.height);
    if (differ > 0) writeFileSync(join(shots, `${view.name}.diff.png`), PNG.sync.write(diff));
    assert.ok(share <= tolerance, `${view.name}: ${differ} pixels (${(share * 100).toFixed(2)} %) differ from the baseline (see ${shots})`);
  });
}
