import { VisuallyHidden } from '@mantine/core';
import { formatMoney } from '@/lib/money';
import { formatKwh } from '@/lib/time';
import type { Bucket } from '../types';

type Props = { caption: string; buckets: Bucket[]; label: (start: string) => string; currency?: string | null };

/** The chart's numbers as a table for screen readers (the bars are not readable), with cost when priced. */
export function BucketTable({ caption, buckets, label, currency }: Props) {
  return (
    <VisuallyHidden>
      <table>
        <caption>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Time</th>
            <th scope="col">Consumption</th>
            {currency && <th scope="col">Cost</th>}
          </tr>
        </thead>
        <tbody>
          {buckets.map((bucket) => (
            <tr key={bucket.start}>
              <td>{label(bucket.start)}</td>
              <td>{formatKwh(bucket.kwh)}</td>
              {currency && <td>{bucket.cost == null ? 'no price' : formatMoney(bucket.cost, currency)}</td>}
            </tr>
          ))}
        </tbody>
      </table>
    </VisuallyHidden>
  );
}
