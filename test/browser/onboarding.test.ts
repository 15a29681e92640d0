// The portal's first day, walked in a real browser as a new organization would: register with a
// serial, claim, invite by mail, assign, a real agent signs in with the code typed on Activate, the
// live dashboard follows without a reload. Each page's other actions are in its own file here.
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleUsage } from '../../server/jobs/usage.js';
import type { Presence } from '../../server/core/presence.js';
import { ensureAgentBundle, exited, runAgent, spawnAgent } from '../agent/helpers/run-agent.js';
import { registered } from '../helpers/client.js';
import { seedOrg } from '../helpers/server.js';
import { BOB, CAROL, OWNER, PASSWORD, cell, fakeInstalls, launchBrowser, line, nav, newContext, productRow, root, screenshot, startPortal, type Portal } from './harness.js';


let portal: Portal;
let browser: Browser;
let org: Awaited<ReturnType<typeof seedOrg>>;
let ownerCtx: BrowserContext;
let owner: Page;
let bob: Page;
let agentHome: string;
let detectRoot: string;
const children: ChildProcess[] = [];
const pageErrors: string[] = [];

const agentEnv = () => ({ SEATKEEPER_AGENT_HOME: agentHome, SEATKEEPER_MACHINE_ID: 'browser-test-workstation-1', SEATKEEPER_DETECT_ROOT: detectRoot, SEATKEEPER_LOG_LEVEL: 'warn' });

/**
 * The hours before the run, for the README's picture (its caption says so): the real usage job
 * (`sampleUsage`) run every 15 minutes of the last 24 hours at fake times, seeing this organization's
 * enrolled workstations online in working hours and the products found installed on them in use.
 * Never more than the organization has: a product counts at most the workstations it is installed on.
 */
async function seedUsageHistory(): Promise<number> {
  const s = portal.server.services;
  const doc = s.store.org(org.orgId)!;
  const devices = Object.values(doc.devices).filter((d) => !d.revokedAt);
  const installedOn = (code: string) => devices.filter((d) => d.inventory.some((i) => i.productCode === code)).length;
  const lines = Object.values(doc.contracts).flatMap((c) => c.lines).filter((l) => installedOn(l.productCode) > 0);
  // Local hours each product is open on a working day; the workstation is on from 8 to 18.
  const busy: Record<string, Array<[number, number]>> = { ACAD: [[8.5, 12], [13, 17.5]], 'SW-PREMIUM': [[9, 11.5], [14, 17]] };
  const inUse = (code: string, h: number) => (busy[code] ?? []).some(([from, to]) => h >= from && h < to);
  const now = Date.now();
  let n = 0;
  for (let at = now - 24 * 3600_000 + 15 * 60_000; at < now - 60_000; at += 15 * 60_000, n++) {
    const h = new Date(at).getHours() + new Date(at).getMinutes() / 60;
    const on = h >= 8 && h < 18;
    const presence: Presence = {
      onlineDevices: (orgId) => new Set(orgId === org.orgId && on ? devices.map((d) => d.id) : []),
      inUseByLine: (orgId) => (orgId === org.orgId && on ? Object.fromEntries(lines.filter((l) => inUse(l.productCode, h)).map((l) => [l.id, installedOn(l.productCode)])) : {}),
      lastSeen: () => null,
    };
    await sampleUsage({ ...s, clock: () => at, gateway: { ...s.gateway, presence } });
  }
  // The job appends; samples it took for real before this (at now) go back to the end.
  await s.store.tx((t) => void t.org(org.orgId)!.usage.sort((a, b) => a.at - b.at));
  return n;
}

async function watch(page: Page): Promise<Page> {
  page.on('pageerror', (e) => pageErrors.push(e.message));
  return page;
}

beforeAll(async () => {
  [portal, browser] = await Promise.all([startPortal(), launchBrowser(), ensureAgentBundle()]).then(([p, b]) => [p, b] as const);
  org = await seedOrg(portal.server);
  ownerCtx = await newContext(browser, portal.server.url);
  await ownerCtx.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: portal.server.url });
  owner = await watch(await ownerCtx.newPage());
  bob = await watch(await (await newContext(browser, portal.server.url)).newPage());
  agentHome = await mkdtemp(join(tmpdir(), 'sk-agent-'));
  // A workstation with SOLIDWORKS Premium 2025 installed and AutoCAD 2025 activated with the serial.
  detectRoot = await fakeInstalls(org.serial);
}, 120_000);

afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
  await Promise.all(children.map((c) => exited(c, 5000).catch(() => c.kill('SIGKILL'))));
  await browser?.close();
  await portal?.close();
  await Promise.all([agentHome, detectRoot].filter(Boolean).map((d) => rm(d, { recursive: true, force: true })));
});

