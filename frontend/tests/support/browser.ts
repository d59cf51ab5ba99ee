// Debian's Chromium driven by playwright-core (no browser download). Each
// launch gets a fresh temporary profile from playwright-core itself.
import { chromium, type Browser } from "playwright-core";

export const CHROMIUM = process.env.RTAD_CHROMIUM ?? "/usr/bin/chromium";
const FLAGS = [
  "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-quic",
  "--no-first-run", "--disable-component-update", "--disable-sync",
];

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: FLAGS });
}
