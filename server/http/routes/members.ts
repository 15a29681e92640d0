// (to be filled) members routes.
import type { Router } from '../router.js';

export function registerMembersRoutes(_r: Router): void {}
