// Device sign-in: a signed-in person enters the code their workstation shows.
import { ActivateDeviceCodeBody, DEVICE_CODE_ACTIVATE_PATH, type ActivateDeviceCodeReply } from '../../../shared/api/device-codes.js';
import type { Router } from '../router.js';

export function registerDeviceCodesRoutes(r: Router): void {
  r.add({
    method: 'POST',
    url: DEVICE_CODE_ACTIVATE_PATH,
    access: 'account',
    body: ActivateDeviceCodeBody,
    summary: "Sign in on a workstation with the code it shows; its leases follow. Wrong codes are rate-limited per account.",
    handler: ({ s, account, body }): Promise<ActivateDeviceCodeReply> => s.gateway.activateDeviceCode(account, body.userCode),
  });
}
