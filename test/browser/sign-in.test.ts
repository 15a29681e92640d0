// Signed out: sign-in (its errors and the suggested email), register, link a serial, switch
// organizations; and what the portal does when it cannot find out who is signed in.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedOrg } from '../helpers/server.js';
import { nav, navLinks, newContext, OWNER, PASSWORD, type Scene, startScene } from './harness.js';

let scene: Scene;
let portal: Scene['portal'];
let browser: Scene['browser'];
let org: Scene['org'];
let owner: Page;
/** Script errors of every page made here; the last test asserts there were none. */
const watch = async (page: Page) => (page.on('pageerror', (e) => scene.pageErrors.push(e.message)), page);

beforeAll(async () => {
  scene = await startScene();
  ({ portal, browser, org, owner } = scene);
  await owner.goto('/dashboard');
}, 120_000);

afterAll(async () => {
  await scene?.close();
});

describe('signing in, registering and linking an organization', () => {
  it('shows the API error where the action was taken, the same for a look-alike address; signs in from the keyboard', async () => {
    // An unknown page offers the way back; the brand leads to the start page too.
    await owner.goto('/no-such-page');
    await owner.getByRole('heading', { name: 'Page not found' }).waitFor();
    await owner.getByRole('link', { name: 'Go to the start page' }).click();
    await owner.waitForURL(/\/dashboard$/);
    await nav(owner, 'Members');
    await owner.getByRole('link', { name: 'Seatkeeper', exact: true }).click();
    await owner.waitForURL(/\/dashboard$/);
    await owner.getByRole('status').filter({ hasText: 'Live' }).waitFor();

    const ctx = await newContext(browser, portal.server.url);
    const page = await watch(await ctx.newPage());
    await page.goto('/sign-in');
    await page.getByLabel('Email').fill(OWNER.email);
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toContain('Wrong email or password, or the address is not verified yet: follow the link in the mail sent to it, or choose a new password with “Forgot your password?”, which verifies it too.');
    expect(await alert.getAttribute('data-code')).toBe('INVALID_CREDENTIALS');

    // A look-alike address is told nothing more (issue 14 §2: sign-in tells strangers nothing).
    await page.getByLabel('Email').fill('olivia@acme-eng.test');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await alert.filter({ hasText: 'Wrong email or password, or the address is not verified yet: follow the link in the mail sent to it, or choose a new password with “Forgot your password?”, which verifies it too.' }).waitFor();
    expect(await alert.textContent()).not.toContain(OWNER.email);
    expect(await page.getByRole('button', { name: `Use ${OWNER.email}` }).count()).toBe(0);
    await page.getByLabel('Email').fill(OWNER.email);
    // Keyboard only: Tab to the password, Enter submits.
    await page.getByLabel('Email').focus();
    await page.keyboard.press('Tab');
    await page.keyboard.type(PASSWORD);
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/dashboard$/);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/sign-in$/);
    await ctx.close();
  });

  it('a failure loading who is signed in (server error, no network) offers a retry; only a 401 means signed out', async () => {
    const ctx = await newContext(browser, portal.server.url);
    const page = await watch(await ctx.newPage());
    const me = (url: URL) => url.pathname === '/api/v1/me';
    await page.route(me, (r) => r.fulfill({ status: 500, contentType: 'application/json', body: JSON.stringify({ error: { code: 'INTERNAL', message: 'Something went wrong on the server.' } }) }));
    await page.goto('/members');
    await page.getByRole('heading', { name: 'Seatkeeper could not load' }).waitFor();
    const failed = page.getByRole('alert');
    expect(await failed.getAttribute('data-code')).toBe('INTERNAL');
    expect(await failed.textContent()).toContain('Something went wrong on the server.');
    expect(new URL(page.url()).pathname).toBe('/members');

    await page.unroute(me);
    await page.route(me, (r) => r.abort('connectionrefused'));
    await failed.getByRole('button', { name: 'Try again' }).click();
    await failed.filter({ hasText: 'The server could not be reached.' }).waitFor();
    expect(await failed.getAttribute('data-code')).toBe('NETWORK');

    // The server answers for real now: nobody is signed in in this browser, so it asks to sign in.
    await page.unroute(me);
    await failed.getByRole('button', { name: 'Try again' }).click();
    await page.waitForURL(/\/sign-in\?next=%2Fmembers$/);
    await ctx.close();
  });

  it('an account without an organization links one by serial number, then switches between organizations', async () => {
    const other = await seedOrg(portal.server, { name: 'Globex Tooling' });
    const ctx = await newContext(browser, portal.server.url);
    const page = await watch(await ctx.newPage());
    await page.goto('/register');
    await page.getByRole('link', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await page.getByRole('link', { name: 'Create an account' }).click();
    await page.getByRole('heading', { name: 'Create your account' }).waitFor();
    await page.getByLabel('Your name').fill('Frank Free');
    await page.getByLabel('Work email').fill('frank@elsewhere.test');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Create account' }).click();
    // Registering signs nobody in: the mail's link verifies the address, then Frank signs in.
    await page.getByRole('heading', { name: 'Check your mail' }).waitFor();
    const verify = await portal.smtp.waitFor((m) => m.to.includes('frank@elsewhere.test') && /Verify/.test(m.subject));
    await page.goto(/(http:\/\/\S+\/verify-email\?token=\S+)/.exec(verify.text)![1]!);
    await page.getByRole('heading', { name: 'Your email is verified' }).waitFor();
    await page.getByRole('link', { name: 'sign in' }).click();
    await page.getByLabel('Email').fill('frank@elsewhere.test');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(/\/link-serial$/);
    // Without an organization, Activate is the one page in the menu.
    expect(await navLinks(page)).toEqual(['Activate']);
    await nav(page, 'Activate');
    await page.getByRole('heading', { name: 'Activate a device' }).waitFor();
    await page.goBack();
    await page.waitForURL(/\/link-serial$/);
    await page.getByLabel('Serial number').fill(org.serial);
    await page.getByRole('button', { name: 'Link organization' }).click();
    await page.waitForURL(/\/my-products$/);
    await page.getByRole('link', { name: 'Link it with a serial number' }).click();
    await page.getByLabel('Serial number').fill(other.serial);
    await page.getByRole('button', { name: 'Link organization' }).click();
    await page.getByLabel('Organization', { exact: true }).selectOption({ label: 'Globex Tooling' });
    await page.waitForURL(/\/claim$/);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Globex Tooling');
    await ctx.close();
  });

  it('raised no script error in any page', () => {
    expect(scene.pageErrors).toEqual([]);
  });
});
