/**
 * API tokens (issue #8), next to the Store port like the post-mortems: the SQL store
 * (SQLite, PostgreSQL; migration 5) implements it. Only a hash of a token's secret is
 * kept (`hash`, with its own `salt` and scrypt parameters); the secret itself never
 * reaches the store. Contract: test/contracts/token-store-contract.ts, on both backends.
 */
export const TOKEN_ROLES = ['viewer', 'operator', 'admin'] as const;
export type TokenRole = (typeof TOKEN_ROLES)[number];

export interface ApiTokenRecord {
  /** The public part of the token (`rg_<id>_<secret>`). */
  id: string;
  /** Who holds it; commands sent with it are signed `@<name>`. */
  name: string;
  role: TokenRole;
  /** `scrypt$N$r$p$<salt base64url>$<hash base64url>` of the secret. */
  hash: string;
  createdAt: string;
  createdBy: string;
  lastUsedAt?: string;
  revokedAt?: string;
}

export interface TokenStore {
  /** Refused with RollgateError('conflict') when the id exists. */
  createToken(token: ApiTokenRecord): Promise<void>;
  getToken(id: string): Promise<ApiTokenRecord | undefined>;
  /** Oldest first, revoked ones included. */
  listTokens(): Promise<ApiTokenRecord[]>;
  /** Marks it revoked (idempotent: the first time stays); unknown id → not_found. */
  revokeToken(id: string, at: string): Promise<void>;
  /** Records a use (the server throttles these writes). */
  touchToken(id: string, at: string): Promise<void>;
  /** How many tokens were ever created (revoked ones count: see ADR 0151). */
  countTokens(options?: { activeOnly?: boolean }): Promise<number>;
}
