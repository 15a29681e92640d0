// (to be filled) device-codes routes.
import type { Router } from '../router.js';

export function registerDeviceCodesRoutes(_r: Router): void {}
