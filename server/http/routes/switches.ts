// (to be filled) switches routes.
import type { Router } from '../router.js';

export function registerSwitchesRoutes(_r: Router): void {}
