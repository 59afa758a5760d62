/**
 * Who is calling (docs/api.md "Auth", ADRs 0150 and 0151): a bearer token
 * `rg_<id>_<secret>` checked against its scrypt hash in the store, or, when the server
 * listens on loopback and no token was ever created, the anonymous local admin `@local`.
 * The token's row is read on every request, so a revoked token stops working at once (in
 * every server on the store); only the scrypt result is cached, keyed by a SHA-256 of the
 * secret and the stored hash.
 */
import { createHash } from 'node:crypto';
import type { Role } from './api-schemas.js';
import type { TokenStoreOf } from './api-tokens.js';
import { HttpProblem } from './problem.js';
import { parseToken, verifySecret } from './token-secrets.js';

export interface Principal {
  /** `@name`: signs the commands sent with it. */
  actor: string;
  role: Role;
  tokenId?: string;
}

export const LOCAL_ACTOR = '@local';
const RANK: Record<Role, number> = { viewer: 1, operator: 2, admin: 3 };
/** last_used_at is written at most this often per token (a write per request is waste). */
const TOUCH_EVERY_MS = 60_000;

export function allows(principal: Principal, needed: Role): boolean {
  return RANK[principal.role] >= RANK[needed];
}

export class Authenticator {
  private readonly verified = new Map<string, string>();
  private readonly touched = new Map<string, number>();

  constructor(
    private readonly store: TokenStoreOf,
    private readonly options: { loopback: boolean; now: () => number },
  ) {}

  /** The caller, or 401. `token` is the bearer token, if any was sent. */
  async authenticate(token: string | undefined): Promise<Principal> {
    if (token === undefined || token === '') {
      if (this.options.loopback && (await this.store.countTokens()) === 0) {
        return { actor: LOCAL_ACTOR, role: 'admin' };
      }
      throw new HttpProblem(401, 'Unauthorized', 'this request needs an API token', {
        hint: 'send Authorization: Bearer rg_…; an admin creates one with `rollgate token create`',
        headers: { 'www-authenticate': 'Bearer realm="rollgate"' },
      });
    }
    const parsed = parseToken(token);
    const refuse = (why: string) =>
      new HttpProblem(401, 'Unauthorized', why, {
        hint: 'check the token (rg_<id>_<secret>); `rollgate token list` shows which exist',
        headers: { 'www-authenticate': 'Bearer realm="rollgate", error="invalid_token"' },
      });
    if (!parsed) throw refuse('the API token is malformed');
    const record = await this.store.getToken(parsed.id);
    if (!record) throw refuse('the API token is not known to this server');
    if (record.revokedAt !== undefined) throw refuse(`the API token ${record.id} was revoked`);
    const key = createHash('sha256').update(parsed.secret).digest('hex');
    if (this.verified.get(record.id) !== `${key}:${record.hash}`) {
      if (!(await verifySecret(parsed.secret, record.hash))) {
        throw refuse('the API token is not valid');
      }
      this.verified.set(record.id, `${key}:${record.hash}`);
    }
    const now = this.options.now();
    if (now - (this.touched.get(record.id) ?? 0) >= TOUCH_EVERY_MS) {
      this.touched.set(record.id, now);
      await this.store.touchToken(record.id, new Date(now).toISOString()).catch(() => undefined);
    }
    return { actor: `@${record.name}`, role: record.role, tokenId: record.id };
  }

  /** 403 unless the principal has at least `needed`. */
  authorize(principal: Principal, needed: Role): void {
    if (allows(principal, needed)) return;
    throw new HttpProblem(
      403,
      'Forbidden',
      `this needs the ${needed} role; the token of ${principal.actor} is ${principal.role}`,
      { hint: 'ask an admin for a token with that role (`rollgate token create --role …`)' },
    );
  }

  forget(tokenId: string): void {
    this.verified.delete(tokenId);
  }
}
