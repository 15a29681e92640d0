// The switch planner, with a real workstation signed in as Bob: who would lose access, schedule
// and cancel, switch now with auto-assign, a named-user line planned to serial.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BOB, cell, confirm, line, member, nav, pick, productRow, type Scene, screenshot, startScene, startWorkstation, until } from './harness.js';

let scene: Scene;
let org: Scene['org'];
let owner: Page;
let workstation: Awaited<ReturnType<typeof startWorkstation>> | undefined;

beforeAll(async () => {
  scene = await startScene();
  ({ org, owner } = scene);
  workstation = await startWorkstation(scene, BOB);
  await owner.goto('/dashboard');
  // The workstation's AutoCAD (activated with the contract's serial) is in use before planning.
  await until(() => cell(productRow(owner, 'ACAD'), 'in-use').textContent(), '1');
}, 120_000);

afterAll(async () => {
  await workstation?.stop();
  await scene?.close();
});

describe('the switch planner', () => {
  it('the switch planner shows who would lose access, schedules and cancels a switch, switches now with auto-assign; the feed shows it; a named-user line planned to serial', async () => {
    await nav(owner, 'Products');
    await line(owner, 'ACAD').getByRole('link', { name: 'Switch activation method…' }).click();
    await owner.waitForURL(/\/products\/lines\/.+\/switch$/);
    expect(await owner.locator('[data-current-method]').textContent()).toBe('Serial number');
    expect(await owner.getByLabel('Named user (sign-in)').isChecked()).toBe(true);
    // Auto-assign (the default) would give Bob, who uses AutoCAD on the workstation now, a seat…
    await owner.locator('[data-would-assign]', { hasText: `Seats would be assigned to: ${BOB.email}` }).waitFor();
    await owner.locator('[data-impact-summary]', { hasText: 'Nobody loses access.' }).waitFor();
    // …without it, the workstation (signed in as Bob) would lose AutoCAD.
    await owner.getByLabel(/Assign seats to the people using the product now/).uncheck();
    await owner.locator('[data-would-assign]', { hasText: 'No seats are assigned automatically' }).waitFor();
    const loses = owner.locator('tr[data-loses-device]');
    await loses.waitFor();
    expect(await loses.textContent()).toContain(BOB.email);
    expect(await owner.locator('[data-impact-summary]').textContent()).toContain('1 device and 1 user would lose access.');
    await screenshot(owner, 'switch-planner.png');
    await owner.getByLabel(/Assign seats to the people using the product now/).check();
    await owner.locator('[data-would-assign]', { hasText: BOB.email }).waitFor();

    // When: "At a set time" asks for the time and schedules; "Now" switches at once.
    await owner.getByLabel('At a set time').check();
    await owner.getByRole('button', { name: 'Schedule switch' }).waitFor();
    await owner.getByLabel('Now', { exact: true }).check();
    await owner.getByRole('button', { name: 'Switch now' }).waitFor();
    expect(await owner.getByLabel('Switch at').count()).toBe(0);
    await owner.getByLabel('At a set time').check();
    const tomorrow = new Date(Date.now() + 24 * 3600_000);
    const local = new Date(tomorrow.getTime() - tomorrow.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
    await owner.getByLabel('Switch at').fill(local);
    await owner.getByRole('button', { name: 'Schedule switch' }).click();
    await owner.getByRole('heading', { name: 'Switch scheduled' }).waitFor();
    await owner.getByRole('link', { name: 'Back to products' }).click();
    const scheduled = owner.locator('section.scheduled tr[data-switch="ACAD"]');
    await scheduled.getByRole('button', { name: 'Cancel switch' }).click();
    await scheduled.getByRole('button', { name: 'Yes, cancel it' }).click();
    await scheduled.waitFor({ state: 'detached' });

    await line(owner, 'ACAD').getByRole('link', { name: 'Switch activation method…' }).click();
    await owner.locator('[data-would-assign]', { hasText: BOB.email }).waitFor();
    // "Switch now" asks once more; focus starts on the safe answer, which keeps the method.
    const focused = () => owner.evaluate(() => document.activeElement?.textContent ?? '');
    await owner.getByRole('button', { name: 'Switch now' }).click();
    await expect.poll(focused).toBe('Keep Serial number');
    await owner.keyboard.press('Enter');
    await expect.poll(focused).toBe('Switch now');
    expect(await owner.getByRole('heading', { name: 'Activation method switched' }).count()).toBe(0);
    await owner.getByRole('button', { name: 'Switch now' }).click();
    await owner.getByRole('button', { name: 'Yes, switch now' }).click();
    await owner.getByRole('heading', { name: 'Activation method switched' }).waitFor();
    await expect.poll(focused).toBe('Activation method switched');
    await owner.getByRole('link', { name: 'Back to products' }).click();
    const acad = line(owner, 'ACAD');
    expect(await acad.locator('[data-col="method"]').textContent()).toBe('Named user (sign-in)');
    await acad.locator(`tr[data-holder="${BOB.email}"]`).waitFor();
    await screenshot(owner, 'products.png');

    // Bob is given a SOLIDWORKS seat and his workstation uses it (the dashboard shows it in use)…
    await pick(line(owner, 'SW-PREMIUM'), 'Assign a seat of SW-PREMIUM to', member(BOB), 'Assign');
    await line(owner, 'SW-PREMIUM').locator(`tr[data-holder="${BOB.email}"]`).waitFor();
    await nav(owner, 'Dashboard');
    await owner.locator('ol.feed li[data-kind="method-switch"]', { hasText: `ACAD on contract ${org.contract.number} switched from serial to named-user activation` }).waitFor();
    await expect.poll(() => cell(productRow(owner, 'SW-PREMIUM'), 'in-use').textContent(), { timeout: 10_000 }).toBe('1');
    // …so switching that named-user line to serial would cost his workstation (no SOLIDWORKS serial on it) the product.
    await nav(owner, 'Products');
    await line(owner, 'SW-PREMIUM').getByRole('link', { name: 'Switch activation method…' }).click();
    expect(await owner.locator('[data-current-method]').textContent()).toBe('Named user (sign-in)');
    expect(await owner.getByLabel('Named user (sign-in)').isDisabled()).toBe(true);
    await owner.getByLabel('Serial number').check();
    expect(await owner.getByLabel('Serial number').isChecked()).toBe(true);
    expect(await owner.getByLabel(/Assign seats to the people using the product now/).count()).toBe(0);
    const lost = owner.locator('tr[data-loses-device]');
    await lost.filter({ hasText: BOB.email }).waitFor();
    expect(await owner.locator('[data-impact-summary]').textContent()).toContain('1 device and 1 user would lose access.');
    // The server names only people signed in on a device that loses access, so each is in their device's row.
    expect(await owner.locator('tr[data-loses-user]').count()).toBe(0);
    expect(await owner.locator('[data-would-assign]').count()).toBe(0);
    await owner.locator('.crumbs').getByRole('link', { name: 'Products' }).click();
    await owner.getByRole('heading', { name: 'Products', level: 1 }).waitFor();
    const bobSw = line(owner, 'SW-PREMIUM').locator(`tr[data-holder="${BOB.email}"]`);
    await confirm(bobSw, 'Unassign', 'Yes, unassign');
    await bobSw.waitFor({ state: 'detached' });
  });

  it('raised no script error in any page', () => {
    expect(scene.pageErrors).toEqual([]);
  });
});
