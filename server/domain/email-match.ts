// "Did you mean …": an address that is not a member's but is the same mailbox written another way
// (dots, a plus-tag, an alias domain of the organization) or with a typo in its domain (acme.co,
// acme.cmo) is almost always a mistake of whoever typed it. It only ever prompts the person who
// typed it (the admin inviting or assigning); it never refuses anyone. Differing letters in the
// local part are different people (tim.berg/tom.berg, member01/member03) and are never a miss.
import type { Account, OrgDoc } from './model.js';

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

function split(email: string): [string, string] {
  const at = email.lastIndexOf('@');
  return at < 0 ? [email, ''] : [email.slice(0, at), email.slice(at + 1)];
}

/** The mailbox a local part names for most providers: dots and a +tag do not change it. */
function canonicalLocal(local: string): string {
  const plus = local.indexOf('+');
  return (plus < 0 ? local : local.slice(0, plus)).replaceAll('.', '');
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

/** Edit distance where swapping two neighbouring letters counts one (optimal string alignment). */
export function typoDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}

/**
 * A typo of a domain: one letter added, dropped, changed or two swapped (acme.co, acme.cmo,
 * acmee.com), with the same number of labels. Not for short domains, where one letter is a
 * different domain more often than not.
 */
export function isDomainTypo(a: string, b: string): boolean {
  if (a === b || Math.min(a.length, b.length) < 6) return false;
  if (a.split('.').length !== b.split('.').length) return false;
  return typoDistance(a, b) === 1;
}

export function isNearMiss(attempted: string, known: string, aliasDomains: readonly string[]): boolean {
  const a = normalizeEmail(attempted);
  const k = normalizeEmail(known);
  if (a === k) return false;
  const [al, ad] = split(a);
  const [kl, kd] = split(k);
  // The local part must name the same mailbox: different letters there are a different person.
  if (canonicalLocal(al) !== canonicalLocal(kl)) return false;
  if (ad === kd) return true;
  const domains = new Set(aliasDomains.map(normalizeEmail));
  if (domains.has(ad) && domains.has(kd)) return true;
  return isDomainTypo(ad, kd);
}

/** Every known address the attempt is a near miss of, the closest first. */
export function nearMissesOf(attempted: string, known: Iterable<string>, aliasDomains: readonly string[]): string[] {
  const a = normalizeEmail(attempted);
  const hits = new Set<string>();
  for (const k of known) if (isNearMiss(a, k, aliasDomains)) hits.add(normalizeEmail(k));
  return [...hits].sort((x, y) => editDistance(a, x, 64) - editDistance(a, y, 64) || x.localeCompare(y));
}

/** The closest known email the attempt is a near miss of, or null. */
export function findNearMiss(attempted: string, known: Iterable<string>, aliasDomains: readonly string[]): string | null {
  return nearMissesOf(attempted, known, aliasDomains)[0] ?? null;
}

/**
 * An address at a typo of one of the organization's alias domains (jdoe@acme.co when acme.com
 * is one): the same local part at the alias domain is what was meant.
 */
export function aliasDomainCandidates(attempted: string, aliasDomains: readonly string[]): string[] {
  const [al, ad] = split(normalizeEmail(attempted));
  const domains = aliasDomains.map(normalizeEmail);
  if (domains.includes(ad)) return [];
  return domains.filter((d) => isDomainTypo(ad, d)).map((d) => `${al}@${d}`);
}

/** The primary emails of the organization's members (accounts missing from `accounts` skipped). */
export function memberEmails(doc: Pick<OrgDoc, 'members'>, accounts: Readonly<Record<string, Pick<Account, 'email'>>>): string[] {
  return Object.keys(doc.members)
    .map((id) => accounts[id]?.email)
    .filter((e): e is string => !!e);
}
