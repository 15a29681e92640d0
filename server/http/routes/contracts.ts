// (to be filled) contracts routes.
import type { Router } from '../router.js';

export function registerContractsRoutes(_r: Router): void {}
