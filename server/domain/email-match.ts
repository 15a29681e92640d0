// "Did you mean …": an email that is not a member's but is close to one is almost always a typo
// or a second address of the same person, and accepting it would create a stray account that
// holds no seats. Close means: same after dropping dots in the local part, same local part at an
// alias domain of the organization, or within edit distance 2.
import type { Account, OrgDoc } from './model.js';

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

function split(email: string): [string, string] {
  const at = email.lastIndexOf('@');
  return at < 0 ? [email, ''] : [email.slice(0, at), email.slice(at + 1)];
}

/** Levenshtein distance, stopping early once it exceeds `max`. */
export function editDistance(a: string, b: string, max = 3): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const v = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      cur.push(v);
      if (v < rowMin) rowMin = v;
    }
    if (rowMin > max) return max + 1;
    prev = cur;
  }
  return prev[b.length]!;
}

export function isNearMiss(attempted: string, known: string, aliasDomains: readonly string[]): boolean {
  const a = normalizeEmail(attempted);
  const k = normalizeEmail(known);
  if (a === k) return false;
  const [al, ad] = split(a);
  const [kl, kd] = split(k);
  if (ad === kd && al.replaceAll('.', '') === kl.replaceAll('.', '')) return true;
  const domains = new Set(aliasDomains.map(normalizeEmail));
  if (al.replaceAll('.', '') === kl.replaceAll('.', '') && domains.has(ad) && domains.has(kd)) return true;
  return editDistance(a, k, 2) <= 2;
}

/** The closest known email the attempt is a near miss of, or null. */
export function findNearMiss(attempted: string, known: Iterable<string>, aliasDomains: readonly string[]): string | null {
  let best: string | null = null;
  let bestDist = Infinity;
  const a = normalizeEmail(attempted);
  for (const k of known) {
    if (!isNearMiss(a, k, aliasDomains)) continue;
    const d = editDistance(a, k, 64);
    if (d < bestDist) {
      best = k;
      bestDist = d;
    }
  }
  return best;
}

/** The primary emails of the organization's members (accounts missing from `accounts` skipped). */
export function memberEmails(doc: Pick<OrgDoc, 'members'>, accounts: Readonly<Record<string, Pick<Account, 'email'>>>): string[] {
  return Object.keys(doc.members)
    .map((id) => accounts[id]?.email)
    .filter((e): e is string => !!e);
}
