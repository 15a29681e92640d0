// Sentences for the error codes, for when the server sends a code without a message (or the
// failure never reached it): people read sentences; the code stays in data-code for scripts.
const sentences: Record<string, string> = {
  NETWORK: 'The server could not be reached. Check the connection and try again.',
  INVALID_JSON: 'The request could not be read. Reload the page and try again.',
  VALIDATION_FAILED: 'Some of what was entered is not valid. Check the fields and try again.',
  BODY_TOO_LARGE: 'That is too much to send at once.',
  HEADERS_TOO_LARGE: 'The request was too large. Reload the page and try again.',
  BAD_REQUEST: 'The request was not understood. Reload the page and try again.',
  UNSUPPORTED_MEDIA_TYPE: 'The request was refused. Reload the page and try again.',
  ROUTE_NOT_FOUND: 'The server does not offer this. Reload the page: the portal may have been updated.',
  UNAUTHENTICATED: 'You are signed out. Sign in again.',
  INVALID_CREDENTIALS: 'Wrong email or password, or the address is not verified yet: follow the link in the mail sent to it, or choose a new password with “Forgot your password?”, which verifies it too.',
  EMAIL_MISMATCH: 'This email is not the one expected here. Check it, or use the address suggested.',
  FORBIDDEN: 'You may not do this here.',
  EMAIL_NOT_VERIFIED: 'Verify your email address first: follow the link in the mail we sent you.',
  CROSS_SITE_REQUEST: 'The request was refused because it did not come from this portal. Reload the page and try again.',
  RATE_LIMITED: 'Too many tries. Wait a minute and try again.',
  EMAIL_TAKEN: 'An account with this email exists already. Sign in instead.',
  NOT_FOUND: 'It is not there (any more). Reload the page.',
  UNKNOWN_SERIAL: 'No organization has this serial number. Check it on your contract.',
  ALREADY_CLAIMED: 'This organization has an administrator already.',
  ORG_NAME_MISMATCH: 'The organization name does not match exactly.',
  TERMS_NOT_ACCEPTED: 'Accept the terms and conditions to go on.',
  NOT_LINKED: 'Your account is not linked to this organization.',
  LAST_ADMIN: 'The organization must keep at least one administrator.',
  ALREADY_MEMBER: 'This person is a member already.',
  INVITATION_EXPIRED: 'This invitation has expired. Ask for a new one.',
  INVITATION_CLOSED: 'This invitation was accepted or cancelled already.',
  INVITATION_SUPERSEDED: 'This invitation was replaced by a newer invitation. Use the link in the latest mail.',
  CONFLICT: 'This clashes with something that exists already. Reload the page and check.',
  SEAT_LIMIT_REACHED: 'Every seat of this line is taken.',
  ALREADY_ASSIGNED: 'This person has a seat of this line already.',
  NOT_ASSIGNED: 'This seat is not assigned (any more). Reload the page.',
  CONTRACT_NOT_ACTIVE: 'The contract is not in force, so its seats cannot be given.',
  LINE_NOT_ASSIGNABLE: 'Seats of this line cannot be assigned by name: devices activate it with the serial number.',
  PROJECT_MEMBERSHIP_REQUIRED: 'This product needs the person to be in the project team first.',
  ENROLLMENT_TOKEN_INVALID: 'The enrollment token is wrong, expired or revoked.',
  DEVICE_REVOKED: 'This device was revoked.',
  DEVICE_CODE_INVALID: 'That code is wrong or has expired.',
  LEASE_INVALID: 'The license lease is not valid.',
  LEASE_EXPIRED: 'The license lease has expired.',
  NOT_ENTITLED: 'No seat of this product is assigned to you.',
  STORAGE_UNAVAILABLE: 'The server cannot save right now. Try again in a moment.',
  INTERNAL: 'Something went wrong on the server. Try again; if it persists, tell your administrator.',
};

/** The sentence for `code`; for a code the portal does not know, a general one with the HTTP status. */
export function sentenceFor(code: string, status?: number): string {
  return sentences[code] ?? (status ? `The server refused this (HTTP ${status}). Reload the page and try again.` : 'Something went wrong. Try again.');
}

/** What looks like a bare code ("EMAIL_MISMATCH") rather than a sentence. */
export const isBareCode = (text: string) => /^[A-Z][A-Z0-9_]*$/.test(text.trim());
