const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Ids that are not UUIDs can never match a row: answer "not found" without asking PostgreSQL. */
export const isUuid = (value: string): boolean => UUID.test(value);
