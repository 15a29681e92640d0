// (to be filled) invitations routes.
import type { Router } from '../router.js';

export function registerInvitationsRoutes(_r: Router): void {}
