// The persisted data model. Two kinds of documents: one global document (accounts, sessions,
// the serial-number index) and one document per organization (everything an admin manages).
// Presence, heartbeats and pending pushes are never stored: they live in memory.

import type { Role } from '../../shared/api/common.js';
import type { ActivationMethod, ProductKind } from '../../shared/protocol/common.js';
import type { RevokeReason } from '../../shared/protocol/lease.js';

export type { ActivationMethod, ProductKind, RevokeReason, Role };

export interface Account {
  id: string;
  email: string; // normalized: trimmed, lowercased
  aliases: string[];
  name: string;
  passwordHash: string | null; // null until an invited person sets one
  status: 'invited' | 'active' | 'disabled';
  createdAt: number;
  /**
   * When the address was proven by mail (a verification link or an accepted invitation). null:
   * not yet, and the account is matched to nothing (claims, seats). Absent: an account from
   * before verification existed, taken as verified.
   */
  emailVerifiedAt?: number | null;
  /** single-use links sent by mail, by their SHA-256 */
  mailTokens?: { verify?: MailToken; reset?: MailToken };
}

export interface MailToken {
  hash: string;
  expiresAt: number;
}

export interface Session {
  accountId: string;
  createdAt: number;
  expiresAt: number;
}

export interface ApiToken {
  id: string;
  accountId: string;
  name: string;
  createdAt: number;
  lastUsedAt: number | null;
  /** after it the token is refused; absent or null: until revoked */
  expiresAt?: number | null;
}

export interface GlobalDoc {
  schema: 1;
  accounts: Record<string, Account>;
  /** keyed by sha256(token) */
  sessions: Record<string, Session>;
  /** keyed by sha256(token) */
  apiTokens: Record<string, ApiToken>;
  /** serial number → organization id */
  serials: Record<string, string>;
  /** organization directory: id → name */
  orgs: Record<string, { id: string; name: string }>;
}

export interface Organization {
  id: string;
  name: string;
  /** alias email domains of the organization, e.g. ["acme.com", "acme-eng.com"] */
  aliasDomains: string[];
  /** salt for hashing machine ids, so two orgs never see the same device id */
  salt: string;
  claimedBy: string | null;
  claimedAt: number | null;
  termsAcceptedAt: number | null;
  settings: {
    leaseTtlSeconds: number;
    /** may an invitation be accepted into an account with another address (default true; see invitation-acceptor.ts) */
    acceptIntoOtherAccount?: boolean;
    /** refused checks of one product in a UTC day that fire `denials.above-threshold` (absent: the server's default) */
    denialAlertThreshold?: number;
  };
  createdAt: number;
  /** set when the operator removed (archived) it: nobody reaches it any more */
  removedAt?: number;
}

export interface Membership {
  accountId: string;
  role: Role;
  joinedAt: number;
}

export interface Invitation {
  id: string;
  email: string;
  role: Role;
  /** contract line ids to assign when accepted */
  lineIds: string[];
  teamId: string | null;
  tokenHash: string;
  createdBy: string;
  createdAt: number;
  sentAt: number;
  expiresAt: number;
  status: 'pending' | 'accepted' | 'cancelled';
  acceptedBy: string | null;
  /** hashes of the tokens a resend replaced (newest last, a few kept): their links say so */
  replacedTokenHashes?: string[];
  /** when its last mail could not be sent (the admin is told and may resend); absent or null when it was */
  mailNotSentAt?: number | null;
}

export interface Team {
  id: string;
  name: string;
  memberIds: string[];
  adminIds: string[];
  contractIds: string[];
  createdAt: number;
}

export interface DetectionRule {
  /** file globs relative to the detection root; any match means installed */
  paths: string[];
  /** file holding the version string, relative to the install directory found */
  versionFile?: string;
  /** file holding the serial number the product was activated with */
  serialFile?: string;
}

export interface Product {
  code: string;
  name: string;
  vendor: string;
  kind: ProductKind;
  needsProjectMembership: boolean;
  detect: {
    linux?: DetectionRule;
    darwin?: DetectionRule;
    /** registry keys read with `reg query`; value names for version and serial */
    win32?: { keys: string[]; versionValue?: string; serialValue?: string };
  };
}

export interface ContractLine {
  id: string;
  productCode: string;
  seats: number;
  method: ActivationMethod;
}

export interface Contract {
  id: string;
  number: string;
  serials: string[];
  startsAt: number;
  endsAt: number;
  lines: ContractLine[];
}

export interface Assignment {
  id: string;
  lineId: string;
  accountId: string;
  assignedBy: string;
  assignedAt: number;
}

export interface InventoryItem {
  productCode: string;
  version: string | null;
  path: string;
  serial: string | null;
}

export interface Device {
  id: string;
  machineIdHash: string;
  hostname: string;
  os: { platform: string; distro: string; release: string; arch: string };
  agentVersion: string;
  /** Ed25519 public key, JWK x coordinate (base64url) */
  publicKey: string;
  enrolledAt: number;
  enrolledWith: string;
  lastSeenAt: number | null;
  signedInAccountId: string | null;
  inventory: InventoryItem[];
  inventoryHash: string | null;
  revokedAt: number | null;
}

export interface EnrollmentToken {
  id: string;
  name: string;
  tokenHash: string;
  createdBy: string;
  createdAt: number;
  expiresAt: number;
  revokedAt: number | null;
  uses: number;
  /** enrollments allowed in all; absent on tokens stored before it existed */
  maxUses?: number | null;
}

