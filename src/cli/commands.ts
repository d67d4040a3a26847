import { decodeJwt } from 'jose';
import { signUserToken } from '../auth/tokens';
import type { Role } from '../common/role';
import { isUuid } from '../common/uuid';
import type { AgencyKind } from '../modules/agency/agency-kind';
import { ApiKey } from '../modules/agency/api-key.entity';
import {
  CreateAgencyInput,
  CreateApiKeyInput,
  CreateUserInput,
} from '../modules/agency/agency.input';
import { createAgency, listAgencies } from '../modules/agency/agency.service';
import { createApiKey, listApiKeys, revokeApiKey } from '../modules/agency/api-key.service';
import { createUser, listUsers } from '../modules/agency/user.service';
import { CliError } from './errors';
import { validateInput } from './input';
import { findAgency, findUser, operatorViewer } from './lookup';
import { note, print, printTable } from './output';
import type { CliSession } from './session';

const date = (d: Date | undefined | null): string => (d ? d.toISOString() : '-');

export async function createAgencyCommand(
  { em }: CliSession,
  options: { name: string; kind: AgencyKind; counties?: string[]; part2?: boolean },
): Promise<void> {
  const input = await validateInput(CreateAgencyInput, {
    name: options.name,
    kind: options.kind,
    serviceCounties: options.counties ?? [],
    part2Program: options.part2 ?? false,
  });
  const agency = await createAgency(em, input);
  print(`created agency ${agency.id}`);
  print(`  name:     ${agency.name}`);
  print(`  kind:     ${agency.kind}`);
  print(`  counties: ${agency.serviceCounties.join(', ') || '(none)'}`);
  print(`  part 2:   ${agency.part2Program ? 'yes (42 CFR Part 2 program)' : 'no'}`);
}

export async function listAgenciesCommand(
  { em }: CliSession,
  options: { all?: boolean },
): Promise<void> {
  const agencies = await listAgencies(em, options.all ?? false);
  printTable(
    ['ID', 'KIND', 'COUNTIES', 'FLAGS', 'NAME'],
    agencies.map((a) => [
      a.id,
      a.kind,
      a.serviceCounties.join(',') || '-',
      [a.part2Program && 'part2', !a.active && 'inactive'].filter(Boolean).join(',') || '-',
      a.name,
    ]),
    'no agencies yet (create one with create-agency, or run seed-demo)',
  );
}

export async function createUserCommand(
  session: CliSession,
  options: { agency: string; email: string; name: string; role: Role; ttl?: string },
): Promise<void> {
  const { em } = session;
  const agency = await findAgency(em, options.agency, { mustBeActive: true });
  const input = await validateInput(CreateUserInput, {
    agencyId: agency.id,
    email: options.email,
    displayName: options.name,
    role: options.role,
  });
  const user = await createUser(em, operatorViewer(agency), input);
  print(`created user ${user.id}`);
  print(`  name:   ${user.displayName} <${user.email}>`);
  print(`  role:   ${user.role}`);
  print(`  agency: ${agency.name}`);
  await printToken(session, user.id, options.ttl ?? session.config.auth.tokenTtl, 'labelled');
}

export async function tokenCommand(
  session: CliSession,
  options: { user: string; ttl?: string },
): Promise<void> {
  const user = await findUser(session.em, options.user);
  if (!user.active) throw new CliError(`--user: ${user.email} is deactivated`);
  if (!user.agency.$.active) {
    throw new CliError(`--user: ${user.email}'s agency "${user.agency.$.name}" is deactivated`);
  }
  note(`${user.displayName} <${user.email}>, ${user.role}, ${user.agency.$.name}`);
  await printToken(session, user.id, options.ttl ?? session.config.auth.tokenTtl, 'bare');
}

/**
 * `bare` puts only the token on stdout, so `TOKEN=$(npm run -s cli -- token --user …)` works;
 * the expiry goes to stderr.
 */
