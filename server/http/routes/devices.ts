// (to be filled) devices routes.
import type { Router } from '../router.js';

export function registerDevicesRoutes(_r: Router): void {}
