import { render } from '@testing-library/react';
import { QueryClient } from '@tanstack/react-query';
import type { ReactElement } from 'react';
import { MemoryRouter } from 'react-router';
import { AppProvider } from '@/app/provider';
import { fakeLive } from './fake-socket';

/** Renders `ui` inside the real providers, a memory router, a fresh cache and a fake socket. */
export function renderWithApp(ui: ReactElement, { path = '/' }: { path?: string } = {}) {
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false }, mutations: { retry: false } } });
  const socket = fakeLive();
  const view = render(
    <AppProvider queryClient={queryClient} socket={socket.live} env="test">
      <MemoryRouter initialEntries={[path]}>{ui}</MemoryRouter>
    </AppProvider>,
  );
  return { ...view, queryClient, socket };
}
