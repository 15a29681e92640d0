// The usage report page: 90 days of one product at a time, peak and average in use against seats
// owned, drawn and given as a table of the numbers (its text alternative), with the CSV behind it;
// days folded by the usage job and today's samples alike. Chromium, a real server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NARROW, WIDE, axeViolations, nav, settled, startScene, type Scene } from './harness.js';

let scene: Scene;

beforeAll(async () => {
  scene = await startScene({ bypassCSP: true });
}, 120_000);

afterAll(async () => {
  await scene?.close();
});

const DAY = 24 * 3600_000;
const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);

describe('the usage report page', () => {
  it('shows 90 days of a product as a chart and a table of its numbers, folded days and today alike', async () => {
    const { owner } = scene;
    const now = Date.now();
    const folded = dayOf(now - 40 * DAY);
    await scene.portal.server.services.store.tx((t) => {
      const doc = t.org(scene.org.orgId)!;
      // What the usage job keeps of a day 40 days ago, and a sample of today.
      doc.usageDays = { [`${folded}/SW-PREMIUM`]: { day: folded, productCode: 'SW-PREMIUM', peak: 8, sum: 7200, samples: 1440, owned: 10 } };
      doc.usage.push({ at: now, inUse: { 'SW-PREMIUM': 3, ACAD: 2 }, devicesOnline: 5 });
    });
    await owner.goto('/dashboard');
    await nav(owner, 'Usage');
    await settled(owner);
    await expect.poll(() => owner.locator('h1').textContent()).toBe('Usage over 90 days');

    const chart = owner.locator('.usage-days-chart');
    await expect.poll(() => chart.getAttribute('data-days')).toBe('90');
    expect(await chart.getAttribute('role')).toBe('img');
    expect(await chart.getAttribute('aria-label')).toContain('the numbers follow in a table');
    // uPlot drew into it.
    expect(await chart.locator('canvas').count()).toBeGreaterThan(0);

    const table = owner.locator('table.usage-days');
    expect(await table.getAttribute('data-product')).toBe('ACAD');
    await owner.getByLabel('Product').selectOption('SW-PREMIUM');
    await expect.poll(() => table.getAttribute('data-product')).toBe('SW-PREMIUM');
    expect(await table.locator('tbody tr').count()).toBe(90);
    const row = async (day: string) => table.locator(`tr[data-day="${day}"] td`).allTextContents();
    expect(await row(folded)).toEqual(['8', '5.00', '10', '80%', '1440']);
    expect(await row(dayOf(now))).toEqual(['3', '3.00', '10', '30%', '1']);
    // A day without samples says so rather than showing zeros (the contract began today: none owned then).
    expect(await row(dayOf(now - 10 * DAY))).toEqual(['—', '—', '0', '—', '0']);
    // Newest first.
    expect(await table.locator('tbody tr').first().getAttribute('data-day')).toBe(dayOf(now));

    const csv = owner.getByRole('link', { name: 'Download CSV' });
    const href = (await csv.getAttribute('href'))!;
    expect(href).toBe(scene.api('/reports/usage?days=90&format=csv'));
    const body = await (await owner.context().request.get(href)).text();
    expect(body.split('\r\n')).toContain(`${folded},SW-PREMIUM,8,5,10,1440`);

    // WCAG 2.2 AA at desktop and phone width (the table scrolls inside its box there).
    expect(await axeViolations(owner)).toEqual([]);
    await owner.setViewportSize(NARROW);
    expect(await axeViolations(owner)).toEqual([]);
    await owner.setViewportSize(WIDE);
    expect(scene.pageErrors).toEqual([]);
  });

  it('is for administrators only', async () => {
    const bob = await scene.page({ email: 'bob@acme.test' });
    await bob.goto('/reports/usage');
    await expect.poll(() => bob.locator('h1').textContent()).not.toBe('Usage over 90 days');
    expect(await bob.locator('.usage-days-chart').count()).toBe(0);
  });
});
