// My account: API tokens (shown once, copied, revoked from the keyboard) and linking another organization.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedOrg } from '../helpers/server.js';
import { OWNER, type Scene, screenshot, startScene } from './harness.js';

let scene: Scene;
let portal: Scene['portal'];
let owner: Page;

beforeAll(async () => {
  scene = await startScene();
  ({ portal, owner } = scene);
  await owner.goto('/dashboard');
}, 120_000);

afterAll(async () => {
  await scene?.close();
});

describe('my account', () => {
  it('my account: creates an API token shown once (copied; it works), lists and revokes it; links another organization', async () => {
    // The signed-in person's name in the header leads to their account; its name starts with the
    // words shown (WCAG 2.5.3, axe's label-content-name-mismatch).
    await owner.getByRole('link', { name: `${OWNER.name} (my account)`, exact: true }).click();
    await owner.getByRole('heading', { name: 'My account' }).waitFor();
    await owner.getByText('No API tokens.').waitFor();
    await owner.getByLabel('Token name').fill('Seat report');
    await owner.getByRole('button', { name: 'Create token' }).click();
    const secret = (await owner.locator('[data-secret]').textContent()) ?? '';
    expect(secret).toMatch(/^skt_/);
    await owner.getByRole('button', { name: 'Copy token' }).click();
    await owner.getByRole('button', { name: 'Copied' }).waitFor();
    expect(await owner.evaluate(() => navigator.clipboard.readText())).toBe(secret);
    const asScript = () => fetch(`${portal.server.url}/api/v1/me`, { headers: { authorization: `Bearer ${secret}` } });
    const ok = await asScript();
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { account: { email: string } }).account.email).toBe(OWNER.email);

    // Listed without its secret; after a reload the secret is gone for good.
    await owner.reload();
    const row = owner.locator('tr[data-api-token="Seat report"]');
    await row.waitFor();
    expect(await owner.locator('[data-secret]').count()).toBe(0);
    // Keyboard only: the question's focus starts on Keep, the safe answer; Shift+Tab reaches Yes.
    const focused = () => owner.evaluate(() => document.activeElement?.textContent ?? '');
    await row.getByRole('button', { name: 'Revoke' }).focus();
    await owner.keyboard.press('Enter');
    await expect.poll(focused).toBe('Keep');
    await owner.keyboard.press('Enter');
    await expect.poll(focused).toBe('Revoke');
    await owner.keyboard.press('Enter');
    await expect.poll(focused).toBe('Keep');
    await owner.keyboard.press('Shift+Tab');
    expect(await focused()).toBe('Yes, revoke');
    await owner.keyboard.press('Enter');
    await row.waitFor({ state: 'detached' });
    expect((await asScript()).status).toBe(401);

    await owner.getByLabel('Serial number').fill('NO-SUCH-SERIAL');
    await owner.getByRole('button', { name: 'Link organization' }).click();
    const unknown = owner.getByRole('form', { name: 'Link an organization' }).getByRole('alert');
    await unknown.waitFor();
    expect(await unknown.getAttribute('data-code')).toBe('UNKNOWN_SERIAL');
    const umbrella = await seedOrg(portal.server, { name: 'Umbrella Castings' });
    await owner.getByLabel('Serial number').fill(umbrella.serial);
    await owner.getByRole('button', { name: 'Link organization' }).click();
    await owner.getByRole('status').filter({ hasText: 'Linked to Umbrella Castings.' }).waitFor();
    await owner.locator('li[data-org="Umbrella Castings"]', { hasText: 'Member' }).waitFor();
    expect(await owner.getByLabel('Organization', { exact: true }).locator('option').allTextContents()).toContain('Umbrella Castings');
    await screenshot(owner, 'account.png');
  });

  it('raised no script error in any page', () => {
    expect(scene.pageErrors).toEqual([]);
  });
});
