import { type Command, Option } from 'commander';
import { TOKEN_ROLES, type TokenRole } from '../../ports/token-store.js';
import { createApiToken, tokenInfo, tokenStoreOf } from '../../server/api-tokens.js';
import { actorOf } from '../cli-app.js';
import type { CommandContext } from '../command-registry.js';
import { EXIT } from '../exit-codes.js';
import { cliNow, printJson, STORE_OPTION_HELP, withRecordStore } from '../record-store.js';
import { textTable } from '../text-table.js';

interface TokenOptions {
  store?: string;
  json?: boolean;
  actor?: string;
}

/**
 * `rollgate token create|list|revoke`: API tokens for `rollgate server`, written straight
 * to the store (docs/server.md). A token is printed once; the store keeps its scrypt hash.
 */
export function registerTokenCommand(program: Command, context: CommandContext): void {
  const group = program
    .command('token')
    .description('API tokens for `rollgate server`: create, list, revoke');

  group
    .command('create')
    .description('create a token and print it (once: only its hash is stored)')
    .requiredOption('--name <name>', 'who holds it; its commands are signed @NAME')
    .addOption(
      new Option('--role <role>', 'viewer reads, operator commands, admin manages tokens')
        .choices(TOKEN_ROLES)
        .makeOptionMandatory(),
    )
    .option('--store <spec>', STORE_OPTION_HELP)
    .option('--actor <name>', 'who creates it, as @name (default: @$USER)')
    .option('--json', 'print as JSON')
    .action(async (options: TokenOptions & { name: string; role: TokenRole }) => {
      const io = context.io;
      const createdBy = actorOf(options, io);
      const { token, record } = await withRecordStore(options.store, io, (store) =>
        createApiToken(tokenStoreOf(store), {
          name: options.name,
          role: options.role,
          createdBy,
          now: cliNow(),
        }),
      );
      if (options.json) printJson(io, { token, ...record });
      else {
        io.out(`${token}\n`);
        io.err(
          `rollgate: token ${record.id} for @${record.name} (${record.role}); it is shown only now, keep it secret\n`,
        );
      }
      context.setExitCode(EXIT.ok);
    });

  group
    .command('list')
    .description('the tokens (never their secrets), oldest first')
    .option('--store <spec>', STORE_OPTION_HELP)
    .option('--json', 'print as JSON')
    .action(async (options: TokenOptions) => {
      const io = context.io;
      const tokens = await withRecordStore(options.store, io, async (store) =>
        (await tokenStoreOf(store).listTokens()).map(tokenInfo),
      );
      if (options.json) printJson(io, tokens);
      else if (tokens.length === 0) io.out('no API tokens\n');
      else {
        io.out(
          `${textTable(
            ['ID', 'NAME', 'ROLE', 'CREATED', 'LAST USED', 'REVOKED'],
            tokens.map((t) => [
              t.id,
              `@${t.name}`,
              t.role,
              t.createdAt,
              t.lastUsedAt ?? '-',
              t.revokedAt ?? '-',
            ]),
            '',
          )}\n`,
        );
      }
      context.setExitCode(EXIT.ok);
    });

  group
    .command('revoke')
    .description('revoke a token: it stops working at once')
    .argument('<id>', 'token id (the part after rg_, as `token list` shows)')
    .option('--store <spec>', STORE_OPTION_HELP)
    .option('--json', 'print as JSON')
    .action(async (id: string, options: TokenOptions) => {
      const io = context.io;
      const at = cliNow();
      await withRecordStore(options.store, io, (store) => tokenStoreOf(store).revokeToken(id, at));
      if (options.json) printJson(io, { id, revokedAt: at });
      else io.out(`revoked token ${id}\n`);
      context.setExitCode(EXIT.ok);
    });
}
