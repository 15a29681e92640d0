// What the browser tests share: a fresh portal build, a server with a real SMTP server on
// loopback, and one headless Chromium (Debian's) driven by playwright-core.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { startSmtp, type TestSmtp } from '../helpers/smtp.js';

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const webDir = join(root, 'server/web/dist');
export const resultsDir = join(root, 'test-results');
export const CHROMIUM = '/usr/bin/chromium';

/** Builds the portal unless the build is newer than its sources (scripts/build-web.mjs decides). */
export function ensurePortalBuilt(): void {
  execFileSync(process.execPath, [join(root, 'scripts/build-web.mjs')], { cwd: root, stdio: 'pipe' });
  if (!existsSync(join(webDir, 'index.html'))) throw new Error('the portal build left no server/web/dist/index.html');
}

export interface Portal {
  server: TestServer;
  smtp: TestSmtp;
  close(): Promise<void>;
}

export async function startPortal(): Promise<Portal> {
  ensurePortalBuilt();
  const smtp = await startSmtp();
  const server = await startTestServer({ webDir, mail: { kind: 'smtp', host: '127.0.0.1', port: smtp.port, secure: false } });
  return {
    server,
    smtp,
    async close() {
      await server.stop();
      await smtp.close();
    },
  };
}

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
}

/** A fresh browser profile (its own cookies) with a desktop-sized window. */
export async function newContext(browser: Browser, baseURL: string): Promise<BrowserContext> {
  const ctx = await browser.newContext({ baseURL, viewport: { width: 1280, height: 900 } });
  ctx.setDefaultTimeout(10_000);
  return ctx;
}

export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(resultsDir, { recursive: true });
  const file = join(resultsDir, name);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}
