import { parentPort, workerData } from 'node:worker_threads';
import { bulkFieldEncryptor } from '../../crypto/field-cipher';
import {
  encryptCopyText,
  type WorkerKeys,
  type WorkerReply,
  type WorkerRequest,
} from './identity-encryption';

/** The worker thread of IdentityEncryptor: the hub's field cipher applied to COPY text. */
const { activeKeyId, keys } = workerData as WorkerKeys;
const encrypt = bulkFieldEncryptor({
  activeKeyId,
  keys: new Map(keys.map(([id, key]) => [id, Buffer.from(key)])),
});

parentPort!.on('message', ({ id, text, columns }: WorkerRequest) => {
  let reply: WorkerReply;
  try {
    reply = { id, text: encryptCopyText(encrypt, text, columns) };
  } catch (error) {
    // The cipher's own messages name a key id at most, never a value.
    reply = { id, error: error instanceof Error ? error.message : 'encryption failed' };
  }
  parentPort!.postMessage(reply);
});
