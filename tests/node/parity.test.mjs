// One verdict everywhere: the native CLI, the package in Node and the package in headless
// Chromium give byte-identical output for every scenario file and a generated batch of 10,000
// requests over all five profiles.
import assert from 'node:assert/strict';
import { writeFileSync, mkdirSync, cpSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import { chromium, cli, installedPackage, lines, npmDir, root, scenarios, serve } from './lib.mjs';

const NOW = '2024-01-01T09:00:00Z';

test('CLI, Node and Chromium agree byte for byte', async () => {
  const batch = cli(['generate', '--kind', 'mixed', '--seed', '2026', '--count', '10000']);
  assert.equal(lines(batch).length, 10000);
  const cases = scenarios();

  // Native.
  const native = {
    batch: cli(['validate', '-'], batch),
    scenarios: cases.map(([, input]) => cli(['replay', '--now', NOW, '-'], input)),
  };
  const { module: payrules } = await installedPackage();
  const node = {
    batch: lines(batch).map((l) => payrules.validateJson(l) + '\n').join(''),
    scenarios: cases.map(([, input]) => {
      const ledger = new payrules.Ledger({ now: NOW });
      return lines(input).map((l) => ledger.handleJson(l) + '\n').join('');
    }),
  };
  // The batch path (bytes in, one array out) gives the same reports too.
  const viaBatch = JSON.parse(payrules.validateBatchJson(new TextEncoder().encode(batch)));
  assert.deepEqual(viaBatch.map((r) => JSON.stringify(r) + '\n').join(''), node.batch);

  // Chromium: the same package as a plain ES module in a page.
  const site = join(npmDir, 'parity-site');
  mkdirSync(site, { recursive: true });
  cpSync(join(npmDir, 'payrules'), join(site, 'payrules'), { recursive: true });
  writeFileSync(join(site, 'index.html'), '<!doctype html><title>parity</title>');
  writeFileSync(join(site, 'inputs.json'), JSON.stringify({ batch, scenarios: cases.map(([, input]) => input) }));
  const server = await serve(site);
  const browser = await chromium();
  try {
    const page = await browser.newPage();
    await page.goto(`${server.url}/index.html`);
    const browserOut = await page.evaluate(async ({ NOW }) => {
      const payrules = await import('/payrules/web.js');
      await payrules.default();
      const { batch, scenarios } = await (await fetch('/inputs.json')).json();
      const split = (t) => t.split('\n').filter((l) => l.trim() !== '');
      return {
        batch: split(batch).map((l) => payrules.validateJson(l) + '\n').join(''),
        scenarios: scenarios.map((input) => {
          const ledger = new payrules.Ledger({ now: NOW });
          return split(input).map((l) => ledger.handleJson(l) + '\n').join('');
        }),
      };
    }, { NOW });

    assert.equal(node.batch, native.batch, 'Node batch differs from the CLI');
    assert.equal(browserOut.batch, native.batch, 'Chromium batch differs from the CLI');
    cases.forEach(([name, , expected], i) => {
      assert.equal(native.scenarios[i], expected, `CLI: ${name}`);
      assert.equal(node.scenarios[i], expected, `Node: ${name}`);
      assert.equal(browserOut.scenarios[i], expected, `Chromium: ${name}`);
    });
  } finally {
    await browser.close();
    server.close();
  }
});
