import 'reflect-metadata';
import { Command, Option } from 'commander';
import { ALL_ROLES } from './common/role';
import { AgencyKind } from './modules/agency/agency-kind';
import {
  createAgencyCommand,
  createApiKeyCommand,
  createUserCommand,
  listAgenciesCommand,
  listApiKeysCommand,
  listUsersCommand,
  revokeApiKeyCommand,
  tokenCommand,
} from './cli/commands';
import { describeError } from './cli/errors';
import { reencryptIdentityCommand } from './cli/identity';
import { purgeIdentitiesCommand } from './cli/retention';
import { mergeCoReportsCommand } from './cli/merge-coreports';
import { importNemsisCommand, importRmsCommand, TOKEN_ENV, type ImportOptions } from './cli/import';
import { parseCounties, parseKind, parseRole, parseTtl } from './cli/input';
import { readToken, researchExtractCommand } from './cli/research-extract';
import { importPopulationsCommand } from './cli/populations';
import { seedDemoCommand } from './cli/seed';
import { withSession, type CliSession } from './cli/session';
import { createLogger } from './logger';

/**
 * Operator commands: `npm run cli -- <command>`. They work on the same database and secrets as
 * `npm start` (DATABASE_URL, or the embedded database in DATA_DIR), migrating it first.
 */
const program = new Command()
  .name('npm run cli --')
  .description('Administer the Overdose Response Hub: agencies, users, tokens and API keys.')
  .showHelpAfterError()
  .configureOutput({ outputError: (message, write) => write(message) });

/** Each command runs in its own session; errors become one clear line and a non-zero exit. */
function run<O>(command: (session: CliSession, options: O) => Promise<void>) {
  return async (options: O) => {
    try {
      await withSession((session) => command(session, options));
    } catch (error) {
      const { lines, exitCode } = describeError(error);
      for (const line of lines) console.error(line);
      process.exitCode = exitCode;
    }
  };
}

const kinds = Object.values(AgencyKind).join(', ');
const roles = ALL_ROLES.join(', ');
const ttlOption = () =>
  new Option(
    '--ttl <duration>',
    'token lifetime, e.g. 30m, 12h, 7d (default: TOKEN_TTL)',
  ).argParser(parseTtl);

program
  .command('create-agency')
  .description('create an agency')
  .requiredOption('--name <name>', 'unique agency name')
  .requiredOption('--kind <kind>', kinds, parseKind)
  .option(
    '--counties <fips,...>',
    'five-digit county FIPS codes it serves, comma-separated',
    parseCounties,
  )
  .option('--part2', 'the agency is a 42 CFR Part 2 treatment program')
  .action(run(createAgencyCommand));

program
  .command('list-agencies')
  .description('list agencies')
  .option('--all', 'include deactivated agencies')
  .action(run(listAgenciesCommand));

program
  .command('create-user')
  .description('create a user and print a signed token')
  .requiredOption('--agency <id|name>', 'agency id or exact name')
  .requiredOption('--email <email>', 'sign-in email (unique)')
  .requiredOption('--name <name>', 'display name')
  .requiredOption('--role <role>', roles, parseRole)
  .addOption(ttlOption())
  .action(run(createUserCommand));

program
  .command('token')
  .description('print a fresh token for a user (only the token goes to stdout)')
  .requiredOption('--user <id|email>', 'user id or email')
  .addOption(ttlOption())
  .action(run(tokenCommand));

program
  .command('list-users')
  .description("list an agency's users")
  .requiredOption('--agency <id|name>', 'agency id or exact name')
  .option('--all', 'include deactivated users')
  .action(run(listUsersCommand));

program
  .command('create-api-key')
  .description('create an API key for a machine client; the key is shown once')
  .requiredOption('--agency <id|name>', 'agency id or exact name')
  .requiredOption('--role <role>', 'EMS_PROVIDER, POLICE_OFFICER or ANALYST', parseRole)
  .requiredOption('--label <label>', 'what the key is for, e.g. "County EMS ePCR"')
  .action(run(createApiKeyCommand));

program
  .command('list-api-keys')
  .description("list an agency's API keys (never the keys themselves)")
  .requiredOption('--agency <id|name>', 'agency id or exact name')
  .option('--all', 'include revoked keys')
  .action(run(listApiKeysCommand));

