import { z } from 'zod';

/** A stored chat message (REST history and the `chat.message` frame share this shape). */
export const MessageSchema = z.object({
  id: z.string(),
  conversation_id: z.string(),
  /** null: the writer's account was deleted (the message stays, from a deleted user). */
  sender_id: z.string().nullable(),
  body: z.string(),
  created_at: z.string(),
  client_msg_id: z.string().nullish(),
});
export type Message = z.infer<typeof MessageSchema>;

/** One client's conversation with support, as the inbox lists it. */
export const ConversationSchema = z.object({
  client_id: z.string(),
  client_name: z.string(),
  last_message: z.union([MessageSchema, z.string()]).nullish(),
  unread: z.number().int().nonnegative(),
});
export type Conversation = z.infer<typeof ConversationSchema>;

/** A message sent from this tab that the server has not echoed yet. */
export type PendingMessage = { client_msg_id: string; body: string; created_at: string; failed?: boolean };
