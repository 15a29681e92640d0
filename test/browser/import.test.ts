// The import page: a real CSV file chosen in Chromium, previewed (would change / unchanged /
// refused with line numbers, near-miss warnings, a seat shortfall), applied, the result file
// downloaded and read back, the state checked through the API; a rerun changes nothing.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InvitationList } from '../../shared/api/invitations.js';
import type { MemberList } from '../../shared/api/members.js';
import { BOB, CAROL, OWNER, nav, type Scene, screenshot, startScene } from './harness.js';

const DAN = { name: 'Dan Drafter', email: 'dan@acme.test' };

let scene: Scene;
let owner: Page;
let dir: string;
let file: string;

/** line 2.. of the file: what each row is for */
const CSV = [
  'email,name,role,team,products',
  `${BOB.email},,,,SW-PREMIUM;BIM-COLLAB`, // 2: two seats
  `${CAROL.email},,admin,,SW-PREMIUM`, // 3: made admin, a seat
  'new.hire@acme.test,New Hire,member,,SW-PREMIUM', // 4: invited
  `${OWNER.email},,,,BIM-COLLAB`, // 5: the last free BIM-COLLAB seat
  `${DAN.email},,,,BIM-COLLAB`, // 6: no seat left (shortfall)
  'dan@acme.tset,,,,', // 7: not a member but looks like Dan (a near miss): invited, with a warning
  'erin@acme.test,Erin,member,,SW-PREMIUM,extra', // 8: a cell too many
  'frank@acme.test,,emperor,,', // 9: no such role
].join('\n');

beforeAll(async () => {
  scene = await startScene({ members: [BOB, CAROL, DAN] });
  owner = scene.owner;
  // Carol already holds one of the 3 BIM-COLLAB seats.
  expect((await scene.admin.post(scene.api('/assignments'), { lineId: scene.org.line('BIM-COLLAB').id, accountId: scene.ids[CAROL.email] })).status).toBe(201);
  dir = await mkdtemp(join(tmpdir(), 'sk-import-'));
  file = join(dir, 'people.csv');
  await writeFile(file, `${CSV}\n`);
  await owner.goto('/dashboard');
}, 120_000);

