import { z } from 'zod';

/** A meter as the API returns it. */
export const DeviceSchema = z.object({
  id: z.string(),
  name: z.string(),
  address: z.string().nullish(),
  max_hourly_kwh: z.number(),
  /** Readings implying more power are refused; null: the default (4 × the hourly limit, at least 50 kW). */
  max_power_kw: z.number().nullish(),
  owner_id: z.string().nullish(),
  created_at: z.string(),
  /** How its MQTT frames and HTTP bodies are read; null: detected from the MQTT topic, else iems' own JSON. */
  meter_format: z.string().nullish(),
  /** The IANA zone that places Tasmota's offset-less `Time`. */
  time_zone: z.string().nullish(),
  /** When it last sent a stored reading (RFC 3339); null: never. */
  last_reported_at: z.string().nullish(),
  /** Over which path it last reported: `amqp`, `mqtt` or `http`. */
  last_reported_via: z.string().nullish(),
  /** How far from its usual week an hour must be to count as unusual (1–10); null: the default, 3. */
  unusual_sensitivity: z.number().nullish(),
  /** How many departing hours in a row raise an unusual-consumption alert (1–24); null: the default, 3. */
  unusual_sustain_hours: z.number().nullish(),
  /** Its credential in force (admins only; absent when it has none). Never the secret. */
  credential: z.object({ key_id: z.string(), created_at: z.string() }).nullish(),
});
export type Device = z.infer<typeof DeviceSchema>;

/** The meter formats a device may be set to (`docs/meters.md`), with what the select shows. */
export const METER_FORMATS = [
  { value: 'iems', label: "iems' own JSON" },
  { value: 'tasmota', label: 'Tasmota (tele/…/SENSOR, ENERGY.Total kWh)' },
  { value: 'shelly', label: 'Shelly Gen2+ (aenergy / emdata, Wh)' },
  { value: 'home_assistant', label: 'Home Assistant state (kWh unless it names its unit)' },
  { value: 'home_assistant_wh', label: 'Home Assistant state in Wh' },
  { value: 'plain_number', label: 'Plain number (kWh)' },
] as const;
export type MeterFormat = (typeof METER_FORMATS)[number]['value'];

/** The path a reading arrived by, as the API names it. */
export const REPORT_PATHS: Record<string, string> = { amqp: 'AMQP', mqtt: 'MQTT', http: 'HTTP' };

/** A credential just issued (`POST /api/devices/{id}/credential`): the only answer that carries its secret. */
export const IssuedCredentialSchema = z.object({
  /** The MQTT user name. */
  key_id: z.string(),
  /** The MQTT password. */
  secret: z.string(),
  /** `<key_id>.<secret>`: the bearer token of `POST /api/ingest`. */
  token: z.string(),
  /** `<namespace>/<device id>`: the MQTT topics it may publish under. */
  topic_prefix: z.string(),
  created_at: z.string(),
});
export type IssuedCredential = z.infer<typeof IssuedCredentialSchema>;

/** A step between two readings the reading policy booked specially (`GET /api/devices/{id}/events`). */
export const MeterEventSchema = z.object({
  kind: z.enum(['reset', 'gap']),
  from: z.string(),
  to: z.string(),
  register_before_kwh: z.number(),
  register_after_kwh: z.number(),
  unspread_kwh: z.number(),
  recorded_at: z.string(),
});
export type MeterEvent = z.infer<typeof MeterEventSchema>;
