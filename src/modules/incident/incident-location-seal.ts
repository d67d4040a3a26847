/**
 * An overdose's exact place is often the survivor's home, so on a case whose identity is sealed
 * (no data-sharing agreement yet) the outreach agency gets the county but not the address or
 * coordinates. The case resolver hands such an incident out as a sealed view; the permission rule
 * for the location fields asks `isLocationSealed`. A view, not a flag on the entity, so the same
 * entity read elsewhere in the request is not affected.
 */
const sealedViews = new WeakSet<object>();

export function withLocationSealed<T extends object>(incident: T): T {
  const view = Object.create(incident) as T;
  sealedViews.add(view);
  return view;
}

export function isLocationSealed(incident: unknown): boolean {
  return typeof incident === 'object' && incident !== null && sealedViews.has(incident);
}
