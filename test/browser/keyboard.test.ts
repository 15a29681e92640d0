// The portal without a pointer: page.keyboard only (Tab, Shift+Tab, Enter, typing) signs in,
// skips to the content, invites, assigns, reassigns and plans a switch; after each step focus is
// where the work continues and the result is announced in the polite live region.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BOB, CAROL, OWNER, PASSWORD, member, settled, startScene, type Scene } from './harness.js';

let scene: Scene;
let page: Page;

beforeAll(async () => {
  scene = await startScene();
  page = await scene.page(null);
}, 120_000);

afterAll(async () => {
  await scene?.close();
});

/** What has focus, as a person hears it: a field's label, else its text; and where it is. */
const focused = () =>
  page.evaluate(() => {
    const a = document.activeElement as HTMLElement & { labels?: NodeListOf<HTMLLabelElement> };
    const name = (a.labels?.[0]?.textContent ?? a.textContent ?? '').trim();
    return { tag: a.tagName.toLowerCase(), name, line: a.closest('.line')?.getAttribute('data-line') ?? null };
  });

/** Presses Tab (or Shift+Tab) until the focused element is `name` (within `line`); fails after 80. */
async function tabTo(name: string | RegExp, opts: { line?: string; back?: boolean } = {}): Promise<number> {
  for (let n = 1; n <= 80; n++) {
    await page.keyboard.press(opts.back ? 'Shift+Tab' : 'Tab');
    const f = await focused();
    if ((typeof name === 'string' ? f.name === name : name.test(f.name)) && (opts.line === undefined || f.line === opts.line)) return n;
  }
  throw new Error(`Tab never reached ${String(name)}${opts.line ? ` in ${opts.line}` : ''}`);
}

const announced = () => page.locator('[data-announcer]').textContent();

describe('keyboard only', () => {
  it('signs in, skips to the content, invites, assigns, reassigns and plans a switch', async () => {
    await page.goto('/sign-in');
    await settled(page);
    // The first stop skips the header.
    await page.keyboard.press('Tab');
    expect((await focused()).name).toBe('Skip to main content');
    await tabTo('Email');
    await page.keyboard.type(OWNER.email);
    await page.keyboard.press('Tab');
    expect((await focused()).name).toBe('Password');
    await page.keyboard.type(PASSWORD);
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/dashboard$/);
    // After signing in, focus is on the new page's h1 (not <body>), and the title names the page.
    await expect.poll(focused).toEqual({ tag: 'h1', name: 'Dashboard', line: null });
    expect(await page.title()).toBe('Dashboard — Seatkeeper');

    // Members through the menu: the skip link then back to the menu is not needed, Tab gets there.
    await page.keyboard.press('Shift+Tab');
    await tabTo('Members', { back: true });
    await page.keyboard.press('Enter');
    await expect.poll(focused).toEqual({ tag: 'h1', name: 'Members', line: null });
    expect(await page.title()).toBe('Members — Seatkeeper');
    await tabTo('Email');
    await page.keyboard.type('erin@acme.test');
    await page.keyboard.press('Enter');
    await page.getByRole('status').filter({ hasText: 'Invitation sent to erin@acme.test' }).waitFor();
    await page.locator('tr[data-invitation="erin@acme.test"]').waitFor();

    // Products: from a fresh load, the skip link jumps over the header's stops.
    await page.goto('/products');
    await settled(page);
    await page.locator('.line[data-line="SW-PREMIUM"]').waitFor();
    await page.keyboard.press('Tab');
    expect((await focused()).name).toBe('Skip to main content');
    await page.keyboard.press('Enter');
    const toAssign = await tabTo('Assign a seat of SW-PREMIUM to', { line: 'SW-PREMIUM' });
    expect(toAssign).toBeLessThan(22);
    await page.keyboard.type('Bob');
    expect(await page.getByLabel('Assign a seat of SW-PREMIUM to').evaluate((s: HTMLSelectElement) => s.options[s.selectedIndex]!.textContent)).toBe(member(BOB));
    await page.keyboard.press('Tab');
    expect((await focused()).name).toBe('Assign');
    await page.keyboard.press('Enter');
    await page.locator(`.line[data-line="SW-PREMIUM"] tr[data-holder="${BOB.email}"]`).waitFor();
    await expect.poll(announced).toBe(`Seat of SW-PREMIUM assigned to ${member(BOB)}.`);
    // Focus stays where the work continues: the Assign select, for the next person.
    await expect.poll(focused).toEqual({ tag: 'select', name: 'Assign a seat of SW-PREMIUM to', line: 'SW-PREMIUM' });

    await tabTo(`Reassign ${BOB.name}'s seat to`, { line: 'SW-PREMIUM', back: true });
    await page.keyboard.type('Carol');
    await page.keyboard.press('Tab');
    expect((await focused()).name).toBe('Reassign');
    await page.keyboard.press('Enter');
    await page.locator(`.line[data-line="SW-PREMIUM"] tr[data-holder="${CAROL.email}"]`).waitFor();
    await expect.poll(announced).toBe(`${BOB.name}'s seat reassigned to ${member(CAROL)}.`);
    // Bob's row is gone; focus did not fall back to the top of the page.
    await expect.poll(async () => (await focused()).line).toBe('SW-PREMIUM');

    // Plan a switch of AutoCAD (serial) to named users, and confirm it from the keyboard.
    await tabTo('Switch activation method…', { line: 'ACAD' });
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/switch$/);
    await expect.poll(focused).toEqual({ tag: 'h1', name: 'Switch ACAD activation method', line: null });
    await page.locator('[data-impact-summary]').waitFor();
    await tabTo('Switch now');
    await page.keyboard.press('Enter');
    // The question starts on the safe answer.
    await expect.poll(async () => (await focused()).name).toBe('Keep Serial number');
    await page.keyboard.press('Shift+Tab');
    expect((await focused()).name).toBe('Yes, switch now');
    await page.keyboard.press('Enter');
    await expect.poll(focused).toEqual({ tag: 'h1', name: 'Activation method switched', line: null });
    await expect.poll(announced).toBe('Activation method switched.');
  });

  it('raised no script error in any page', () => {
    expect(scene.pageErrors).toEqual([]);
  });
});
