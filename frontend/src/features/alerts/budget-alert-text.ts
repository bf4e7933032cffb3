import { formatAmount } from '@/lib/money';
import type { BudgetAlert } from './types';

/** "Budget: projected to exceed €120.00 this month" or "Budget of €120.00 spent". */
export function budgetAlertText(alert: BudgetAlert): string {
  const budget = formatAmount(alert.budget.amount, alert.budget.kind, alert.currency);
  return alert.kind === 'projected' ? `Budget: projected to exceed ${budget} this month` : `Budget of ${budget} spent`;
}
