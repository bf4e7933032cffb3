import { Stack, Text, Title } from '@mantine/core';
import { ChatWindow } from '@/features/chat/components/chat-window';
import { useUser } from '@/lib/auth';

/** A client's one conversation with support (its id is the client's own id). */
export function ChatRoute() {
  const user = useUser();
  return (
    <Stack maw={720}>
      <Title order={1} size="h2">
        Support chat
      </Title>
      <Text c="dimmed" size="sm">
        Questions about your meters or bills? Our team answers here.
      </Text>
      <ChatWindow conversationId={user.id} myId={user.id} peerName="Support" title="Chat with support" height={420} />
    </Stack>
  );
}
