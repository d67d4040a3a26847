/** Parsing helpers shared by the NEMSIS and RMS mappers. They never echo the value they read. */

const DATE_TIME_WITH_OFFSET =
  /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/i;
const LOCAL_DATE_TIME = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?$/;

/**
 * A date-time with its UTC offset (NEMSIS always carries one). Without an offset the time is
 * ambiguous, so it is only accepted when the caller names the offset to assume.
 */
export function parseDateTime(
  value: string,
  assumedOffset?: string,
): { date?: Date; problem?: string } {
  let text = value.trim();
  if (!DATE_TIME_WITH_OFFSET.test(text)) {
    if (!LOCAL_DATE_TIME.test(text)) {
      return { problem: 'must be a date and time such as 2026-10-03T14:22:00-04:00' };
    }
    if (!assumedOffset) {
      return { problem: 'has no UTC offset (add one, e.g. -04:00, or pass --utc-offset)' };
    }
    text = `${text}${assumedOffset}`;
  }
  const date = new Date(text.replace(' ', 'T').replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
  if (Number.isNaN(date.getTime())) return { problem: 'is not a real date and time' };
  return { date };
}

/** A decimal number, or undefined with a problem. */
export function parseDecimal(value: string): number | undefined {
  const text = value.trim();
  if (!/^[+-]?(\d+(\.\d*)?|\.\d+)$/.test(text)) return undefined;
  return Number(text);
}
