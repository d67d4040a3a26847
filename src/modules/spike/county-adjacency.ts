import { readFileSync } from 'node:fs';
import { neighbors } from 'topojson-client';
import type { GeometryCollection, Topology } from 'topojson-specification';

/**
 * Counties that share a border, from the Census Bureau's county boundaries as the `us-atlas`
 * package ships them (cartographic 1:10m). Computed once, on first use (about 0.1 s), from the
 * installed package: no network.
 */
let adjacency: Map<string, readonly string[]> | undefined;
let names: Map<string, string> | undefined;

function load(): void {
  const topology = JSON.parse(
    readFileSync(require.resolve('us-atlas/counties-10m.json'), 'utf8'),
  ) as Topology<{ counties: GeometryCollection<{ name: string }> }>;
  const geometries = topology.objects.counties.geometries;
  const lists = neighbors(geometries);
  adjacency = new Map();
  names = new Map();
  geometries.forEach((geometry, i) => {
    const id = String(geometry.id);
    adjacency!.set(id, lists[i].map((j) => String(geometries[j].id)).sort());
    names!.set(id, (geometry.properties as { name?: string } | undefined)?.name ?? id);
  });
}

/** Bordering counties of a FIPS code; none for a code that is not a county in the atlas. */
export function neighbouringCounties(county: string): readonly string[] {
  if (!adjacency) load();
  return adjacency!.get(county) ?? [];
}

/** The county's name in the atlas (e.g. "Alamance"), or undefined for an unknown code. */
export function countyName(county: string): string | undefined {
  if (!names) load();
  return names!.get(county);
}
