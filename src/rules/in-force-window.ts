/**
 * A record that is in force between a start and an optional end, unless it was ended early
 * (an agreement ended, a consent revoked). The rule is written here once, as data, and rendered
 * for each place that asks: SQL inside larger statements, a MikroORM condition, and a test on a
 * loaded record. `agreement-active.ts` and `consent-in-force.ts` name the columns.
 */
export interface InForceWindow {
  /** Property set when the record was ended before its time (null while it stands). */
  endedEarly?: string;
  /** Property from which the record holds (inclusive). */
  startsAt: string;
  /** Property until which the record holds (exclusive; null: open-ended). */
  endsAt: string;
}

const column = (property: string): string =>
  property.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/**
 * The rule as SQL on the row aliased `alias`, at `atSql` (default now()). `alias` and `atSql`
 * are trusted SQL written by hub code.
 */
export function inForceSql(rule: InForceWindow, alias: string, atSql = 'now()'): string {
  const ended = rule.endedEarly ? `${alias}.${column(rule.endedEarly)} is null and ` : '';
  return `(${ended}${alias}.${column(rule.startsAt)} <= ${atSql}
      and (${alias}.${column(rule.endsAt)} is null or ${alias}.${column(rule.endsAt)} > ${atSql}))`;
}

/** The rule as a MikroORM condition at `at`. */
export function inForceWhere(rule: InForceWindow, at: Date): Record<string, unknown> {
  return {
    ...(rule.endedEarly ? { [rule.endedEarly]: null } : {}),
    [rule.startsAt]: { $lte: at },
    $or: [{ [rule.endsAt]: null }, { [rule.endsAt]: { $gt: at } }],
  };
}

type Dated = Date | null | undefined;

/** The rule on a loaded record at `at`. */
export function isInForce(rule: InForceWindow, record: object, at: Date): boolean {
  const values = record as Record<string, Dated>;
  const ended = rule.endedEarly ? values[rule.endedEarly] : undefined;
  const start = values[rule.startsAt];
  const end = values[rule.endsAt];
  return (
    !ended &&
    start instanceof Date &&
    start.getTime() <= at.getTime() &&
    (!end || end.getTime() > at.getTime())
  );
}
