/**
 * A command as typed into the device page: its name and optional parameters as JSON text. Checked
 * on the server before the API sees it, against the API's own rules (docs/api.md, Commands), so
 * that a typo gets a message in the user's language naming what is wrong.
 */

/** The API's command name format. */
export const COMMAND_NAME = /^[a-z][a-z0-9_.-]{0,63}$/;
/** Parameters travel to the device in one MQTT message: at most 4 KiB of JSON. */
export const MAX_PARAMS_JSON = 4096;
const MAX_KEY = 64;

export type CommandInputError =
  | 'command_name'
  | 'params_json'
  | 'params_object'
  | 'params_key'
  | 'params_size';

export type CommandInput =
  | { ok: true; name: string; params?: Record<string, unknown> }
  | { ok: false; error: CommandInputError };

export function parseCommandInput(name: string, paramsText: string): CommandInput {
  const trimmedName = name.trim();
  if (!COMMAND_NAME.test(trimmedName)) return { ok: false, error: 'command_name' };
  const text = paramsText.trim();
  if (text === '') return { ok: true, name: trimmedName };
  // Whitespace aside, anything much longer than the limit cannot fit: no need to parse it.
  if (text.length > MAX_PARAMS_JSON * 4) return { ok: false, error: 'params_size' };
  let params: unknown;
  try {
    params = JSON.parse(text);
  } catch {
    return { ok: false, error: 'params_json' };
  }
  if (typeof params !== 'object' || params === null || Array.isArray(params)) {
    return { ok: false, error: 'params_object' };
  }
  if (Object.keys(params).some((key) => key.length > MAX_KEY)) return { ok: false, error: 'params_key' };
  if (JSON.stringify(params).length > MAX_PARAMS_JSON) return { ok: false, error: 'params_size' };
  return { ok: true, name: trimmedName, params: params as Record<string, unknown> };
}

/** The field a refusal points at (for aria-invalid), if it is one of the form's. */
export function invalidCommandField(result: string | undefined): 'name' | 'params' | undefined {
  if (result === 'command_name') return 'name';
  if (result?.startsWith('params_')) return 'params';
  return undefined;
}
