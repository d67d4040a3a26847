import { assertVersion, flushVersioned } from '../../common/optimistic-lock';
import { type EntityManager } from '@mikro-orm/postgresql';
import type { Viewer } from '../../auth/viewer';
import { decodeCursor, toPage } from '../../common/cursor';
import { pageSize, type Page } from '../../common/pagination';
import { Role } from '../../common/role';
import { isUuid } from '../../common/uuid';
import { badInput, forbidden, notFound, type FieldProblem } from '../../errors/hub-errors';
import { validateInputAs } from '../../errors/validation-problems';
import { Agency } from '../agency/agency.entity';
import { hoursProblems } from './opening-hours';
import { MoudType, ResourceService } from './resource-codes';
import { searchResources } from './resource-query';
import {
  CreateResourceInput,
  LANGUAGE,
  ResourceFilter,
  UpdateResourceInput,
} from './resource.input';
import { TreatmentResource, type OpeningHours } from './treatment-resource.entity';

const RESOURCE = 'Treatment resource';
const STALE = 'The resource was changed by someone else: reload it and try again';

export const RESOURCE_READERS: readonly Role[] = [
  Role.OUTREACH_WORKER,
  Role.LEAD_CASE_MANAGER,
  Role.AGENCY_ADMIN,
  Role.HUB_ADMIN,
];

/**
 * Which resources the caller may change, as a query condition: the hub admin every one, an agency
 * admin those its own agency keeps. Anyone else is stopped by the permission layer first.
 */
function maintainedBy(viewer: Viewer): { agency?: string } {
  if (viewer.role === Role.HUB_ADMIN) return {};
  if (viewer.role === Role.AGENCY_ADMIN) return { agency: viewer.agencyId };
  throw forbidden();
}

function assertReader(viewer: Viewer): void {
  if (!RESOURCE_READERS.includes(viewer.role)) throw forbidden();
}

/** The directory holds no personal data: every reader sees every listing, by id too. */
export async function getResource(
  em: EntityManager,
  viewer: Viewer,
  id: string,
): Promise<TreatmentResource> {
  assertReader(viewer);
  const resource = isUuid(id) ? await em.findOne(TreatmentResource, { id }) : null;
  if (!resource) throw notFound(RESOURCE);
  return resource;
}

export async function listResources(
  em: EntityManager,
  viewer: Viewer,
  filter: ResourceFilter | undefined,
  first: number | undefined,
  after: string | undefined,
): Promise<Page<TreatmentResource>> {
  assertReader(viewer);
  const size = pageSize(first);
  const cursor = decodeCursor('resources', after);
  if (filter) {
    const problems = await validateInputAs(ResourceFilter, filter, 'filter');
    if (problems.length > 0) throw badInput(problems);
  }
  const { rows, totalCount } = await searchResources(em, filter, cursor, size + 1);
  return toPage('resources', rows, size, totalCount, (r) => ({ at: r.createdAt, id: r.id }));
}

/** A resource the caller maintains; any other answers exactly like a missing id. */
async function getMaintained(
  em: EntityManager,
  viewer: Viewer,
  id: string,
): Promise<TreatmentResource> {
  const scope = maintainedBy(viewer);
  const resource = isUuid(id) ? await em.findOne(TreatmentResource, { id, ...scope }) : null;
  if (!resource) throw notFound(RESOURCE);
  return resource;
}

