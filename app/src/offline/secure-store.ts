/**
 * What the app keeps on the phone, encrypted at rest: AES-GCM with a key made by WebCrypto as
 * non-extractable. The key object is kept in IndexedDB (the browser stores it without ever
 * handing its bytes to a script), so a copy of the stored data is unreadable without this
 * browser profile; wiping deletes key and data together.
 */
export interface Backend {
  get(key: string): Promise<unknown>;
  set(key: string, value: unknown): Promise<void>;
  delete(key: string): Promise<void>;
  keys(): Promise<string[]>;
  /** Removes everything, the key included. */
  destroy(): Promise<void>;
}

interface Sealed {
  iv: Uint8Array<ArrayBuffer>;
  data: ArrayBuffer;
}

const KEY_NAME = '__key';

export class SecureStore {
  private constructor(
    private readonly backend: Backend,
    private readonly key: CryptoKey,
  ) {}

  static async open(backend: Backend, subtle: SubtleCrypto = crypto.subtle): Promise<SecureStore> {
    let key = (await backend.get(KEY_NAME)) as CryptoKey | undefined;
    if (!key) {
      key = await subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, [
        'encrypt',
        'decrypt',
      ]);
      await backend.set(KEY_NAME, key);
    }
    return new SecureStore(backend, key);
  }

  async put(name: string, value: unknown): Promise<void> {
    const iv = crypto.getRandomValues(new Uint8Array(new ArrayBuffer(12)));
    const plain = new TextEncoder().encode(JSON.stringify(value));
    const data = await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, this.key, plain);
    await this.backend.set(name, { iv, data } satisfies Sealed);
  }

  async get<T>(name: string): Promise<T | undefined> {
    const sealed = (await this.backend.get(name)) as Sealed | undefined;
    if (!sealed) return undefined;
    const plain = await crypto.subtle.decrypt(
      { name: 'AES-GCM', iv: sealed.iv },
      this.key,
      sealed.data,
    );
    return JSON.parse(new TextDecoder().decode(plain)) as T;
  }

  async remove(name: string): Promise<void> {
    await this.backend.delete(name);
  }

  /** Deletes everything on the device, the key included. */
  async wipe(): Promise<void> {
    await this.backend.destroy();
  }
}

/** A backend in memory (tests, and a browser without IndexedDB). */
export function memoryBackend(): Backend & { raw: Map<string, unknown> } {
  const raw = new Map<string, unknown>();
  return {
    raw,
    get: async (k) => raw.get(k),
    set: async (k, v) => void raw.set(k, v),
    delete: async (k) => void raw.delete(k),
    keys: async () => [...raw.keys()],
    destroy: async () => raw.clear(),
  };
}

const DB_NAME = 'hub-field-app';
const STORE = 'kv';

function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

/** IndexedDB: one object store of key → value (CryptoKey objects included). */
export async function indexedDbBackend(): Promise<Backend> {
  const open = indexedDB.open(DB_NAME, 2);
  open.onupgradeneeded = () => {
    if (!open.result.objectStoreNames.contains(STORE)) open.result.createObjectStore(STORE);
  };
  const db = await request(open);
  const store = (mode: IDBTransactionMode) => db.transaction(STORE, mode).objectStore(STORE);
  return {
    get: (k) => request(store('readonly').get(k)),
    set: async (k, v) => void (await request(store('readwrite').put(v, k))),
    delete: async (k) => void (await request(store('readwrite').delete(k))),
    keys: async () => (await request(store('readonly').getAllKeys())).map(String),
    // The backend is spent after this; the next SecureStore.open makes a new one.
    destroy: async () => {
      db.close();
      await request(indexedDB.deleteDatabase(DB_NAME));
    },
  };
}
