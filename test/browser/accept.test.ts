// Accepting an invitation: a wrong or missing token, an existing account's password, the account signed in.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registered } from '../helpers/client.js';
import { seedOrg } from '../helpers/server.js';
import { acceptLink, nav, newContext, PASSWORD, type Scene, startScene } from './harness.js';

let scene: Scene;
let portal: Scene['portal'];
let browser: Scene['browser'];
let org: Scene['org'];
let owner: Page;
/** Script errors of every page made here; the last test asserts there were none. */
const watch = async (page: Page) => (page.on('pageerror', (e) => scene.pageErrors.push(e.message)), page);

beforeAll(async () => {
  scene = await startScene();
  ({ portal, browser, org, owner } = scene);
  await owner.goto('/dashboard');
}, 120_000);

afterAll(async () => {
  await scene?.close();
});

describe('accepting an invitation', () => {
  it('an invitation link with a wrong token, or none, says so', async () => {
    const ctx = await newContext(browser, portal.server.url);
    const page = await watch(await ctx.newPage());
    await page.goto('/accept?token=ski_not-a-real-invitation');
    const refused = page.getByRole('alert');
    await refused.filter({ hasText: 'No such invitation; check the link in the mail, or ask for a new one.' }).waitFor();
    expect(await refused.getAttribute('data-code')).toBe('NOT_FOUND');
    expect(await page.getByRole('button', { name: 'Accept invitation' }).count()).toBe(0);
    await page.goto('/accept');
    await page.getByText('This link has no invitation token.').waitFor();
    await ctx.close();
  });

  it("an invitation is accepted with an existing account's password, or by the account signed in", async () => {
    const invite = async (email: string) => {
      await nav(owner, 'Members');
      await owner.getByLabel('Email', { exact: true }).fill(email);
      await owner.getByRole('button', { name: 'Send invitation' }).click();
      await owner.getByRole('status').filter({ hasText: `Invitation sent to ${email}` }).waitFor();
      const mail = await portal.smtp.waitFor((m) => m.to.includes(email) && /invited/.test(m.subject));
      return /(http:\/\/\S+\/accept\?token=\S+)/.exec(mail.text)![1]!;
    };
    await registered(portal.server.url, { email: 'hank@acme.test', name: 'Hank Hatch' });
    const hankLink = await invite('hank@acme.test');
    const ctx = await newContext(browser, portal.server.url);
    const page = await watch(await ctx.newPage());
    await page.goto(hankLink);
    await page.getByText('An account for hank@acme.test exists.').waitFor();
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Accept invitation' }).click();
    await page.getByRole('heading', { name: `Welcome to ${org.name}` }).waitFor();

    // Now signed in as Hank; another invitation to Hank (into a second organization) is accepted as him.
    const globex = await seedOrg(portal.server, { name: 'Initech Machining' });
    const admin = await registered(portal.server.url, { serial: globex.serial, name: 'Ian Admin', email: 'ian@initech.test' });
    expect((await admin.client.post(`/api/v1/orgs/${globex.orgId}/claim`, { confirmOrgName: globex.name, acceptTerms: true, responsibleForLicenses: true })).status).toBe(200);
    expect((await admin.client.post(`/api/v1/orgs/${globex.orgId}/invitations`, { email: 'hank@acme.test', role: 'member' })).status).toBe(201);
    const mail = await portal.smtp.waitFor((m) => m.to.includes('hank@acme.test') && m.subject.includes('Initech'));
    await page.goto(/(http:\/\/\S+\/accept\?token=\S+)/.exec(mail.text)![1]!);
    await page.getByText('You are signed in as hank@acme.test').waitFor();
    await page.getByRole('button', { name: 'Accept invitation' }).click();
    await page.getByRole('heading', { name: 'Welcome to Initech Machining' }).waitFor();
    await ctx.close();
  });

  it('a link replaced by a newer invitation (sent again) says so', async () => {
    await nav(owner, 'Members');
    await owner.getByLabel('Email', { exact: true }).fill('ivan@acme.test');
    await owner.getByRole('button', { name: 'Send invitation' }).click();
    await owner.getByRole('status').filter({ hasText: 'Invitation sent to ivan@acme.test' }).waitFor();
    const first = acceptLink((await portal.smtp.waitFor((m) => m.to.includes('ivan@acme.test'))).text)!;
    const row = owner.locator('tr[data-invitation="ivan@acme.test"]');
    await row.getByRole('button', { name: 'Resend' }).click();
    await row.getByText('sent again').waitFor();
    await expect.poll(() => portal.smtp.mails.filter((m) => m.to.includes('ivan@acme.test')).length).toBe(2);
    const page = await watch(await (await newContext(browser, portal.server.url)).newPage());
    await page.goto(first);
    const refused = page.getByRole('alert');
    await refused.filter({ hasText: /replaced by a newer invitation/ }).waitFor();
    expect(await refused.getAttribute('data-code')).toBe('INVITATION_SUPERSEDED');
    expect(await page.getByRole('button', { name: 'Accept invitation' }).count()).toBe(0);
    await page.context().close();
  });

  it('raised no script error in any page', () => {
    expect(scene.pageErrors).toEqual([]);
  });
});
