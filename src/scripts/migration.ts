import 'reflect-metadata';
import { loadConfig } from '../config';
import { openDatabase } from '../database';

/**
 * `up` applies migrations; `create` writes a new one from the entity/database difference;
 * `check` applies them and fails when the entities still differ from the migrated schema
 * (someone changed an entity without a migration). Uses DATABASE_URL, or the embedded database.
 */
async function main(): Promise<void> {
  const command = process.argv[2];
  const config = loadConfig(process.env);
  const db = await openDatabase(config);
  try {
    const migrator = db.orm.getMigrator();
    if (command === 'up') {
      const applied = await migrator.up();
      console.log(`applied ${applied.length} migration(s)`);
    } else if (command === 'create') {
      await migrator.up();
      const result = await migrator.createMigration(undefined, false, false, process.argv[3]);
      console.log(result.fileName ? `created ${result.fileName}` : 'no changes: nothing to create');
    } else if (command === 'check') {
      await migrator.up();
      const needed = await migrator.checkMigrationNeeded();
      if (needed) {
        const diff = await db.orm.getSchemaGenerator().getUpdateSchemaSQL({ wrap: false });
        console.error(
          'Entities and migrations disagree; `npm run migration:create` would add:\n' + diff,
        );
        process.exitCode = 1;
      } else {
        console.log('migrations match the entities.');
      }
    } else {
      console.error('usage: migration.js up | create [name] | check');
      process.exitCode = 2;
    }
  } finally {
    await db.close();
  }
}

void main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
