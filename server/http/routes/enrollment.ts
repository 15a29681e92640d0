// (to be filled) enrollment routes.
import type { Router } from '../router.js';

export function registerEnrollmentRoutes(_r: Router): void {}
