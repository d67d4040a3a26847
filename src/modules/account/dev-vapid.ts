import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import webpush from 'web-push';
import type { ReadyConfig } from '../../config';
import type { Logger } from '../../logger';

/**
 * Outside production, push reminders work on a fresh `npm start`: VAPID keys are made once and
 * kept beside the embedded database (browsers' subscriptions are bound to the public key, so
 * new keys on every start would silently drop them). Production sets VAPID_* itself.
 */
export function withDevVapid(config: ReadyConfig, logger: Logger): ReadyConfig {
  if (config.account.vapid || config.env === 'production') return config;
  const memory = config.database.kind === 'embedded' && config.database.storage === 'memory';
  const file = join(config.dataDir, 'vapid.json');
  let keys: { publicKey: string; privateKey: string };
  if (!memory && existsSync(file)) {
    keys = JSON.parse(readFileSync(file, 'utf8')) as typeof keys;
  } else {
    keys = webpush.generateVAPIDKeys();
    if (!memory) {
      mkdirSync(config.dataDir, { recursive: true });
      writeFileSync(file, JSON.stringify(keys), { mode: 0o600 });
    }
  }
  logger.warn(
    { storage: memory ? 'memory' : file },
    'using generated development VAPID keys for push reminders',
  );
  return {
    ...config,
    account: { ...config.account, vapid: { ...keys, subject: 'mailto:hub-admin@localhost' } },
  };
}
