import { agencyPermissions } from '../modules/agency/agency.permissions';
import { agreementPermissions } from '../modules/agency/agreement.permissions';
import { mergePermissions } from './merge';

/** The one permission map of the hub, merged from every module's `*.permissions.ts`. */
export const PERMISSIONS = mergePermissions(agencyPermissions, agreementPermissions);
