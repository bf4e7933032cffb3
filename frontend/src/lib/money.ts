/** Money in `currency` (ISO 4217) for people: `€3.12`; an unknown code falls back to `3.12 XYZ`. */
export function formatMoney(amount: number, currency: string, locale?: string): string {
  try {
    return new Intl.NumberFormat(locale, { style: 'currency', currency }).format(amount);
  } catch {
    return `${amount.toFixed(2)} ${currency}`;
  }
}

/** A price per kWh with up to 4 decimals, as tariffs quote it: `€0.2534/kWh`. */
export function formatPricePerKwh(price: number, currency: string, locale?: string): string {
  try {
    const text = new Intl.NumberFormat(locale, {
      style: 'currency',
      currency,
      minimumFractionDigits: 2,
      maximumFractionDigits: 4,
    }).format(price);
    return `${text}/kWh`;
  } catch {
    return `${price} ${currency}/kWh`;
  }
}

/** A budget or alert amount in its unit: money in `currency`, or kWh. */
export function formatAmount(amount: number, kind: 'money' | 'kwh', currency: string | null | undefined, locale?: string): string {
  if (kind === 'money') return currency ? formatMoney(amount, currency, locale) : amount.toFixed(2);
  return `${amount.toLocaleString(locale, { maximumFractionDigits: 3 })} kWh`;
}
