import { randomUUID } from 'node:crypto';
import { Role } from '../../src/common/role';
import { AgencyKind, ROLES_BY_AGENCY_KIND } from '../../src/modules/agency/agency-kind';
import { Agency } from '../../src/modules/agency/agency.entity';
import { ApiKey } from '../../src/modules/agency/api-key.entity';
import { AgreementPurpose, LawfulBasis } from '../../src/modules/agency/agreement-codes';
import { DataSharingAgreement } from '../../src/modules/agency/data-sharing-agreement.entity';
import { User } from '../../src/modules/agency/user.entity';
import { generateApiKey } from '../../src/auth/api-key-secret';
import { signUserToken } from '../../src/auth/tokens';
import type { TestHub } from './hub';

/** Short unique suffix so that every factory call makes distinct names, emails and counties. */
export const unique = (): string => randomUUID().slice(0, 8);

let countySeq = Math.floor(Math.random() * 40_000);
/** A county FIPS code no other test uses, so routing tests do not see each other's agencies. */
export const uniqueCounty = (): string => String(50_000 + (countySeq++ % 49_999)).padStart(5, '0');

export async function makeAgency(
  hub: TestHub,
  kind: AgencyKind,
  overrides: Partial<Pick<Agency, 'name' | 'serviceCounties' | 'part2Program' | 'active'>> = {},
): Promise<Agency> {
  const em = hub.em();
  const agency = em.create(Agency, {
    name: `${kind} ${unique()}`,
    kind,
    serviceCounties: [uniqueCounty()],
    ...overrides,
  });
  await em.flush();
  return agency;
}

export interface Actor {
  user: User;
  agency: Agency;
  token: string;
}

/** A user with a signed token; the agency kind is the natural one for the role unless given. */
export async function makeUser(
  hub: TestHub,
  role: Role,
  options: { agency?: Agency; active?: boolean } = {},
): Promise<Actor> {
  const agency = options.agency ?? (await makeAgency(hub, naturalKind(role)));
  const em = hub.em();
  const user = em.create(User, {
    agency: agency.id,
    role,
    displayName: `${role} ${unique()}`,
    email: `${unique()}@test.example`,
    active: options.active ?? true,
  });
  await em.flush();
  return { user, agency, token: await signUserToken(hub.config.auth, user.id) };
}

export async function makeApiKey(
  hub: TestHub,
  agency: Agency,
  role: Role,
  options: { revoked?: boolean } = {},
): Promise<{ apiKey: ApiKey; key: string }> {
  const em = hub.em();
  const { key, prefix, secretHash } = generateApiKey();
  const apiKey = em.create(ApiKey, {
    agency: agency.id,
    role,
    label: `key ${unique()}`,
    prefix,
    secretHash,
    revokedAt: options.revoked ? new Date() : undefined,
  });
  await em.flush();
  return { apiKey, key };
}

export type AgreementOverrides = Partial<
  Pick<
    DataSharingAgreement,
    | 'purpose'
    | 'lawfulBasis'
    | 'counties'
    | 'effectiveFrom'
    | 'effectiveTo'
    | 'endedAt'
    | 'endedReason'
  >
>;

/**
 * A data-sharing agreement written straight to the database (no validation), so tests can set up
 * any state, including ended or expired ones. Defaults: FOLLOW_UP_OUTREACH under public-health
 * authority, covering the recipient's service counties, in force since yesterday, open-ended.
 */
export async function makeAgreement(
  hub: TestHub,
  source: Agency,
  recipient: Agency,
  overrides: AgreementOverrides = {},
): Promise<DataSharingAgreement> {
  const em = hub.em();
  const agreement = em.create(DataSharingAgreement, {
    sourceAgency: source.id,
    recipientAgency: recipient.id,
    purpose: AgreementPurpose.FOLLOW_UP_OUTREACH,
    lawfulBasis: LawfulBasis.PUBLIC_HEALTH_AUTHORITY,
    counties:
      recipient.serviceCounties.length > 0 ? [...recipient.serviceCounties] : [uniqueCounty()],
    effectiveFrom: new Date(Date.now() - 24 * 3_600_000),
    ...overrides,
  });
  await em.flush();
  return agreement;
}

export function naturalKind(role: Role): AgencyKind {
  const preferred: Partial<Record<Role, AgencyKind>> = {
    [Role.AGENCY_ADMIN]: AgencyKind.HARM_REDUCTION,
    [Role.ANALYST]: AgencyKind.PUBLIC_HEALTH,
  };
  if (preferred[role]) return preferred[role];
  const kind = (Object.keys(ROLES_BY_AGENCY_KIND) as AgencyKind[]).find((k) =>
    ROLES_BY_AGENCY_KIND[k].includes(role),
  );
  if (!kind) throw new Error(`no agency kind for ${role}`);
  return kind;
}
