import { Migration } from '@mikro-orm/migrations';

/**
 * Issue 14 point 2: a community reversal is counted under its own source. The statistics unit's
 * `case_source` (dimension CASE_SOURCE) was the reporting agency's kind; a report whose source is
 * COMMUNITY now counts as COMMUNITY whoever sent it (police or EMS who learnt of a bystander's
 * reversal, an outreach team). Only that expression of the view changes, found in its stored
 * definition as migration identity_sources does; every existing report is EMERGENCY_RESPONSE by
 * default, so stats_fact answers the same for all of them and needs no rebuild.
 */
export class Migration20261207171100_community_source extends Migration {
  override async up(): Promise<void> {
    this.addSql(`do $$
      declare
        old_def text := pg_get_viewdef('stats_fact_source'::regclass);
        new_def text;
      begin
        new_def := regexp_replace(old_def,
          '[(] SELECT\\s+CASE a[.]kind(.*)AS case_source',
          'CASE WHEN (i.source = ''COMMUNITY''::overdose_source) THEN ''COMMUNITY''::text ELSE ( SELECT CASE a.kind\\1END AS case_source');
        if new_def = old_def then
          raise exception 'stats_fact_source: case_source expression not found';
        end if;
        execute 'create or replace view stats_fact_source as ' || new_def;
      end $$;`);
  }

  override async down(): Promise<void> {
    this.addSql(`do $$
      declare
        old_def text := pg_get_viewdef('stats_fact_source'::regclass);
        new_def text;
      begin
        new_def := regexp_replace(old_def,
          'CASE\\s+WHEN [(]i[.]source = ''COMMUNITY''::overdose_source[)] THEN ''COMMUNITY''::text\\s+ELSE [(] SELECT(.*)END AS case_source',
          '( SELECT\\1AS case_source');
        execute 'create or replace view stats_fact_source as ' || new_def;
      end $$;`);
  }
}
