import { SupportInbox } from '@/features/chat/components/support-inbox';
import { useUser } from '@/lib/auth';

export function AdminInboxRoute() {
  const user = useUser();
  return <SupportInbox myId={user.id} />;
}
