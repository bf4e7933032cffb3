import { VisuallyHidden } from '@mantine/core';
import { formatKwh } from '@/lib/time';
import type { Bucket } from '../types';

/** The chart's numbers as a table for screen readers (the bars are not readable). */
export function BucketTable({ caption, buckets, label }: { caption: string; buckets: Bucket[]; label: (start: string) => string }) {
  return (
    <VisuallyHidden>
      <table>
        <caption>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Time</th>
            <th scope="col">Consumption</th>
          </tr>
        </thead>
        <tbody>
          {buckets.map((bucket) => (
            <tr key={bucket.start}>
              <td>{label(bucket.start)}</td>
              <td>{formatKwh(bucket.kwh)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </VisuallyHidden>
  );
}