export async function createResource(
  em: EntityManager,
  viewer: Viewer,
  raw: CreateResourceInput,
): Promise<TreatmentResource> {
  maintainedBy(viewer); // throws for anyone who maintains nothing
  const input = normalise(CreateResourceInput, raw);
  const problems = await validateInputAs(CreateResourceInput, input, 'input');
  if (input.hours !== undefined && input.hours !== null) {
    problems.push(...hoursProblems(input.hours, 'input.hours'));
  }
  problems.push(...moudProblems(input.services, input.moud ?? [], 'input.moud'));
  problems.push(...(await timeZoneProblems(em, input.timeZone)));
  const owner = await ownerFor(em, viewer, input.agencyId, problems);
  if (problems.length > 0) throw badInput(problems);

  const resource = em.create(TreatmentResource, {
    agency: owner ?? undefined,
    name: input.name,
    description: input.description ?? undefined,
    services: input.services,
    moud: input.moud ?? [],
    paymentAccepted: input.paymentAccepted ?? [],
    typicalCost: input.typicalCost ?? undefined,
    hours: plainHours(input.hours ?? []),
    timeZone: input.timeZone,
    street: input.street ?? undefined,
    city: input.city ?? undefined,
    state: input.state ?? undefined,
    zip: input.zip ?? undefined,
    county: input.county,
    phone: input.phone ?? undefined,
    acceptingNewClients: input.acceptingNewClients ?? true,
    languages: input.languages ?? ['en'],
  });
  await em.flush();
  return resource;
}

/** Changes only the fields given; a stale `version` is a CONFLICT and changes nothing. */
export async function updateResource(
  em: EntityManager,
  viewer: Viewer,
  id: string,
  version: number,
  raw: UpdateResourceInput,
): Promise<TreatmentResource> {
  const resource = await getMaintained(em, viewer, id);
  const input = normalise(UpdateResourceInput, raw);
  const problems = await validateInputAs(UpdateResourceInput, input, 'input');
  for (const field of REQUIRED_ON_UPDATE) {
    if (input[field] === null)
      problems.push({ field: `input.${field}`, message: 'cannot be null' });
  }
  if (input.hours) problems.push(...hoursProblems(input.hours, 'input.hours'));
  problems.push(
    ...moudProblems(
      input.services ?? resource.services,
      input.moud ?? resource.moud,
      input.moud ? 'input.moud' : 'input.services',
    ),
  );
  if (input.timeZone !== undefined && input.timeZone !== null) {
    problems.push(...(await timeZoneProblems(em, input.timeZone)));
  }
  const owner =
    input.agencyId === undefined ? undefined : await ownerFor(em, viewer, input.agencyId, problems);
  if (problems.length > 0) throw badInput(problems);
  assertVersion(resource, version, STALE);

  em.assign(resource, {
    ...(owner !== undefined ? { agency: owner } : {}),
    ...pick(input, [
      'name',
      'services',
      'moud',
      'paymentAccepted',
      'timeZone',
      'county',
      'acceptingNewClients',
      'languages',
    ]),
    ...pick(input, CLEARABLE),
    ...(input.hours ? { hours: plainHours(input.hours) } : {}),
  });
  await flushVersioned(em, STALE);
  return resource;
}

/** Records that the listing was confirmed with the provider just now. */
export async function verifyResource(
  em: EntityManager,
  viewer: Viewer,
  id: string,
): Promise<TreatmentResource> {
  const resource = await getMaintained(em, viewer, id);
  if (!resource.active) {
    throw badInput({ field: 'id', message: 'the resource is inactive: reactivate it first' });
  }
  resource.lastVerifiedAt = new Date();
  await flushVersioned(em, STALE);
  return resource;
}

/** Withdraws the listing from searches (it stays readable by id, e.g. from old referrals). */
export function deactivateResource(
  em: EntityManager,
  viewer: Viewer,
  id: string,
): Promise<TreatmentResource> {
  return setActive(em, viewer, id, false);
}

export function reactivateResource(
  em: EntityManager,
  viewer: Viewer,
  id: string,
): Promise<TreatmentResource> {
  return setActive(em, viewer, id, true);
}

async function setActive(
  em: EntityManager,
  viewer: Viewer,
  id: string,
  active: boolean,
): Promise<TreatmentResource> {
  const resource = await getMaintained(em, viewer, id);
  if (resource.active !== active) {
    resource.active = active;
    await flushVersioned(em, STALE);
  }
  return resource;
}

const REQUIRED_ON_UPDATE = [
  'name',
  'services',
  'moud',
  'paymentAccepted',
  'hours',
  'timeZone',
  'county',
  'acceptingNewClients',
  'languages',
] as const;

