import type { EntityManager } from '@mikro-orm/postgresql';
import { pgArray } from '../../../common/sql';
import { activeAgreementExistsSql } from '../../agency/agreement-query';
import { OPEN_STATUSES } from '../case-codes';

interface Candidate {
  agencyId: string;
  /** The reporter itself runs follow-up here (a team's own community reversal). */
  own: boolean;
  hasAgreement: boolean;
  /** Position of the agency by name, then id (PostgreSQL's collation, not JavaScript's). */
  nameRank: number;
}

interface CandidateRow {
  id: string;
  county: string;
  has_agreement: boolean;
  open_cases: number;
  name_rank: number;
}

/**
 * Who may take a new case in each county, loaded in one statement for a whole batch of reports,
 * then picked in memory: an active agency running follow-up (of any kind) serving the county, preferring the
 * reporter itself (a team's own community reversal stays with it, its values its own), then one with
 * an active data-sharing agreement with the reporter, then the lowest open caseload, then name
 * (stable). Each pick counts the new case in that agency's caseload, so a batch spreads exactly
 * as the same reports sent one by one would.
 */
export class AgencyRouter {
  private constructor(
    private readonly candidatesByCounty: Map<string, Candidate[]>,
    private readonly openCases: Map<string, number>,
  ) {}

  static async load(
    em: EntityManager,
    counties: readonly string[],
    reportingAgencyId: string,
  ): Promise<AgencyRouter> {
    const distinct = [...new Set(counties)];
    const rows =
      distinct.length === 0
        ? []
        : await em.getConnection().execute<CandidateRow[]>(
            `select a.id, c.county,
                    ${activeAgreementExistsSql('?::uuid', 'a.id', 'c.county')} as has_agreement,
                    (select count(*) from overdose_case oc
                      where oc.routed_agency_id = a.id
                        and oc.status = any(?::case_status[]))::int as open_cases,
                    dense_rank() over (order by a.name asc, a.id asc)::int as name_rank
               from unnest(?::text[]) as c(county)
               join agency a on a.active and a.runs_follow_up
                            and c.county = any(a.service_counties)`,
            [reportingAgencyId, pgArray(OPEN_STATUSES), pgArray(distinct)],
            'all',
            em.getTransactionContext(),
          );
    const byCounty = new Map<string, Candidate[]>();
    const openCases = new Map<string, number>();
    for (const row of rows) {
      const list = byCounty.get(row.county) ?? [];
      list.push({
        agencyId: row.id,
        own: row.id === reportingAgencyId,
        hasAgreement: row.has_agreement,
        nameRank: row.name_rank,
      });
      byCounty.set(row.county, list);
      openCases.set(row.id, row.open_cases);
    }
    return new AgencyRouter(byCounty, openCases);
  }

  /**
   * The agency to refer a new case in `county` to, never one of `excluded` (agencies that were
   * already referred the case); undefined when no agency is left. The pick joins its caseload.
   */
  pick(county: string, excluded: readonly string[] = []): string | undefined {
    let best: Candidate | undefined;
    for (const candidate of this.candidatesByCounty.get(county) ?? []) {
      if (excluded.includes(candidate.agencyId)) continue;
      if (!best || this.ranksBefore(candidate, best)) best = candidate;
    }
    if (!best) return undefined;
    this.openCases.set(best.agencyId, (this.openCases.get(best.agencyId) ?? 0) + 1);
    return best.agencyId;
  }

  private ranksBefore(a: Candidate, b: Candidate): boolean {
    if (a.own !== b.own) return a.own;
    if (a.hasAgreement !== b.hasAgreement) return a.hasAgreement;
    const caseloadA = this.openCases.get(a.agencyId) ?? 0;
    const caseloadB = this.openCases.get(b.agencyId) ?? 0;
    if (caseloadA !== caseloadB) return caseloadA < caseloadB;
    return a.nameRank < b.nameRank;
  }
}
