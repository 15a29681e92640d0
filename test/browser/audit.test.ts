// The audit log: filters by action, actor, time, target and page size; before / after.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BOB, CAROL, OWNER, nav, type Scene, screenshot, startScene } from './harness.js';

let scene: Scene;
let org: Scene['org'];
let owner: Page;

beforeAll(async () => {
  scene = await startScene();
  ({ org, owner } = scene);
  // What happened before: two reassignments (SOLIDWORKS Bob → Carol, BIM Collaborate Carol → Bob) and more.
  const a = scene.admin;
  const seat = async (code: string, from: string, to: string) => {
    const made = await a.post(scene.api('/assignments'), { lineId: org.line(code).id, accountId: scene.ids[from] });
    expect(made.status).toBe(201);
    expect((await a.post(scene.api(`/assignments/${made.body.id}/reassign`), { accountId: scene.ids[to] })).status).toBe(200);
  };
  await seat('SW-PREMIUM', BOB.email, CAROL.email);
  await seat('BIM-COLLAB', CAROL.email, BOB.email);
  for (const role of ['admin', 'member']) expect((await a.put(scene.api(`/members/${scene.ids[CAROL.email]}/role`), { role })).status).toBe(200);
  const team = await a.post(scene.api('/teams'), { name: 'Plant design' });
  expect((await a.put(scene.api(`/teams/${team.body.id}/members/${scene.ids[BOB.email]}`))).status).toBe(200);
  expect((await a.post(scene.api('/enrollment-tokens'), { name: 'Design office rollout', expiresInHours: 24 })).status).toBe(201);
  await owner.goto('/dashboard');
}, 120_000);

afterAll(async () => {
  await scene?.close();
});

describe('the audit log', () => {
  it('the audit log filters by action and actor', async () => {
    await nav(owner, 'Audit log');
    await owner.locator('tr[data-action="org.claim"]').waitFor();
    await owner.getByLabel('Action').fill('assignment.reassign');
    await owner.getByRole('button', { name: 'Apply filters' }).click();
    // Reassigned twice: the SOLIDWORKS seat (Bob → Carol) and the BIM Collaborate seat (Carol → Bob).
    await expect.poll(() => owner.locator('table.audit tbody tr').count()).toBe(2);
    expect(await owner.locator('table.audit tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-action')))).toEqual(['assignment.reassign', 'assignment.reassign']);
    await owner.getByLabel('Actor').selectOption({ label: BOB.email });
    await owner.getByRole('button', { name: 'Apply filters' }).click();
    await owner.getByText('No event matches these filters.').waitFor();
    await owner.getByRole('button', { name: 'Clear' }).click();
    await expect.poll(() => owner.locator('table.audit tbody tr').count()).toBeGreaterThan(10);
    const local = (ms: number) => new Date(ms - new Date(ms).getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
    await owner.getByLabel('From', { exact: true }).fill(local(Date.now() + 3600_000));
    await owner.getByRole('button', { name: 'Apply filters' }).click();
    await owner.getByText('No event matches these filters.').waitFor();
    await owner.getByLabel('From', { exact: true }).fill(local(Date.now() - 3600_000));
    await owner.getByLabel('To', { exact: true }).fill(local(Date.now() + 3600_000));
    await owner.getByLabel('Target id').fill(org.orgId);
    await owner.getByLabel('Show').selectOption('50');
    await owner.getByRole('button', { name: 'Apply filters' }).click();
    await owner.locator('tr[data-action="org.claim"]').waitFor();
    // Only the organization's own events (its claim; its creation, now audited too).
    const targets = await owner.locator('table.audit tbody tr [data-target]').evaluateAll((cells) => cells.map((c) => c.getAttribute('data-target')));
    expect(new Set(targets)).toEqual(new Set([org.orgId]));
    const claim = owner.locator('tr[data-action="org.claim"]');
    await claim.getByText('before / after').click();
    expect(await claim.locator('pre').textContent()).toContain('claimedBy');
    await screenshot(owner, 'audit.png');
  });

  it('names people and seats in before / after and in the target, never their raw ids (acc_…, asg_…)', async () => {
    await owner.getByRole('button', { name: 'Clear' }).click();
    const claim = owner.locator('tr[data-action="org.claim"]');
    await claim.getByText('before / after').click();
    expect(await claim.locator('pre').textContent()).toContain(`"claimedBy": "${OWNER.name} <${OWNER.email}>"`);
    const reassigned = owner.locator('tr[data-action="assignment.reassign"]').first();
    await reassigned.getByText('before / after').click();
    const change = (await reassigned.locator('pre').textContent()) ?? '';
    expect(change).toMatch(/seat of (Bob Builder|Carol Cad) </);
    expect(change).not.toMatch(/\b(acc|asg)_/);
    expect(await reassigned.locator('[data-target]').textContent()).toMatch(/^(SW-PREMIUM|BIM-COLLAB) seat of /);
    expect(await owner.locator('table.audit tbody').textContent()).not.toMatch(/\b(acc|asg)_/);
  });

  it('raised no script error in any page', () => {
    expect(scene.pageErrors).toEqual([]);
  });
});
