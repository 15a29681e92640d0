// The portal's webhooks page in Chromium: register a URL (the secret shown once), a real receiver
// gets a signed delivery that first fails and is retried, the delivery log shows both attempts,
// then the webhook is deleted.
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWebhookReceiver, type Received, type WebhookReceiver } from '../helpers/webhook-receiver.js';
import { BOB, axeViolations, confirm, nav, settled, startScene, type Scene } from './harness.js';

let scene: Scene;
let receiver: WebhookReceiver;
let receiverUrl: string;
let received: Received[];

beforeAll(async () => {
  receiver = await startWebhookReceiver('/seatkeeper', (n) => (n === 1 ? 500 : 204));
  ({ url: receiverUrl, received } = receiver);
  scene = await startScene({ bypassCSP: true, config: { webhooks: { retryDelaysMs: [100], allowPrivateTargets: true } } });
}, 120_000);

afterAll(async () => {
  await scene?.close();
  receiver?.close();
});

describe('the webhooks page', () => {
  it('registers a webhook, shows its secret once, and shows the delivery log of a retried delivery', async () => {
    const { owner } = scene;
    await owner.goto('/dashboard');
    await nav(owner, 'Webhooks');
    await settled(owner);
    await owner.getByLabel('URL').fill(receiverUrl);
    // Only seat changes.
    for (const box of await owner.locator('fieldset input[type="checkbox"]').all()) await box.uncheck();
    await owner.getByRole('checkbox', { name: /\(seat\.changed\)/ }).check();
    await owner.getByRole('button', { name: 'Register webhook' }).click();
    const secret = (await owner.locator('[data-secret]').textContent())!.trim();
    expect(secret).toMatch(/^whsec_/);
    const row = owner.locator(`tr[data-webhook="${receiverUrl}"]`);
    await expect.poll(() => row.locator('td').nth(1).textContent()).toBe('seat.changed');

    const assigned = await scene.admin.post(scene.api('/assignments'), { lineId: scene.org.line('SW-PREMIUM').id, accountId: scene.ids[BOB.email] });
    expect(assigned.status).toBe(201);
    await expect.poll(() => received.length, { timeout: 10_000 }).toBeGreaterThanOrEqual(2);
    for (const r of received.slice(0, 2)) {
      expect(r.headers['x-seatkeeper-signature']).toBe(`v1=${createHmac('sha256', secret).update(`${r.headers['x-seatkeeper-timestamp']}.${r.body}`).digest('hex')}`);
    }

    await row.getByRole('button', { name: 'Delivery log' }).click();
    const log = owner.locator('table.deliveries tbody tr');
    await expect
      .poll(
        async () => {
          await owner.getByRole('button', { name: 'Refresh' }).click();
          return log.count();
        },
        { timeout: 10_000 },
      )
      .toBe(2);
    expect(await owner.locator('table.deliveries [data-col="result"]').allTextContents()).toEqual(['HTTP 204', 'HTTP 500']);
    expect(await axeViolations(owner)).toEqual([]);

    await confirm(row, 'Delete', 'Yes, delete');
    await expect.poll(() => owner.getByText('No webhooks yet.').count()).toBe(1);
    expect(scene.pageErrors).toEqual([]);
  });
});
