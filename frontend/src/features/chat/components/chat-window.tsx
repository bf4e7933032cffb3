import { Box, Button, Group, Paper, ScrollArea, Stack, Text } from '@mantine/core';
import { useEffect, useRef } from 'react';
import { ErrorState, LoadingState } from '@/components/ui/states';
import { formatDateTime } from '@/lib/time';
import { useChat } from '../hooks/use-chat';
import { MessageComposer } from './message-composer';

type Props = {
  conversationId: string;
  myId: string;
  /** How the other side is named: "Support" for a client, the client's name for an admin. */
  peerName: string;
  title: string;
  onClose?: () => void;
  height?: number;
};

function Bubble({ mine, author, body, meta }: { mine: boolean; author: string; body: string; meta: React.ReactNode }) {
  return (
    <Box style={{ alignSelf: mine ? 'flex-end' : 'flex-start', maxWidth: '85%' }}>
      <Paper p="xs" radius="md" bg={mine ? 'blue.0' : 'gray.1'}>
        <Text size="xs" fw={600}>
          {author}
        </Text>
        <Text size="sm" style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}>
          {body}
        </Text>
      </Paper>
      <Text size="xs" c="dimmed" ta={mine ? 'right' : 'left'}>
        {meta}
      </Text>
    </Box>
  );
}

/** One conversation: history with "load older", live messages, typing and read marks, and the composer. */
export function ChatWindow({ conversationId, myId, peerName, title, onClose, height = 360 }: Props) {
  const chat = useChat(conversationId, myId);
  const viewport = useRef<HTMLDivElement>(null);
  const count = chat.messages.length + chat.pending.length;
  const lastMineRead = chat.messages.reduce((found, message, index) => (message.sender_id === myId && index <= chat.readIndex ? index : found), -1);

  useEffect(() => {
    viewport.current?.scrollTo({ top: viewport.current.scrollHeight });
  }, [count]);

  return (
    <Paper withBorder radius="md" p="sm" component="section" aria-label={title}>
      <Group justify="space-between" mb="xs">
        <Text fw={600}>{title}</Text>
        {onClose && (
          <Button size="xs" variant="subtle" onClick={onClose} aria-label={`Close ${title}`}>
            Close
          </Button>
        )}
      </Group>
      {chat.history.isPending ? (
        <LoadingState label="Loading messages…" />
      ) : chat.history.isError ? (
        <ErrorState error={chat.history.error} onRetry={() => chat.history.refetch()} />
      ) : (
        <ScrollArea h={height} viewportRef={viewport} type="auto">
          <Stack gap="xs" role="log" aria-live="polite" aria-label={`Messages with ${peerName}`} pr="sm">
            {chat.history.hasNextPage && (
              <Button size="xs" variant="subtle" loading={chat.history.isFetchingNextPage} onClick={() => chat.history.fetchNextPage()}>
                Load older messages
              </Button>
            )}
            {count === 0 && (
              <Text c="dimmed" size="sm" ta="center" py="md">
                No messages yet. Say hello!
              </Text>
            )}
            {chat.messages.map((message, index) => (
              <Bubble
                key={message.id}
                mine={message.sender_id === myId}
                author={
                  message.sender_id === myId
                    ? 'You'
                    : message.sender_id === null
                      ? 'Deleted user'
                      : message.sender_id === conversationId
                        ? peerName
                        : 'Support'
                }
                body={message.body}
                meta={
                  <>
                    {formatDateTime(message.created_at)}
                    {index === lastMineRead && <span data-testid="read-mark"> · Read</span>}
                  </>
                }
              />
            ))}
            {chat.pending.map((message) => (
              <Bubble
                key={message.client_msg_id}
                mine
                author="You"
                body={message.body}
                meta={message.failed ? <Text span c="red" size="xs">Not sent (offline)</Text> : 'Sending…'}
              />
            ))}
          </Stack>
        </ScrollArea>
      )}
      <Text size="xs" c="dimmed" h={18} aria-live="polite" data-testid="typing-indicator">
        {chat.peerTyping ? `${peerName} is typing…` : ''}
      </Text>
      <MessageComposer label={`Message to ${peerName}`} onSend={chat.sendMessage} onTyping={chat.noteTyping} />
    </Paper>
  );
}
