// Identifiers and secrets. Ids are prefixed so a log line says what they name; secrets are
// random, shown once, and stored only as their SHA-256.
import { createHash, randomBytes } from 'node:crypto';

export type IdSource = (prefix: string) => string;

export const randomId: IdSource = (prefix) => `${prefix}_${randomBytes(10).toString('base64url')}`;

export const newSecret = (prefix: string): string => `${prefix}_${randomBytes(24).toString('base64url')}`;

export const hashSecret = (secret: string): string => createHash('sha256').update(secret).digest('hex');
