/**
 * API token format and hashing (ADR 0150): `rg_<id>_<secret>`, id = 6 random bytes as 12
 * hex digits (public: the row's key, shown by `token list`), secret = 32 random bytes as 64
 * hex digits. Only `scrypt(secret, salt)` is stored, with its parameters, so a copy of
 * the store gives no usable token.
 */
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

const SCRYPT = { N: 16_384, r: 8, p: 1 } as const;
const KEY_LENGTH = 32;
const TOKEN = /^rg_([0-9a-f]{12})_([0-9a-f]{64})$/;

export interface ParsedToken {
  id: string;
  secret: string;
}

export function newTokenParts(): { id: string; secret: string; token: string } {
  const id = randomBytes(6).toString('hex');
  const secret = randomBytes(32).toString('hex');
  return { id, secret, token: `rg_${id}_${secret}` };
}

export function parseToken(token: string): ParsedToken | undefined {
  const m = TOKEN.exec(token.trim());
  return m?.[1] && m[2] ? { id: m[1], secret: m[2] } : undefined;
}

function derive(secret: string, salt: Buffer, N: number, r: number, p: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(secret, salt, KEY_LENGTH, { N, r, p, maxmem: 64 * 1024 * 1024 }, (err, key) =>
      err ? reject(err) : resolve(key),
    );
  });
}

/** `scrypt$N$r$p$<salt>$<hash>` (base64url). */
export async function hashSecret(secret: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(secret, salt, SCRYPT.N, SCRYPT.r, SCRYPT.p);
  return `scrypt$${SCRYPT.N}$${SCRYPT.r}$${SCRYPT.p}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

export async function verifySecret(secret: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  const key = await derive(secret, Buffer.from(salt, 'base64url'), Number(n), Number(r), Number(p));
  return key.length === expected.length && timingSafeEqual(key, expected);
}
