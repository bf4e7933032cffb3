import { formatHour } from '@/lib/time';
import type { Alert } from './types';

const HOUR_MS = 3_600_000;

/** Whether an alert is about consumption unlike the device's usual week (not an hour over its limit). */
export const isUnusual = (alert: Alert) => alert.kind === 'unusual';

/** The end of the alert's last hour (RFC 3339): `hour_end`, or one hour per covered hour after the start. */
export function alertEnd(alert: Alert): string {
  return alert.hour_end ?? new Date(Date.parse(alert.hour_start) + (alert.hours ?? 1) * HOUR_MS).toISOString();
}

const kwh2 = (kwh: number) => `${kwh.toLocaleString(undefined, { minimumFractionDigits: 2, maximumFractionDigits: 2 })} kWh`;

/**
 * What an unusual alert found, in one line: "Used 8.00 kWh over 8 h (22:00–06:00) where 0.16 kWh is usual";
 * a quiet run (direction low) says "Used less than usual: …".
 */
export function unusualAlertText(alert: Alert): string {
  const hours = alert.hours ?? Math.max(1, Math.round((Date.parse(alertEnd(alert)) - Date.parse(alert.hour_start)) / HOUR_MS));
  const span = `${hours} h (${formatHour(alert.hour_start)}–${formatHour(alertEnd(alert))})`;
  const usual = alert.expected_kwh == null ? '' : ` where ${kwh2(alert.expected_kwh)} is usual`;
  const used = `${kwh2(alert.kwh)} over ${span}${usual}`;
  return alert.direction === 'low' ? `Used less than usual: ${used}` : `Used ${used}`;
}
