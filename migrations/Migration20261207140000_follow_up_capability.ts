import { Migration } from '@mikro-orm/migrations';

/**
 * Issue 14 point 1: running follow-up is a capability the hub admin gives an agency, not its
 * kind. Harm-reduction agencies ran it implicitly (routing picked only them); a treatment agency
 * that already holds outreach workers keeps them, so it runs follow-up too.
 */
export class Migration20261207140000_follow_up_capability extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "agency" add column "runs_follow_up" boolean not null default false;`);
    this.addSql(
      `update "agency" a set runs_follow_up = true
        where a.kind = 'HARM_REDUCTION'
           or (a.kind not in ('LAW_ENFORCEMENT', 'RESEARCH')
               and exists (select 1 from app_user u
                            where u.agency_id = a.id and u.role = 'OUTREACH_WORKER'))`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "agency" drop column "runs_follow_up";`);
  }
}
