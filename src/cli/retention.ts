import { purgeIdentities } from '../modules/retention/retention.service';
import { print } from './output';
import type { CliSession } from './session';

/**
 * `purge-identities [--dry-run]`: removes the identity of people whose cases all closed more
 * than RETENTION_DAYS ago (what the server also does daily). Prints counts only, never a value
 * or an id; the person ids of each batch are in its RETENTION_PURGE audit row.
 */
export async function purgeIdentitiesCommand(
  { em, config }: CliSession,
  options: { dryRun?: boolean },
): Promise<void> {
  const summary = await purgeIdentities(em, { ...config.retention, dryRun: options.dryRun });
  const verb = summary.dryRun ? 'would purge' : 'purged';
  print(
    `${verb} the identity of ${summary.persons} person(s) whose cases all closed before ` +
      `${summary.cutoff.toISOString()} (RETENTION_DAYS=${config.retention.retentionDays})`,
  );
  print(`${verb} ${summary.reportedIdentities} reported identit(ies)`);
  if (!summary.dryRun) print(`${summary.batches} batch(es), each audited as RETENTION_PURGE`);
}
