import { memoryBackend, SecureStore } from '../src/offline/secure-store';

describe('the encrypted store on the phone', () => {
  it('reads back what it wrote; what it keeps is ciphertext under a non-extractable key', async () => {
    const backend = memoryBackend();
    const store = await SecureStore.open(backend);
    await store.put('profile', { name: 'Rosa Demo', phone: '828-555-0147' });
    expect(await store.get('profile')).toEqual({ name: 'Rosa Demo', phone: '828-555-0147' });
    const sealed = backend.raw.get('profile') as { data: ArrayBuffer };
    expect(Buffer.from(sealed.data).toString('utf8')).not.toContain('Rosa');
    const key = backend.raw.get('__key') as CryptoKey;
    expect(key.extractable).toBe(false);
    await expect(crypto.subtle.exportKey('raw', key)).rejects.toThrow();
  });

  it('a store opened again on the same backend reads the data (same key)', async () => {
    const backend = memoryBackend();
    await (await SecureStore.open(backend)).put('x', [1, 2]);
    expect(await (await SecureStore.open(backend)).get('x')).toEqual([1, 2]);
  });

  it('wipe removes data and key: a new store cannot read an old copy', async () => {
    const backend = memoryBackend();
    const store = await SecureStore.open(backend);
    await store.put('x', 'secret');
    const copy = backend.raw.get('x');
    await store.wipe();
    expect(backend.raw.size).toBe(0);
    const fresh = await SecureStore.open(backend);
    await backend.set('x', copy);
    await expect(fresh.get('x')).rejects.toThrow();
  });
});
