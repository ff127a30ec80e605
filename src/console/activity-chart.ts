// A tenant's last 30 days as a bar chart, drawn on the server as inline SVG (no script, no image request):
// requests per UTC day, stacked by how they ended: accepted (2xx), refused (any 4xx: the tenant's requests
// Entra must change), failed (5xx: ours). Pure: the activity's day counts in, markup out. Every bar has a
// <title>, so hovering shows the figures, and the figures are also in the table beside it.
import { html } from "hono/html";
import type { DayCount } from "../activity/read-model.ts";
import type { Html } from "./layout.ts";

export const CHART_DAYS = 30;
const DAY_MS = 24 * 60 * 60 * 1000;

export type DayTotals = { day: string; accepted: number; refused: number; failed: number };

/** The 30 UTC days ending on `asOf`'s, oldest first, each with its requests by how they ended. */
export function dailyTotals(days: readonly DayCount[], asOf: string): DayTotals[] {
  const end = Date.parse(asOf);
  const totals = new Map<string, DayTotals>();
  for (let i = CHART_DAYS - 1; i >= 0; i--) {
    const day = new Date(end - i * DAY_MS).toISOString().slice(0, 10);
    totals.set(day, { day, accepted: 0, refused: 0, failed: 0 });
  }
  for (const { day, outcome, count } of days) {
    const entry = totals.get(day);
    if (!entry) continue;
    if (outcome === "2xx") entry.accepted += count;
    else if (/^5\d\d$/.test(outcome)) entry.failed += count;
    else entry.refused += count;
  }
  return [...totals.values()];
}

const WIDTH = 720;
const HEIGHT = 160;
const TOP = 10;
const BOTTOM = 22;
const LEFT = 34;

export function activityChart(days: readonly DayCount[], asOf: string): Html {
  const totals = dailyTotals(days, asOf);
  const max = Math.max(1, ...totals.map((t) => t.accepted + t.refused + t.failed));
  const plot = HEIGHT - TOP - BOTTOM;
  const slot = (WIDTH - LEFT) / totals.length;
  const bar = Math.max(2, slot - 3);
  const y = (value: number) => (value / max) * plot;
  const bars = totals.map((t, i) => {
    const x = LEFT + i * slot;
    let base = HEIGHT - BOTTOM;
    const parts = (
      [
        ["accepted", t.accepted, "#3f9b57"],
        ["refused", t.refused, "#d08a1c"],
        ["failed", t.failed, "#c0392b"],
      ] as const
    ).map(([, value, colour]) => {
      const h = y(value);
      base -= h;
      return value ? html`<rect x="${x.toFixed(1)}" y="${base.toFixed(1)}" width="${bar.toFixed(1)}" height="${h.toFixed(1)}" fill="${colour}"></rect>` : "";
    });
    const label = i % 5 === 0 || i === totals.length - 1 ? html`<text x="${(x + bar / 2).toFixed(1)}" y="${HEIGHT - 6}" text-anchor="middle">${t.day.slice(5)}</text>` : "";
    return html`<g><title>${t.day}: ${t.accepted} accepted, ${t.refused} refused, ${t.failed} failed</title>${parts}</g>${label}`;
  });
  return html`<svg role="img" aria-label="Requests per day for 30 days" viewBox="0 0 ${WIDTH} ${HEIGHT}" width="${WIDTH}" height="${HEIGHT}">
<line x1="${LEFT}" y1="${HEIGHT - BOTTOM}" x2="${WIDTH}" y2="${HEIGHT - BOTTOM}" stroke="#cfd4db"></line>
<text x="${LEFT - 4}" y="${TOP + 8}" text-anchor="end">${max}</text><text x="${LEFT - 4}" y="${HEIGHT - BOTTOM}" text-anchor="end">0</text>
${bars}
</svg>
<p class="muted"><span style="color:#3f9b57">■</span> accepted <span style="color:#d08a1c">■</span> refused (4xx) <span style="color:#c0392b">■</span> failed (5xx), per UTC day</p>`;
}
