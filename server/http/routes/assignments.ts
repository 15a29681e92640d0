// (to be filled) assignments routes.
import type { Router } from '../router.js';

export function registerAssignmentsRoutes(_r: Router): void {}
