// The bench's chart, as hand-written SVG: left, the gateway/baseline throughput ratio of each case (median
// bar, min–max whisker, the 0.8 budget as a line); right, matching-filter p50 latency against tenant size
// for both sides.
import type { BenchResults } from "./report.ts";
import { summarise } from "./report.ts";

const esc = (s: string) => s.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;").replaceAll('"', "&quot;");
const GATEWAY = "#1f6feb";
const BASELINE = "#8b949e";
const FAIL = "#cf222e";

export function renderChart(results: BenchResults): string {
  const rows = results.cases.map((c) => ({ title: c.title, kind: c.kind, ...summarise(c) }));
  const rowHeight = 24;
  const labelWidth = 300;
  const barWidth = 300;
  const top = 56;
  const leftHeight = top + rows.length * rowHeight + 56;
  const maxRatio = Math.max(1.2, ...rows.map((r) => (Number.isFinite(r.ratio.max) ? r.ratio.max : 0)));
  const x = (ratio: number) => labelWidth + (Math.max(0, ratio) / maxRatio) * barWidth;
  const out: string[] = [];
  out.push(`<text x="16" y="24" class="h">Gateway throughput / storage baseline, per case (median, min–max)</text>`);
  const bottom = top + rows.length * rowHeight;
  out.push(`<line x1="${x(0.8)}" y1="${top - 14}" x2="${x(0.8)}" y2="${bottom}" stroke="${FAIL}" stroke-dasharray="4 3"/>`);
  out.push(`<text x="${x(0.8)}" y="${top - 18}" class="s" text-anchor="middle">0.8× budget</text>`);
  out.push(`<line x1="${x(1)}" y1="${top - 4}" x2="${x(1)}" y2="${bottom + 4}" stroke="#57606a" stroke-dasharray="1 3"/>`);
  out.push(`<text x="${x(1)}" y="${bottom + 16}" class="s" text-anchor="middle">1.0× (as fast as the baseline)</text>`);
  rows.forEach((r, i) => {
    const y = top + i * rowHeight;
    const ok = r.kind !== "throughput" || r.ratio.median >= 0.8;
    out.push(`<text x="${labelWidth - 8}" y="${y + 15}" class="l" text-anchor="end">${esc(r.title)}</text>`);
    if (!Number.isFinite(r.ratio.median)) return;
    out.push(`<rect x="${labelWidth}" y="${y + 4}" width="${x(r.ratio.median) - labelWidth}" height="${rowHeight - 8}" fill="${ok ? GATEWAY : FAIL}" opacity="${r.kind === "scale" ? 0.55 : 0.9}"/>`);
    out.push(`<line x1="${x(r.ratio.min)}" y1="${y + 12}" x2="${x(r.ratio.max)}" y2="${y + 12}" stroke="#24292f"/>`);
    out.push(`<text x="${x(Math.max(r.ratio.median, r.ratio.max)) + 6}" y="${y + 15}" class="s">${r.ratio.median.toFixed(2)}×</text>`);
  });
  out.push(`<text x="16" y="${leftHeight - 16}" class="s">Light bars: scale cases (held to latency budgets, not to 0.8×). Red: below budget.</text>`);

  // Right panel: p50 against tenant size.
  const px = labelWidth + barWidth + 140;
  const pw = 300;
  const ph = 220;
  const py = top;
  const n = (v: number) => v.toLocaleString("en-US");
  const points = [
    { label: `${n(results.sizes.small)} users`, id: "filter-small" },
    { label: `10 × ${n(results.sizes.ten)}`, id: "filter-ten" },
    { label: `${n(results.sizes.main)} users`, id: "filter-large" },
  ]
    .map((p) => {
      const c = results.cases.find((k) => k.id === p.id);
      return c ? { label: p.label, gateway: summarise(c).gatewayP50.median, baseline: summarise(c).baselineP50.median } : undefined;
    })
    .filter((p) => p !== undefined);
  out.push(`<text x="${px - 40}" y="24" class="h">Matching filter p50 (ms) vs tenant size</text>`);
  if (points.length > 0) {
    const maxMs = Math.max(0.5, ...points.flatMap((p) => [p.gateway, p.baseline]).filter(Number.isFinite)) * 1.25;
    const sx = (i: number) => px + (points.length === 1 ? pw / 2 : (i / (points.length - 1)) * pw);
    const sy = (v: number) => py + ph - (v / maxMs) * ph;
    out.push(`<line x1="${px}" y1="${py + ph}" x2="${px + pw}" y2="${py + ph}" stroke="#57606a"/><line x1="${px}" y1="${py}" x2="${px}" y2="${py + ph}" stroke="#57606a"/>`);
    for (let t = 0; t <= 4; t++) {
      const v = (maxMs / 4) * t;
      out.push(`<text x="${px - 6}" y="${sy(v) + 4}" class="s" text-anchor="end">${v.toFixed(2)}</text>`);
      out.push(`<line x1="${px}" y1="${sy(v)}" x2="${px + pw}" y2="${sy(v)}" stroke="#d0d7de" stroke-dasharray="2 3"/>`);
    }
    for (const [series, color] of [["gateway", GATEWAY], ["baseline", BASELINE]] as const) {
      const path = points.map((p, i) => `${i === 0 ? "M" : "L"}${sx(i).toFixed(1)},${sy(p[series]).toFixed(1)}`).join(" ");
      out.push(`<path d="${path}" fill="none" stroke="${color}" stroke-width="2"/>`);
      points.forEach((p, i) => out.push(`<circle cx="${sx(i)}" cy="${sy(p[series])}" r="4" fill="${color}"><title>${series}: ${p[series].toFixed(3)} ms</title></circle>`));
    }
    points.forEach((p, i) => out.push(`<text x="${sx(i)}" y="${py + ph + 18}" class="s" text-anchor="middle">${esc(p.label)}</text>`));
    out.push(`<rect x="${px + 8}" y="${py + 4}" width="10" height="10" fill="${GATEWAY}"/><text x="${px + 24}" y="${py + 13}" class="s">gateway</text>`);
    out.push(`<rect x="${px + 88}" y="${py + 4}" width="10" height="10" fill="${BASELINE}"/><text x="${px + 104}" y="${py + 13}" class="s">baseline</text>`);
  }
  const width = px + pw + 70;
  const height = Math.max(leftHeight, py + ph + 60);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, -apple-system, Segoe UI, sans-serif">
<style>.h{font-size:14px;font-weight:600;fill:#24292f}.l{font-size:12px;fill:#24292f}.s{font-size:11px;fill:#57606a}</style>
<rect width="100%" height="100%" fill="#ffffff"/>
${out.join("\n")}
<text x="16" y="${height - 2}" class="s">${esc(`${results.mode} run, ${results.finishedAt}, ${results.machine.cpus} cores; bundle ${results.bundle.gzipKiB} KiB gzip`)}</text>
</svg>
`;
}
