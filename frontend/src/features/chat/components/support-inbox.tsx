import { Badge, Grid, Group, NavLink, Paper, Stack, Text, Title } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { EmptyState, ErrorState, LoadingState } from '@/components/ui/states';
import { useLiveFrames } from '@/lib/live';
import { conversationsKey, useConversations } from '../api/get-conversations';
import type { Conversation } from '../types';
import { ChatWindow } from './chat-window';

const MAX_OPEN = 4;

const preview = (conversation: Conversation) =>
  typeof conversation.last_message === 'string' ? conversation.last_message : (conversation.last_message?.body ?? 'No messages yet');

/** The admins' inbox: every client conversation with unread badges; several can be open side by side. */
export function SupportInbox({ myId }: { myId: string }) {
  const queryClient = useQueryClient();
  const conversations = useConversations();
  const [open, setOpen] = useState<Conversation[]>([]);

  // New messages change unread counts and previews.
  useLiveFrames(['chat.message', 'chat.read'], () => void queryClient.invalidateQueries({ queryKey: conversationsKey }));

  const toggle = (conversation: Conversation) =>
    setOpen((list) =>
      list.some((item) => item.client_id === conversation.client_id)
        ? list.filter((item) => item.client_id !== conversation.client_id)
        : [...list, conversation].slice(-MAX_OPEN),
    );

  return (
    <Stack>
      <Title order={1} size="h2">
        Support inbox
      </Title>
      <Grid>
        <Grid.Col span={{ base: 12, md: 4 }}>
          <Paper withBorder radius="md" p={4} component="nav" aria-label="Conversations">
            {conversations.isPending ? (
              <LoadingState label="Loading conversations…" />
            ) : conversations.isError ? (
              <ErrorState error={conversations.error} onRetry={() => conversations.refetch()} />
            ) : conversations.data.items.length === 0 ? (
              <EmptyState title="No conversations yet">Clients start them from their chat page.</EmptyState>
            ) : (
              conversations.data.items.map((conversation) => {
                const isOpen = open.some((item) => item.client_id === conversation.client_id);
                return (
                  <NavLink
                    key={conversation.client_id}
                    component="button"
                    active={isOpen}
                    aria-pressed={isOpen}
                    onClick={() => toggle(conversation)}
                    label={
                      <Group justify="space-between" wrap="nowrap">
                        <Text size="sm" fw={conversation.unread ? 700 : 400}>
                          {conversation.client_name}
                        </Text>
                        {conversation.unread > 0 && (
                          <Badge color="red" size="sm" aria-label={`${conversation.unread} unread`}>
                            {conversation.unread}
                          </Badge>
                        )}
                      </Group>
                    }
                    description={<Text size="xs" c="dimmed" lineClamp={1}>{preview(conversation)}</Text>}
                  />
                );
              })
            )}
          </Paper>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 8 }}>
          {open.length === 0 ? (
            <EmptyState title="No conversation open">Pick one on the left; you can open up to {MAX_OPEN} at once.</EmptyState>
          ) : (
            <Grid>
              {open.map((conversation) => (
                <Grid.Col key={conversation.client_id} span={{ base: 12, lg: open.length > 1 ? 6 : 12 }}>
                  <ChatWindow
                    conversationId={conversation.client_id}
                    myId={myId}
                    peerName={conversation.client_name}
                    title={`Chat with ${conversation.client_name}`}
                    onClose={() => toggle(conversation)}
                    height={300}
                  />
                </Grid.Col>
              ))}
            </Grid>
          )}
        </Grid.Col>
      </Grid>
    </Stack>
  );
}
