import { Migration } from '@mikro-orm/migrations';

/**
 * The statistics fact rows (migration stats_fact) are refreshed once per transaction, at its
 * commit, instead of once per statement.
 *
 * Why: one report through intake writes the incident, the reported identity, naloxone doses, the
 * case and its first events, each in its own statement, and every one of them refreshed the same
 * unit: deleted its fact row and inserted it again, and each of those moved the day, week and
 * month cells (migration stats_cells) down and up again. Measured on one incident, that was ~8 ms
 * of PostgreSQL's time per statement; it was most of the database's work in the test suite, and
 * the same on a real intake. The cells a reader sees after the commit are the same.
 *
 * How: `stats_fact_refresh(units)`, which every statement trigger of the fact table calls, now
 * only notes the units in `stats_fact_pending` (one row per transaction and unit). A deferred
 * constraint trigger on that table runs when the transaction commits (constraint triggers must
 * be row triggers; the first one to fire takes every unit the transaction noted, later ones find
 * none) and refreshes them with `stats_fact_refresh_now`, the old body, written in PL/pgSQL so
 * its plans are kept for the session rather than planned again on every call as a SQL
 * function's are.
 *
 * A transaction that must read its own facts before it commits (a test that rolls back) runs
 * `set constraints stats_fact_flush immediate` first.
 *
 * What does not change: a statement that runs while hub.stats_rollup is 'off' notes nothing
 * (its trigger returns first), a rolled-back savepoint forgets what it noted, and the rebuild
 * (refreshStatsRollup) still rewrites everything. The table is unlogged: its rows never outlive
 * their transaction, so there is nothing to recover after a crash.
 */
export class Migration20261208000000_stats_fact_at_commit extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create unlogged table stats_fact_pending (
      txid bigint not null,
      unit_id uuid not null,
      primary key (txid, unit_id));`);

    this.addSql(`create or replace function stats_fact_refresh_now(p_units uuid[]) returns void
      language plpgsql as $$
      begin
        delete from stats_fact where unit_id = any(p_units);
        insert into stats_fact select * from stats_fact_source where unit_id = any(p_units);
      end $$;`);

    this.addSql(`create or replace function stats_fact_refresh(p_units uuid[]) returns void
      language sql as $$
      insert into stats_fact_pending (txid, unit_id)
      select txid_current(), u from unnest(p_units) u
      on conflict do nothing $$;`);

    this.addSql(`create or replace function stats_fact_flush() returns trigger
      language plpgsql as $$
      declare
        v_units uuid[];
      begin
        with taken as (
          delete from stats_fact_pending where txid = txid_current() returning unit_id)
        select array_agg(unit_id order by unit_id) into v_units from taken;
        if v_units is not null then
          perform stats_fact_refresh_now(v_units);
        end if;
        return null;
      end $$;`);

    this.addSql(`create constraint trigger stats_fact_flush after insert on stats_fact_pending
      deferrable initially deferred for each row execute function stats_fact_flush();`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop trigger if exists stats_fact_flush on stats_fact_pending;`);
    this.addSql(`drop function if exists stats_fact_flush();`);
    this.addSql(`create or replace function stats_fact_refresh(p_units uuid[]) returns void
      language sql as $$
      delete from stats_fact where unit_id = any(p_units);
      insert into stats_fact select * from stats_fact_source where unit_id = any(p_units);
    $$;`);
    this.addSql(`drop function if exists stats_fact_refresh_now(uuid[]);`);
    this.addSql(`drop table if exists stats_fact_pending;`);
  }
}
