import { feature } from 'topojson-client';
import type { GeometryCollection, Topology } from 'topojson-specification';
import type { MultiPolygon, Polygon, Position } from 'geojson';

/**
 * The phone's position → county FIPS code, with the Census county boundaries of `us-atlas`
 * (1:10,000,000, shipped with the app: works offline). Coarse at a county line: the responder
 * can correct the code in the form.
 */
export interface County {
  fips: string;
  name: string;
  /** Bounding box [west, south, east, north] and a representative point, for distances. */
  bbox: [number, number, number, number];
  center: [number, number];
  polygons: Position[][][];
}

export function countiesFromTopology(topology: Topology): County[] {
  const collection = feature(
    topology,
    topology.objects.counties as GeometryCollection<{ name: string }>,
  );
  return collection.features.flatMap((f) => {
    const geometry = f.geometry as Polygon | MultiPolygon | null;
    if (!geometry || f.id === undefined) return [];
    const polygons = geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates;
    let [w, s, e, n] = [180, 90, -180, -90];
    for (const polygon of polygons)
      for (const [x, y] of polygon[0]) {
        w = Math.min(w, x);
        e = Math.max(e, x);
        s = Math.min(s, y);
        n = Math.max(n, y);
      }
    return [
      {
        fips: String(f.id).padStart(5, '0'),
        name: f.properties?.name ?? '',
        bbox: [w, s, e, n] as [number, number, number, number],
        center: [(w + e) / 2, (s + n) / 2] as [number, number],
        polygons,
      },
    ];
  });
}

/** Even-odd ray casting on one ring (longitude/latitude treated as a plane: fine at county size). */
function inRing(point: [number, number], ring: Position[]): boolean {
  const [x, y] = point;
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i];
    const [xj, yj] = ring[j];
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

function inPolygon(point: [number, number], polygon: Position[][]): boolean {
  if (!inRing(point, polygon[0])) return false;
  return !polygon.slice(1).some((hole) => inRing(point, hole));
}

export function countyAt(counties: County[], longitude: number, latitude: number): County | null {
  const point: [number, number] = [longitude, latitude];
  return (
    counties.find(
      (c) =>
        longitude >= c.bbox[0] &&
        longitude <= c.bbox[2] &&
        latitude >= c.bbox[1] &&
        latitude <= c.bbox[3] &&
        c.polygons.some((p) => inPolygon(point, p)),
    ) ?? null
  );
}

/** Great-circle distance in km. */
export function distanceKm(a: [number, number], b: [number, number]): number {
  const rad = Math.PI / 180;
  const dLat = (b[1] - a[1]) * rad;
  const dLon = (b[0] - a[0]) * rad;
  const h =
    Math.sin(dLat / 2) ** 2 + Math.cos(a[1] * rad) * Math.cos(b[1] * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * 6371 * Math.asin(Math.sqrt(h));
}

let loaded: Promise<County[]> | undefined;
/** Loaded on first use (a separate file of the build, cached by the service worker). */
export function loadCounties(): Promise<County[]> {
  loaded ??= import('us-atlas/counties-10m.json').then((m) =>
    countiesFromTopology((m.default ?? m) as unknown as Topology),
  );
  return loaded;
}