program
  .command('revoke-api-key')
  .description('revoke an API key; it stops working at once')
  .requiredOption('--id <id>', 'API key id (see list-api-keys)')
  .action(run(revokeApiKeyCommand));

program
  .command('seed-demo')
  .description('seed demo agencies and users into an empty database and print their tokens')
  .action(run((session) => seedDemoCommand(session)));

program
  .command('reencrypt-identity')
  .description(
    'encrypt every identity value with IDENTITY_ACTIVE_KEY (after a key rotation, or rows from ' +
      'before encryption); prints counts only',
  )
  .option('--batch-size <rows>', 'rows per transaction (default 500)', (v) => Number(v))
  .action(run(reencryptIdentityCommand));

program
  .command('research-extract')
  .description(
    'write a pseudonymised, k-anonymous research extract to CSV (researchers only; audited)',
  )
  .requiredOption(
    '--token <token|key|->',
    "the researcher's token or API key; - reads it from stdin",
  )
  .requiredOption('--from <YYYY-MM>', 'first month')
  .requiredOption('--to <YYYY-MM>', 'last month (included)')
  .option(
    '--counties <fips,...>',
    'county FIPS codes, comma-separated (default: all)',
    parseCounties,
  )
  .requiredOption('--out <file.csv>', 'where to write the CSV')
  .action(
    run(
      async (
        session,
        options: { token: string; from: string; to: string; counties?: string[]; out: string },
      ) =>
        researchExtractCommand(
          session,
          { ...options, token: await readToken(options.token) },
          createLogger(session.config.logLevel),
        ),
    ),
  );

program
  .command('purge-identities')
  .description(
    'remove the identity of people whose cases all closed more than RETENTION_DAYS ago ' +
      '(the server also runs this daily); prints counts only',
  )
  .option('--dry-run', 'count what would be purged, change nothing')
  .action(run(purgeIdentitiesCommand));
program
  .command('merge-coreports')
  .description(
    'merge the co-reports stored before one overdose became one event (police and EMS at one ' +
      'overdose, two cases) by the intake’s rule; prints counts and event ids only',
  )
  .option('--dry-run', 'list the pairs that would be merged, change nothing')
  .action(
    run(async (session, options: { dryRun?: boolean }) => {
      await mergeCoReportsCommand(session, options);
    }),
  );
const importer = program
  .command('import')
  .description("import overdose reports from an agency's own system (docs/imports.md)");
const importOptions = (command: Command) =>
  command
    .option('--token <credential>', `the agency's API key or a user token (default: $${TOKEN_ENV})`)
    .option('--agency <id|name>', 'refuse to run unless the credential belongs to this agency')
    .option(
      '--report <file>',
      'per-record error report, .csv or .json (default: ./import-…-report-<time>.csv)',
    )
    .option('--no-progress', 'no progress bar')
    .option(
      '--backfill',
      'history: records older than MAX_INCIDENT_AGE_DAYS are taken in, counted and linked, never routed',
    );

importOptions(
  importer
    .command('nemsis')
    .description('import NEMSIS v3.5 EMS patient care reports (XML files, or folders of them)')
    .argument('<paths...>', 'XML files or folders'),
).action((paths: string[], options: Omit<ImportOptions, 'paths'>) =>
  run(importNemsisCommand)({ ...options, paths }),
);

importOptions(
  importer
    .command('rms')
    .description('import a police RMS export in the documented CSV layout')
    .argument('<paths...>', 'CSV files or folders')
    .option('--utc-offset <±HH:MM>', 'offset for date-times written without one, e.g. -05:00'),
).action((paths: string[], options: Omit<ImportOptions, 'paths'>) =>
  run(importRmsCommand)({ ...options, paths }),
);

importer
  .command('populations')
  .description(
    "import the Census Bureau's county population estimates (co-est<year>-alldata.csv) for rates",
  )
  .argument('<file>', 'the CSV file as published')
  .action((path: string) => run(importPopulationsCommand)({ path }));

void program.parseAsync(process.argv).catch((error: unknown) => {
  const { lines, exitCode } = describeError(error);
  for (const line of lines) console.error(line);
  process.exitCode = exitCode;
});
