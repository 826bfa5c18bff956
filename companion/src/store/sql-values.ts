/**
 * JSON for a jsonb parameter. Passed as text because `pg` turns JS arrays into PostgreSQL arrays,
 * not JSON.
 */
export function toJson(value: unknown): string {
  return JSON.stringify(value ?? null);
}

/** pg returns int8 (bigserial ids, counts) as strings; these stay strings for ids, numbers for counts. */
export function toCount(value: string | number | bigint | null | undefined): number {
  return value === null || value === undefined ? 0 : Number(value);
}
