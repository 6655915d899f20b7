// An accessibility scan of each of the console's main views with axe-core (WCAG 2.2 A and AA
// rules and axe's best practices): no serious or critical violation.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { axeScript, openView, views } from './views.mjs';
import { servedConsole } from './site.mjs';

const it = servedConsole();

for (const view of views) {
  test(`axe-core finds no serious or critical violation: ${view.name}`, async () => {
    const { c, close } = await openView(it.browser, it.site.url, view);
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
      await close();
    }
  });
}
