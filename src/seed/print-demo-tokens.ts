import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ReadyConfig } from '../config';
import { signUserToken } from '../auth/tokens';
import type { DemoUser } from './demo-data';

/** Prints a token and a ready curl line per demo role (to stdout: this is for the person at the terminal). */
export async function printDemoTokens(
  config: ReadyConfig,
  url: string,
  users: DemoUser[],
): Promise<void> {
  const lines: string[] = ['', `Demo tokens (valid ${config.auth.tokenTtl}):`, ''];
  const tokens: Record<string, string> = {};
  for (const user of users) {
    tokens[user.key] = await signUserToken(config.auth, user.userId);
    lines.push(`  ${user.key.padEnd(19)} ${tokens[user.key]}`);
  }
  // Kept beside the demo database (owner-only) for `npm run walkthrough`.
  mkdirSync(config.dataDir, { recursive: true });
  const file = join(config.dataDir, 'demo-tokens.json');
  writeFileSync(file, JSON.stringify({ url, tokens }, null, 2), { mode: 0o600 });
  lines.push('', `(also written to ${file} for npm run walkthrough)`);
  const example = users[0] && tokens[users[0].key];
  if (example) {
    lines.push(
      '',
      'Try it:',
      `  curl -s ${url} -H 'content-type: application/json' \\`,
      `    -H 'authorization: Bearer ${example}' \\`,
      `    -d '{"query":"{ me { role agency { name } user { displayName } } }"}'`,
      '',
    );
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}
