import { TariffsTable } from '@/features/tariffs/components/tariffs-table';

export function AdminTariffsRoute() {
  return <TariffsTable />;
}
