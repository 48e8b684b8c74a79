import { ensureChromium } from './chromium.ts';

/** Global setup of the browser tests only: a run of other tests never installs a browser. */
export default function setup() {
  ensureChromium();
}
