// API tokens' "last used": recorded coarsely, so that a script calling the API in a loop does not
// cost a store write (a file flush) per request; a minute is fine enough to spot a dead token.

/** How stale a token's `lastUsedAt` may get before a use records it again. */
export const TOKEN_USE_RESOLUTION_MS = 60_000;

/** Should a use of the token at `now` be written down? */
export function tokenUseDue(lastUsedAt: number | null, now: number): boolean {
  return lastUsedAt === null || now - lastUsedAt >= TOKEN_USE_RESOLUTION_MS;
}
