import { infiniteQueryOptions, useInfiniteQuery, type InfiniteData } from '@tanstack/react-query';
import { z } from 'zod';
import { api } from '@/lib/api-client';
import { MessageSchema, type Message } from '../types';

const MessagesPageSchema = z.object({ items: z.array(MessageSchema), has_more: z.boolean() });
export type MessagesPage = z.infer<typeof MessagesPageSchema>;

const PAGE_SIZE = 30;

/** `GET /api/chat/conversations/{client_id}/messages?before=&limit=`: a page, oldest first. */
export function getMessages(conversationId: string, before?: string) {
  return api.get(`/api/chat/conversations/${encodeURIComponent(conversationId)}/messages`, MessagesPageSchema, {
    params: { before, limit: PAGE_SIZE },
  });
}

export const messagesKey = (conversationId: string) => ['chat', 'messages', conversationId] as const;

export function getMessagesQueryOptions(conversationId: string) {
  return infiniteQueryOptions({
    queryKey: messagesKey(conversationId),
    queryFn: ({ pageParam }) => getMessages(conversationId, pageParam),
    initialPageParam: undefined as string | undefined,
    // Pages go back in time: the next page is the one before this page's oldest message.
    getNextPageParam: (page) => (page.has_more && page.items.length > 0 ? page.items[0].id : undefined),
    staleTime: Infinity,
  });
}

export function useMessages(conversationId: string) {
  return useInfiniteQuery(getMessagesQueryOptions(conversationId));
}

/** All loaded messages, oldest first. */
export function flattenMessages(data: InfiniteData<MessagesPage> | undefined): Message[] {
  if (!data) return [];
  return [...data.pages].reverse().flatMap((page) => page.items);
}

/** Adds a live message to the newest page unless it is already there. */
export function appendMessage(data: InfiniteData<MessagesPage> | undefined, message: Message): InfiniteData<MessagesPage> | undefined {
  if (!data || data.pages.length === 0 || data.pages.some((page) => page.items.some((item) => item.id === message.id))) return data;
  const [newest, ...older] = data.pages;
  return { ...data, pages: [{ ...newest, items: [...newest.items, message] }, ...older] };
}
