import { act, fireEvent, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { admin, client, signIn } from '@/testing/data';
import { fakeServer, json } from '@/testing/fake-server';
import { renderWithApp } from '@/testing/render';
import { ChatWindow } from './chat-window';

const message = (id: string, senderId: string, body: string, extra: object = {}) => ({
  id,
  conversation_id: client.id,
  sender_id: senderId,
  body,
  created_at: '2026-03-01T10:00:00Z',
  ...extra,
});

function setup(history: unknown[], hasMore = false) {
  signIn(client);
  const server = fakeServer({
    [`GET /api/chat/conversations/${client.id}/messages`]: (request) =>
      request.query.get('before') === 'm1'
        ? json({ items: [message('m0', admin.id, 'Older hello')], has_more: false })
        : json({ items: history, has_more: hasMore }),
    'GET /api/chat/conversations': () => json({ items: [] }),
  });
  const view = renderWithApp(<ChatWindow conversationId={client.id} myId={client.id} peerName="Support" title="Chat with support" />);
  return { ...view, server };
}

describe('ChatWindow', () => {
  it('shows history, loads older pages, and marks the newest support message read', async () => {
    const { socket } = setup([message('m1', admin.id, 'Hello, how can we help?')], true);
    expect(await screen.findByText('Hello, how can we help?')).toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: 'Load older messages' }));
    expect(await screen.findByText('Older hello')).toBeInTheDocument();
    await waitFor(() =>
      expect(socket.latest().sentOfType('chat.read')).toEqual([{ type: 'chat.read', conversation_id: client.id, up_to_id: 'm1' }]),
    );
  });

  it('sends with a client message id, shows it pending, and reconciles the echo', async () => {
    const { socket } = setup([]);
    expect(await screen.findByText('No messages yet. Say hello!')).toBeInTheDocument();
    await waitFor(() => expect(socket.live.status).toBe('online'));
    await userEvent.type(screen.getByLabelText('Message'), 'My meter is odd{Enter}');
    const [sent] = socket.latest().sentOfType('chat.send');
    expect(sent).toMatchObject({ conversation_id: client.id, body: 'My meter is odd' });
    expect(typeof sent.client_msg_id).toBe('string');
    expect(screen.getByText('Sending…')).toBeInTheDocument();
    expect(socket.latest().sentOfType('chat.typing')[0]).toMatchObject({ typing: true, conversation_id: client.id });

    act(() =>
      socket.latest().push({
        type: 'chat.message',
        message: message('m9', client.id, 'My meter is odd', { client_msg_id: sent.client_msg_id }),
      }),
    );
    await waitFor(() => expect(screen.queryByText('Sending…')).not.toBeInTheDocument());
    expect(screen.getAllByText('My meter is odd')).toHaveLength(1);
  });

  it('keeps a message written offline and sends it with the same id after reconnecting', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    const { socket } = setup([]);
    await screen.findByText('No messages yet. Say hello!');
    await waitFor(() => expect(socket.live.status).toBe('online'));
    act(() => socket.latest().drop());
    // The reconnect is due 375-625 ms after the close and this clock runs on: write and send in one
    // step (not key by key), so that a loaded machine cannot reach the reconnect before sending.
    fireEvent.change(screen.getByLabelText('Message'), { target: { value: 'Written offline' } });
    fireEvent.click(screen.getByRole('button', { name: 'Send' }));
    expect(await screen.findByText('Not sent (offline)')).toBeInTheDocument();
    await act(() => vi.advanceTimersByTimeAsync(2_000));
    await waitFor(() => expect(socket.sockets).toHaveLength(2));
    await waitFor(() => expect(socket.latest().sentOfType('chat.send')).toHaveLength(1));
    expect(socket.latest().sentOfType('chat.send')[0]).toMatchObject({ body: 'Written offline' });
    expect(screen.getByText('Sending…')).toBeInTheDocument();
  });

  it('does not send an empty message', async () => {
    const { socket } = setup([]);
    await screen.findByText('No messages yet. Say hello!');
    await userEvent.click(screen.getByRole('button', { name: 'Send' }));
    expect(await screen.findByText('Write a message first.')).toBeInTheDocument();
    expect(socket.latest().sentOfType('chat.send')).toHaveLength(0);
  });

  it("shows the other side's typing and read marks, and ignores other conversations", async () => {
    const { socket } = setup([message('m1', client.id, 'Anyone there?')]);
    await screen.findByText('Anyone there?');
    await waitFor(() => expect(socket.live.status).toBe('online'));
    act(() => socket.latest().push({ type: 'chat.typing', conversation_id: 'someone-else', user_id: admin.id, typing: true }));
    expect(screen.getByTestId('typing-indicator')).toHaveTextContent('');
    act(() => socket.latest().push({ type: 'chat.typing', conversation_id: client.id, user_id: admin.id, typing: true }));
    expect(screen.getByTestId('typing-indicator')).toHaveTextContent('Support is typing…');
    act(() => socket.latest().push({ type: 'chat.read', conversation_id: client.id, user_id: admin.id, up_to_id: 'm1' }));
    expect(await screen.findByTestId('read-mark')).toBeInTheDocument();
    act(() => socket.latest().push({ type: 'chat.message', message: message('m2', admin.id, 'Yes, here!') }));
    expect(await screen.findByText('Yes, here!')).toBeInTheDocument();
    expect(screen.getByTestId('typing-indicator')).toHaveTextContent('');
  });
});
