import { useMutation } from '@tanstack/react-query';
import { api } from '@/lib/api-client';

export type CsvQuery = { deviceId: string; from: string; to: string; tz: string; filename: string };

/** `GET /api/consumption/{id}/range.csv`: hourly totals as CSV, through the API client (token, refresh). */
export function downloadRangeCsv({ deviceId, from, to, tz }: Omit<CsvQuery, 'filename'>) {
  return api.blob(`/api/consumption/${encodeURIComponent(deviceId)}/range.csv`, 'text/csv', {
    params: { from, to, tz, bucket: 'hour' },
  });
}

/** Saves the CSV as a file: a plain link cannot carry the bearer token. */
export function useDownloadRangeCsv() {
  return useMutation({
    mutationFn: async ({ filename, ...query }: CsvQuery) => {
      const blob = await downloadRangeCsv(query);
      const url = URL.createObjectURL(blob);
      const link = document.createElement('a');
      link.href = url;
      link.download = filename;
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    },
  });
}
