import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { browserTimeZone } from '@/lib/time';
import { client, device, signIn } from '@/testing/data';
import { fakeServer, json } from '@/testing/fake-server';
import { renderWithApp } from '@/testing/render';
import { UsualPatternPanel } from './usual-pattern';

const route = `GET /api/consumption/${device.id}/insight`;
const insight = {
  device_id: device.id,
  tz: 'Europe/Bucharest',
  ready: true,
  weeks_of_history: 6,
  min_weeks: 3,
  weeks: 6,
  learned_at: '2026-12-05T14:00:00Z',
  sensitivity: 4.5,
  sustain_hours: 2,
  slots: [{ slot: 0, median_kwh: 0.2, spread_kwh: 0.01, samples: 6 }],
  tomorrow: { date: '2026-12-06', hours: [{ start: '2026-12-05T22:00:00Z', kwh: 0.2 }], kwh_total: 9.8 },
};

describe('UsualPatternPanel', () => {
  it('says plainly that unusual-consumption alerts wait for more history', async () => {
    signIn(client);
    const server = fakeServer({
      [route]: () => json({ ...insight, ready: false, weeks_of_history: 2, learned_at: null, slots: [], tomorrow: null }),
    });
    renderWithApp(<UsualPatternPanel deviceId={device.id} />);
    const panel = await screen.findByRole('region', { name: 'Usual pattern' });
    expect(await within(panel).findByText(/Too little history for unusual-consumption alerts: 2 of 3 weeks/)).toBeInTheDocument();
    expect(within(panel).queryByText(/Tomorrow/)).not.toBeInTheDocument();
    expect(server.calls(route)[0].query.get('tz')).toBe(browserTimeZone());
  });

  it('shows the settings in force and tomorrow’s forecast once the baseline is ready', async () => {
    signIn(client);
    fakeServer({ [route]: () => json(insight) });
    renderWithApp(<UsualPatternPanel deviceId={device.id} />);
    const sensitivity = await screen.findByRole('group', { name: 'Sensitivity' });
    expect(sensitivity).toHaveTextContent('4.5');
    expect(screen.getByRole('group', { name: 'Sustained hours' })).toHaveTextContent('2 h');
    expect(screen.getByRole('group', { name: "Tomorrow's forecast" })).toHaveTextContent('9.800 kWh');
    expect(screen.getByText(/raised when 2 hours in a row depart from the usual week by more than 4\.5 × its usual spread/)).toBeInTheDocument();
    expect(screen.queryByText(/Too little history/)).not.toBeInTheDocument();
    // The data it was learned up to, not a time ago.
    expect(screen.getByText(/Learned from \d+ weeks? of history up to /)).toBeInTheDocument();
    expect(screen.queryByText(/ ago/)).not.toBeInTheDocument();
  });
});
