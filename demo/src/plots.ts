// SPDX-License-Identifier: MIT
// uPlot line charts with an epoch x axis, resized with their container.
import uPlot from 'uplot';

export interface LineSpec {
  label: string;
  stroke: string;
  /** A second y axis on the right (scale 'y2'). */
  right?: boolean;
}

export interface EpochChart {
  /** Replaces the data: x values (epochs) and one array per series (null = no point). */
  set(x: number[], ys: (number | null)[][]): void;
  plot: uPlot;
}

export function epochChart(host: HTMLElement, title: string, yLabel: string, lines: LineSpec[], y2Label?: string): EpochChart {
  const width = () => Math.max(280, Math.min(host.clientWidth || 420, 560));
  const opts: uPlot.Options = {
    title,
    width: width(),
    height: 220,
    scales: { x: { time: false }, y: { auto: true }, ...(y2Label ? { y2: { auto: true } } : {}) },
    axes: [
      { label: 'epoch', incrs: [1, 2, 5, 10, 20, 50, 100] },
      { label: yLabel, size: 60 },
      ...(y2Label ? [{ label: y2Label, scale: 'y2', side: 1 as const, grid: { show: false }, size: 60 }] : []),
    ],
    series: [{ label: 'epoch' }, ...lines.map((l) => ({ label: l.label, stroke: l.stroke, width: 2, scale: l.right ? 'y2' : 'y', points: { show: true, size: 6 }, spanGaps: true }))],
  };
  const plot = new uPlot(opts, [[], ...lines.map(() => [])], host);
  new ResizeObserver(() => plot.setSize({ width: width(), height: 220 })).observe(host);
  return { plot, set: (x, ys) => plot.setData([x, ...ys] as uPlot.AlignedData) };
}
