// Helpers for the end-to-end run: configuration, the reachability check, the browser, steps.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));

/** Everything the run reads from the environment, with the defaults of `iems up`. */
export function readConfig(env = process.env) {
  const missing = ['IEMS_E2E_ADMIN_USER', 'IEMS_E2E_ADMIN_PASSWORD'].filter((name) => !env[name]);
  if (missing.length) fail(`set ${missing.join(' and ')} (the admin that \`iems up\` printed)`);
  return {
    baseUrl: (env.IEMS_E2E_URL ?? 'http://127.0.0.1:3000').replace(/\/+$/, ''),
    adminUser: env.IEMS_E2E_ADMIN_USER,
    adminPassword: env.IEMS_E2E_ADMIN_PASSWORD,
    chromium: env.IEMS_E2E_CHROMIUM ?? '/usr/bin/chromium',
    // A shell command that plays readings for the new device; {device_id}, {start}, {count}, {step}, {url} are filled in.
    simulate: env.IEMS_E2E_SIMULATE_CMD ?? '',
    // The same for a meter over MQTT with its credential, which is in the environment as IEMS_E2E_DEVICE_CREDENTIAL.
    simulateMqtt: env.IEMS_E2E_SIMULATE_MQTT_CMD ?? '',
    // Like `simulate`, with a heater left on in the last whole 22:00–06:00 night of the played readings
    // (`iems simulate --heater-kw 2 --heater-nights 1`): consumption unlike the device's usual week.
    simulateHeater: env.IEMS_E2E_SIMULATE_HEATER_CMD ?? '',
    // `--amqp-namespace` of the server: the first part of a device's topic prefix (`iems` by default).
    namespace: env.IEMS_E2E_NAMESPACE ?? 'iems',
    screenshots: path.resolve(env.IEMS_E2E_SCREENSHOTS ?? path.join(here, '..', 'docs', 'screenshots')),
    failures: path.join(here, 'out'),
    timeoutMs: Number(env.IEMS_E2E_TIMEOUT_MS ?? 90_000),
  };
}

/** Prints a clear message and exits non-zero. */
export function fail(message) {
  console.error(`e2e: ${message}`);
  process.exit(2);
}

/** Checks that the server answers before any browser starts. */
export async function ensureReachable(baseUrl) {
  try {
    const response = await fetch(`${baseUrl}/api/auth/me`, { signal: AbortSignal.timeout(5_000) });
    // 401 is the healthy answer here: the API is up and wants a token.
    if (response.status >= 500) fail(`${baseUrl} answered ${response.status}; is iems healthy?`);
  } catch (error) {
    fail(
      `the server is not reachable at ${baseUrl} (${error.cause?.code ?? error.message}). ` +
        'Start it with `iems up --data <fresh dir>` and set IEMS_E2E_URL.',
    );
  }
}

/** Launches Debian's Chromium headless with the flags this machine needs. */
export async function launchBrowser(executablePath) {
  if (!existsSync(executablePath)) fail(`no browser at ${executablePath}: apt-get install -y chromium, or set IEMS_E2E_CHROMIUM`);
  return chromium.launch({
    executablePath,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

/** Runs named steps in order; on failure saves screenshots of every page and exits 1. */
export function createRunner(config, pages) {
  let passed = 0;
  return {
    async step(name, body) {
      const started = Date.now();
      try {
        await body();
        passed += 1;
        console.log(`  ok   ${name} (${Date.now() - started} ms)`);
      } catch (error) {
        console.error(`  FAIL ${name}: ${error.message}`);
        mkdirSync(config.failures, { recursive: true });
        for (const [label, page] of Object.entries(pages())) {
          const file = path.join(config.failures, `failure-${label}.png`);
          await page.screenshot({ path: file, fullPage: true }).catch(() => undefined);
          console.error(`       screenshot of the ${label}'s page: ${file}`);
        }
        console.log(`e2e: ${passed} passed, 1 failed`);
        process.exit(1);
      }
    },
    done() {
      console.log(`e2e: ${passed} passed, 0 failed`);
    },
  };
}

/** Saves a screenshot for the README. */
export async function snap(config, page, name) {
  mkdirSync(config.screenshots, { recursive: true });
  await page.screenshot({ path: path.join(config.screenshots, `${name}.png`) });
}

/** Saves a screenshot of one part of a page (a section) for the README. */
export async function snapPart(config, locator, name) {
  mkdirSync(config.screenshots, { recursive: true });
  await locator.screenshot({ path: path.join(config.screenshots, `${name}.png`) });
}

/**
 * Runs the simulate command with its placeholders filled, and fails on a non-zero exit. `env` is added to the
 * command's environment (secrets go there, not into the printed command line).
 */
export function runSimulator(command, values, env = {}) {
  const filled = command.replace(/\{(\w+)\}/g, (whole, key) => values[key] ?? whole);
  console.log(`       simulate: ${filled}`);
  return new Promise((resolve, reject) => {
    const child = spawn('sh', ['-c', filled], { stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, ...env } });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`the simulate command exited with ${code}`))));
  });
}

/**
 * The readings to play so that today's chart fills in up to the current hour and that hour has
 * consumption too, whatever the time of day: 5-minute steps from about midnight UTC to a last
 * reading `leadMinutes` after `now`. That is inside the reading policy's 5 minutes of clock lead,
 * and it puts at least `leadMinutes` of a step (at least 0.8 of a step's energy) in the current
 * hour even in its first seconds. Returns `{ start, count, step }` for the simulate command.
 */
export function readingsThroughNow(now = new Date(), stepMinutes = 5, leadMinutes = 4) {
  const stepMs = stepMinutes * 60_000;
  const end = Math.floor((now.getTime() + leadMinutes * 60_000) / 1000) * 1000;
  const midnight = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const steps = Math.max(1, Math.floor((end - midnight) / stepMs));
  const start = new Date(end - steps * stepMs).toISOString().replace('.000Z', 'Z');
  return { start, count: String(steps + 1), step: `${stepMinutes}m` };
}

/**
 * History for a device's usual week (docs/insight.md: ready after 3 whole weeks): `days` days of
 * `stepMinutes` readings from the hour `days` days before `now`, the last one `stepMinutes` before
 * `now`'s hour, so that every reading is in the past and the played data ends just before this hour.
 * Returns `{ start, count, step }` for the simulate command.
 */
export function readingsForWeeks(now = new Date(), days = 28, stepMinutes = 10) {
  const hour = Math.floor(now.getTime() / 3_600_000) * 3_600_000;
  const start = new Date(hour - days * 24 * 3_600_000).toISOString().replace('.000Z', 'Z');
  return { start, count: String((days * 24 * 60) / stepMinutes), step: `${stepMinutes}m` };
}
