// Teams: an administrator's team page, and what a team admin sees and does in their team only.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '../helpers/client.js';
import { BOB, CAROL, confirm, line, member, nav, navLinks, OWNER, PASSWORD, pick, type Scene, screenshot, startScene } from './harness.js';

let scene: Scene;
let portal: Scene['portal'];
let org: Scene['org'];
let owner: Page;
let bob: Page;

beforeAll(async () => {
  scene = await startScene({ members: [BOB, CAROL, { name: 'Frank Free', email: 'frank@elsewhere.test' }] });
  ({ portal, org, owner } = scene);
  bob = await scene.page(BOB);
  await owner.goto('/dashboard');
}, 120_000);

afterAll(async () => {
  await scene?.close();
});

describe('teams', () => {
  it('teams: create, rename, members and team admins, contracts, delete', async () => {
    await nav(owner, 'Teams');
    await owner.getByText('No teams yet.').waitFor();
    await owner.getByLabel('New team').fill('Plant design');
    await owner.getByRole('button', { name: 'Create team' }).click();
    let team = owner.locator('section.team[data-team="Plant design"]');
    await team.getByRole('button', { name: 'Rename' }).click();
    await team.getByRole('button', { name: 'Cancel' }).click();
    await team.getByRole('button', { name: 'Rename' }).click();
    await team.getByLabel('Team name').fill('Plant engineering');
    await team.getByRole('button', { name: 'Save name' }).click();
    team = owner.locator('section.team[data-team="Plant engineering"]');
    await team.waitFor();

    await team.getByLabel('Add to Plant engineering').selectOption({ label: `${BOB.name} (${BOB.email})` });
    await team.getByRole('button', { name: 'Add member' }).click();
    const member = team.locator(`tr[data-team-member="${BOB.email}"]`);
    await member.getByRole('button', { name: 'Make team admin' }).click();
    await member.getByText('team admin', { exact: true }).waitFor();
    await member.getByRole('button', { name: 'Remove team admin' }).click();
    await member.getByRole('button', { name: 'Make team admin' }).waitFor();

    // Invitations can bring people into a team.
    await nav(owner, 'Members');
    await owner.getByLabel('Email', { exact: true }).fill('gina@acme.test');
    await owner.getByLabel('Team (optional)').selectOption({ label: 'Plant engineering' });
    await owner.getByRole('button', { name: 'Send invitation' }).click();
    const gina = await portal.smtp.waitFor((m) => m.to.includes('gina@acme.test'));
    expect(gina.text).toContain('You will join the team Plant engineering.');
    await nav(owner, 'Teams');

    await team.getByLabel('Attach contract').selectOption({ label: org.contract.number });
    await team.getByRole('button', { name: 'Attach' }).click();
    const contract = team.locator(`li[data-team-contract="${org.contract.number}"]`);
    await contract.getByRole('button', { name: 'Detach' }).click();
    await contract.waitFor({ state: 'detached' });

    await screenshot(owner, 'teams.png');
    await member.getByRole('button', { name: 'Remove from team' }).click();
    await member.waitFor({ state: 'detached' });
    await team.getByRole('button', { name: 'Delete team' }).click();
    await team.getByRole('button', { name: 'Yes, delete' }).click();
    await owner.getByText('No teams yet.').waitFor();
  });

  it('a team admin sees only their team: adds and removes its members, invites into it, assigns, reassigns and unassigns its seats', async () => {
    // Olivia makes a team with Bob as its admin and Carol in it, drawing seats from the contract.
    const admin = new Client(portal.server.url);
    expect((await admin.post('/api/v1/auth/sign-in', { email: OWNER.email, password: PASSWORD })).status).toBe(200);
    const api = (rest: string) => `/api/v1/orgs/${org.orgId}${rest}`;
    const team = (await admin.post(api('/teams'), { name: 'Site crew' })).body as { id: string };
    const ids = Object.fromEntries(((await admin.get(api('/members'))).body.members as Array<{ email: string; accountId: string }>).map((m) => [m.email, m.accountId]));
    for (const who of [BOB.email, CAROL.email]) expect((await admin.put(api(`/teams/${team.id}/members/${ids[who]}`))).status).toBe(200);
    expect((await admin.put(api(`/teams/${team.id}/admins/${ids[BOB.email]}`))).status).toBe(200);
    expect((await admin.put(api(`/teams/${team.id}/contracts/${org.contract.id}`))).status).toBe(200);

    const FRANK = 'Frank Free (frank@elsewhere.test)';
    // Bob lands on his team's members; the organization-wide pages are not offered.
    await bob.goto('/');
    await bob.waitForURL(/\/members$/);
    expect(await navLinks(bob)).toEqual(['Team members', 'Products', 'Services', 'My products', 'Activate']);
    await expect.poll(() => bob.locator('table.members tbody tr').count()).toBe(2);
    expect(await bob.locator('table.members tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-member')).sort())).toEqual([BOB.email, CAROL.email]);
    for (const name of ['Make administrator', 'Demote to member', 'Remove']) expect(await bob.getByRole('button', { name, exact: true }).count()).toBe(0);
    expect(await bob.getByRole('heading', { name: 'Refused sign-ins' }).count()).toBe(0);

    await pick(bob.locator('section.add-to-team'), 'Add to Site crew', FRANK, 'Add member');
    const frank = bob.locator('tr[data-member="frank@elsewhere.test"]');
    await frank.getByRole('cell', { name: 'Site crew', exact: true }).waitFor();
    const carol = bob.locator(`tr[data-member="${CAROL.email}"]`);
    await confirm(carol, 'Remove from Site crew', 'Yes, remove');
    await carol.waitFor({ state: 'detached' });

    // Invitations: members only, into his team.
    expect(await bob.getByLabel('Role').count()).toBe(0);
    expect(await bob.getByLabel('Team', { exact: true }).locator('option').allTextContents()).toEqual(['Site crew']);
    await bob.getByLabel('Email', { exact: true }).fill('ivy@acme.test');
    await bob.getByLabel(/SOLIDWORKS Premium \(SW-PREMIUM\)/).check();
    await bob.getByRole('button', { name: 'Send invitation' }).click();
    await bob.locator('tr[data-invitation="ivy@acme.test"]').getByRole('cell', { name: 'SW-PREMIUM' }).waitFor();
    const ivy = await portal.smtp.waitFor((m) => m.to.includes('ivy@acme.test'));
    expect(ivy.text).toContain('You will join the team Site crew.');
    await screenshot(bob, 'team-members.png');

    // Products: the team's contract; seats go to the team's members only; no org-admin controls.
    await nav(bob, 'Products');
    const sw = line(bob, 'SW-PREMIUM');
    await sw.waitFor();
    const assignTo = sw.getByLabel('Assign a seat of SW-PREMIUM to');
    expect(await assignTo.locator('option').allTextContents()).toEqual(['Choose a member…', member(BOB), FRANK]);
    expect(await bob.getByRole('link', { name: 'Switch activation method…' }).count()).toBe(0);
    expect(await bob.getByRole('button', { name: 'New contract…' }).count()).toBe(0);
    expect(await bob.getByLabel('Seats of SW-PREMIUM').count()).toBe(0);
    await pick(sw, 'Assign a seat of SW-PREMIUM to', FRANK, 'Assign');
    await pick(sw.locator('tr[data-holder="frank@elsewhere.test"]'), "Reassign Frank Free's seat to", member(BOB), 'Reassign');
    const bobSeat = sw.locator(`tr[data-holder="${BOB.email}"]`);
    await confirm(bobSeat, 'Unassign', 'Yes, unassign');
    await bobSeat.waitFor({ state: 'detached' });
    expect(await sw.locator('[data-col="assigned"]').textContent()).toBe('0');
    // Nothing on the page asked for what a team admin may not see (seat summary, switches).
    expect(await bob.getByRole('alert').count()).toBe(0);
    const log = (await admin.get(api('/audit?action=assignment.reassign'))).body.events as Array<{ actor: string }>;
    expect(log[0]?.actor).toBe(ids[BOB.email]);
    await screenshot(bob, 'team-products.png');

    await bob.goto('/dashboard');
    await bob.getByRole('heading', { name: 'For administrators' }).waitFor();
    await bob.getByRole('link', { name: 'See your products' }).click();
    await bob.getByRole('heading', { name: 'My products' }).waitFor();
  });

  it("a team's Add member select shows its placeholder again after a pick, not a blank", async () => {
    await owner.goto('/teams');
    await owner.getByRole('button', { name: 'Create team' }).waitFor();
    await owner.getByLabel('New team').fill('Tooling');
    await owner.getByRole('button', { name: 'Create team' }).click();
    const team = owner.locator('section.team[data-team="Tooling"]');
    const add = team.getByLabel('Add to Tooling');
    await add.selectOption({ label: member(CAROL) });
    await team.getByRole('button', { name: 'Add member' }).click();
    await team.locator(`tr[data-team-member="${CAROL.email}"]`).waitFor();
    const shown = () => add.evaluate((s: HTMLSelectElement) => s.options[s.selectedIndex]?.textContent ?? '(blank)');
    await expect.poll(shown).toBe('Choose a member…');
    // The work continues where it was: the same select, ready for the next person.
    await expect.poll(() => owner.evaluate(() => document.activeElement?.getAttribute('id'))).toBe(await add.getAttribute('id'));
    await team.getByLabel('Attach contract').selectOption({ label: org.contract.number });
    await team.getByRole('button', { name: 'Attach' }).click();
    await team.locator(`li[data-team-contract="${org.contract.number}"]`).waitFor();
    await expect.poll(() => team.getByLabel('Attach contract').evaluate((s: HTMLSelectElement) => s.options[s.selectedIndex]?.textContent ?? '(blank)')).toBe('Choose a contract…');
  });

  it('raised no script error in any page', () => {
    expect(scene.pageErrors).toEqual([]);
  });
});