async function printToken(
  session: CliSession,
  userId: string,
  ttl: string,
  style: 'labelled' | 'bare',
): Promise<void> {
  if (!session.config.auth.jwtSecret) {
    throw new CliError(
      'JWT_JWKS_URL is set without JWT_SECRET: tokens come from your identity provider, ' +
        'the hub cannot sign one',
    );
  }
  const token = await signUserToken(session.config.auth, userId, ttl);
  const { exp } = decodeJwt(token);
  const expires = `expires ${exp ? new Date(exp * 1000).toISOString() : '?'} (${ttl})`;
  if (style === 'labelled') {
    print(`  token:  ${expires}`);
    print(token);
  } else {
    note(`token ${expires}`);
    print(token);
  }
  if (session.devJwtSecret) {
    note(
      `note: signed with the development secret in ${session.secretsPath}; ` +
        'a hub started on the same data folder accepts it',
    );
  }
}

export async function listUsersCommand(
  { em }: CliSession,
  options: { agency: string; all?: boolean },
): Promise<void> {
  const agency = await findAgency(em, options.agency, { mustBeActive: false });
  const users = await listUsers(em, operatorViewer(agency), agency.id, options.all ?? false);
  printTable(
    ['ID', 'ROLE', 'ACTIVE', 'EMAIL', 'NAME'],
    users.map((u) => [u.id, u.role, u.active ? 'yes' : 'no', u.email, u.displayName]),
    `no ${options.all ? '' : 'active '}users in "${agency.name}"`,
  );
}

export async function createApiKeyCommand(
  { em }: CliSession,
  options: { agency: string; role: Role; label: string },
): Promise<void> {
  const agency = await findAgency(em, options.agency, { mustBeActive: true });
  const input = await validateInput(CreateApiKeyInput, {
    agencyId: agency.id,
    role: options.role,
    label: options.label,
  });
  const { apiKey, key } = await createApiKey(em, operatorViewer(agency), input);
  print(`created API key ${apiKey.id}`);
  print(`  label:  ${apiKey.label}`);
  print(`  role:   ${apiKey.role}`);
  print(`  agency: ${agency.name}`);
  print(`  prefix: ${apiKey.prefix}`);
  print('');
  print(key);
  print('');
  note(
    'WARNING: store this key now. It cannot be shown again: the hub keeps only its hash.\n' +
      'Clients send it as: Authorization: Bearer <key>',
  );
}

export async function listApiKeysCommand(
  { em }: CliSession,
  options: { agency: string; all?: boolean },
): Promise<void> {
  const agency = await findAgency(em, options.agency, { mustBeActive: false });
  const keys = await listApiKeys(em, operatorViewer(agency), agency.id, options.all ?? false);
  printTable(
    ['ID', 'PREFIX', 'ROLE', 'LAST USED', 'REVOKED', 'LABEL'],
    keys.map((k) => [k.id, k.prefix, k.role, date(k.lastUsedAt), date(k.revokedAt), k.label]),
    `no ${options.all ? '' : 'unrevoked '}API keys in "${agency.name}"`,
  );
}

export async function revokeApiKeyCommand(
  { em }: CliSession,
  options: { id: string },
): Promise<void> {
  const id = options.id.trim();
  const existing = isUuid(id) ? await em.findOne(ApiKey, { id }, { populate: ['agency'] }) : null;
  if (!existing) throw new CliError(`--id: no API key with id "${options.id}" (see list-api-keys)`);
  const wasRevokedAt = existing.revokedAt;
  const apiKey = await revokeApiKey(em, operatorViewer(existing.agency.$), id);
  print(
    wasRevokedAt
      ? `API key ${apiKey.id} (${apiKey.label}) was already revoked at ${date(wasRevokedAt)}`
      : `revoked API key ${apiKey.id} (${apiKey.label}, ${existing.agency.$.name}); it stops working at once`,
  );
}
