import { queryOptions, useQuery } from '@tanstack/react-query';
import { z } from 'zod';
import { api } from '@/lib/api-client';
import { ConversationSchema } from '../types';

const ConversationsSchema = z.object({ items: z.array(ConversationSchema) });

/** `GET /api/chat/conversations`: every conversation for admins (with unread counts), one's own for clients. */
export function getConversations() {
  return api.get('/api/chat/conversations', ConversationsSchema);
}

export const conversationsKey = ['chat', 'conversations'] as const;

export function getConversationsQueryOptions() {
  return queryOptions({ queryKey: conversationsKey, queryFn: getConversations, refetchInterval: 60_000 });
}

export function useConversations() {
  return useQuery(getConversationsQueryOptions());
}