afterAll(async () => {
  await scene?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const row = (line: number) => owner.locator(`table.import-rows tr[data-line="${line}"]`);
const focused = () => owner.evaluate(() => document.activeElement?.textContent?.trim() ?? '');
const announced = () => owner.locator('[data-announcer]').textContent();
const seatsOf = async (email: string) => {
  const r = await scene.admin.get(scene.api('/members'));
  const m = (r.body as MemberList).members.find((x) => x.email === email)!;
  return { role: m.role, products: m.assignments.map((a) => a.productCode).sort() };
};

describe('the import page', () => {
  it('is in the admin navigation, and ties a file it cannot read to the fields', async () => {
    await nav(owner, 'Import');
    await owner.getByRole('heading', { level: 1, name: 'Import' }).waitFor();
    await owner.getByRole('button', { name: 'Preview' }).click();
    const alert = owner.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toContain('Choose a CSV file or paste its lines.');
    const id = await alert.getAttribute('id');
    for (const field of ['CSV file', 'Or paste the lines of the file']) {
      const input = owner.getByLabel(field, { exact: true });
      expect((await input.getAttribute('aria-describedby'))?.split(' ')).toContain(id);
      expect(await input.getAttribute('aria-invalid')).toBe('true');
    }
    await owner.getByLabel('Or paste the lines of the file').fill('mail,name\nx@acme.test,X');
    await owner.getByRole('button', { name: 'Preview' }).click();
    await owner.getByRole('alert').getByText('The first line lacks the column email').waitFor();
    // Typing again clears the stale error.
    await owner.getByLabel('Or paste the lines of the file').fill('');
    await owner.getByRole('alert').waitFor({ state: 'detached' });
  });

  it('previews a real file row by row and writes nothing', async () => {
    await owner.getByLabel('CSV file', { exact: true }).setInputFiles(file);
    await owner.getByRole('button', { name: 'Preview' }).click();
    await owner.getByRole('heading', { name: 'Preview: nothing written yet' }).waitFor();
    await expect.poll(focused).toBe('Preview: nothing written yet');
    await expect.poll(announced).toBe('Preview: 8 rows: 5 would change, 0 unchanged, 3 refused.');
    expect(await owner.locator('[data-import-summary]').textContent()).toContain('1 row with a warning.');
    expect(await owner.locator('[data-shortfall="BIM-COLLAB"]').textContent()).toMatch(/BIM-COLLAB \(contract C-\S+\) needs 1 more seat than are free/);
    // Refused rows are shown first, each with its line and why.
    expect(await owner.locator('table.import-rows tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-line')))).toEqual(['6', '8', '9']);
    expect(await row(6).locator('[data-reason]').textContent()).toMatch(/No free seat of BIM-COLLAB/);
    expect(await row(8).locator('[data-reason]').textContent()).toBe('6 cells where the header has 5.');
    expect(await row(9).locator('[data-reason]').textContent()).toMatch(/Role "emperor"/);
    await owner.getByLabel('Show').selectOption('all');
    expect(await row(2).getAttribute('data-status')).toBe('done');
    expect(await row(2).textContent()).toContain('would change');
    expect(await row(3).locator('[data-changes]').textContent()).toMatch(/role member → admin/);
    expect(await row(4).locator('[data-changes]').textContent()).toMatch(/invite as member with SW-PREMIUM/);
    expect(await row(7).locator('[data-changes]').textContent()).toBe('invite as member');
    await owner.getByLabel('Show').selectOption('warnings');
    await expect.poll(() => owner.locator('table.import-rows tbody tr').count()).toBe(1);
    expect(await owner.locator('[data-warning]').textContent()).toMatch(/dan@acme\.tset is not a member but looks like dan@acme\.test/);
    await owner.getByLabel('Show').selectOption('all');
    await screenshot(owner, 'import-preview.png');
    // A dry run: nothing changed.
    expect(await seatsOf(BOB.email)).toEqual({ role: 'member', products: [] });
    expect(await seatsOf(CAROL.email)).toEqual({ role: 'member', products: ['BIM-COLLAB'] });
    expect(((await scene.admin.get(scene.api('/invitations'))).body as InvitationList).invitations).toEqual([]);
  });

  it('applies it, moves focus to the result, and offers the result file', async () => {
    await owner.getByRole('button', { name: 'Apply import (5 rows)' }).click();
    await owner.getByRole('heading', { name: 'Import finished' }).waitFor();
    await expect.poll(focused).toBe('Import finished');
    await expect.poll(announced).toBe('Import finished: 8 rows: 5 done, 0 unchanged, 3 refused.');
    const [download] = await Promise.all([owner.waitForEvent('download'), owner.getByRole('link', { name: /Download the result file/ }).click()]);
    expect(download.suggestedFilename()).toBe('import-result.csv');
    const lines = parse(await readFile((await download.path())!, 'utf8'), { columns: true }) as Array<Record<string, string>>;
    expect(lines.map((l) => [l.line, l.email, l.status, l.code])).toEqual([
      ['2', BOB.email, 'done', ''],
      ['3', CAROL.email, 'done', ''],
      ['4', 'new.hire@acme.test', 'done', ''],
      ['5', OWNER.email, 'done', ''],
      ['6', DAN.email, 'refused', 'SEAT_LIMIT_REACHED'],
      ['7', 'dan@acme.tset', 'done', ''],
      ['8', 'erin@acme.test', 'refused', 'MALFORMED_ROW'],
      ['9', 'frank@acme.test', 'refused', 'VALIDATION_FAILED'],
    ]);
    expect(lines[1]!.changes).toMatch(/role member → admin/);
    // The state, through the API.
    expect(await seatsOf(BOB.email)).toEqual({ role: 'member', products: ['BIM-COLLAB', 'SW-PREMIUM'] });
    expect(await seatsOf(CAROL.email)).toEqual({ role: 'admin', products: ['BIM-COLLAB', 'SW-PREMIUM'] });
    expect(await seatsOf(OWNER.email)).toEqual({ role: 'owner', products: ['BIM-COLLAB'] });
    expect(await seatsOf(DAN.email)).toEqual({ role: 'member', products: [] });
    const invited = ((await scene.admin.get(scene.api('/invitations'))).body as InvitationList).invitations;
    expect(invited.map((i) => [i.email, i.role, i.lineIds]).sort()).toEqual([
      ['dan@acme.tset', 'member', []],
      ['new.hire@acme.test', 'member', [scene.org.line('SW-PREMIUM').id]],
    ]);
    expect(lines[5]!.warnings).toMatch(/looks like dan@acme\.test/);
    await screenshot(owner, 'import-result.png');
  });

  it('a rerun of the same file changes nothing', async () => {
    await owner.getByRole('button', { name: 'Import another file' }).click();
    await expect.poll(() => owner.evaluate(() => (document.activeElement as HTMLInputElement | null)?.type)).toBe('file');
    await owner.getByLabel('CSV file', { exact: true }).setInputFiles(file);
    await owner.getByRole('button', { name: 'Preview' }).click();
    await expect.poll(announced).toBe('Preview: 8 rows: 0 would change, 5 unchanged, 3 refused.');
    await owner.getByText('Nothing to apply: every row is unchanged or refused.').waitFor();
    expect(await owner.getByRole('button', { name: /Apply import/ }).count()).toBe(0);
  });

  it('imports pasted seat assignments, refusing a serial line and a non-member', async () => {
    await owner.getByLabel('CSV file', { exact: true }).setInputFiles([]);
    await owner.getByLabel('Seat assignments').check();
    await owner.getByLabel('Or paste the lines of the file').fill(`email,product\n${DAN.email},SW-PREMIUM\n${DAN.email},ACAD\nnobody@acme.test,SW-PREMIUM\n`);
    await owner.getByRole('button', { name: 'Preview' }).click();
    await expect.poll(announced).toBe('Preview: 3 rows: 1 would change, 0 unchanged, 2 refused.');
    expect(await row(3).locator('[data-reason]').textContent()).toMatch(/activated by serial number/);
    await owner.getByRole('button', { name: 'Apply import (1 row)' }).click();
    await expect.poll(announced).toBe('Import finished: 3 rows: 1 done, 0 unchanged, 2 refused.');
    expect(await seatsOf(DAN.email)).toEqual({ role: 'member', products: ['SW-PREMIUM'] });
  });

  it('is for administrators only', async () => {
    const bob = await scene.page(BOB);
    await bob.goto('/import');
    await bob.getByRole('heading', { level: 1, name: 'For administrators' }).waitFor();
    expect(await bob.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Import' }).count()).toBe(0);
  });

  it('raised no script error in any page', () => {
    expect(scene.pageErrors).toEqual([]);
  });
});
