// An accessibility scan of each of the console's main views with axe-core (WCAG 2.2 A and AA
// rules and axe's best practices): no serious or critical violation.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import { chromium, root, serve } from '../node/lib.mjs';
import { axeScript, openView, views } from './views.mjs';

let site, browser;

before(async () => {
  site = await serve(join(root, 'dist'));
  browser = await chromium();
});
after(async () => {
  await browser?.close();
  site?.close();
});

for (const view of views) {
  test(`axe-core finds no serious or critical violation: ${view.name}`, async () => {
    const { c, context } = await openView(browser, site.url, view);
    try {
      await c.page.addScriptTag({ path: axeScript });
      const result = await c.page.evaluate(() =>
        globalThis.axe.run(document, {
          runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] },
          resultTypes: ['violations'],
        }));
      const bad = result.violations
        .filter((v) => v.impact === 'serious' || v.impact === 'critical')
        .map((v) => `${v.impact} ${v.id}: ${v.help} (${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')})`);
      assert.ok(result.passes === undefined || Array.isArray(result.passes));
      assert.deepEqual(bad, [], `${view.name}:\n${bad.join('\n')}`);
      c.assertNoConsoleErrors();
    } finally {
      await context.close();
    }
  });
}
