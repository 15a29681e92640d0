// What the browser tests share: a fresh portal build, a server with a real SMTP server on
// loopback, and one headless Chromium (Debian's) driven by playwright-core.
import { execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { ensureAgentBundle, exited, runAgent, spawnAgent } from '../agent/helpers/run-agent.js';
import { Client, registered } from '../helpers/client.js';
import type { ServerConfig } from '../../server/core/config.js';
import { seedOrg, startTestServer, type TestServer } from '../helpers/server.js';
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

export async function startPortal(config: Partial<ServerConfig> = {}): Promise<Portal> {
  ensurePortalBuilt();
  const smtp = await startSmtp();
  const server = await startTestServer({ webDir, mail: { kind: 'smtp', host: '127.0.0.1', port: smtp.port, secure: false }, ...config });
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

/**
 * A fresh browser profile (its own cookies) with a desktop-sized window. `bypassCSP` lets axe-core
 * be injected (the portal's policy rightly refuses inline scripts); only the accessibility checks use it.
 */
export async function newContext(browser: Browser, baseURL: string, opts: { bypassCSP?: boolean } = {}): Promise<BrowserContext> {
  const ctx = await browser.newContext({ baseURL, viewport: { width: 1280, height: 900 }, bypassCSP: opts.bypassCSP ?? false });
  ctx.setDefaultTimeout(10_000);
  return ctx;
}

export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(resultsDir, { recursive: true });
  const file = join(resultsDir, name);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

// ---- the people, the locators and the small steps every page's tests use ----

export const PASSWORD = 'correct horse battery';
export const OWNER = { name: 'Olivia Owner', email: 'olivia@acme.test' };
export const BOB = { name: 'Bob Builder', email: 'bob@acme.test' };
export const CAROL = { name: 'Carol Cad', email: 'carol@acme.test' };

export const nav = (page: Page, name: string) => page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true }).click();
export const productRow = (page: Page, code: string) => page.locator(`table.seats tr[data-product="${code}"]`);
export const cell = (row: Locator, col: string) => row.locator(`[data-col="${col}"]`);
export const line = (page: Page, code: string) => page.locator(`.line[data-line="${code}"]`);
/** Chooses `option` in the select labelled `select` within `scope`, then presses `submit`. */
export async function pick(scope: Locator, select: string, option: string, submit: string): Promise<void> {
  await scope.getByLabel(select).selectOption({ label: option });
  await scope.getByRole('button', { name: submit, exact: true }).click();
}
/** Presses a confirm button, then its answer ("Remove" → "Yes, remove"). */
export async function confirm(scope: Locator, button: string, yes: string): Promise<void> {
  await scope.getByRole('button', { name: button, exact: true }).click();
  await scope.getByRole('button', { name: yes }).click();
}
export const member = (m: { name: string; email: string }) => `${m.name} (${m.email})`;
export const navLinks = (page: Page) => page.getByRole('navigation', { name: 'Main' }).getByRole('link').allTextContents();
export const contract = (page: Page, number: string) => page.locator(`section.contract[data-contract="${number}"]`);
export const acceptLink = (text: string) => /(http:\/\/\S+\/accept\?token=\S+)/.exec(text)?.[1];

/**
 * What most page tests start from: a portal, a browser, an organization claimed by Olivia (its
 * owner) with Bob and Carol as members, and Olivia signed in in a browser page of her own.
 * `pageErrors` collects every script error of the pages made through `page()`.
 */
export interface Scene {
  portal: Portal;
  browser: Browser;
  org: Awaited<ReturnType<typeof seedOrg>>;
  /** Olivia's API client (signed in) */
  admin: Client;
  ids: Record<string, string>;
  ownerCtx: BrowserContext;
  owner: Page;
  pageErrors: string[];
  api(rest: string): string;
  /** A fresh browser profile, signed in as `who` unless null. */
  page(who: { email: string } | null): Promise<Page>;
  close(): Promise<void>;
}

