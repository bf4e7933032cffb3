import { VisuallyHidden } from '@mantine/core';
import { formatMoney } from '@/lib/money';
import { formatKwh } from '@/lib/time';
import type { Bucket } from '../types';

/** A further column: a series matched to the buckets by index (null: no value for that bucket). */
export type ExtraColumn = { name: string; values: (number | null)[] };

type Props = { caption: string; buckets: Bucket[]; label: (start: string) => string; currency?: string | null; extra?: ExtraColumn[] };

/** The chart's numbers as a table for screen readers (the bars are not readable), with cost when priced. */
export function BucketTable({ caption, buckets, label, currency, extra = [] }: Props) {
  return (
    <VisuallyHidden>
      <table>
        <caption>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Time</th>
            <th scope="col">Consumption</th>
            {currency && <th scope="col">Cost</th>}
            {extra.map((column) => (
              <th scope="col" key={column.name}>
                {column.name}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {buckets.map((bucket, index) => (
            <tr key={bucket.start}>
              <td>{label(bucket.start)}</td>
              <td>{formatKwh(bucket.kwh)}</td>
              {currency && <td>{bucket.cost == null ? 'no price' : formatMoney(bucket.cost, currency)}</td>}
              {extra.map((column) => {
                const value = column.values[index];
                return <td key={column.name}>{value == null ? '—' : formatKwh(value)}</td>;
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </VisuallyHidden>
  );
}
