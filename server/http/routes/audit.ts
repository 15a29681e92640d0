// (to be filled) audit routes.
import type { Router } from '../router.js';

export function registerAuditRoutes(_r: Router): void {}
