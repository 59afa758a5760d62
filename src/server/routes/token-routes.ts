import { z } from 'zod';
import { type ApiRoute, defineRoute, type ServerDeps } from '../api-route.js';
import { IdParams, ROLES, TokenBody, TokenInfoSchema } from '../api-schemas.js';
import { createApiToken, tokenInfo } from '../api-tokens.js';

/** API tokens (admins): list, create (the token is shown once), revoke. */
export function tokenRoutes(deps: ServerDeps): ApiRoute[] {
  const nowIso = () => new Date(deps.now()).toISOString();
  return [
    defineRoute({
      method: 'GET',
      path: '/tokens',
      role: 'admin',
      tag: 'tokens',
      summary: 'API tokens (never their secrets or hashes)',
      success: {
        status: 200,
        description: 'the tokens, oldest first',
        schema: z.object({ tokens: z.array(TokenInfoSchema) }),
      },
      async handler() {
        return { tokens: (await deps.store.listTokens()).map(tokenInfo) };
      },
    }),
    defineRoute({
      method: 'POST',
      path: '/tokens',
      role: 'admin',
      tag: 'tokens',
      summary: 'Create an API token; its text is in this answer only',
      body: TokenBody,
      errors: [429],
      success: {
        status: 201,
        description: 'the new token',
        schema: z.object({ token: z.string(), id: z.string(), role: z.enum(ROLES) }),
      },
      async handler({ body, principal }) {
        const { token, record } = await createApiToken(deps.store, {
          name: body.name,
          role: body.role,
          createdBy: principal.actor,
          now: nowIso(),
        });
        return { token, id: record.id, role: record.role };
      },
    }),
    defineRoute({
      method: 'DELETE',
      path: '/tokens/:id',
      role: 'admin',
      tag: 'tokens',
      summary: 'Revoke an API token (it stops working at once)',
      params: IdParams,
      errors: [404, 429],
      success: { status: 204, description: 'revoked' },
      async handler({ params }) {
        await deps.store.revokeToken(params.id, nowIso());
        deps.auth.forget(params.id);
        return undefined;
      },
    }),
  ];
}
