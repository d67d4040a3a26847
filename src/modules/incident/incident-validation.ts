import type { EntityManager } from '@mikro-orm/postgresql';
import type { HubConfig } from '../../config';
import { Role } from '../../common/role';
import { pgArray } from '../../common/sql';
import type { FieldProblem } from '../../errors/hub-errors';
import { validateInput } from '../../errors/validation-problems';
import type { Viewer } from '../../auth/viewer';
import { OverdoseSource, RESPONDER_ADMINISTRATION } from './incident-codes';
import type { ReportIncidentInput } from './incident.input';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** A dose recorded more than this long before the reported time is a data-entry error. */
const MAX_DOSE_BEFORE_INCIDENT_MS = 12 * HOUR;

/**
 * Everything that can be wrong with one report, as field problems under `path` (e.g. `input` or
 * `inputs.3`). Checks that need the database (the county's coverage) are done by the caller in
 * one query per batch.
 */
export async function reportProblems(
  input: ReportIncidentInput,
  path: string,
  viewer: Viewer,
  config: HubConfig,
  now = new Date(),
  { backfill = false }: { backfill?: boolean } = {},
): Promise<FieldProblem[]> {
  const problems = await validateInput(input, path);
  const latest = now.getTime() + config.intake.clockSkewMinutes * 60_000;
  const earliest = now.getTime() - config.intake.maxIncidentAgeDays * DAY;
  const occurredAt = input.occurredAt?.getTime();

  if (occurredAt > latest)
    problems.push({ field: `${path}.occurredAt`, message: 'is in the future' });
  if (occurredAt < earliest && !backfill) {
    problems.push({
      field: `${path}.occurredAt`,
      message: `is more than ${config.intake.maxIncidentAgeDays} days ago (send older reports as a backfill)`,
    });
  }
  input.naloxone?.forEach((dose, i) => {
    const at = dose.administeredAt?.getTime();
    if (at === undefined) return;
    if (at > latest) {
      problems.push({ field: `${path}.naloxone.${i}.administeredAt`, message: 'is in the future' });
    } else if (at < occurredAt - MAX_DOSE_BEFORE_INCIDENT_MS) {
      problems.push({
        field: `${path}.naloxone.${i}.administeredAt`,
        message: 'is more than 12 hours before occurredAt',
      });
    }
  });
  if (input.emsDisposition && viewer.role !== Role.EMS_PROVIDER) {
    problems.push({ field: `${path}.emsDisposition`, message: 'can only be reported by EMS' });
  }
  problems.push(...sourceProblems(input, path, viewer));
  if (
    (input.latitude === undefined || input.latitude === null) !==
    (input.longitude === undefined || input.longitude === null)
  ) {
    problems.push({ field: `${path}.longitude`, message: 'latitude and longitude go together' });
  }
  const dob = input.survivor?.dateOfBirth;
  if (dob && /^\d{4}-\d{2}-\d{2}$/.test(dob)) {
    const problem = dateOfBirthProblem(dob, now);
    if (problem) problems.push({ field: `${path}.survivor.dateOfBirth`, message: problem });
  }
  return problems;
}

/**
 * A community reversal is naloxone given by someone other than an emergency responder; an
 * outreach worker reports nothing else (a 911 response is police's or EMS's to report).
 */
function sourceProblems(input: ReportIncidentInput, path: string, viewer: Viewer): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const community = input.source === OverdoseSource.COMMUNITY;
  if (viewer.role === Role.OUTREACH_WORKER && !community) {
    problems.push({
      field: `${path}.source`,
      message: 'outreach workers report community reversals only (source COMMUNITY)',
    });
  }
  if (community) {
    input.naloxone?.forEach((dose, i) => {
      if (RESPONDER_ADMINISTRATION.includes(dose.administeredBy)) {
        problems.push({
          field: `${path}.naloxone.${i}.administeredBy`,
          message: `a community reversal is not given by ${dose.administeredBy} (report it as EMERGENCY_RESPONSE)`,
        });
      }
    });
  }
  return problems;
}

/**
 * What intake itself records about a valid report: whether it is history (a backfill of a report
 * older than the intake limit) and the case definition that admitted it.
 */
export function intakeFacts(
  input: ReportIncidentInput,
  config: HubConfig,
  options: { backfill?: boolean; caseDefinition?: { name: string; version: number } },
  now = new Date(),
): { historical: boolean; caseDefinition?: string; caseDefinitionVersion?: number } {
  const earliest = now.getTime() - config.intake.maxIncidentAgeDays * DAY;
  return {
    historical: options.backfill === true && input.occurredAt.getTime() < earliest,
    caseDefinition: options.caseDefinition?.name,
    caseDefinitionVersion: options.caseDefinition?.version,
  };
}

export function dateOfBirthProblem(dob: string, now: Date): string | undefined {
  const parsed = new Date(`${dob}T00:00:00Z`);
  if (Number.isNaN(parsed.getTime()) || parsed.toISOString().slice(0, 10) !== dob) {
    return 'is not a real calendar date';
  }
  if (parsed.getTime() > now.getTime()) return 'is in the future';
  if (parsed.getUTCFullYear() < 1900) return 'is before 1900';
  return undefined;
}

/** The subset of `counties` served by at least one active agency (one query for a whole batch). */
export async function coveredCounties(em: EntityManager, counties: string[]): Promise<Set<string>> {
  if (counties.length === 0) return new Set();
  const rows = await em.getConnection().execute<Array<{ county: string }>>(
    `select distinct c.county from unnest(?::text[]) as c(county)
      where exists (select 1 from agency a where a.active and c.county = any(a.service_counties))`,
    [pgArray([...new Set(counties)].filter((c) => /^\d{5}$/.test(c)))],
  );
  return new Set(rows.map((r) => r.county));
}
