import { Migration } from '@mikro-orm/migrations';

/**
 * Issue 15 point 2, no differencing: the ledger of shared-statistics regions answered to each
 * agency (src/modules/stats/overlap-guard.ts), for query-overlap control and its budget.
 */
export class Migration20261207140000_stats_query_ledger extends Migration {
  override async up(): Promise<void> {
    // seq orders the questions: each is compared with those written before it, so two asked at
    // once cannot both miss each other (overlap-guard.ts writes nextval of the sequence).
    this.addSql(`create sequence if not exists "stats_query_ledger_seq";`);
    this.addSql(`create table "stats_query_ledger" (
      "caller" uuid not null, "scope" text not null, "action" text not null,
      "region_text" text not null, "first_asked_at" timestamptz not null default now(),
      "seq" bigint not null,
      constraint "stats_query_ledger_pkey" primary key ("caller", "scope", "action", "region_text"));`);
    this.addSql(
      `create index "stats_query_ledger_caller_first_asked_at_index" on "stats_query_ledger" ("caller", "first_asked_at");`,
    );
  }

  override async down(): Promise<void> {
    this.addSql('drop table if exists "stats_query_ledger" cascade;');
    this.addSql('drop sequence if exists "stats_query_ledger_seq";');
  }
}
