// The numbers and shapes of the trust overview: trust as people read it, histogram bars
// and a trend line as SVG coordinates (no chart library: a few lines do it).

export interface Bucket {
  lower: number;
  upper: number;
  count: number;
}

export interface Point {
  at: string;
  mean: number;
}

/** Trust shown in the 0.01 steps it is stored to matter in ("0.73"), "—" when unscored. */
export function formatTrust(value: number | null | undefined): string {
  return value == null ? "—" : value.toFixed(2);
}

/** "low" under the low threshold, "high" at or above the high one, else "mid". */
export function band(value: number, low: number, high: number): "low" | "mid" | "high" {
  return value < low ? "low" : value >= high ? "high" : "mid";
}

/** Bar heights as fractions of the tallest bucket (all 0 for an empty table). */
export function barHeights(buckets: readonly Bucket[]): number[] {
  const top = Math.max(0, ...buckets.map((b) => b.count));
  return buckets.map((b) => (top === 0 ? 0 : b.count / top));
}

/** What stands in for the trend line while it has fewer than two points; null once it can be drawn. */
export function trendNote(points: readonly Point[]): string | null {
  if (points.length === 0) return "No trend yet: a full trust pass writes its points.";
  if (points.length === 1) {
    return `One full trust pass so far, mean ${formatTrust(points[0]!.mean)}: the trend line starts at the second.`;
  }
  return null;
}

/** An SVG polyline's points for the trend, oldest left, trust 1 at the top. */
export function trendPoints(points: readonly Point[], width: number, height: number): string {
  if (points.length === 0) return "";
  const step = points.length === 1 ? 0 : width / (points.length - 1);
  return points
    .map((p, i) => `${round(i * step)},${round((1 - clamp(p.mean)) * height)}`)
    .join(" ");
}

function clamp(value: number): number {
  return Math.min(1, Math.max(0, value));
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}


/** One end of a suspected copying: the other source and the probability. */
export interface CopyEdge {
  source: string;
  probability: number;
}

/** A source as the overview ranks it (`sources`, most trusted first). */
export interface RankedSource {
  id: string;
  trust: number;
  copies: CopyEdge[];
  copiedBy: CopyEdge[];
}

/** A source's copying partners both ways, most probable first, as people read them:
 * "copies feed-b (p 0.97)", "copied by feed-c (p 0.81)". */
export function copyingPartners(source: RankedSource): string[] {
  const both = [
    ...source.copies.map((edge) => ({ edge, verb: "copies" })),
    ...source.copiedBy.map((edge) => ({ edge, verb: "copied by" })),
  ];
  return both
    .sort((a, b) => b.edge.probability - a.edge.probability || a.edge.source.localeCompare(b.edge.source))
    .map(({ edge, verb }) => `${verb} ${edge.source} (p ${edge.probability.toFixed(2)})`);
}
