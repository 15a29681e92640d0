// Devices, with a real workstation enrolled and signed in as Bob: rescan, enrollment tokens
// (a failed revoke shows in its row), revoking the device.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BOB, confirm, nav, type Scene, screenshot, startScene, startWorkstation, until } from './harness.js';

let scene: Scene;
let portal: Scene['portal'];
let org: Scene['org'];
let owner: Page;
let workstation: Awaited<ReturnType<typeof startWorkstation>> | undefined;

beforeAll(async () => {
  scene = await startScene();
  ({ portal, org, owner } = scene);
  workstation = await startWorkstation(scene, BOB);
  await owner.goto('/dashboard');
  await until(() => owner.locator('[data-tile="devices"] .tile-value').textContent(), '1 / 1');
  // Its inventory is in (the installed column is read at once).
  await until(() => Object.values(portal.server.services.store.org(org.orgId)!.devices).some((d) => d.inventory.length > 0), true);
}, 120_000);

afterAll(async () => {
  await workstation?.stop();
  await scene?.close();
});

describe('devices', () => {
  it('devices: rescan, revoke an enrollment token (a failed try shows in its row), revoke the device', async () => {
    await nav(owner, 'Dashboard');
    await owner.locator('.chart-box').getByRole('link', { name: 'Devices' }).click();
    await owner.getByRole('heading', { name: 'Devices', level: 1 }).waitFor();
    const device = owner.locator('tr[data-device]');
    expect(await device.locator('[data-col="status"]').textContent()).toBe('online');
    expect(await device.locator('[data-col="signed-in"]').textContent()).toBe(BOB.email);
    expect(await device.locator('[data-col="installed"]').textContent()).toContain('SW-PREMIUM 2025 SP2');
    await device.getByRole('button', { name: 'Rescan products' }).click();
    await owner.getByRole('status').filter({ hasText: 'is scanning for installed products now' }).waitFor();
    await owner.getByRole('button', { name: 'Refresh' }).click();
    await screenshot(owner, 'devices.png');

    const token = owner.locator('tr[data-token="Design office rollout"]');
    expect(await token.locator('[data-col="status"]').textContent()).toBe('active');
    // The connection drops on the first try: the error shows right below that token, which stays active.
    await owner.route((url) => /\/enrollment-tokens\/[^/]+$/.test(url.pathname), (r) => r.abort('connectionrefused'), { times: 1 });
    await confirm(token, 'Revoke', 'Yes, revoke');
    const failed = token.locator('xpath=following-sibling::tr[1][contains(@class, "row-error")]').getByRole('alert');
    await failed.waitFor();
    expect(await failed.getAttribute('data-code')).toBe('NETWORK');
    expect(await token.locator('[data-col="status"]').textContent()).toBe('active');
    await confirm(token, 'Revoke', 'Yes, revoke');
    await expect.poll(() => token.locator('[data-col="status"]').textContent()).toBe('revoked');
    await failed.waitFor({ state: 'detached' });

    await device.getByRole('button', { name: 'Revoke device' }).click();
    await device.getByRole('button', { name: 'Yes, revoke' }).click();
    await device.locator('[data-col="status"]', { hasText: 'revoked' }).waitFor();
    await nav(owner, 'Dashboard');
    await owner.locator('ol.feed li[data-kind="device"]', { hasText: 'was revoked' }).waitFor();
    await expect.poll(() => owner.locator('[data-tile="devices"] .tile-value').textContent()).toBe('0 / 0');
  });

  it('raised no script error in any page', () => {
    expect(scene.pageErrors).toEqual([]);
  });
});