export async function startScene(opts: { members?: Array<{ name: string; email: string }>; bypassCSP?: boolean; config?: Partial<ServerConfig> } = {}): Promise<Scene> {
  const [portal, browser] = await Promise.all([startPortal(opts.config), launchBrowser()]);
  const org = await seedOrg(portal.server);
  const url = portal.server.url;
  const o = await registered(url, { serial: org.serial, name: OWNER.name, email: OWNER.email, password: PASSWORD });
  const claimed = await o.client.post(`/api/v1/orgs/${org.orgId}/claim`, { confirmOrgName: org.name, acceptTerms: true, responsibleForLicenses: true });
  if (claimed.status !== 200) throw new Error(`claim failed: ${claimed.status} ${JSON.stringify(claimed.body)}`);
  const ids: Record<string, string> = { [OWNER.email]: o.accountId };
  for (const m of opts.members ?? [BOB, CAROL]) ids[m.email] = (await registered(url, { serial: org.serial, ...m, password: PASSWORD })).accountId;
  const pageErrors: string[] = [];
  const contexts: BrowserContext[] = [];
  const page = async (who: { email: string } | null) => {
    const ctx = await newContext(browser, url, { bypassCSP: opts.bypassCSP ?? false });
    contexts.push(ctx);
    if (who) {
      const r = await ctx.request.post('/api/v1/auth/sign-in', { data: { email: who.email, password: PASSWORD } });
      if (r.status() !== 200) throw new Error(`sign-in of ${who.email} failed: ${r.status()}`);
    }
    const p = await ctx.newPage();
    p.on('pageerror', (e) => pageErrors.push(e.message));
    return p;
  };
  const owner = await page(OWNER);
  const ownerCtx = owner.context();
  await ownerCtx.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: url });
  return {
    portal,
    browser,
    org,
    admin: o.client,
    ids,
    ownerCtx,
    owner,
    pageErrors,
    api: (rest) => `/api/v1/orgs/${org.orgId}${rest}`,
    page,
    async close() {
      await Promise.all(contexts.map((c) => c.close().catch(() => undefined)));
      await browser.close();
      await portal.close();
    },
  };
}

/**
 * A detection root as the catalog's Linux rules find it: SOLIDWORKS Premium 2025 SP2 installed,
 * and AutoCAD 2025 activated with `serial`.
 */
export async function fakeInstalls(serial: string): Promise<string> {
  const detectRoot = await mkdtemp(join(tmpdir(), 'sk-detect-'));
  const install = join(detectRoot, 'opt/dassault/solidworks-premium/2025');
  await mkdir(join(install, 'bin'), { recursive: true });
  await writeFile(join(install, 'bin/sldworks'), '#!/bin/sh\n');
  await writeFile(join(install, 'VERSION'), '2025 SP2\n');
  const acad = join(detectRoot, 'opt/autodesk/autocad-2025');
  await mkdir(join(acad, 'bin'), { recursive: true });
  await mkdir(join(acad, 'adlm'), { recursive: true });
  await writeFile(join(acad, 'bin/acad'), '#!/bin/sh\n');
  await writeFile(join(acad, 'VERSION'), '2025.1\n');
  await writeFile(join(acad, 'adlm/serial.txt'), `${serial}\n`);
  return detectRoot;
}

/**
 * A real workstation: the agent bundle enrolled with an enrollment token named `tokenName`, its
 * daemon running, and signed in as `who` by the device code (typed in for them through the API).
 * SOLIDWORKS Premium 2025 SP2 is installed on it, and AutoCAD 2025 activated with the contract's serial.
 */
