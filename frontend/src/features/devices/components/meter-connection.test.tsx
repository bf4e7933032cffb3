import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { admin, device, signIn } from '@/testing/data';
import { apiError, fakeServer, json } from '@/testing/fake-server';
import { renderWithApp } from '@/testing/render';
import { useDevice } from '../api/get-device';
import { MeterConnection } from './meter-connection';

const base = `/api/devices/${device.id}`;
const credentialRoute = `${base}/credential`;
const never = { ...device, meter_format: null, time_zone: null, last_reported_at: null, last_reported_via: null };
const inForce = { key_id: 'k_old42', created_at: '2026-03-01T09:00:00Z' };
const issued = {
  key_id: 'k_new77',
  secret: 'S3cr3t-only-once-9f2',
  token: 'k_new77.S3cr3t-only-once-9f2',
  topic_prefix: `iems/${device.id}`,
  created_at: '2026-03-29T10:00:00Z',
};

/** The section as the device page shows it: fed by the device query, so refetches after a change show. */
function Subject({ manage = true }: { manage?: boolean }) {
  const one = useDevice(device.id);
  return one.data ? <MeterConnection device={one.data} manage={manage} /> : null;
}

describe('MeterConnection', () => {
  it('says "never" for a device that has not reported, and when and how one did', async () => {
    signIn(admin);
    let current: Record<string, unknown> = never;
    fakeServer({ [`GET ${base}`]: () => json(current) });
    const view = renderWithApp(<Subject />);
    expect(await screen.findByTestId('last-reported')).toHaveTextContent(/Last reported: never/);

    current = { ...never, last_reported_at: new Date(Date.now() - 5 * 60_000).toISOString(), last_reported_via: 'mqtt' };
    await view.queryClient.invalidateQueries();
    await waitFor(() => expect(screen.getByTestId('last-reported')).toHaveTextContent(/Last reported: 5 minutes ago \(.+\) via MQTT/));
  });

  it('issues a credential, shows its secret once with recipes, and removes it from the page when dismissed', async () => {
    signIn(admin);
    const user = userEvent.setup();
    let credential: typeof inForce | undefined;
    const server = fakeServer({
      [`GET ${base}`]: () => json({ ...never, ...(credential ? { credential } : {}) }),
      [`POST ${credentialRoute}`]: () => {
        credential = { key_id: issued.key_id, created_at: issued.created_at };
        return json(issued, 201);
      },
    });
    renderWithApp(<Subject />);
    expect(await screen.findByText(/No credential: the meter cannot report/)).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Revoke' })).not.toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Issue credential' }));

    const panel = await screen.findByRole('region', { name: 'New credential' });
    expect(server.calls(`POST ${credentialRoute}`)).toHaveLength(1);
    expect(within(panel).getByLabelText('MQTT username')).toHaveTextContent(issued.key_id);
    expect(within(panel).getByLabelText('MQTT password')).toHaveTextContent(issued.secret);
    expect(within(panel).getByLabelText('Topic prefix')).toHaveTextContent(issued.topic_prefix);
    expect(within(panel).getByLabelText('HTTP bearer token')).toHaveTextContent(issued.token);
    expect(within(panel).getByText(/not shown again/)).toBeInTheDocument();
    expect(within(panel).getByLabelText('Tasmota recipe')).toHaveTextContent(
      `MqttPort 1884; MqttUser ${issued.key_id}; MqttPassword ${issued.secret}; FullTopic ${issued.topic_prefix}/%prefix%/%topic%/`,
    );
    expect(within(panel).getByLabelText('Shelly Gen2 recipe')).toHaveTextContent(`MQTT prefix: ${issued.topic_prefix}`);
    expect(within(panel).getByLabelText('HTTP recipe')).toHaveTextContent(
      `curl -X POST ${window.location.origin}/api/ingest -H 'Authorization: Bearer ${issued.token}' -H 'Content-Type: application/json' -d '{"timestamp":1774746600,"measurement_value":12.5}'`,
    );
    await user.click(within(panel).getByRole('button', { name: 'Copy MQTT password' }));
    expect(await navigator.clipboard.readText()).toBe(issued.secret);
    // The device refetched: the key id is listed, and the next step is a rotation.
    expect(await screen.findByText(issued.key_id, { selector: 'strong' })).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Rotate credential' })).toBeInTheDocument();

    await user.click(within(panel).getByRole('button', { name: /hide the secret/ }));
    expect(screen.queryByRole('region', { name: 'New credential' })).not.toBeInTheDocument();
    expect(document.body.innerHTML).not.toContain(issued.secret);
    expect(screen.getByTestId('credential-status')).toHaveTextContent(`Key id ${issued.key_id}`);
  });

  it('rotates only after the confirmation that the old credential stops working', async () => {
    signIn(admin);
    const user = userEvent.setup();
    const server = fakeServer({
      [`GET ${base}`]: () => json({ ...never, credential: inForce }),
      [`POST ${credentialRoute}`]: () => json(issued, 201),
    });
    renderWithApp(<Subject />);
    expect(await screen.findByTestId('credential-status')).toHaveTextContent(`Key id ${inForce.key_id}`);
    expect(screen.queryByRole('button', { name: 'Issue credential' })).not.toBeInTheDocument();

    await user.click(screen.getByRole('button', { name: 'Rotate credential' }));
    let dialog = await screen.findByRole('dialog');
    expect(dialog).toHaveTextContent(/stops working within seconds/);
    await user.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
    expect(server.calls(`POST ${credentialRoute}`)).toHaveLength(0);

    await user.click(screen.getByRole('button', { name: 'Rotate credential' }));
    dialog = await screen.findByRole('dialog');
    await user.click(within(dialog).getByRole('button', { name: 'Rotate' }));
    expect(await screen.findByRole('region', { name: 'New credential' })).toHaveTextContent(issued.secret);
    expect(server.calls(`POST ${credentialRoute}`)).toHaveLength(1);
    expect(server.calls(`DELETE ${credentialRoute}`)).toHaveLength(0);
  });

  it('revokes only after confirmation', async () => {
    signIn(admin);
    const user = userEvent.setup();
    let credential: typeof inForce | undefined = inForce;
    const server = fakeServer({
      [`GET ${base}`]: () => json({ ...never, ...(credential ? { credential } : {}) }),
      [`DELETE ${credentialRoute}`]: () => {
        credential = undefined;
        return new Response(null, { status: 204 });
      },
    });
    renderWithApp(<Subject />);
    await user.click(await screen.findByRole('button', { name: 'Revoke' }));
    const dialog = await screen.findByRole('dialog');
    expect(dialog).toHaveTextContent(/stops working within seconds/);
    expect(server.calls(`DELETE ${credentialRoute}`)).toHaveLength(0);
    await user.click(within(dialog).getByRole('button', { name: 'Revoke' }));
    await waitFor(() => expect(server.calls(`DELETE ${credentialRoute}`)).toHaveLength(1));
    expect(await screen.findByText(/No credential: the meter cannot report/)).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Issue credential' })).toBeInTheDocument();
    expect(server.calls(`POST ${credentialRoute}`)).toHaveLength(0);
  });

  it('explains a 404 when the credential was revoked elsewhere', async () => {
    signIn(admin);
    const user = userEvent.setup();
    fakeServer({
      [`GET ${base}`]: () => json({ ...never, credential: inForce }),
      [`DELETE ${credentialRoute}`]: () => apiError(404, 'not_found', 'no credential in force'),
    });
    renderWithApp(<Subject />);
    await user.click(await screen.findByRole('button', { name: 'Revoke' }));
    const dialog = await screen.findByRole('dialog');
    await user.click(within(dialog).getByRole('button', { name: 'Revoke' }));
    expect(await within(dialog).findByRole('alert')).toHaveTextContent('it was revoked already');
  });

  it('saves the meter format and time zone with PATCH, and back to detection with nulls', async () => {
    signIn(admin);
    const user = userEvent.setup();
    let current: Record<string, unknown> = never;
    const server = fakeServer({
      [`GET ${base}`]: () => json(current),
      [`PATCH ${base}`]: (request) => {
        current = { ...current, ...(request.body as object) };
        return json(current);
      },
    });
    renderWithApp(<Subject />);
    const form = await screen.findByRole('form', { name: 'Meter format and time zone' });
    const format = within(form).getByLabelText(/Meter format/);
    expect(format).toHaveValue('');
    expect(within(format).getByRole('option', { name: /Detect from topic/ })).toBeInTheDocument();
    const save = within(form).getByRole('button', { name: 'Save meter settings' });
    expect(save).toBeDisabled();

    await user.selectOptions(format, 'tasmota');
    await user.type(within(form).getByRole('combobox', { name: /Time zone/ }), 'Mars/Olympus');
    await user.click(save);
    expect(await within(form).findByText(/Not a known time zone/)).toBeInTheDocument();
    expect(server.calls(`PATCH ${base}`)).toHaveLength(0);

    await user.clear(within(form).getByRole('combobox', { name: /Time zone/ }));
    await user.type(within(form).getByRole('combobox', { name: /Time zone/ }), 'Europe/Berlin');
    await user.click(save);
    expect(await within(form).findByText('Saved.')).toBeInTheDocument();
    expect(server.calls(`PATCH ${base}`)[0].body).toEqual({ meter_format: 'tasmota', time_zone: 'Europe/Berlin' });

    await user.selectOptions(format, '');
    await user.clear(within(form).getByRole('combobox', { name: /Time zone/ }));
    await user.click(save);
    await waitFor(() => expect(server.calls(`PATCH ${base}`)).toHaveLength(2));
    expect(server.calls(`PATCH ${base}`)[1].body).toEqual({ meter_format: null, time_zone: null });
  });

  it("puts the API's validation error under the time zone", async () => {
    signIn(admin);
    const user = userEvent.setup();
    fakeServer({
      [`GET ${base}`]: () => json(never),
      [`PATCH ${base}`]: () => apiError(422, 'validation_failed', 'time_zone is not an IANA zone this server knows', 'time_zone'),
    });
    renderWithApp(<Subject />);
    const form = await screen.findByRole('form', { name: 'Meter format and time zone' });
    await user.type(within(form).getByRole('combobox', { name: /Time zone/ }), 'Europe/Kyiv');
    await user.click(within(form).getByRole('button', { name: 'Save meter settings' }));
    expect(await within(form).findByText('time_zone is not an IANA zone this server knows')).toBeInTheDocument();
  });

  it('shows a client when the meter last reported, but no credential or format controls', async () => {
    signIn(admin);
    fakeServer({ [`GET ${base}`]: () => json({ ...never, credential: inForce }) });
    renderWithApp(<Subject manage={false} />);
    expect(await screen.findByTestId('last-reported')).toHaveTextContent(/never/);
    expect(screen.queryByRole('region', { name: 'Device credential' })).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /credential|Revoke/ })).not.toBeInTheDocument();
    expect(screen.queryByLabelText(/Meter format/)).not.toBeInTheDocument();
    expect(screen.queryByText(inForce.key_id)).not.toBeInTheDocument();
  });
});
