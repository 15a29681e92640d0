// Products and services: assign, reassign and unassign on a line; contracts created, refused,
// extended, resized and ended.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BOB, CAROL, OWNER, confirm, contract, line, member, nav, pick, type Scene, screenshot, startScene } from './harness.js';

let scene: Scene;
let owner: Page;
let bob: Page;

beforeAll(async () => {
  scene = await startScene();
  ({ owner } = scene);
  bob = await scene.page(BOB);
  await owner.goto('/dashboard');
}, 120_000);

afterAll(async () => {
  await scene?.close();
});

describe('products and services', () => {
  it('products: assign and unassign on a line; services: assign, reassign and unassign a subscription seat', async () => {
    await nav(owner, 'Dashboard');
    await owner.locator('.chart-box').getByRole('link', { name: 'Products' }).click();
    await owner.getByRole('heading', { name: 'Products', level: 1 }).waitFor();
    const sw = line(owner, 'SW-PREMIUM');
    await pick(sw, 'Assign a seat of SW-PREMIUM to', member(CAROL), 'Assign');
    const holder = sw.locator(`tr[data-holder="${CAROL.email}"]`);
    // The holder's name leads to their page.
    await holder.getByRole('link', { name: CAROL.name }).click();
    await owner.getByRole('heading', { name: CAROL.name, level: 1 }).waitFor();
    await owner.locator('tr[data-assignment="SW-PREMIUM"]').waitFor();
    await nav(owner, 'Products');
    await confirm(holder, 'Unassign', 'Yes, unassign');
    await holder.waitFor({ state: 'detached' });
    expect(await sw.locator('[data-col="assigned"]').textContent()).toBe('0');

    await nav(owner, 'Services');
    const bim = line(owner, 'BIM-COLLAB');
    expect(await line(owner, 'SW-PREMIUM').count()).toBe(0);
    await bim.getByLabel('Assign a seat of BIM-COLLAB to').selectOption({ label: `${CAROL.name} (${CAROL.email})` });
    await bim.getByRole('button', { name: 'Assign' }).click();
    const carolSeat = bim.locator(`tr[data-holder="${CAROL.email}"]`);
    await pick(carolSeat, "Reassign Carol Cad's seat to", member(BOB), 'Reassign');
    const bobSeat = bim.locator(`tr[data-holder="${BOB.email}"]`);
    await bobSeat.waitFor();
    expect(await carolSeat.count()).toBe(0);
    await screenshot(owner, 'services.png');
    await confirm(bobSeat, 'Unassign', 'Yes, unassign');
    await bobSeat.waitFor({ state: 'detached' });
    expect(await bim.locator('[data-col="assigned"]').textContent()).toBe('0');
    await bim.getByText('No seats assigned yet.').waitFor();
  });

  it('contracts: create with lines, refuse a taken serial, add a line, refuse seats below those assigned, change seats, end', async () => {
    await nav(owner, 'Products');
    const createContract = async (number: string, serial: string) => {
      await owner.getByRole('button', { name: 'New contract…' }).click();
      await owner.getByLabel('Contract number').fill(number);
      await owner.getByLabel('Serial numbers').fill(serial);
      await owner.getByLabel('Ends on').fill('2031-12-31');
      await owner.getByLabel('Product (line 1)').selectOption('REVIT');
      await owner.getByLabel('Seats (line 1)').fill('2');
      // A line added by mistake and removed: the one after it moves up, as it was filled in.
      await owner.getByRole('button', { name: 'Add another line' }).click();
      await owner.getByLabel('Product (line 2)').selectOption('SW-STD');
      await owner.getByLabel('Seats (line 2)').fill('7');
      await owner.getByRole('button', { name: 'Add another line' }).click();
      await owner.getByLabel('Product (line 3)').selectOption('SW-PRO');
      await owner.getByLabel('Seats (line 3)').fill('1');
      await owner.getByLabel('Activation (line 3)').selectOption('serial');
      await owner.getByRole('button', { name: 'Remove line 2' }).click();
      expect(await owner.getByLabel('Product (line 3)').count()).toBe(0);
      expect(await owner.getByLabel('Product (line 2)').inputValue()).toBe('SW-PRO');
      expect(await owner.getByLabel('Seats (line 2)').inputValue()).toBe('1');
      expect(await owner.getByLabel('Activation (line 2)').inputValue()).toBe('serial');
      await owner.getByRole('button', { name: 'Create contract' }).click();
    };
    await createContract('C-2031', 'NEWSERIAL-2031');
    await owner.getByRole('status').filter({ hasText: 'Contract C-2031 created.' }).waitFor();
    const c = contract(owner, 'C-2031');
    expect(await c.locator('.badge').first().textContent()).toBe('in force');
    const revit = c.locator('.line[data-line="REVIT"]');
    expect(await revit.locator('[data-col="seats"]').textContent()).toBe('2');
    expect(await c.locator('.line[data-line="SW-PRO"] [data-col="method"]').textContent()).toBe('Serial number');
    expect(await c.locator('.line[data-line="SW-STD"]').count()).toBe(0);

    // The same serial again: refused in the form, which stays open.
    await createContract('C-2032', 'newserial-2031');
    const refused = owner.getByRole('form', { name: 'New contract' }).getByRole('alert');
    await refused.waitFor();
    expect(await refused.getAttribute('data-code')).toBe('CONFLICT');
    await owner.getByRole('button', { name: 'New contract…' }).click();

    await c.getByRole('button', { name: 'Add a line to C-2031…' }).click();
    await c.getByLabel('Product', { exact: true }).selectOption('SW-STD');
    await c.getByLabel('Seats', { exact: true }).fill('3');
    await c.getByRole('button', { name: 'Add line' }).click();
    await expect.poll(() => c.locator('.line[data-line="SW-STD"] [data-col="seats"]').textContent()).toBe('3');

    for (const who of [BOB, CAROL]) {
      await pick(revit, 'Assign a seat of REVIT to', member(who), 'Assign');
      await revit.locator(`tr[data-holder="${who.email}"]`).waitFor();
    }
    await revit.getByLabel('Seats of REVIT').fill('1');
    await revit.getByRole('button', { name: 'Change seats' }).click();
    const tooFew = revit.getByRole('alert');
    await tooFew.waitFor();
    expect(await tooFew.getAttribute('data-code')).toBe('SEAT_LIMIT_REACHED');
    expect(await tooFew.textContent()).toContain('2 seats of');
    expect(await revit.locator('[data-col="seats"]').textContent()).toBe('2');
    await revit.getByLabel('Seats of REVIT').fill('4');
    await revit.getByRole('button', { name: 'Change seats' }).click();
    await expect.poll(() => revit.locator('[data-col="seats"]').textContent()).toBe('4');
    expect(await revit.getByRole('alert').count()).toBe(0);

    await confirm(c, 'End contract', 'Yes, end it');
    await c.locator('.badge', { hasText: 'not in force' }).waitFor();
    // Ended: its seats can no longer be given, and the holders' products say so.
    expect(await revit.getByLabel('Assign a seat of REVIT to').count()).toBe(0);
    await bob.goto('/my-products');
    await bob.locator('tr[data-product="REVIT"]', { hasText: 'not in force' }).waitFor();
    await screenshot(owner, 'contracts.png');
  });

  it('a full line offers no Assign form and says why; an error shows as a sentence, not its code', async () => {
    await nav(owner, 'Services');
    const bim = line(owner, 'BIM-COLLAB');
    // 3 seats: Bob, Carol, Olivia.
    for (const who of [BOB, CAROL, OWNER]) {
      await pick(bim, 'Assign a seat of BIM-COLLAB to', member(who), 'Assign');
      await bim.locator(`tr[data-holder="${who.email}"]`).waitFor();
    }
    expect(await bim.getByLabel('Assign a seat of BIM-COLLAB to').count()).toBe(0);
    expect(await bim.locator('[data-line-full]').textContent()).toContain('All 3 seats are assigned.');
    // Focus left the Assign form (gone now) for the line, not the top of the page.
    expect(await owner.evaluate(() => document.activeElement !== document.body && !!document.activeElement?.closest('.line'))).toBe(true);
    await confirm(bim.locator(`tr[data-holder="${OWNER.email}"]`), 'Unassign', 'Yes, unassign');
    await bim.getByLabel('Assign a seat of BIM-COLLAB to').waitFor();

    // A refusal reads as a sentence; its code is for scripts only (data-code).
    await nav(owner, 'Products');
    await owner.getByRole('button', { name: 'New contract…' }).click();
    await owner.getByLabel('Contract number').fill('C-DUP');
    await owner.getByLabel('Serial numbers').fill(scene.org.serial);
    await owner.getByLabel('Ends on').fill('2031-12-31');
    await owner.getByLabel('Product (line 1)').selectOption('REVIT');
    await owner.getByLabel('Seats (line 1)').fill('1');
    await owner.getByRole('button', { name: 'Create contract' }).click();
    const refused = owner.getByRole('form', { name: 'New contract' }).getByRole('alert');
    await refused.waitFor();
    expect(await refused.getAttribute('data-code')).toBe('CONFLICT');
    expect(await refused.textContent()).not.toMatch(/\b[A-Z]+_[A-Z_]+\b|CONFLICT/);
    expect((await refused.textContent())!.length).toBeGreaterThan(20);
  });

  it('raised no script error in any page', () => {
    expect(scene.pageErrors).toEqual([]);
  });
});