export async function startWorkstation(scene: Scene, who: { email: string }, tokenName = 'Design office rollout') {
  await ensureAgentBundle();
  const home = await mkdtemp(join(tmpdir(), 'sk-agent-'));
  const detectRoot = await fakeInstalls(scene.org.serial);
  const env = { SEATKEEPER_AGENT_HOME: home, SEATKEEPER_MACHINE_ID: `browser-${process.pid}-${Date.now()}`, SEATKEEPER_DETECT_ROOT: detectRoot, SEATKEEPER_LOG_LEVEL: 'warn' };
  const url = scene.portal.server.url;
  const made = await scene.admin.post(scene.api('/enrollment-tokens'), { name: tokenName, expiresInHours: 24 * 30 });
  if (made.status !== 201) throw new Error(`enrollment token: ${made.status} ${JSON.stringify(made.body)}`);
  const enroll = await runAgent(['enroll', '--server', url, '--token', made.body.token as string], env);
  if (enroll.code !== 0) throw new Error(`enroll failed: ${enroll.stderr}`);
  const children: ChildProcess[] = [spawnAgent(['run'], env)];
  const login = spawnAgent(['login', '--json'], env);
  children.push(login);
  const first = await new Promise<string>((ok, fail) => {
    createInterface({ input: login.stdout! }).once('line', ok);
    login.once('exit', () => fail(new Error(`agent login exited: ${login.output().stderr}`)));
  });
  const userCode = (JSON.parse(first) as { userCode: string }).userCode;
  const person = new Client(url);
  const signedIn = await person.post('/api/v1/auth/sign-in', { email: who.email, password: PASSWORD });
  if (signedIn.status !== 200) throw new Error(`sign-in of ${who.email}: ${signedIn.status}`);
  const activated = await person.post('/api/v1/device-codes/activate', { userCode });
  if (activated.status !== 200) throw new Error(`activate: ${activated.status} ${JSON.stringify(activated.body)}`);
  if ((await exited(login, 15_000)) !== 0) throw new Error(`agent login failed: ${login.output().stderr}`);
  return {
    async stop() {
      for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
      await Promise.all(children.map((c) => exited(c, 5000).catch(() => c.kill('SIGKILL'))));
      await Promise.all([home, detectRoot].map((d) => rm(d, { recursive: true, force: true })));
    },
  };
}

/** Waits (outside a test, where expect.poll is not allowed) until `read` gives `want`. */
export async function until<T>(read: () => Promise<T> | T, want: T, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  let last: T | undefined;
  while ((last = await read()) !== want) {
    if (Date.now() > end) throw new Error(`waited ${timeoutMs} ms for ${String(want)}; last saw ${String(last)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export const AXE = join(root, 'node_modules/axe-core/axe.min.js');
export const NARROW = { width: 390, height: 844 };
export const WIDE = { width: 1280, height: 900 };

/** One axe-core violation of a WCAG 2.2 A/AA rule, with the elements it names. */
export interface Violation {
  id: string;
  impact: string | null;
  help: string;
  targets: string[];
}

/** Runs axe-core in the page (injected once per document) for the WCAG 2.0-2.2 A and AA rules. */
export async function axeViolations(page: Page): Promise<Violation[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ path: AXE });
  // A scroll box becomes a focusable region once its ResizeObserver has seen it overflow (after a
  // viewport change, a frame or two later): checked once every box says what it is.
  await page.waitForFunction(() =>
    Array.from(document.querySelectorAll('.scroll-box')).every((el) => (el.scrollWidth > el.clientWidth + 1) === el.hasAttribute('tabindex')),
  );
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(ctx: Document, opts: unknown): Promise<{ violations: Array<{ id: string; impact: string | null; help: string; nodes: Array<{ target: unknown[] }> }> }> } }).axe;
    const r = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] } });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map((n) => n.target.join(' ')) }));
  });
}

/** Waits until the page settled: its one h1 is there and nothing says it is loading. */
export async function settled(page: Page): Promise<void> {
  await page.locator('main h1').first().waitFor();
  await page.locator('[aria-busy="true"]').first().waitFor({ state: 'detached' });
}
