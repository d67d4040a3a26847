import { AGREEMENT_ACTIVE } from './agreement-active';
import { CONSENT_IN_FORCE } from './consent-in-force';
import { inForceSql } from './in-force-window';

/**
 * Where an identity or contact value came from: a reporting agency's report (ReportedIdentity),
 * or what an outreach agency recorded while working the person (ContactRecord).
 */
export enum SourceKind {
  REPORTED = 'REPORTED',
  RECORDED = 'RECORDED',
}

/** The consent scope under which a holder passes a report's values to a treatment provider. */
const TREATMENT_PROVIDER_SCOPE = 'SHARE_WITH_TREATMENT_PROVIDER';

/** The agreement purpose under which a reporter's identity values flow to an outreach agency. */
const IDENTITY_PURPOSE = 'FOLLOW_UP_OUTREACH';

/**
 * "May see this source", written once (DESIGN.md, identity follows its sources). A reader agency
 * sees a value only when it may see its source:
 * - its own agency recorded or reported it;
 * - a reporting agency reported it, and a data-sharing agreement from that reporter to the
 *   reader, for the report's county, is active (rules/agreement-active.ts); or a treatment-
 *   provider consent of the person naming the reader is in force, recorded by an agency that
 *   itself may see the report (the reporter, or a recipient under such an agreement);
 * - another outreach agency recorded it, and a consent of the person naming the reader, recorded
 *   by that agency (the holder shares what it holds), is in force (rules/consent-in-force.ts).
 *   A consent the reader recorded itself opens nothing of another agency's.
 * The person key never widens this: a value is never served because the person is the same.
 *
 * Column arguments are trusted SQL written by hub code: the reader's agency id, the source
 * agency id, the person id and (REPORTED) the report's county.
 */
export function sourceVisibleSql(
  kind: SourceKind,
  col: { reader: string; source: string; person: string; county?: string },
): string {
  const own = `${col.source} = ${col.reader}`;
  if (kind === SourceKind.REPORTED) {
    const agreementTo = (recipient: string, alias: string) =>
      `exists (select 1 from data_sharing_agreement ${alias}
      where ${alias}.source_agency_id = ${col.source}
        and ${alias}.recipient_agency_id = ${recipient}
        and ${alias}.purpose = '${IDENTITY_PURPOSE}'
        and ${col.county} = any(${alias}.counties)
        and ${inForceSql(AGREEMENT_ACTIVE, alias)})`;
    // A treatment-provider consent naming the reader lets an agency that holds the report's
    // values (the reporter, or a recipient under an agreement) pass them on to the provider it
    // refers the person to (issue 14 point 6). Other consents open only the recorder's own
    // values (RECORDED below), never a third agency's report.
    return `(${own} or ${agreementTo(col.reader, 'sv_dsa')} or exists (select 1 from consent sv_rc
      join app_user sv_ru on sv_ru.id = sv_rc.recorded_by_id
     where sv_rc.person_id = ${col.person}
       and sv_rc.granted_to_id = ${col.reader}
       and sv_rc.scope = '${TREATMENT_PROVIDER_SCOPE}'
       and sv_ru.agency_id <> ${col.reader}
       and ${inForceSql(CONSENT_IN_FORCE, 'sv_rc')}
       and (sv_ru.agency_id = ${col.source} or ${agreementTo('sv_ru.agency_id', 'sv_rdsa')})))`;
  }
  return `(${own} or exists (select 1 from consent sv_cn
      join app_user sv_u on sv_u.id = sv_cn.recorded_by_id
     where sv_cn.person_id = ${col.person}
       and sv_cn.granted_to_id = ${col.reader}
       and sv_u.agency_id = ${col.source}
       and ${inForceSql(CONSENT_IN_FORCE, 'sv_cn')}))`;
}
