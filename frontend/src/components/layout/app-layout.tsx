import { AppShell, Badge, Burger, Button, Group, NavLink, Text, Title } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { NavLink as RouterLink, Outlet, useLocation } from 'react-router';
import type { LiveStatus } from '@/lib/live-socket';

export type NavItem = { to: string; label: string; badge?: number };

type Props = {
  nav: NavItem[];
  userName: string;
  roleLabel: string;
  live: LiveStatus;
  onSignOut: () => void;
};

/** Header, a navigation that folds behind a burger on phones, and the page. */
export function AppLayout({ nav, userName, roleLabel, live, onSignOut }: Props) {
  const [opened, { toggle, close }] = useDisclosure();
  const location = useLocation();
  return (
    <AppShell header={{ height: 56 }} navbar={{ width: 220, breakpoint: 'sm', collapsed: { mobile: !opened } }} padding="md">
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap">
            <Burger opened={opened} onClick={toggle} hiddenFrom="sm" size="sm" aria-label="Toggle navigation" />
            <Title order={2} size="h4">
              iems
            </Title>
            <Badge
              variant="dot"
              color={live === 'online' ? 'teal' : live === 'connecting' ? 'yellow' : 'gray'}
              aria-label={`Live updates ${live}`}
            >
              {live === 'online' ? 'Live' : live === 'connecting' ? 'Connecting' : 'Offline'}
            </Badge>
          </Group>
          <Group gap="sm" wrap="nowrap">
            <Text size="sm" visibleFrom="xs" data-testid="signed-in-as">
              {userName} · {roleLabel}
            </Text>
            <Button variant="default" size="xs" onClick={onSignOut}>
              Sign out
            </Button>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs" component="nav" aria-label="Main">
        {nav.map((item) => (
          <NavLink
            key={item.to}
            component={RouterLink}
            to={item.to}
            label={item.label}
            active={location.pathname === item.to || location.pathname.startsWith(`${item.to}/`)}
            onClick={close}
            rightSection={item.badge ? <Badge size="xs" color="red">{item.badge}</Badge> : undefined}
          />
        ))}
      </AppShell.Navbar>
      <AppShell.Main>
        <Outlet />
      </AppShell.Main>
    </AppShell>
  );
}
