import { createBrowserRouter, createMemoryRouter, Navigate, type RouteObject } from 'react-router';
import { AppRoot } from './routes/app-root';
import { RequireAuth, RequireRole, RoleHome } from './routes/guards';
import { RouteError } from './routes/route-error';
import { NotFoundRoute } from './routes/not-found';
import { RegisterRoute } from './routes/register';
import { SignInRoute } from './routes/sign-in';

// Pages load on first visit, so the charting and admin code stays out of the first download.
const page = <K extends string>(load: () => Promise<Record<K, React.ComponentType>>, name: K) => async () => ({
  Component: (await load())[name],
});

export const routes: RouteObject[] = [
  { path: '/sign-in', element: <SignInRoute />, errorElement: <RouteError /> },
  { path: '/register', element: <RegisterRoute />, errorElement: <RouteError /> },
  {
    errorElement: <RouteError />,
    element: (
      <RequireAuth>
        <AppRoot />
      </RequireAuth>
    ),
    children: [
      { index: true, element: <RoleHome /> },
      { path: 'devices', lazy: page(() => import('./routes/devices'), 'DevicesRoute') },
      { path: 'devices/:deviceId', lazy: page(() => import('./routes/device'), 'DeviceRoute') },
      { path: 'alerts', lazy: page(() => import('./routes/alerts'), 'AlertsRoute') },
      {
        path: 'chat',
        element: <RequireRole role="client" />,
        children: [{ index: true, lazy: page(() => import('./routes/chat'), 'ChatRoute') }],
      },
      { path: 'account', lazy: page(() => import('./routes/account'), 'AccountRoute') },
      {
        path: 'admin',
        element: <RequireRole role="admin" />,
        children: [
          { index: true, element: <Navigate to="/admin/users" replace /> },
          { path: 'users', lazy: page(() => import('./routes/admin/users'), 'AdminUsersRoute') },
          { path: 'users/:userId', lazy: page(() => import('./routes/admin/client'), 'AdminClientRoute') },
          { path: 'tariffs', lazy: page(() => import('./routes/admin/tariffs'), 'AdminTariffsRoute') },
          { path: 'devices', lazy: page(() => import('./routes/admin/devices'), 'AdminDevicesRoute') },
          { path: 'inbox', lazy: page(() => import('./routes/admin/inbox'), 'AdminInboxRoute') },
        ],
      },
      { path: '*', element: <NotFoundRoute /> },
    ],
  },
];

export const createAppRouter = () => createBrowserRouter(routes);

/** For tests: the same routes in memory, starting at `path`. */
export const createTestRouter = (path: string) => createMemoryRouter(routes, { initialEntries: [path] });
