// The pages the server's mails link to, followed in a real browser from the real mail: verifying
// an address, asking for a reset link, choosing a new password (and signing in with it).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, newContext, startPortal, type Portal } from './harness.js';
import type { Browser } from 'playwright-core';

let portal: Portal;
let browser: Browser;
const pageErrors: string[] = [];
const linkIn = (text: string, path: string) => new RegExp(`(http://\\S+${path}\\?token=\\S+)`).exec(text)?.[1];

beforeAll(async () => {
  [portal, browser] = await Promise.all([startPortal(), launchBrowser()]);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await portal?.close();
});

describe('links in the mail', () => {
  it('verifies an address, mails a reset link, and sets a new password with it', async () => {
    const ctx = await newContext(browser, portal.server.url);
    const page = await ctx.newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto('/register');
    await page.getByLabel('Your name').fill('Mia Mail');
    await page.getByLabel('Work email').fill('mia@mail.test');
    await page.getByLabel('Password').fill('correct horse battery');
    await page.getByRole('button', { name: 'Create account' }).click();
    // Registering signs nobody in (it answers alike for addresses that have an account): the mail comes first.
    await page.getByRole('heading', { name: 'Check your mail' }).waitFor();
    const verify = await portal.smtp.waitFor((m) => m.to.includes('mia@mail.test') && /Verify/.test(m.subject));
    await page.goto(linkIn(verify.text, '/verify-email')!);
    await page.getByRole('heading', { name: 'Your email is verified' }).waitFor();

    await page.getByRole('link', { name: 'sign in' }).click();
    await page.waitForURL(/\/sign-in/);
    await page.getByRole('link', { name: 'Forgot your password?' }).click();
    await page.getByLabel('Email').fill('mia@mail.test');
    await page.getByRole('button', { name: 'Mail me a reset link' }).click();
    await page.getByRole('status').filter({ hasText: 'a link to choose a new password is on its way' }).waitFor();
    const reset = await portal.smtp.waitFor((m) => m.to.includes('mia@mail.test') && /Reset/.test(m.subject));
    await page.goto(linkIn(reset.text, '/reset-password')!);
    await page.getByLabel('New password', { exact: true }).fill('a brand new passphrase');
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByRole('heading', { name: 'Your password is changed' }).waitFor();
    await page.getByRole('link', { name: 'Sign in' }).last().click();
    await page.getByLabel('Email').fill('mia@mail.test');
    await page.getByLabel('Password').fill('a brand new passphrase');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((u) => !u.pathname.startsWith('/sign-in'));
    await ctx.close();
    expect(pageErrors).toEqual([]);
  });
});
