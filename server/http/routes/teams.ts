// (to be filled) teams routes.
import type { Router } from '../router.js';

export function registerTeamsRoutes(_r: Router): void {}
