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
  for (const user of users) {
    const token = await signUserToken(config.auth, user.userId);
    lines.push(`  ${user.role.padEnd(18)} ${token}`);
  }
  const example = users[0] && (await signUserToken(config.auth, users[0].userId));
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
