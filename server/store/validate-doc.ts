// The shape of a stored document, checked on load: a file that is valid JSON but not a document
// (hand-edited, restored from the wrong place, cut by a tool) stops the server with its name
// instead of failing later inside a request on `undefined.id`. Loose objects: fields added later
// do not make older servers refuse newer files; what the code reads must be there and typed.
import { z } from 'zod';
import { Role } from '../../shared/api/common.js';

const str = z.string();
const num = z.number();
const nullableNum = num.nullable();
const rec = <T extends z.ZodType>(v: T) => z.record(z.string(), v);

const Account = z.looseObject({ id: str, email: str, aliases: z.array(str), name: str, passwordHash: str.nullable(), status: z.enum(['invited', 'active', 'disabled']), createdAt: num });
const GlobalDocShape = z.looseObject({
  schema: z.literal(1),
  accounts: rec(Account),
  sessions: rec(z.looseObject({ accountId: str, createdAt: num, expiresAt: num })),
  apiTokens: rec(z.looseObject({ id: str, accountId: str, name: str, createdAt: num, lastUsedAt: nullableNum })),
  serials: rec(str),
  orgs: rec(z.looseObject({ id: str, name: str })),
});

const Method = str;
const OrgDocShape = z.looseObject({
  schema: z.literal(1),
  org: z.looseObject({ id: str, name: str, aliasDomains: z.array(str), salt: str, claimedBy: str.nullable(), settings: z.looseObject({ leaseTtlSeconds: num }), createdAt: num }),
  members: rec(z.looseObject({ accountId: str, role: Role, joinedAt: num })),
  invitations: rec(z.looseObject({ id: str, email: str, role: Role, lineIds: z.array(str), teamId: str.nullable(), tokenHash: str, createdAt: num, expiresAt: num, status: str })),
  teams: rec(z.looseObject({ id: str, name: str, memberIds: z.array(str), adminIds: z.array(str), contractIds: z.array(str) })),
  products: rec(z.looseObject({ code: str, name: str, kind: str, detect: z.looseObject({}) })),
  contracts: rec(z.looseObject({ id: str, number: str, serials: z.array(str), startsAt: num, endsAt: num, lines: z.array(z.looseObject({ id: str, productCode: str, seats: num, method: Method })) })),
  assignments: rec(z.looseObject({ id: str, lineId: str, accountId: str, assignedAt: num })),
  devices: rec(z.looseObject({ id: str, machineIdHash: str, hostname: str, publicKey: str, enrolledAt: num, lastSeenAt: nullableNum, signedInAccountId: str.nullable(), inventory: z.array(z.looseObject({ productCode: str })), revokedAt: nullableNum })),
  enrollmentTokens: rec(z.looseObject({ id: str, name: str, tokenHash: str, createdAt: num, expiresAt: num, revokedAt: nullableNum, uses: num })),
  leases: rec(z.looseObject({ jti: str, deviceId: str, subject: str, productCode: str, method: Method, lineId: str, issuedAt: num, expiresAt: num, status: z.enum(['active', 'revoked']) })),
  switches: rec(z.looseObject({ id: str, lineId: str, status: str })),
  mismatches: z.array(z.looseObject({ id: str, at: num })),
  usage: z.array(z.looseObject({ at: num, inUse: rec(num) })),
  usageDays: rec(z.looseObject({ day: str, productCode: str, peak: num, sum: num, samples: num, owned: num })).optional(),
});

/** Why `data` is not a Seatkeeper document (global.json or an organization's file), or null when it is one. */
export function docProblem(data: unknown): string | null {
  const isOrg = !!data && typeof data === 'object' && 'org' in data;
  const r = (isOrg ? OrgDocShape : GlobalDocShape).safeParse(data);
  if (r.success) return null;
  const first = r.error.issues[0]!;
  const where = first.path.map(String).join('.') || '(top)';
  return `not a valid ${isOrg ? 'organization' : 'global'} document: ${where}: ${first.message}${r.error.issues.length > 1 ? ` (and ${r.error.issues.length - 1} more)` : ''}`;
}
