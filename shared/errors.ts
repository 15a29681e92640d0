// Every error Seatkeeper reports, as a stable code with its HTTP status. The README's API section
// lists these; clients branch on `code`, never on `message`.

export const errorCodes = {
  // request shape
  INVALID_JSON: { status: 400, retryable: false },
  VALIDATION_FAILED: { status: 400, retryable: false },
  BODY_TOO_LARGE: { status: 413, retryable: false },
  HEADERS_TOO_LARGE: { status: 431, retryable: false },
  BAD_REQUEST: { status: 400, retryable: false },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, retryable: false },
  ROUTE_NOT_FOUND: { status: 404, retryable: false },
  // identity
  UNAUTHENTICATED: { status: 401, retryable: false },
  INVALID_CREDENTIALS: { status: 401, retryable: false },
  EMAIL_MISMATCH: { status: 401, retryable: false },
  FORBIDDEN: { status: 403, retryable: false },
  CROSS_SITE_REQUEST: { status: 403, retryable: false },
  RATE_LIMITED: { status: 429, retryable: true },
  EMAIL_TAKEN: { status: 409, retryable: false },
  /** an address that has not been verified by mail is not matched to anything yet */
  EMAIL_NOT_VERIFIED: { status: 403, retryable: false },
  /** the address given is a near miss of a member, account or alias domain: send it again with confirmNearMiss, or correct it (details.candidates) */
  NEAR_MISS: { status: 409, retryable: false },
  /** signed in as another address than the invitation's: accept into this account (acceptIntoThisAccount) or sign out */
  INVITED_OTHER_ADDRESS: { status: 409, retryable: false },
  // things that are not there (another organization's ids answer exactly the same)
  NOT_FOUND: { status: 404, retryable: false },
  UNKNOWN_SERIAL: { status: 404, retryable: false },
  // organization rules
  ALREADY_CLAIMED: { status: 409, retryable: false },
  ORG_NAME_MISMATCH: { status: 400, retryable: false },
  TERMS_NOT_ACCEPTED: { status: 400, retryable: false },
  NOT_LINKED: { status: 403, retryable: false },
  LAST_ADMIN: { status: 409, retryable: false },
  LAST_OWNER: { status: 409, retryable: false },
  ALREADY_MEMBER: { status: 409, retryable: false },
  INVITATION_EXPIRED: { status: 410, retryable: false },
  INVITATION_CLOSED: { status: 409, retryable: false },
  INVITATION_SUPERSEDED: { status: 410, retryable: false },
  CONFLICT: { status: 409, retryable: false },
  // seats
  SEAT_LIMIT_REACHED: { status: 409, retryable: false },
  ALREADY_ASSIGNED: { status: 409, retryable: false },
  NOT_ASSIGNED: { status: 409, retryable: false },
  CONTRACT_NOT_ACTIVE: { status: 409, retryable: false },
  LINE_NOT_ASSIGNABLE: { status: 409, retryable: false },
  PROJECT_MEMBERSHIP_REQUIRED: { status: 409, retryable: false },
  // agents and leases
  ENROLLMENT_TOKEN_INVALID: { status: 401, retryable: false },
  DEVICE_REVOKED: { status: 403, retryable: false },
  DEVICE_CODE_INVALID: { status: 400, retryable: false },
  LEASE_INVALID: { status: 400, retryable: false },
  LEASE_EXPIRED: { status: 400, retryable: false },
  NOT_ENTITLED: { status: 403, retryable: false },
  // storage and internals
  STORAGE_UNAVAILABLE: { status: 503, retryable: true },
  INTERNAL: { status: 500, retryable: true },
} as const satisfies Record<string, { status: number; retryable: boolean }>;

export type ErrorCode = keyof typeof errorCodes;

export class SeatkeeperError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly retryable: boolean;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = 'SeatkeeperError';
    this.code = code;
    this.status = errorCodes[code].status;
    this.retryable = errorCodes[code].retryable;
    this.details = details;
  }

  toBody(): ErrorBody {
    return { error: { code: this.code, message: this.message, ...(this.details ? { details: this.details } : {}) } };
  }
}

export interface ErrorBody {
  error: { code: string; message: string; details?: Record<string, unknown> };
}
