/** Training curve: loss, and the validation metric when tracked, per iteration. */

import { paragraph, renderSection } from '../html.js';
import { chartId } from '../svg/frame.js';
import { renderLineChart } from '../svg/line-chart.js';
import type { TrainingCurve } from '../types.js';

export function renderTrainingSection(curve: TrainingCurve): string {
  const points = curve.points ?? [];
  const loss = renderLineChart({
    id: chartId('chart', 'training-loss'),
    title: 'Training loss',
    description: `Training loss at each of ${points.length} recorded iterations.`,
    xLabel: 'Iteration',
    integerX: true,
    yLabel: 'Loss',
    series: [
      { name: 'training loss', points: points.map((point) => ({ x: point.iteration, y: point.loss })) },
    ],
    emptyMessage: 'No training loss was recorded.',
  });
  const metricName = curve.validationMetric;
  const validation = metricName
    ? renderLineChart({
        id: chartId('chart', 'training-validation'),
        title: `Validation ${metricName}`,
        description: `Validation ${metricName} at each recorded iteration.`,
        xLabel: 'Iteration',
        integerX: true,
        yLabel: metricName,
        series: [
          {
            name: `validation ${metricName}`,
            points: points.map((point) => ({ x: point.iteration, y: point.validationMetric ?? null })),
          },
        ],
        emptyMessage: `No validation ${metricName} was recorded.`,
      })
    : '';
  const note = metricName ? '' : paragraph('No validation metric was tracked during training.');
  return renderSection(
    'training',
    'Training curve',
    `<div class="chart-row">${loss}${validation}</div>${note}`,
  );
}
