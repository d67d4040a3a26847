import { Migration } from '@mikro-orm/migrations';
import { latLngToCell } from 'h3-js';
import { encryptField, type KeyRing } from '../src/crypto/field-cipher';
import { identityKeyRing } from '../src/crypto/identity-keys';

/** H3 resolution of the statistics cell (incident-data.ts STATISTICS_H3_RESOLUTION). */
const RESOLUTION = 7;

/**
 * Issue 14 point 7: the incident's place (street, city, ZIP, coordinates) and visit notes are
 * encrypted like identity. Coordinates become text columns (the ciphertext); every incident with
 * coordinates gets its coarse H3 cell, which survives the retention purge.
 *
 * Existing plaintext is encrypted here when the hub starts with its identity keys (the server
 * migrates after installing them). The bare migration script has no keys: the values then stay
 * legacy plaintext, read as such, and `npm run cli -- reencrypt-identity` encrypts them.
 */
export class Migration20261207053000_location_at_rest extends Migration {
  override async up(): Promise<void> {
    await this.execute(
      `alter table "overdose_incident"
         alter column "latitude" type text using "latitude"::text,
         alter column "longitude" type text using "longitude"::text,
         add column "h3_cell" text null;`,
    );
    let ring: KeyRing | undefined;
    try {
      ring = identityKeyRing();
    } catch {
      ring = undefined;
    }
    const seal = (value: unknown): string | null =>
      value === null || value === undefined
        ? null
        : ring
          ? encryptField(ring, String(value))
          : String(value);
    const incidents = (await this.execute(
      `select id, street, city, zip, latitude, longitude from "overdose_incident"
        where street is not null or city is not null or zip is not null or latitude is not null`,
    )) as Array<Record<string, string | null>>;
    for (const row of incidents) {
      const cell =
        row.latitude !== null && row.longitude !== null
          ? latLngToCell(Number(row.latitude), Number(row.longitude), RESOLUTION)
          : null;
      await this.execute(
        `update "overdose_incident" set street = ?, city = ?, zip = ?, latitude = ?, longitude = ?,
                h3_cell = ? where id = ?`,
        [
          seal(row.street),
          seal(row.city),
          seal(row.zip),
          seal(row.latitude),
          seal(row.longitude),
          cell,
          row.id,
        ],
      );
    }
    if (ring) {
      const attempts = (await this.execute(
        `select id, notes from "outreach_attempt" where notes is not null`,
      )) as Array<{ id: string; notes: string }>;
      for (const row of attempts) {
        await this.execute(`update "outreach_attempt" set notes = ? where id = ?`, [
          seal(row.notes),
          row.id,
        ]);
      }
    }
  }

  override async down(): Promise<void> {
    // Coordinates can only go back to numbers once they are plaintext again.
    this.addSql(`alter table "overdose_incident" drop column "h3_cell";`);
    this.addSql(
      `alter table "overdose_incident"
         alter column "latitude" type double precision using "latitude"::double precision,
         alter column "longitude" type double precision using "longitude"::double precision;`,
    );
  }
}
