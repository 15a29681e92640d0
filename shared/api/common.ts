// Building blocks of the HTTP API schemas.
import { z } from 'zod';
import { isObjectMemberName } from '../protocol/common.js';

export const Id = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_-]+$/, 'not an id')
  .refine((s) => !isObjectMemberName(s), 'not an id');
export const Email = z.string().trim().toLowerCase().max(254).email();
export const Password = z.string().min(8, 'at least 8 characters').max(256);
export const Name = z.string().trim().min(1).max(120);
export const Serial = z.string().trim().min(4).max(64).regex(/^[A-Za-z0-9 -]+$/, 'not a serial number');
export const Role = z.enum(['owner', 'admin', 'member']);
export type Role = z.infer<typeof Role>;
export const ProductCode = z.string().min(1).max(40).regex(/^[A-Z0-9-]+$/, 'not a product code');
export const Ok = z.object({ ok: z.literal(true) });
export type Ok = z.infer<typeof Ok>;
