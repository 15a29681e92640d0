// WCAG 2.2 AA on every page and state the portal reaches: axe-core (its A/AA rules) run in Chromium
// for each kind of person (signed out, member, team admin, admin, owner), on an organization with
// nothing in it and one in use, at phone width (390 px) and desktop width; and what axe cannot see:
// a title naming the page, a skip link to the main content, one h1, no sideways scrolling.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registered } from '../helpers/client.js';
import { seedOrg } from '../helpers/server.js';
import { seedSeatUse } from '../helpers/seat-use-seed.js';
import { BOB, CAROL, NARROW, OWNER, PASSWORD, WIDE, axeViolations, settled, startScene, type Scene } from './harness.js';

const DAN = { name: 'Dan Drafter', email: 'dan@acme.test' };
const EVE = { name: 'Eve Empty', email: 'eve@empty.test' };

let scene: Scene;
let empty: Awaited<ReturnType<typeof seedOrg>>;
let teamId = '';
let imported = 0;

beforeAll(async () => {
  scene = await startScene({ members: [BOB, CAROL, DAN], bypassCSP: true });
  const { admin, api, org, ids, portal } = scene;
  const ok = (r: { status: number; body: unknown }, want = [200, 201]) => {
    if (!want.includes(r.status)) throw new Error(`setup: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body as { id: string };
  };
  // In use: seats held, a team with its team admin and contract, an invitation, a token, a refused sign-in, usage.
  ok(await admin.put(api(`/members/${ids[CAROL.email]}/role`), { role: 'admin' }));
  ok(await admin.post(api('/assignments'), { lineId: org.line('SW-PREMIUM').id, accountId: ids[BOB.email] }));
  ok(await admin.post(api('/assignments'), { lineId: org.line('BIM-COLLAB').id, accountId: ids[CAROL.email] }));
  teamId = ok(await admin.post(api('/teams'), { name: 'Site crew' })).id;
  for (const who of [BOB.email, DAN.email]) ok(await admin.put(api(`/teams/${teamId}/members/${ids[who]}`)));
  ok(await admin.put(api(`/teams/${teamId}/admins/${ids[DAN.email]}`)));
  ok(await admin.put(api(`/teams/${teamId}/contracts/${org.contract.id}`)));
  ok(await admin.post(api('/invitations'), { email: 'erin@acme.test', role: 'member' }));
  ok(await admin.post(api('/enrollment-tokens'), { name: 'Design office rollout', expiresInHours: 24 }));
  await fetch(`${portal.server.url}/api/v1/auth/sign-in`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'olivia@acme-eng.test', password: 'wrong' }) });
  const now = Date.now();
  await portal.server.services.store.tx((t) => {
    const usage = t.org(org.orgId)!.usage;
    for (let i = 48; i > 0; i--) usage.push({ at: now - i * 30 * 60_000, inUse: { 'SW-PREMIUM': i % 3, ACAD: i % 2 }, devicesOnline: 1 });
  });
  // Checks the agents reported: Bob runs SOLIDWORKS, Carol's BIM Collaborate seat sits idle, ACAD refused.
  await seedSeatUse(portal.server, org.orgId, ids[BOB.email]!);
  // Empty: claimed by Eve, nothing else.
  empty = await seedOrg(portal.server, { name: 'Empty Works' });
  const eve = await registered(portal.server.url, { serial: empty.serial, ...EVE, password: PASSWORD });
  ok(await eve.client.post(`/api/v1/orgs/${empty.orgId}/claim`, { confirmOrgName: empty.name, acceptTerms: true, responsibleForLicenses: true }));
}, 120_000);

afterAll(async () => {
  await scene?.close();
});

/** What a page gets wrong, as lines a person can read in the failure. */
async function audit(page: Page, label: string, narrow: boolean): Promise<string[]> {
  await settled(page);
  const found: string[] = [];
  for (const v of await axeViolations(page)) found.push(`${label}: ${v.id} (${v.impact}) ${v.help} — ${v.targets.slice(0, 3).join(' | ')}`);
  const shape = await page.evaluate(() => {
    const h1s = Array.from(document.querySelectorAll('h1'));
    const first = document.querySelector<HTMLElement>('a[href], button, input, select, textarea');
    const skipTarget = first?.getAttribute('href')?.startsWith('#') ? document.getElementById(first.getAttribute('href')!.slice(1)) : null;
    return {
      h1s: h1s.length,
      h1: h1s[0]?.textContent?.trim() ?? '',
      title: document.title,
      skip: first?.textContent?.trim() === 'Skip to main content' && skipTarget?.tagName === 'MAIN',
      width: document.documentElement.scrollWidth,
      viewport: window.innerWidth,
      // The outermost elements that stick out, to say where the page is too wide.
      wide: Array.from(document.querySelectorAll<HTMLElement>('main *, header *'))
        .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1 && !(e.parentElement && e.parentElement.getBoundingClientRect().right > window.innerWidth + 1))
        .slice(0, 3)
        .map((e) => `${e.tagName.toLowerCase()}${e.className ? `.${String(e.className).split(' ').join('.')}` : ''}`),
    };
  });
  if (shape.h1s !== 1) found.push(`${label}: ${shape.h1s} h1 elements`);
  if (!shape.h1 || !shape.title.includes(shape.h1)) found.push(`${label}: title "${shape.title}" does not name the page ("${shape.h1}")`);
  if (!shape.skip) found.push(`${label}: the first stop is not a skip link to <main>`);
  if (narrow && shape.width > shape.viewport) found.push(`${label}: ${shape.width} px wide at ${shape.viewport} px (${shape.wide.join(', ')})`);
  return found;
}

/** Visits each path at both widths; `states` open further states of a page and audit them too. */
async function sweep(page: Page, who: string, paths: string[], states: Record<string, (p: Page) => Promise<void>> = {}): Promise<string[]> {
  const found: string[] = [];
  for (const size of [WIDE, NARROW]) {
    await page.setViewportSize(size);
    for (const path of paths) {
      await page.goto(path);
      found.push(...(await audit(page, `${who} ${size.width}px ${path}`, size === NARROW)));
    }
    for (const [name, open] of Object.entries(states)) {
      await open(page);
      found.push(...(await audit(page, `${who} ${size.width}px ${name}`, size === NARROW)));
    }
  }
  return found;
}

const adminPaths = () => [
  '/dashboard',
  '/members',
  `/members/${scene.ids[BOB.email]}`,
  '/products',
  `/products/lines/${scene.org.line('ACAD').id}/switch`,
  '/services',
  '/teams',
  '/devices',
  '/audit',
  '/import',
  '/reports/seat-use',
  '/my-products',
  '/activate',
  '/account',
  '/link-serial',
  '/no-such-page',
];

describe('every page and state passes axe-core (WCAG 2.2 A and AA) at phone and desktop width', () => {
  it('signed out: sign-in (also with its error), register, invitation links', async () => {
    const page = await scene.page(null);
    const found = await sweep(page, 'signed out', ['/sign-in', '/register', '/accept?token=ski_not-a-real-invitation', '/accept', '/forgot-password', '/reset-password?token=skr_not-a-real-token', '/verify-email'], {
      'sign-in refused': async (p) => {
        await p.goto('/sign-in');
        await p.getByLabel('Email').fill(OWNER.email);
        await p.getByLabel('Password').fill('not the password');
        await p.getByRole('button', { name: 'Sign in' }).click();
        await p.getByRole('alert').waitFor();
      },
    });
    expect(found).toEqual([]);
  });

  it('a member: my products, activate, account, an administrators-only page', async () => {
    const page = await scene.page(BOB);
    expect(await sweep(page, 'member', ['/my-products', '/activate', '/account', '/claim', '/dashboard'])).toEqual([]);
  });

  it('a team admin: team members, a member, products, services', async () => {
    const page = await scene.page(DAN);
    expect(await sweep(page, 'team admin', ['/members', `/members/${scene.ids[BOB.email]}`, '/products', '/services', '/my-products'])).toEqual([]);
  });

  it('an administrator, on an organization in use, with questions and forms open', async () => {
    const page = await scene.page(CAROL);
    const found = await sweep(page, 'admin', adminPaths(), {
      'unassign asked': async (p) => {
        await p.goto('/products');
        await p.locator(`.line[data-line="SW-PREMIUM"] tr[data-holder="${BOB.email}"]`).getByRole('button', { name: 'Unassign' }).click();
      },
      'new contract form': async (p) => {
        await p.goto('/products');
        await p.getByRole('button', { name: 'New contract…' }).click();
        await p.getByLabel('Contract number').waitFor();
      },
      'seat reclaim asked, refusal numbers open': async (p) => {
        await p.goto('/reports/seat-use');
        await p.locator('table.idle-seats tbody tr[data-assignment]').first().getByRole('button', { name: 'Reclaim seat' }).click();
        await p.getByText('The numbers behind the chart').click();
        await p.locator('table.denials-per-day').waitFor();
      },
      'invitation refused': async (p) => {
        await p.goto('/members');
        await p.getByLabel('Email', { exact: true }).fill('erin@acme.test');
        await p.getByRole('button', { name: 'Send invitation' }).click();
        await p.getByRole('alert').first().waitFor();
      },
    });
    expect(found).toEqual([]);
  }, 120_000);

  it('an administrator, on the import page: a file refused, a preview, a result', async () => {
    const page = await scene.page(CAROL);
    const found = await sweep(page, 'admin', [], {
      'import file refused': async (p) => {
        await p.goto('/import');
        await p.getByLabel('Or paste the lines of the file').fill('mail,name\nx@acme.test,X');
        await p.getByRole('button', { name: 'Preview' }).click();
        await p.getByRole('alert').waitFor();
      },
      'import preview': async (p) => {
        await p.goto('/import');
        const csv = ['email,name,role,team,products', `${BOB.email},,,,SW-PREMIUM;BIM-COLLAB`, `${DAN.email},,,,BIM-COLLAB`, 'dan@acme.tset,,,,', 'x@acme.test,X,emperor,,', 'y@acme.test,Y,member,,SW-PREMIUM,extra'];
        await p.getByLabel('Or paste the lines of the file').fill(csv.join('\n'));
        await p.getByRole('button', { name: 'Preview' }).click();
        await p.getByRole('heading', { name: 'Preview: nothing written yet' }).waitFor();
        await p.getByLabel('Show').selectOption('all');
      },
      'import result': async (p) => {
        await p.goto('/import');
        // A new address each time (the state is opened at both widths): there is always a row to apply.
        await p.getByLabel('Or paste the lines of the file').fill(`email,role\nimported${++imported}@acme.test,member\n${BOB.email},member`);
        await p.getByRole('button', { name: 'Preview' }).click();
        await p.getByRole('button', { name: 'Apply import (1 row)' }).click();
        await p.getByRole('heading', { name: 'Import finished' }).waitFor();
      },
    });
    expect(found).toEqual([]);
  }, 120_000);

  it('the owner, on an organization in use', async () => {
    expect(await sweep(scene.owner, 'owner', adminPaths())).toEqual([]);
  }, 120_000);

  it('the owner of an empty organization', async () => {
    const page = await scene.page(EVE);
    expect(await sweep(page, 'empty', ['/dashboard', '/members', '/products', '/services', '/teams', '/devices', '/audit', '/reports/seat-use', '/my-products', '/account'])).toEqual([]);
  }, 120_000);

  it("ties a form's error to its fields (aria-describedby, aria-invalid)", async () => {
    const page = await scene.page(null);
    await page.goto('/sign-in');
    await page.getByLabel('Email').fill(OWNER.email);
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    const id = await alert.getAttribute('id');
    expect(id).toBeTruthy();
    for (const field of ['Email', 'Password']) {
      const input = page.getByLabel(field);
      expect((await input.getAttribute('aria-describedby'))?.split(' ')).toContain(id);
      expect(await input.getAttribute('aria-invalid')).toBe('true');
    }
    // The description is what a screen reader reads with the field: the sentence, no code.
    expect(await alert.textContent()).toContain('Wrong email or password, or the address is not verified yet: follow the link in the mail sent to it, or choose a new password with “Forgot your password?”, which verifies it too.');
  });

  it('draws every focus indicator at 3:1 or more against what is around it (the dark header too)', async () => {
    const page = scene.owner;
    await page.setViewportSize(WIDE);
    await page.goto('/products');
    await settled(page);
    const low: string[] = [];
    for (let n = 0; n < 40; n++) {
      await page.keyboard.press('Tab');
      const r = await page.evaluate(() => {
        const a = document.activeElement as HTMLElement;
        const rgb = (c: string) => (c.match(/[\d.]+/g) ?? []).map(Number);
        const lum = (c: string) => {
          const [r, g, b] = rgb(c).map((v) => v / 255).map((v) => (v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4));
          return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
        };
        let bg = 'rgb(255, 255, 255)';
        for (let e: HTMLElement | null = a.parentElement; e; e = e.parentElement) {
          const c = getComputedStyle(e).backgroundColor;
          if (rgb(c).length === 3 || (rgb(c)[3] ?? 0) > 0) {
            bg = c;
            break;
          }
        }
        const cs = getComputedStyle(a);
        const [l1, l2] = [lum(cs.outlineColor), lum(bg)].sort((x, y) => y - x);
        return { what: `${a.tagName.toLowerCase()} "${(a.textContent ?? '').trim().slice(0, 30)}"`, style: cs.outlineStyle, width: parseFloat(cs.outlineWidth), ratio: (l1! + 0.05) / (l2! + 0.05) };
      });
      // Past the last stop focus leaves the page (<body>): nothing to draw there.
      if (r.what.startsWith('body ')) continue;
      if (r.style === 'none' || r.width < 2 || r.ratio < 3) low.push(`${r.what}: ${r.style} ${r.width}px at ${r.ratio.toFixed(2)}:1`);
    }
    expect(low).toEqual([]);
  });

  it('raised no script error in any page', () => {
    expect(scene.pageErrors).toEqual([]);
  });
});
