import { parse } from 'yaml';
import { RollgateError } from '../core/errors/rollgate-error.js';

/**
 * `rollgate demo --notify-config FILE` (or ROLLGATE_DEMO_NOTIFY=FILE): a YAML file with one
 * top-level `notifications:` section, the policy's own shape (channels, routes,
 * escalation). The demo appends it to the policy it writes, so the demo delivers real
 * notifications (Slack, PagerDuty, GitHub issue, webhooks) and the file shows what ran.
 * Secrets stay references (`${env:SLACK_WEBHOOK}`), resolved from the environment.
 */
export function demoNotifyText(text: string, file: string): string {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (err) {
    throw new RollgateError('invalid_input', `${file}: not valid YAML`, {
      cause: err,
      hint: 'the file holds a `notifications:` section, as in rollgate.yaml (docs/notifications.md)',
    });
  }
  const keys = doc !== null && typeof doc === 'object' ? Object.keys(doc) : [];
  if (keys.length !== 1 || keys[0] !== 'notifications') {
    throw new RollgateError(
      'invalid_input',
      `${file}: expected one top-level key \`notifications\`, found ${keys.length === 0 ? 'none' : keys.map((k) => `\`${k}\``).join(', ')}`,
      { hint: 'copy the `notifications:` section of a rollgate.yaml (docs/notifications.md)' },
    );
  }
  return `\n# Notifications from ${file} (rollgate demo --notify-config).\n${text.trimEnd()}\n`;
}
