// "Did you mean …?" where the typo is made: the server answers 409 NEAR_MISS with the addresses
// the one typed resembles; the admin confirms it (sent again with confirmNearMiss) or cancels and
// corrects it, the message naming the candidates staying on the form.
import { ApiError } from './api.js';

export async function confirmingNearMiss<T>(send: (confirmNearMiss: boolean) => Promise<T>): Promise<T> {
  try {
    return await send(false);
  } catch (e) {
    if (!(e instanceof ApiError) || e.code !== 'NEAR_MISS') throw e;
    const candidates = Array.isArray(e.details?.candidates) ? (e.details.candidates as string[]) : [];
    const ok = window.confirm(`${e.message}\n\nDid you mean ${candidates.join(' or ')}?\nOK: go ahead with the address as typed. Cancel: correct it.`);
    if (ok) return send(true);
    throw e;
  }
}
