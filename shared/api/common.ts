// Building blocks of the HTTP API schemas.
import { z } from 'zod';
import { isObjectMemberName } from '../protocol/common.js';
import { isCommonPassword } from './common-passwords.js';

export const Id = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_-]+$/, 'not an id')
  .refine((s) => !isObjectMemberName(s), 'not an id');
export const Email = z.string().trim().toLowerCase().max(254).email();
export const Password = z
  .string()
  .min(8, 'at least 8 characters')
  .max(256)
  .refine((p) => !isCommonPassword(p), 'one of the commonest passwords, the first an attacker tries: choose another');
/**
 * Control characters (CR, LF, NUL, …) and bidi overrides and isolates: in a name they put fake
 * lines or reversed text into other people's mail and pages.
 */
// eslint-disable-next-line no-control-regex
const UNSAFE_IN_NAMES = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
export const Name = z
  .string()
  .trim()
  .min(1)
  .max(120)
  .refine((s) => !UNSAFE_IN_NAMES.test(s), 'no control characters or bidi overrides');
export const Serial = z.string().trim().min(4).max(64).regex(/^[A-Za-z0-9 -]+$/, 'not a serial number');
export const Role = z.enum(['owner', 'admin', 'member']);
export type Role = z.infer<typeof Role>;
export const ProductCode = z.string().min(1).max(40).regex(/^[A-Z0-9-]+$/, 'not a product code');
export const Ok = z.object({ ok: z.literal(true) });
export type Ok = z.infer<typeof Ok>;
