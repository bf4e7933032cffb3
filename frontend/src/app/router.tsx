import { createBrowserRouter, createMemoryRouter, Navigate, type RouteObject } from 'react-router';
import { AccountRoute } from './routes/account';
import { AdminDevicesRoute } from './routes/admin/devices';
import { AdminInboxRoute } from './routes/admin/inbox';
import { AdminUsersRoute } from './routes/admin/users';
import { AlertsRoute } from './routes/alerts';
import { AppRoot } from './routes/app-root';
import { ChatRoute } from './routes/chat';
import { DeviceRoute } from './routes/device';
import { DevicesRoute } from './routes/devices';
import { RequireAuth, RequireRole, RoleHome } from './routes/guards';
import { NotFoundRoute } from './routes/not-found';
import { RegisterRoute } from './routes/register';
import { SignInRoute } from './routes/sign-in';

export const routes: RouteObject[] = [
  { path: '/sign-in', element: <SignInRoute /> },
  { path: '/register', element: <RegisterRoute /> },
  {
    element: (
      <RequireAuth>
        <AppRoot />
      </RequireAuth>
    ),
    children: [
      { index: true, element: <RoleHome /> },
      { path: 'devices', element: <DevicesRoute /> },
      { path: 'devices/:deviceId', element: <DeviceRoute /> },
      { path: 'alerts', element: <AlertsRoute /> },
      { path: 'chat', element: <RequireRole role="client"><ChatRoute /></RequireRole> },
      { path: 'account', element: <AccountRoute /> },
      {
        path: 'admin',
        element: <RequireRole role="admin" />,
        children: [
          { index: true, element: <Navigate to="/admin/users" replace /> },
          { path: 'users', element: <AdminUsersRoute /> },
          { path: 'devices', element: <AdminDevicesRoute /> },
          { path: 'inbox', element: <AdminInboxRoute /> },
        ],
      },
      { path: '*', element: <NotFoundRoute /> },
    ],
  },
];

export const createAppRouter = () => createBrowserRouter(routes);

/** For tests: the same routes in memory, starting at `path`. */
export const createTestRouter = (path: string) => createMemoryRouter(routes, { initialEntries: [path] });
