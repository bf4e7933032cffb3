import { useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useLiveFrames, useLiveSend, useLiveStatusChange } from '@/lib/live';
import { conversationsKey } from '../api/get-conversations';
import { appendMessage, flattenMessages, messagesKey, useMessages } from '../api/get-messages';
import { MessageSchema, type PendingMessage } from '../types';

const TYPING_SEND_EVERY_MS = 2_500;
const TYPING_IDLE_MS = 3_000;
const TYPING_SHOWN_MS = 6_000;

// Frames name the acting user differently across versions; accept the documented spellings.
const actorOf = (frame: Record<string, unknown>) => frame.user_id ?? frame.sender_id ?? frame.from;

function newClientMsgId(): string {
  return typeof crypto.randomUUID === 'function' ? crypto.randomUUID() : `${Date.now()}-${Math.random().toString(16).slice(2)}`;
}

/**
 * One conversation: history (REST, paged backwards), live messages, pending sends reconciled by
 * `client_msg_id`, the other side's typing, and read marks both ways.
 */
export function useChat(conversationId: string, myId: string) {
  const queryClient = useQueryClient();
  const send = useLiveSend();
  const history = useMessages(conversationId);
  const [pending, setPending] = useState<PendingMessage[]>([]);
  const [peerTyping, setPeerTyping] = useState(false);
  const [peerReadUpTo, setPeerReadUpTo] = useState<string | null>(null);
  const typingTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const idleTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const lastTypingSent = useRef(0);
  const lastReadSent = useRef<string | null>(null);

  const messages = useMemo(() => flattenMessages(history.data), [history.data]);

  useLiveFrames(['chat.message', 'chat.typing', 'chat.read'], (frame) => {
    if (frame.type === 'chat.message') {
      const parsed = MessageSchema.safeParse(frame.message);
      if (!parsed.success || parsed.data.conversation_id !== conversationId) return;
      const message = parsed.data;
      queryClient.setQueryData(messagesKey(conversationId), (data: Parameters<typeof appendMessage>[0]) => appendMessage(data, message));
      if (message.client_msg_id) setPending((list) => list.filter((item) => item.client_msg_id !== message.client_msg_id));
      if (message.sender_id !== myId) setPeerTyping(false);
      return;
    }
    if (frame.conversation_id !== conversationId || actorOf(frame) === myId) return;
    if (frame.type === 'chat.typing') {
      setPeerTyping(frame.typing !== false);
      if (typingTimer.current) clearTimeout(typingTimer.current);
      typingTimer.current = setTimeout(() => setPeerTyping(false), TYPING_SHOWN_MS);
    } else if (frame.type === 'chat.read' && typeof frame.up_to_id === 'string') {
      setPeerReadUpTo(frame.up_to_id);
    }
  });

  // Mark what is on screen as read, once per newest message from the other side.
  const newestFromPeer = [...messages].reverse().find((message) => message.sender_id !== myId);
  useEffect(() => {
    if (!newestFromPeer || lastReadSent.current === newestFromPeer.id) return;
    if (send({ type: 'chat.read', conversation_id: conversationId, up_to_id: newestFromPeer.id })) {
      lastReadSent.current = newestFromPeer.id;
      void queryClient.invalidateQueries({ queryKey: conversationsKey });
    }
  });

  // Messages written while offline go out once the socket is back; the server drops a repeated client_msg_id.
  const pendingNow = useRef(pending);
  useEffect(() => {
    pendingNow.current = pending;
  });
  useLiveStatusChange((status) => {
    if (status !== 'online') return;
    const resent = new Set(
      pendingNow.current
        .filter((item) => item.failed)
        .filter((item) => send({ type: 'chat.send', conversation_id: conversationId, body: item.body, client_msg_id: item.client_msg_id }))
        .map((item) => item.client_msg_id),
    );
    if (resent.size) setPending((list) => list.map((item) => (resent.has(item.client_msg_id) ? { ...item, failed: false } : item)));
  });

  useEffect(
    () => () => {
      if (typingTimer.current) clearTimeout(typingTimer.current);
      if (idleTimer.current) clearTimeout(idleTimer.current);
    },
    [],
  );

  const setTyping = useCallback(
    (typing: boolean) => {
      send({ type: 'chat.typing', conversation_id: conversationId, typing });
      lastTypingSent.current = typing ? Date.now() : 0;
    },
    [send, conversationId],
  );

  /** Call on every keystroke: sends `typing: true` now and then, and `false` after a pause. */
  const noteTyping = useCallback(() => {
    if (Date.now() - lastTypingSent.current > TYPING_SEND_EVERY_MS) setTyping(true);
    if (idleTimer.current) clearTimeout(idleTimer.current);
    idleTimer.current = setTimeout(() => setTyping(false), TYPING_IDLE_MS);
  }, [setTyping]);

  const sendMessage = useCallback(
    (body: string) => {
      const clientMsgId = newClientMsgId();
      const ok = send({ type: 'chat.send', conversation_id: conversationId, body, client_msg_id: clientMsgId });
      setPending((list) => [...list, { client_msg_id: clientMsgId, body, created_at: new Date().toISOString(), failed: !ok }]);
      if (idleTimer.current) clearTimeout(idleTimer.current);
      if (lastTypingSent.current) setTyping(false);
      return ok;
    },
    [send, conversationId, setTyping],
  );

  /** Index (in `messages`) of the last message the other side has read, or -1. */
  const readIndex = peerReadUpTo ? messages.findIndex((message) => message.id === peerReadUpTo) : -1;

  return { history, messages, pending, peerTyping, readIndex, sendMessage, noteTyping };
}
