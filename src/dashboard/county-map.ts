import { createRequire } from 'node:module';
import { feature } from 'topojson-client';
import type { Topology, GeometryCollection } from 'topojson-specification';

/**
 * County outlines for the dashboard map, from the Census Bureau's cartographic boundaries as
 * shipped in `us-atlas` (counties-albers-10m.json: already projected to Albers USA, 975 × 610),
 * served by the hub itself: the page makes no request elsewhere. One state at a time, as
 * GeoJSON with the county's FIPS code and name, coordinates rounded to 0.1 px.
 */
export interface CountyShapes {
  type: 'FeatureCollection';
  features: Array<{
    type: 'Feature';
    id: string;
    properties: { name: string };
    geometry: { type: string; coordinates: unknown };
  }>;
}

const cache = new Map<string, CountyShapes>();
let topology: Topology | undefined;

const round = (value: unknown): unknown =>
  Array.isArray(value) ? value.map(round) : Math.round(Number(value) * 10) / 10;

export function countyShapes(state: string): CountyShapes | null {
  if (!/^\d{2}$/.test(state)) return null;
  const hit = cache.get(state);
  if (hit) return hit;
  topology ??= createRequire(__filename)('us-atlas/counties-albers-10m.json') as Topology;
  const counties = feature(
    topology,
    topology.objects.counties as GeometryCollection<{ name: string }>,
  );
  const features = counties.features
    .filter((f) => String(f.id).startsWith(state))
    .map((f) => ({
      type: 'Feature' as const,
      id: String(f.id),
      properties: { name: f.properties?.name ?? String(f.id) },
      geometry: {
        type: f.geometry.type,
        coordinates: round((f.geometry as { coordinates: unknown }).coordinates),
      },
    }));
  if (features.length === 0) return null;
  const shapes: CountyShapes = { type: 'FeatureCollection', features };
  cache.set(state, shapes);
  return shapes;
}
