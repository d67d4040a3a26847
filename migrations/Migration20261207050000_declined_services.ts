import { Migration } from '@mikro-orm/migrations';

/**
 * Declining is not do-not-contact (issue 13): the close reason DECLINED becomes
 * DECLINED_SERVICES, a new overdose of a person who asked not to be contacted opens a case
 * DO_NOT_CONTACT_ON_FILE, and the wish may carry a review date. Until now the only way the hub
 * set do-not-contact was closing a case DECLINED, in the same transaction: such flags (set within
 * a minute of a DECLINED close of the person's) are cleared, so those people's next overdose is
 * routed as usual.
 */
export class Migration20261207050000_declined_services extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter type "close_reason" rename value 'DECLINED' to 'DECLINED_SERVICES';`);
    this.addSql(
      `alter type "case_status" add value if not exists 'DO_NOT_CONTACT_ON_FILE' before 'CLOSED';`,
    );
    this.addSql(`alter table "person" add column "do_not_contact_review_on" timestamptz null;`);
    this.addSql(
      `update "person" p set "do_not_contact" = false, "do_not_contact_since" = null,
              "updated_at" = now()
        where p."do_not_contact"
          and exists (select 1 from "overdose_case" c
                       where c."person_id" = p."id"
                         and c."close_reason" = 'DECLINED_SERVICES'
                         and c."closed_at" between p."do_not_contact_since" - interval '1 minute'
                                               and p."do_not_contact_since" + interval '1 minute');`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "person" drop column "do_not_contact_review_on";`);
    this.addSql(`alter type "close_reason" rename value 'DECLINED_SERVICES' to 'DECLINED';`);
    // PostgreSQL cannot drop an enum value; DO_NOT_CONTACT_ON_FILE stays unused.
  }
}