/** Optional text: null (or blank) clears it. */
const CLEARABLE = [
  'description',
  'typicalCost',
  'street',
  'city',
  'state',
  'zip',
  'phone',
] as const;

function pick<T extends object, K extends keyof T>(input: T, keys: readonly K[]): Partial<T> {
  return Object.fromEntries(
    keys.filter((k) => input[k] !== undefined).map((k) => [k, input[k]]),
  ) as unknown as Partial<T>;
}

/** Medications are listed only for a resource that offers MOUD. */
function moudProblems(
  services: readonly ResourceService[] | undefined,
  moud: readonly MoudType[] | null,
  field: string,
): FieldProblem[] {
  if (!Array.isArray(services) || !Array.isArray(moud) || moud.length === 0) return [];
  return services.includes(ResourceService.MOUD)
    ? []
    : [{ field, message: 'medications may be listed only when the services include MOUD' }];
}

const TIME_ZONE_NAME = /^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/;

/**
 * A time zone both clocks know: Node's (for the `openNow` field) and PostgreSQL's (for the
 * `openNow` filter, where a name it does not know would fail every search). The exact IANA
 * spelling is required: PostgreSQL reads "+05:00"-style offsets with the opposite sign.
 */
async function timeZoneProblems(em: EntityManager, timeZone: unknown): Promise<FieldProblem[]> {
  const problem = [
    { field: 'input.timeZone', message: 'must be an IANA time zone such as America/New_York' },
  ];
  if (typeof timeZone !== 'string' || !TIME_ZONE_NAME.test(timeZone)) return problem;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
  } catch {
    return problem;
  }
  const rows = await em
    .getConnection()
    .execute<unknown[]>(
      'select 1 from pg_timezone_names where name = ?',
      [timeZone],
      'all',
      em.getTransactionContext(),
    );
  return rows.length > 0 ? [] : problem;
}

/**
 * The owning agency. A hub admin may name any active agency, or none (a hub-maintained entry);
 * an agency admin's resources always belong to its own agency, whatever the input says.
 */
async function ownerFor(
  em: EntityManager,
  viewer: Viewer,
  requested: string | null | undefined,
  problems: FieldProblem[],
): Promise<string | null | undefined> {
  const field = 'input.agencyId';
  if (viewer.role !== Role.HUB_ADMIN) {
    if (requested !== undefined && requested !== viewer.agencyId) {
      problems.push({ field, message: 'only a hub administrator may set the owning agency' });
    }
    return viewer.agencyId;
  }
  if (requested === undefined || requested === null) return requested;
  const agency = isUuid(requested)
    ? await em.findOne(Agency, { id: requested, active: true })
    : null;
  if (!agency) problems.push({ field, message: 'is not an active agency' });
  return requested;
}

/**
 * Trims text, turns blank optional text into null (clearing it) and writes language codes in
 * their usual case (es-MX), so that checks and storage see one spelling.
 */
function normalise<T extends object>(InputClass: new () => T, value: T): T {
  const copy = Object.assign(new InputClass(), value) as Record<string, unknown>;
  for (const [key, v] of Object.entries(copy)) {
    if (typeof v !== 'string') continue;
    const trimmed = v.trim();
    copy[key] = trimmed === '' && (CLEARABLE as readonly string[]).includes(key) ? null : trimmed;
  }
  if (Array.isArray(copy.languages)) {
    copy.languages = copy.languages.map((code: unknown) =>
      typeof code === 'string' && LANGUAGE.test(code) ? canonicalLanguage(code) : code,
    );
  }
  return copy as T;
}

function canonicalLanguage(code: string): string {
  const [language, region] = code.split('-');
  return region ? `${language.toLowerCase()}-${region.toUpperCase()}` : language.toLowerCase();
}

/** Hours as stored: plain objects in week order. */
function plainHours(hours: readonly OpeningHours[]): OpeningHours[] {
  return hours
    .map(({ day, opens, closes }) => ({ day, opens, closes }))
    .sort((a, b) => a.day - b.day || a.opens.localeCompare(b.opens));
}
