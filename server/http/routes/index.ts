// Every route module, registered in one place.
import { registerMetricsRoute } from '../metrics-route.js';
import { registerOpenApiRoutes } from '../openapi-routes.js';
import type { Router } from '../router.js';
import { registerAssignmentsRoutes } from './assignments.js';
import { registerAuditRoutes } from './audit.js';
import { registerAuthRoutes } from './auth.js';
import { registerClaimRoutes } from './claim.js';
import { registerContractsRoutes } from './contracts.js';
import { registerDeviceCodesRoutes } from './device-codes.js';
import { registerDevicesRoutes } from './devices.js';
import { registerEnrollmentRoutes } from './enrollment.js';
import { registerImportRoutes } from './import.js';
import { registerInvitationsRoutes } from './invitations.js';
import { registerMembersRoutes } from './members.js';
import { registerReportsRoutes } from './reports.js';
import { registerOwnershipRoutes } from './ownership.js';
import { registerOperatorRoutes } from './operator.js';
import { registerSwitchesRoutes } from './switches.js';
import { registerTeamsRoutes } from './teams.js';
import { registerWebhooksRoutes } from './webhooks.js';
import { registerUsageRoutes } from './usage.js';

export function registerAllRoutes(r: Router): void {
  registerAuthRoutes(r);
  registerClaimRoutes(r);
  registerMembersRoutes(r);
  registerOwnershipRoutes(r);
  registerInvitationsRoutes(r);
  registerTeamsRoutes(r);
  registerContractsRoutes(r);
  registerAssignmentsRoutes(r);
  registerAuditRoutes(r);
  registerEnrollmentRoutes(r);
  registerDevicesRoutes(r);
  registerDeviceCodesRoutes(r);
  registerSwitchesRoutes(r);
  registerUsageRoutes(r);
  registerImportRoutes(r);
  registerReportsRoutes(r);
  registerWebhooksRoutes(r);
  registerOperatorRoutes(r);
  registerOpenApiRoutes(r);
  registerMetricsRoute(r);
}
