// Claiming an organization: the name typed is compared exactly (as the server compares it), and
// "terms and conditions" links to the operator's terms when the server is configured with them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registered } from '../helpers/client.js';
import { seedOrg } from '../helpers/server.js';
import { PASSWORD, startScene, type Scene } from './harness.js';

const TERMS = 'https://licenses.example.test/terms';
let scene: Scene;

beforeAll(async () => {
  scene = await startScene({ config: { termsUrl: TERMS } });
}, 120_000);

afterAll(async () => {
  await scene?.close();
});

describe('claiming an organization', () => {
  it("links the operator's terms and promotes only on the name typed exactly", async () => {
    const other = await seedOrg(scene.portal.server, { name: 'Wayne Fabrication' });
    const zoe = { name: 'Zoe Zhang', email: 'zoe@wayne.test' };
    await registered(scene.portal.server.url, { serial: other.serial, ...zoe, password: PASSWORD });
    const page = await scene.page(zoe);
    await page.goto('/');
    await page.waitForURL(/\/claim$/);
    const terms = page.getByRole('link', { name: 'terms and conditions of use' });
    expect(await terms.getAttribute('href')).toBe(TERMS);
    expect(await terms.getAttribute('target')).toBe('_blank');
    await page.getByLabel('I accept the terms and conditions of use.').check();
    await page.getByLabel(/I am responsible for assigning and managing/).check();
    const promote = page.getByRole('button', { name: 'Promote me to administrator' });
    const typed = page.getByLabel("Type the organization's name to confirm");
    for (const near of ['wayne fabrication', 'Wayne  Fabrication', 'Wayne Fabricatio']) {
      await typed.fill(near);
      expect(await promote.isDisabled()).toBe(true);
    }
    await typed.fill('Wayne Fabrication');
    await promote.click();
    await page.getByRole('heading', { name: 'You are the administrator of Wayne Fabrication' }).waitFor();
  });

  it('raised no script error in any page', () => {
    expect(scene.pageErrors).toEqual([]);
  });
});
