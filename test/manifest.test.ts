import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { APP_HOME_OPENED_EVENT, MESSAGE_SHORTCUT_ID, SLACK_EVENTS_PATH, SLASH_COMMAND } from '../src/constants.js';
import { readRepoFile } from './support/repo-docs.js';

// Slack's published manifest schema (MIT, its licence beside it), kept in the repository so that `npm test` runs in
// any clone.
const schemaPath = fileURLToPath(new URL('fixtures/slack/manifest.schema.1.0.0.json', import.meta.url));

/**
 * A draft-07 validator for Slack's published manifest schema. Strict mode stays on, so a keyword or format
 * nobody taught it fails loudly; the schema's own extras are taught instead of ignored:
 * - `regex` (Slack's spelling of `pattern`, on background_color) is enforced like `pattern`;
 * - `_note` is a comment;
 * - `format: uri` (only on `$schema`) is checked with the WHATWG URL parser, as ajv-formats is not installed.
 * `strictTypes` is off because the schema puts `minItems` on string items in a part this app does not use.
 */
function manifestValidator() {
  const ajv = new Ajv({ allErrors: true, strictTypes: false });
  ajv.addKeyword({
    keyword: 'regex',
    type: 'string',
    schemaType: 'string',
    validate: (pattern: string, value: string) => new RegExp(pattern, 'u').test(value),
  });
  ajv.addKeyword({ keyword: '_note' });
  ajv.addFormat('uri', (value: string) => URL.canParse(value));
  return ajv.compile(JSON.parse(readFileSync(schemaPath, 'utf8')));
}

/**
 * The bot scope Slack's documentation requires for each Web API method paylink's client calls (`null`: none, or, for
 * apps.connections.open, the app-level token's `connections:write`): a method added to the client fails the test
 * until its scope is decided here.
 */
const SCOPE_OF_METHOD: Readonly<Record<string, string | null>> = {
  'views.open': null,
  'views.update': null,
  'views.publish': null,
  'chat.postMessage': 'chat:write',
  'chat.update': 'chat:write',
  'chat.getPermalink': null,
  'conversations.open': 'im:write',
  'apps.connections.open': null,
  'files.getUploadURLExternal': 'files:write',
  'files.completeUploadExternal': 'files:write',
};
/** Scopes no method call names: the slash command and the shortcut, and posting where the bot was not invited. */
const SCOPES_BESIDE_METHODS = ['commands', 'chat:write.public'];

const validate = manifestValidator();
const manifest = parse(readRepoFile('manifest.yml'));

/** Every string under a key named `url` or ending in `_url`, wherever it sits in the manifest. */
function requestUrls(node: unknown): string[] {
  if (typeof node !== 'object' || node === null) return [];
  return Object.entries(node).flatMap(([key, value]) =>
    typeof value === 'string' && /(^|_)url$/.test(key) ? [value] : requestUrls(value),
  );
}

describe('manifest.yml', () => {
  it("is valid against Slack's manifest schema", () => {
    expect(validate(manifest), JSON.stringify(validate.errors, null, 2)).toBe(true);
  });

  it('declares the /paylink command and the message shortcut', () => {
    expect(manifest.features.slash_commands).toEqual([
      expect.objectContaining({
        command: SLASH_COMMAND,
        usage_hint:
          '[amount] [payment reference] | list [open|paid] | status <payment reference> | export <YYYY-MM> | help',
      }),
    ]);
    expect(manifest.features.shortcuts).toEqual([
      expect.objectContaining({ type: 'message', name: 'Create payment link', callback_id: MESSAGE_SHORTCUT_ID }),
    ]);
  });

  it("asks for each Web API method's bot scope, and only those, no user scope, the README saying why of each", () => {
    expect(Object.keys(manifest.oauth_config.scopes)).toEqual(['bot']);
    const called = [...readRepoFile('src/slack/web-api.ts').matchAll(/\bcall\('([a-zA-Z.]+)'/g)].map(
      ([, method]) => method,
    );
    expect(new Set(called)).toEqual(new Set(Object.keys(SCOPE_OF_METHOD)));
    const needed = new Set([
      ...SCOPES_BESIDE_METHODS,
      ...Object.values(SCOPE_OF_METHOD).filter((scope) => scope !== null),
    ]);
    expect(new Set(manifest.oauth_config.scopes.bot)).toEqual(needed);
    const why = readRepoFile('README.md').match(/^Scopes, and why: [\s\S]*?\n\n/m)?.[0] ?? '';
    for (const name of [...needed, ...called]) expect(why, name).toContain(`\`${name}\``);
  });

  it('has a Home tab, and subscribes to the event that opens it', () => {
    expect(manifest.features.app_home).toMatchObject({ home_tab_enabled: true });
    expect(manifest.settings.event_subscriptions.bot_events).toEqual([APP_HOME_OPENED_EVENT]);
  });

  it('sends commands, interactions and events over HTTP to /slack/events', () => {
    const urls = requestUrls(manifest);

    expect(urls).toHaveLength(3);
    for (const url of urls) {
      expect(new URL(url).protocol).toBe('https:');
      expect(new URL(url).pathname).toBe(SLACK_EVENTS_PATH);
    }
    expect(manifest.settings).toMatchObject({ interactivity: { is_enabled: true }, socket_mode_enabled: false });
  });

  it('is checked by a validator that rejects what Slack would', () => {
    const mutations = {
      'an unknown top-level key': { ...manifest, commands: [] },
      'a shortcut name over 24 characters': {
        ...manifest,
        features: { ...manifest.features, shortcuts: [{ ...manifest.features.shortcuts[0], name: 'x'.repeat(25) }] },
      },
      'a background colour that is not hex': {
        ...manifest,
        display_information: { ...manifest.display_information, background_color: 'navy' },
      },
    };
    for (const [mutation, invalid] of Object.entries(mutations)) {
      expect(validate(invalid), mutation).toBe(false);
    }
  });
});
