// Page-level actions shared by the steps.

/** Signs in through the form and waits to leave the sign-in page. */
export async function signIn(page, username, password) {
  await page.goto('/sign-in');
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((url) => !url.pathname.startsWith('/sign-in'));
}

/** Waits until text is visible on the page. */
export async function expectText(page, text, timeout) {
  await page.getByText(text).first().waitFor({ timeout });
}

/** Waits until the day chart's table (read by screen readers) shows a non-zero hour, without reloading. */
export async function waitForFilledChart(page, timeout) {
  await page.waitForFunction(
    () => {
      const table = [...document.querySelectorAll('table')].find((t) => t.caption?.textContent?.startsWith('Consumption per hour'));
      if (!table) return false;
      return [...table.querySelectorAll('tbody td:nth-child(2)')].some((cell) => /[1-9]/.test(cell.textContent ?? ''));
    },
    undefined,
    { timeout, polling: 500 },
  );
}

/** Closes any toasts, which sit over the top-right corner of the page for 15 s. */
export async function dismissToasts(page) {
  for (const button of await page.locator('.mantine-Notification-root button').all()) {
    // A toast may close by itself meanwhile: do not wait the default timeout for its button.
    await button.click({ timeout: 1_000 }).catch(() => undefined);
  }
}

/**
 * Waits until `locator` is visible on a page that does not update it by itself (the device page's "last reported"),
 * reloading the page between waits of `every` ms until `timeout`.
 */
export async function reloadUntilVisible(page, locator, timeout, every = 3_000) {
  const deadline = Date.now() + timeout;
  for (;;) {
    try {
      await locator.waitFor({ timeout: Math.max(1, Math.min(every, deadline - Date.now())) });
      return;
    } catch (error) {
      if (Date.now() >= deadline) throw error;
    }
    await page.reload();
  }
}
