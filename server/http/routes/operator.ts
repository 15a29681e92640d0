// The operator's organization commands against the running server (`seatkeeper-server orgs …`):
// loopback only, with the token of DATA/operator.json; anyone else gets the unknown-route 404.
import { z } from 'zod';
import { OperatorOrganizationInput, OperatorRemoveQuery, type OperatorOrgEntry } from '../../../shared/api/operator.js';
import { createOrganization } from '../../ops/create-organization.js';
import { listOrganizations } from '../../ops/list-organizations.js';
import { removeOrganization } from '../../ops/remove-organization.js';
import { OPERATOR_ROTATE_PATH } from '../../ops/rotate-lease-key.js';
import type { Router } from '../router.js';

/** The overlap in milliseconds: 0 (retire the old keys now) up to ten years. */
const OperatorRotateBody = z.strictObject({ overlapMs: z.number().int().min(0).max(3650 * 24 * 3600 * 1000) });

export function registerOperatorRoutes(r: Router): void {
  r.add({
    method: 'GET',
    url: '/api/v1/operator/orgs',
    access: 'operator',
    summary: 'Organizations of this server (removed ones left out), with their serials.',
    handler({ s }): { orgs: OperatorOrgEntry[] } {
      return { orgs: listOrganizations(s) };
    },
  });

  r.add({
    method: 'POST',
    url: '/api/v1/operator/orgs',
    access: 'operator',
    body: OperatorOrganizationInput,
    status: 201,
    summary: 'Adds an organization with its contracts (the file `seatkeeper-server orgs add` reads).',
    async handler({ s, body }) {
      const orgId = await createOrganization(s, body);
      return { orgId };
    },
  });

  r.add({
    method: 'POST',
    url: OPERATOR_ROTATE_PATH,
    access: 'operator',
    body: OperatorRotateBody,
    summary: 'Rotates the lease-signing key (`seatkeeper-server rotate-lease-key`): a new key signs; the others stay valid for the overlap.',
    handler: ({ s, body }) => s.gateway.rotateLeaseKey(body.overlapMs),
  });

  r.add({
    method: 'DELETE',
    url: '/api/v1/operator/orgs/:orgId',
    access: 'operator',
    query: OperatorRemoveQuery,
    summary: "Removes (archives) an organization: its serials are released and it can no longer be reached; confirm=its exact name.",
    async handler({ s, params, query }) {
      await removeOrganization(s, params.orgId!, query.confirm);
      return { ok: true };
    },
  });
}
