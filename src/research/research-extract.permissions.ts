import { Role } from '../common/role';
import { allowRoles, fields, type PermissionMap } from '../permissions/access';

const researcher = allowRoles(
  'researcher',
  [Role.RESEARCHER],
  'every county; pseudonymised rows, k-anonymous on month, county, age band and sex',
);

/** The extract's own types: researchers only (DESIGN.md matrix, "pseudonymised (month, county)"). */
export const researchExtractPermissions: PermissionMap = {
  Query: { researchExtract: researcher },
  ResearchExtract: fields(
    [
      'extractId',
      'k',
      'fromMonth',
      'toMonth',
      'rowCount',
      'suppressedRowCount',
      'generalisedRowCount',
      'generalised',
      'rows',
    ],
    researcher,
  ),
  ResearchExtractRow: fields(
    [
      'personKey',
      'month',
      'county',
      'ageBand',
      'sex',
      'fatal',
      'naloxoneGiven',
      'contacted',
      'engaged',
      'linked',
      'repeatOverdoseWithin90Days',
      'leadEnrolled',
      'period',
      'area',
      'generalisationLevel',
      'officerPresence',
      'hoursToFirstAttempt',
      'hoursToFirstContact',
      'attempts',
      'substanceCategories',
      'emsDisposition',
      'caseSource',
    ],
    researcher,
  ),
  ExtractGeneralisation: fields(['level', 'period', 'area', 'ageBands', 'rows'], researcher),
};