describe('a new organization walks the story', () => {
  it('registers with the serial number, sees its organization and promotes itself to administrator', async () => {
    await owner.goto('/');
    await owner.waitForURL(/\/sign-in$/);
    await owner.getByRole('link', { name: 'Create an account' }).click();
    await owner.getByLabel('Your name').fill(OWNER.name);
    await owner.getByLabel('Work email').fill(OWNER.email);
    await owner.getByLabel('Password').fill(PASSWORD);
    await owner.getByLabel('Serial number').fill(org.serial);
    await owner.getByRole('button', { name: 'Create account' }).click();

    // Registering signs nobody in (it answers alike for known addresses): the link in the mail verifies it, then sign in.
    await owner.getByRole('heading', { name: 'Check your mail' }).waitFor();
    const verify = await portal.smtp.waitFor((m) => m.to.includes(OWNER.email) && /Verify/.test(m.subject));
    await owner.goto(/(http:\/\/\S+\/verify-email\?token=\S+)/.exec(verify.text)![1]!);
    await owner.getByRole('heading', { name: 'Your email is verified' }).waitFor();
    await owner.getByRole('link', { name: 'sign in' }).click();
    await owner.getByLabel('Email').fill(OWNER.email);
    await owner.getByLabel('Password').fill(PASSWORD);
    await owner.getByRole('button', { name: 'Sign in' }).click();
    await owner.waitForURL(/\/claim$/);
    expect(await owner.getByRole('heading', { level: 1 }).textContent()).toBe(org.name);
    expect(await owner.locator('[data-unverified]').count()).toBe(0);
    const promote = owner.getByRole('button', { name: 'Promote me to administrator' });
    expect(await promote.isDisabled()).toBe(true);
    await owner.getByLabel('I accept the terms and conditions of use.').check();
    expect(await promote.isDisabled()).toBe(true);
    await owner.getByLabel(/I am responsible for assigning and managing/).check();
    // The name is compared exactly, as the server compares it: another case is not the name.
    const typed = owner.getByLabel("Type the organization's name to confirm");
    await typed.fill(org.name.toUpperCase());
    expect(await promote.isDisabled()).toBe(true);
    await typed.fill(org.name);
    // No terms page is configured on this server: the words are not a link to nowhere.
    expect(await owner.getByRole('link', { name: /terms and conditions/ }).count()).toBe(0);
    await promote.click();

    await owner.waitForURL(/\/claim\/done$/);
    expect(await owner.getByRole('heading', { level: 1 }).textContent()).toBe(`You are the administrator of ${org.name}`);
    await owner.getByRole('link', { name: 'Open the admin portal' }).click();
    await owner.waitForURL(/\/dashboard$/);
    await owner.getByRole('status').filter({ hasText: 'Live' }).waitFor();
    expect(await cell(productRow(owner, 'SW-PREMIUM'), 'owned').textContent()).toBe('10');
    await owner.locator('ol.feed li[data-kind="member"]', { hasText: `${OWNER.email} claimed` }).waitFor();
  });

  it('invites a member; the mail arrives over SMTP and its link opens the acceptance page', async () => {
    await nav(owner, 'Members');
    await owner.getByLabel('Email', { exact: true }).fill(BOB.email);
    await owner.getByLabel('Role').selectOption('member');
    await owner.getByRole('button', { name: 'Send invitation' }).click();
    await owner.getByRole('status').filter({ hasText: `Invitation sent to ${BOB.email}` }).waitFor();
    await owner.locator(`tr[data-invitation="${BOB.email}"]`).waitFor();

    const mail = await portal.smtp.waitFor((m) => m.to.includes(BOB.email) && /invite/i.test(m.subject));
    const link = /(http:\/\/\S+\/accept\?token=\S+)/.exec(mail.text)?.[1];
    expect(link).toMatch(new RegExp(`^${portal.server.url}/accept\\?token=`));
    await bob.goto(link!);
    await bob.getByRole('heading', { name: `Join ${org.name}` }).waitFor();
    expect(await bob.locator('dl.facts').textContent()).toContain(BOB.email);
    await bob.getByLabel('Your name').fill(BOB.name);
    await bob.getByLabel('Choose a password').fill(PASSWORD);
    await bob.getByRole('button', { name: 'Accept invitation' }).click();
    await bob.getByRole('heading', { name: `Welcome to ${org.name}` }).waitFor();
    await bob.getByRole('link', { name: 'See my products' }).click();
    // Serial-activated products are everyone's; nothing named is assigned yet.
    await bob.locator('tr[data-product="ACAD"]', { hasText: 'Serial number' }).waitFor();
    expect(await bob.locator('tr[data-product="SW-PREMIUM"]').count()).toBe(0);

    await owner.reload();
    await owner.locator(`tr[data-member="${BOB.email}"]`).waitFor();
    expect(await owner.locator(`tr[data-invitation="${BOB.email}"]`).count()).toBe(0);
  });

  it('assigns a product; the member sees it with its activation method', async () => {
    await nav(owner, 'Products');
    const sw = line(owner, 'SW-PREMIUM');
    await sw.getByLabel('Assign a seat of SW-PREMIUM to').selectOption({ label: `${BOB.name} (${BOB.email})` });
    await sw.getByRole('button', { name: 'Assign' }).click();
    await sw.locator(`tr[data-holder="${BOB.email}"]`).waitFor();
    expect(await sw.locator('[data-col="assigned"]').textContent()).toBe('1');

    await bob.reload();
    const mine = bob.locator('tr[data-product="SW-PREMIUM"]');
    await mine.waitFor();
    expect(await mine.locator('[data-col="method"]').textContent()).toBe('Named user (sign-in)');
  });

  it('a real agent enrolls with a token from Devices and signs in with the code typed on Activate; the dashboard shows the seat in use live', async () => {
    await nav(owner, 'Devices');
    await owner.getByText('No workstation is enrolled yet').waitFor();
    await owner.getByLabel('Token name').fill('Design office rollout');
    await owner.getByLabel('Valid for').selectOption({ label: '30 days' });
    await owner.getByRole('button', { name: 'Create token' }).click();
    const command = (await owner.locator('[data-secret]').textContent()) ?? '';
    const made = Object.values(portal.server.services.store.org(org.orgId)!.enrollmentTokens).find((t) => t.name === 'Design office rollout')!;
    expect(made.expiresAt - made.createdAt).toBe(30 * 24 * 3600_000);
    expect(command).toContain(`--server ${portal.server.url}`);
    await owner.getByRole('button', { name: 'Copy install command' }).click();
    await owner.getByRole('button', { name: 'Copied' }).waitFor();
    expect(await owner.evaluate(() => navigator.clipboard.readText())).toBe(command);
    const token = /--token (\S+)/.exec(command)![1]!;

    const enroll = await runAgent(['enroll', '--server', portal.server.url, '--token', token], agentEnv());
    expect(enroll.code, enroll.stderr).toBe(0);
    const daemon = spawnAgent(['run'], agentEnv());
    children.push(daemon);

    await nav(owner, 'Dashboard');
    const devicesTile = owner.locator('[data-tile="devices"] .tile-value');
    await expect.poll(() => devicesTile.textContent(), { timeout: 10_000 }).toBe('1 / 1');
    // The workstation's AutoCAD was activated with the contract's serial: a serial seat in use.
    await expect.poll(() => cell(productRow(owner, 'ACAD'), 'in-use').textContent(), { timeout: 10_000 }).toBe('1');
    const swRow = productRow(owner, 'SW-PREMIUM');
    expect(await cell(swRow, 'in-use').textContent()).toBe('0');
    // Its inventory is in now: the hours before the run are seeded from it, then the chart loads them.
    const history = await seedUsageHistory();
    await owner.reload();
    await owner.getByRole('status').filter({ hasText: 'Live' }).waitFor();
    await expect.poll(async () => Number(await owner.locator('.chart-box').getAttribute('data-stored'))).toBeGreaterThanOrEqual(history);

    const login = spawnAgent(['login', '--json'], agentEnv());
    children.push(login);
    const lines = createInterface({ input: login.stdout! });
    const first = await new Promise<string>((resolve, reject) => {
      lines.once('line', resolve);
      login.once('exit', () => reject(new Error(`agent login exited: ${login.output().stderr}`)));
    });
    const code = (JSON.parse(first) as { event: string; userCode: string }).userCode;
    expect(code).toBeTruthy();

    await bob.getByRole('link', { name: 'Activate a device' }).click();
    await bob.getByRole('heading', { name: 'Activate a device' }).waitFor();
    // A mistyped code: the server's refusal shows under the field.
    await bob.getByLabel('Code').fill('WXYZ-WXYZ');
    await bob.getByRole('button', { name: 'Activate' }).click();
    const wrong = bob.getByRole('alert');
    await wrong.filter({ hasText: 'That code is wrong or has expired.' }).waitFor();
    expect(await wrong.getAttribute('data-code')).toBe('DEVICE_CODE_INVALID');
    await bob.getByLabel('Code').fill(code);
    await bob.getByRole('button', { name: 'Activate' }).click();
    await bob.getByRole('status').filter({ hasText: `is signed in as ${BOB.email}` }).waitFor();
    expect(await bob.getByRole('alert').count()).toBe(0);

    // No reload: the live socket moves the counters and the feed (how fast is a benchmark's
    // business, not this test's).
    await expect.poll(() => cell(swRow, 'in-use').textContent(), { timeout: 5000, interval: 25 }).toBe('1');
    expect(await exited(login, 15_000)).toBe(0);
    expect(await cell(swRow, 'assigned').textContent()).toBe('1');
    expect(await cell(swRow, 'free').textContent()).toBe('9');
    await owner.locator('ol.feed li[data-kind="sign-in"]', { hasText: `${BOB.email} signed in` }).waitFor();
    await owner.locator('ol.feed li[data-kind="grant"]', { hasText: 'SW-PREMIUM granted' }).waitFor();
    // The chart drew the day's samples from GET /usage plus the live ones.
    expect(await owner.locator('.chart canvas').count()).toBe(1);
    expect(Number(await owner.locator('.chart').getAttribute('data-samples'))).toBeGreaterThan(history);
    const shot = await screenshot(owner, 'dashboard.png');
    // The README's picture is refreshed on request only, so ordinary runs leave the checkout clean.
    if (process.env.UPDATE_SCREENSHOTS === '1' || !existsSync(join(root, 'docs/dashboard.png'))) {
      await mkdir(join(root, 'docs'), { recursive: true });
      await copyFile(shot, join(root, 'docs/dashboard.png'));
    }
    await bob.getByRole('link', { name: 'See my products' }).click();
    await bob.getByRole('heading', { name: 'My products' }).waitFor();
  });

  it("stores the cron job's usage sample: after a reload the chart draws it from the store", async () => {
    const before = Date.now();
    await sampleUsage(portal.server.services);
    const written = portal.server.services.store.org(org.orgId)!.usage.filter((u) => u.at >= before);
    expect(written.at(-1)).toMatchObject({ inUse: { ACAD: 1, 'SW-PREMIUM': 1 }, devicesOnline: 1 });
    const stored = portal.server.services.store.org(org.orgId)!.usage.filter((u) => u.at >= Date.now() - 24 * 3600_000).length;
    await owner.reload();
    await owner.getByRole('status').filter({ hasText: 'Live' }).waitFor();
    const last = owner.locator('.chart-box [data-last-sample]');
    await last.waitFor();
    await expect.poll(async () => Number(await owner.locator('.chart-box').getAttribute('data-stored'))).toBeGreaterThanOrEqual(stored);
    // Not the live socket's sample (those are not stored): GET /usage's newest, the job's or a later one.
    expect(Number(await last.getAttribute('data-last-sample'))).toBeGreaterThanOrEqual(written.at(-1)!.at);
    expect(await last.textContent()).toContain('2 seats in use, 1 device online');
    expect(Number(await owner.locator('.chart').getAttribute('data-samples'))).toBeGreaterThan(stored);
  });

  it('reassigns the seat; the feed shows the revocation and the counters change', async () => {
    await registered(portal.server.url, { serial: org.serial, name: CAROL.name, email: CAROL.email });
    const dashboard = await watch(await ownerCtx.newPage());
    await dashboard.goto('/dashboard');
    const swRow = productRow(dashboard, 'SW-PREMIUM');
    await expect.poll(() => cell(swRow, 'in-use').textContent()).toBe('1');

    await nav(owner, 'Products');
    const holder = line(owner, 'SW-PREMIUM').locator(`tr[data-holder="${BOB.email}"]`);
    await holder.getByLabel(`Reassign ${BOB.name}'s seat to`).selectOption({ label: `${CAROL.name} (${CAROL.email})` });
    await holder.getByRole('button', { name: 'Reassign' }).click();
    await line(owner, 'SW-PREMIUM').locator(`tr[data-holder="${CAROL.email}"]`).waitFor();

    await dashboard.locator('ol.feed li[data-kind="revoke"]', { hasText: 'SW-PREMIUM revoked' }).waitFor({ timeout: 5000 });
    await expect.poll(() => cell(swRow, 'in-use').textContent(), { timeout: 5000, interval: 50 }).toBe('0');
    expect(await cell(swRow, 'assigned').textContent()).toBe('1');
    expect(await dashboard.locator('ol.feed li[data-kind="assignment"]', { hasText: `reassigned` }).count()).toBe(1);
    await dashboard.close();
  });

  it('raised no script error in any page', () => {
    expect(pageErrors).toEqual([]);
  });
});
