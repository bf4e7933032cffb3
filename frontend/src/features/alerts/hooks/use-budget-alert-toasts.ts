import { notifications } from '@mantine/notifications';
import { useQueryClient } from '@tanstack/react-query';
import { useLiveFrames } from '@/lib/live';
import { budgetAlertText } from '../budget-alert-text';
import { BudgetAlertSchema } from '../types';

/**
 * Shows a toast when a `budget_alert` frame arrives and refreshes budget alert lists and budget panels.
 * The server sends one per client, month and threshold, so each gets its own toast; `showClient` names
 * the client (for admins, who get every client's).
 */
export function useBudgetAlertToasts(showClient = false): void {
  const queryClient = useQueryClient();
  useLiveFrames(['budget_alert'], (frame) => {
    const parsed = BudgetAlertSchema.safeParse(frame.alert);
    if (!parsed.success) return;
    const alert = parsed.data;
    notifications.show({
      id: `budget-${alert.id}`,
      color: alert.kind === 'spent' ? 'red' : 'orange',
      title: showClient && alert.client_name ? `Budget alert: ${alert.client_name}` : 'Budget alert',
      message: `${budgetAlertText(alert)}.`,
      autoClose: 15_000,
    });
    void queryClient.invalidateQueries({ queryKey: ['alerts', 'budget'] });
    void queryClient.invalidateQueries({ queryKey: ['budgets', alert.client_id] });
  });
}
