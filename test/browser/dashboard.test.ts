// The dashboard's utilization chart: its time axis is the last 24 hours whatever the samples hold
// (an empty chart once showed dates some 1,000 days ahead), and its numbers are there as text.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startScene, type Scene } from './harness.js';

let scene: Scene;

beforeAll(async () => {
  scene = await startScene();
}, 120_000);

afterAll(async () => {
  await scene?.close();
});

const DAY_S = 24 * 3600;

async function storeSamples(samples: Array<{ at: number; inUse: Record<string, number> }>): Promise<void> {
  await scene.portal.server.services.store.tx((t) => {
    const usage = t.org(scene.org.orgId)!.usage;
    for (const s of samples) usage.push({ ...s, devicesOnline: 0 });
  });
}

describe('the utilization chart', () => {
  it('with nothing in use, and with a sample stamped far ahead, spans the 24 hours up to now', async () => {
    const { owner } = scene;
    await storeSamples([{ at: Date.now() - 120_000, inUse: {} }]);
    await owner.goto('/dashboard');
    const chart = owner.locator('.chart');
    await expect.poll(() => chart.getAttribute('data-x-max')).not.toBeNull();
    const span = async () => [Number(await chart.getAttribute('data-x-min')), Number(await chart.getAttribute('data-x-max'))] as const;
    let [min, max] = await span();
    expect(Math.abs(max - Date.now() / 1000)).toBeLessThan(600);
    expect(max - min).toBe(DAY_S);

    await storeSamples([{ at: Date.now() + 1000 * DAY_S * 1000, inUse: { 'SW-PREMIUM': 1 } }]);
    await owner.reload();
    await expect.poll(() => chart.getAttribute('data-x-max')).not.toBeNull();
    [min, max] = await span();
    expect(Math.abs(max - Date.now() / 1000)).toBeLessThan(600);
    expect(max - min).toBe(DAY_S);
  });

  it('gives the numbers behind the chart as a table: the most seats in use per hour', async () => {
    const { owner } = scene;
    const hourAgo = Date.now() - 3600_000;
    await storeSamples([
      { at: hourAgo - 5 * 60_000, inUse: { 'SW-PREMIUM': 2, ACAD: 1 } },
      { at: hourAgo, inUse: { 'SW-PREMIUM': 3 } },
    ]);
    await owner.reload();
    await owner.getByText('The numbers behind the chart').click();
    const table = owner.locator('.chart-numbers table');
    expect(await table.locator('tbody tr').count()).toBe(24);
    expect(await table.locator('thead th').allTextContents()).toEqual(['Hour', 'All products', 'ACAD', 'BIM-COLLAB', 'SW-PREMIUM']);
    const cells = await table.locator('tbody tr').evaluateAll((rows) => rows.map((r) => Array.from(r.querySelectorAll('td')).map((c) => c.textContent)));
    // The two samples fall in one hour or two; the peak of all products is 3 either way.
    expect(cells.flat().filter((c) => c !== '—').length).toBeGreaterThan(0);
    expect(Math.max(...cells.map((r) => Number(r[0] === '—' ? 0 : r[0])))).toBe(3);
  });

  it('raised no script error in any page', () => {
    expect(scene.pageErrors).toEqual([]);
  });
});
