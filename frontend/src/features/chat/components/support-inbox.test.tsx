import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { admin, signIn } from '@/testing/data';
import { fakeServer, json } from '@/testing/fake-server';
import { renderWithApp } from '@/testing/render';
import { SupportInbox } from './support-inbox';

describe('SupportInbox', () => {
  it('lists conversations with unread badges and opens several at once', async () => {
    signIn(admin);
    fakeServer({
      'GET /api/chat/conversations': () =>
        json({
          items: [
            { client_id: 'c1', client_name: 'Carla Client', unread: 2, last_message: 'Help please' },
            { client_id: 'c2', client_name: 'Dan Client', unread: 0 },
          ],
        }),
      'GET /api/chat/conversations/c1/messages': () => json({ items: [], has_more: false }),
      'GET /api/chat/conversations/c2/messages': () => json({ items: [], has_more: false }),
    });
    renderWithApp(<SupportInbox myId={admin.id} />);
    const nav = await screen.findByRole('navigation', { name: 'Conversations' });
    expect(await within(nav).findByLabelText('2 unread')).toHaveTextContent('2');
    expect(within(nav).getByText('Help please')).toBeInTheDocument();
    await userEvent.click(within(nav).getByRole('button', { name: /Carla Client/ }));
    await userEvent.click(within(nav).getByRole('button', { name: /Dan Client/ }));
    expect(screen.getByRole('region', { name: 'Chat with Carla Client' })).toBeInTheDocument();
    expect(screen.getByRole('region', { name: 'Chat with Dan Client' })).toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: 'Close Chat with Carla Client' }));
    expect(screen.queryByRole('region', { name: 'Chat with Carla Client' })).not.toBeInTheDocument();
  });

  it('shows the empty state', async () => {
    signIn(admin);
    fakeServer({ 'GET /api/chat/conversations': () => json({ items: [] }) });
    renderWithApp(<SupportInbox myId={admin.id} />);
    expect(await screen.findByText('No conversations yet')).toBeInTheDocument();
  });
});
