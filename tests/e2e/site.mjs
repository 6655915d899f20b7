// What every end-to-end test file shares: the console's release build (dist/) served locally and
// one Debian Chromium for the file's tests, and `payrules serve` for HTTP mode.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, before } from 'node:test';

import { chromium, root, serve } from '../node/lib.mjs';

/** Serves dist/ and starts Chromium before the file's tests, and stops both after them. */
export function servedConsole() {
  const it = { site: null, browser: null };
  before(async () => {
    it.site = await serve(join(root, 'dist'));
    it.browser = await chromium();
  });
  after(async () => {
    await it.browser?.close();
    it.site?.close();
  });
  return it;
}

/** `payrules serve` on a free port (`PAYRULES_BIN`, else target/debug/payrules). */
export async function startServer() {
  const bin = process.env.PAYRULES_BIN ?? join(root, 'target/debug/payrules');
  const child = spawn(bin, ['serve', '--addr', '127.0.0.1:0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise((ok) => createInterface({ input: child.stdout }).once('line', ok));
  return { url: line.match(/http:\/\/\S+/)[0], stop: () => child.kill('SIGKILL') };
}

/** Runs `fn(server, context)` with a fresh `payrules serve` and a new context of `browser` at the
 *  desktop viewport; both are closed and stopped afterwards, whatever `fn` does. */
export async function withServer(browser, fn) {
  const server = await startServer();
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  try {
    return await fn(server, context);
  } finally {
    await context.close();
    server.stop();
  }
}
