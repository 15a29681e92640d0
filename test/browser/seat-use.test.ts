// The idle seats and denials page: seats nobody used for N days with a reclaim that unassigns and
// mails the holder, refusals per day as a chart with its table, every refusal listed, the CSVs,
// and the alert threshold. Chromium, a real server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedSeatUse } from '../helpers/seat-use-seed.js';
import { BOB, CAROL, NARROW, WIDE, axeViolations, nav, settled, startScene, type Scene } from './harness.js';

let scene: Scene;
const today = new Date().toISOString().slice(0, 10);

beforeAll(async () => {
  scene = await startScene({ bypassCSP: true });
  const { admin, api, org, ids } = scene;
  for (const who of [BOB.email, CAROL.email]) expect((await admin.post(api('/assignments'), { lineId: org.line('SW-PREMIUM').id, accountId: ids[who] })).status).toBe(201);
  // Bob ran SOLIDWORKS a minute ago; Carol never did, in the 45 days since she got her seat.
  await seedSeatUse(scene.portal.server, org.orgId, ids[BOB.email]!);
}, 120_000);

afterAll(async () => {
  await scene?.close();
});

describe('the idle seats and denials page', () => {
  it('lists the idle seat, reclaims it, and the holder is told by mail', async () => {
    const { owner } = scene;
    await owner.goto('/dashboard');
    await nav(owner, 'Idle & denials');
    await settled(owner);
    await expect.poll(() => owner.locator('h1').textContent()).toBe('Idle seats and denials');
    const rows = owner.locator('table.idle-seats tbody tr[data-assignment]');
    await expect.poll(() => rows.count()).toBe(1);
    const carol = rows.first();
    expect(await carol.textContent()).toContain(CAROL.email);
    expect(await carol.locator('[data-col="last-used"]').textContent()).toMatch(/^never/);
    expect(await carol.locator('[data-col="idle"]').textContent()).toBe('45 days');
    // At 60 days nobody is idle yet.
    await owner.getByLabel('Not used for').selectOption('60');
    await owner.getByText('No seat has gone unused for 60 days.').waitFor();
    await owner.getByLabel('Not used for').selectOption('30');
    await expect.poll(() => rows.count()).toBe(1);

    const csv = owner.getByRole('link', { name: 'Download CSV' }).first();
    const body = await (await owner.context().request.get((await csv.getAttribute('href'))!)).text();
    expect(body.split('\r\n')[0]).toBe('assignment,email,name,product,contract,assigned_at,last_used_at,idle_days');
    expect(body).toContain(`${CAROL.email},${CAROL.name},SW-PREMIUM`);

    expect(await axeViolations(owner)).toEqual([]);
    await rows.first().getByRole('button', { name: 'Reclaim seat' }).click();
    expect(await axeViolations(owner)).toEqual([]);
    await owner.getByRole('button', { name: 'Yes, reclaim' }).click();
    await owner.getByRole('status').filter({ hasText: `Reclaimed SOLIDWORKS Premium from ${CAROL.email}` }).waitFor();
    await owner.getByText('No seat has gone unused for 30 days.').waitFor();
    const held = (await scene.admin.get(scene.api('/assignments'))).body.assignments.map((a: { accountId: string }) => a.accountId);
    expect(held).toEqual([scene.ids[BOB.email]]);
    const mail = await scene.portal.smtp.waitFor((m) => m.to.includes(CAROL.email) && m.text.includes('was reclaimed'));
    expect(mail.text).toMatch(/Your seat of SOLIDWORKS Premium \(contract [^)]+\) was reclaimed: unused for 45 days/);
  });

  it('shows refusals per day as a chart with its numbers, every refusal, and the alert threshold', async () => {
    const { owner } = scene;
    await owner.goto('/reports/seat-use');
    await settled(owner);
    const chart = owner.locator('svg.denials-chart');
    await chart.waitFor();
    expect(await chart.getAttribute('role')).toBe('img');
    expect(await chart.getAttribute('aria-label')).toContain('at most 7 in a day; the numbers follow in a table');
    expect(await chart.locator('rect').count()).toBe(30);
    await owner.getByText('The numbers behind the chart').click();
    const perDay = await owner.locator('table.denials-per-day tbody tr').evaluateAll((trs) => trs.map((tr) => Array.from(tr.querySelectorAll('td')).map((td) => td.textContent)));
    expect(perDay).toHaveLength(3);
    expect(perDay.at(-1)).toEqual([today, 'ACAD', '7']);
    const records = owner.locator('table.denials tbody tr');
    expect(await records.count()).toBe(3);
    const latest = await records.first().locator('td').allTextContents();
    expect(latest.slice(1)).toEqual(['ACAD', 'no-lease', '7', 'ws-design-07', BOB.email, 'carol']);
    expect(await owner.locator('table.denials caption').textContent()).toContain('13 refusals');

    const csvLink = owner.getByRole('link', { name: 'Download CSV' }).nth(1);
    const csv = await (await owner.context().request.get((await csvLink.getAttribute('href'))!)).text();
    expect(csv.split('\r\n')[0]).toBe('day,product,reason,count,workstation,email,local_user,first,last');
    expect(csv).toContain(`${today},ACAD,no-lease,7,ws-design-07,${BOB.email},carol,`);

    const field = owner.getByLabel('Alert webhooks when a product is refused this many times in a day');
    expect(await field.inputValue()).toBe('20');
    await field.fill('5');
    await owner.getByRole('button', { name: 'Save threshold' }).click();
    await owner.getByText('Now 5.').waitFor();
    expect((await scene.admin.get(scene.api('/reports/denials'))).body.threshold).toBe(5);

    expect(await axeViolations(owner)).toEqual([]);
    await owner.setViewportSize(NARROW);
    expect(await axeViolations(owner)).toEqual([]);
    await owner.setViewportSize(WIDE);
    expect(scene.pageErrors).toEqual([]);
  });

  it('is for administrators only, and the API refuses members', async () => {
    const bob = await scene.page(BOB);
    await bob.goto('/reports/seat-use');
    await expect.poll(() => bob.locator('h1').textContent()).not.toBe('Idle seats and denials');
    const r = await bob.context().request.get(scene.api('/reports/denials'));
    expect(r.status()).toBe(403);
  });
});