export interface Lease {
  jti: string;
  deviceId: string;
  /** account id, or "serial:<number>" for serial activation */
  subject: string;
  productCode: string;
  method: ActivationMethod;
  lineId: string;
  issuedAt: number;
  expiresAt: number;
  status: 'active' | 'revoked';
  revokedAt: number | null;
  revokeReason: RevokeReason | null;
}

export interface MethodSwitch {
  id: string;
  lineId: string;
  from: ActivationMethod;
  to: ActivationMethod;
  autoAssign: boolean;
  /** epoch ms; null means applied immediately */
  runAt: number | null;
  status: 'scheduled' | 'applied' | 'cancelled';
  createdBy: string;
  createdAt: number;
  appliedAt: number | null;
  /** who was mailed that this switch takes their access away, and when (absent before those mails) */
  warned?: Record<string, { scheduled?: number; reminder?: number }>;
  /** when the leader's reminder pass ran for it: it runs once per switch */
  remindedAt?: number;
}

export interface EmailMismatch {
  id: string;
  at: number;
  attempted: string;
  suggestion: string;
  /**
   * 'accepted-other-account': an invitation to `attempted` accepted into the account `suggestion`;
   * 'no-seat': the signed-in `attempted` holds no seat while the near miss `suggestion` does (or is
   * invited). 'sign-in' and 'invite-accept' are refusals recorded before issue 14 (read, never written).
   */
  context: 'sign-in' | 'invite-accept' | 'accepted-other-account' | 'no-seat';
  /** the fix an admin can apply in one click (POST /orgs/:orgId/mismatches/:id/fix) */
  fixed?: { at: number; by: string };
}

export interface UsageSample {
  at: number;
  /** product code → seats in use (valid lease on an online device) */
  inUse: Record<string, number>;
  devicesOnline: number;
}

/**
 * One product's usage over one finished UTC day, folded from the samples by the leader's job and
 * kept 90 days. `owned` is taken when the day is folded, so a contract edited later does not
 * rewrite the history.
 */
export interface UsageDay {
  /** YYYY-MM-DD, UTC */
  day: string;
  productCode: string;
  peak: number;
  /** seats in use summed over the day's samples (the average is sum / samples) */
  sum: number;
  /** samples the day had, all products together */
  samples: number;
  owned: number;
}

export interface OrgDoc {
  schema: 1;
  org: Organization;
  members: Record<string, Membership>;
  invitations: Record<string, Invitation>;
  teams: Record<string, Team>;
  products: Record<string, Product>;
  contracts: Record<string, Contract>;
  assignments: Record<string, Assignment>;
  devices: Record<string, Device>;
  enrollmentTokens: Record<string, EnrollmentToken>;
  leases: Record<string, Lease>;
  switches: Record<string, MethodSwitch>;
  mismatches: EmailMismatch[];
  usage: UsageSample[];
  /** finished days of usage, keyed `<day>/<productCode>` (absent in documents written before them) */
  usageDays?: Record<string, UsageDay>;
  /** signed webhooks registered by admins (absent in documents written before them) */
  webhooks?: Record<string, Webhook>;
  /** the latest delivery attempts, newest last (bounded) */
  webhookDeliveries?: WebhookDelivery[];
  /** `check` answers reported by agents: per device, per product (absent before usage reports) */
  checkUse?: Record<string, Record<string, ProductUse>>;
  /** refused checks, one record per device, product, reason, local user and UTC day; oldest first (bounded) */
  denials?: DenialRecord[];
  /** ids of the last usage batches taken per device, so a batch sent again is counted once */
  usageBatches?: Record<string, string[]>;
  /** `<day>|<product>` → when the day's denials alert fired (two days kept) */
  denialAlerts?: Record<string, number>;
}

/** One product's use on one device, from the agent's counts of `check`. */
export interface ProductUse {
  /** latest allowed check; null when only refusals were reported */
  lastUsedAt: number | null;
  /** who held the product's seat on the device then (account id; null for serial seats or nobody) */
  accountId: string | null;
  lastCheckAt: number;
  allowed: number;
  refused: number;
}

export interface DenialRecord {
  id: string;
  /** YYYY-MM-DD (UTC) of the last refusal counted */
  day: string;
  deviceId: string;
  /** the account signed in on the device when it was reported (null: nobody) */
  accountId: string | null;
  /** the local user the agent named (a label) */
  user: string | null;
  productCode: string;
  reason: string;
  count: number;
  first: number;
  last: number;
}

export interface Webhook {
  id: string;
  url: string;
  events: string[];
  /** HMAC key: kept as is, since signing needs it (shown once at creation) */
  secret: string;
  createdBy: string;
  createdAt: number;
}

export interface WebhookDelivery {
  id: string;
  webhookId: string;
  event: string;
  attempt: number;
  at: number;
  status: number | null;
  error: string | null;
  nextAttemptAt: number | null;
}

export interface AuditEvent {
  id: string;
  at: number;
  orgId: string;
  actor: string; // account id, or "system" / "device:<id>"
  action: string; // e.g. "assignment.create"
  target: string; // the id acted upon
  before: unknown;
  after: unknown;
}

export function emptyOrgDoc(org: Organization): OrgDoc {
  return {
    schema: 1,
    org,
    members: {},
    invitations: {},
    teams: {},
    products: {},
    contracts: {},
    assignments: {},
    devices: {},
    enrollmentTokens: {},
    leases: {},
    switches: {},
    mismatches: [],
    usage: [],
  };
}

export function emptyGlobalDoc(): GlobalDoc {
  return { schema: 1, accounts: {}, sessions: {}, apiTokens: {}, serials: {}, orgs: {} };
}
