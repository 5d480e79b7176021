/** What happened to the model over the report's span: retrains, canaries, promotions, rollbacks. */

import { escapeHtml } from '../escape.js';
import { formatTimestamp, MISSING } from '../format.js';
import { badge, paragraph, renderSection, renderTable } from '../html.js';
import type { DriftEventData, DriftHistoryPoint } from '../drift-types.js';

const time = (iso: string) => new Date(iso).getTime();

/** The number of the shown window an event fell in (1 = oldest), or null. */
function windowNumberOf(event: DriftEventData, history: readonly DriftHistoryPoint[]): number | null {
  const at = time(event.at);
  const index = history.findIndex((point) => time(point.windowStart) <= at && at < time(point.windowEnd));
  return index === -1 ? null : index + 1;
}

function actionBadge(action: string): string {
  if (/rollback|rejected/.test(action)) return badge(action, 'fail');
  if (/promote/.test(action)) return badge(action, 'champion');
  if (/retrain|canary/.test(action)) return badge(action, 'neutral');
  return badge(action, 'pass');
}

export function renderEventsSection(
  events: readonly DriftEventData[],
  history: readonly DriftHistoryPoint[],
  current: DriftHistoryPoint,
): string {
  if (events.length === 0) {
    return renderSection(
      'events',
      'Events',
      paragraph('Nothing was retrained, registered, canaried, promoted or rolled back over these windows.'),
    );
  }
  const inCurrent = (event: DriftEventData) =>
    time(current.windowStart) <= time(event.at) && time(event.at) < time(current.windowEnd);
  const table = renderTable(
    [
      { title: 'When' },
      { title: 'Window', numeric: true },
      { title: 'Event' },
      { title: 'By' },
      { title: 'Detail' },
    ],
    events.map((event) => [
      escapeHtml(formatTimestamp(event.at)),
      escapeHtml(windowNumberOf(event, history) ?? MISSING),
      actionBadge(event.action),
      escapeHtml(event.actor),
      escapeHtml(event.detail ?? ''),
    ]),
    events.map((event) => (inCurrent(event) ? 'row-current' : '')),
  );
  const count = events.filter(inCurrent).length;
  return renderSection(
    'events',
    'Events',
    `<p class="summary">${escapeHtml(`${count} of ${events.length} in this window`)}</p>${table}`,
  );
}
