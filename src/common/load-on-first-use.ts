/**
 * Packages that only some requests or settings need (mail, web push, passkeys, Redis, OpenID
 * Connect, migrations) are loaded when first used, not when the hub starts. Every test file
 * boots a hub, and loading them up front cost about 700 of the ~3,000 modules of each boot.
 *
 * Node's own require, fetched from the process so that jest cannot swap in its own: the package
 * is loaded once per process and kept. That also loads ESM-only packages without top-level await
 * (openid-client; Node ≥ 20.19, as package.json's engines say). Not import(): the compiled
 * CommonJS would turn it into require() anyway, and a dynamic import under jest breaks once
 * another test file of the same worker has compiled the importing module.
 */
const nodeRequire = (
  process.getBuiltinModule('node:module') as typeof import('node:module')
).createRequire(__filename);

/** A function that returns the package, loading it the first time it is called. */
export function loadOnFirstUse<T>(packageName: string): () => T {
  let loaded: T | undefined;
  return () => (loaded ??= nodeRequire(packageName) as T);
}
