import 'reflect-metadata';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PERMISSIONS } from '../permissions';
import { renderPermissionsDoc } from '../permissions/permissions-doc';
import { format } from 'prettier';
import { buildBareSchema } from '../schema';

/** Writes docs/permissions.md, or with --check fails when the committed file is stale. */
async function main(): Promise<void> {
  const file = join(__dirname, '..', '..', '..', 'docs', 'permissions.md');
  // Formatted like every other file, so `prettier --check .` in CI agrees with the generator.
  const rendered = await format(renderPermissionsDoc(await buildBareSchema(), PERMISSIONS), {
    filepath: file,
  });
  if (process.argv.includes('--check')) {
    let committed = '';
    try {
      committed = readFileSync(file, 'utf8');
    } catch {
      // A missing file is stale too.
    }
    if (committed !== rendered) {
      console.error('docs/permissions.md is stale: run `npm run docs:permissions` and commit it.');
      process.exit(1);
    }
    console.log('docs/permissions.md is current.');
    return;
  }
  writeFileSync(file, rendered);
  console.log(`wrote ${file}`);
}

void main();
