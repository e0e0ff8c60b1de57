import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { COMMAND_NAME, invalidCommandField, MAX_PARAMS_JSON, parseCommandInput } from './command-input';

describe('parseCommandInput', () => {
  it('takes a name alone, trimmed', () => {
    expect(parseCommandInput('  reboot \n', '')).toEqual({ ok: true, name: 'reboot' });
    expect(parseCommandInput('reboot', '   \n ')).toEqual({ ok: true, name: 'reboot' });
  });

  it('takes a name with a JSON object of parameters', () => {
    expect(parseCommandInput('set-interval', ' {"seconds": 60, "nested": {"a": [1, 2]}} ')).toEqual({
      ok: true,
      name: 'set-interval',
      params: { seconds: 60, nested: { a: [1, 2] } },
    });
  });

  it.each([
    ['', 'command_name'],
    ['Reboot', 'command_name'],
    ['1reboot', 'command_name'],
    ['re boot', 'command_name'],
    ['reboot!', 'command_name'],
    [`r${'x'.repeat(64)}`, 'command_name'],
  ])('refuses the name %j', (name, error) => {
    expect(parseCommandInput(name, '')).toEqual({ ok: false, error });
  });

  it.each([
    ['{seconds: 60}', 'params_json'],
    ['{"a": 1,}', 'params_json'],
    ["{'a': 1}", 'params_json'],
    ['[1, 2]', 'params_object'],
    ['"text"', 'params_object'],
    ['42', 'params_object'],
    ['null', 'params_object'],
    ['true', 'params_object'],
    [JSON.stringify({ ['k'.repeat(65)]: 1 }), 'params_key'],
    [JSON.stringify({ blob: 'x'.repeat(MAX_PARAMS_JSON) }), 'params_size'],
    [`${' '.repeat(MAX_PARAMS_JSON * 5)}{}x`, 'params_json'],
    [`{"a": "${'x'.repeat(MAX_PARAMS_JSON * 4)}"}`, 'params_size'],
  ])('refuses the parameters %#', (params, error) => {
    expect(parseCommandInput('reboot', params)).toEqual({ ok: false, error });
  });

  it('accepts parameters right at the limit, and not one character more', () => {
    const at = (length: number) => JSON.stringify({ v: 'x'.repeat(length - '{"v":""}'.length) });
    expect(at(MAX_PARAMS_JSON)).toHaveLength(MAX_PARAMS_JSON);
    expect(parseCommandInput('reboot', at(MAX_PARAMS_JSON)).ok).toBe(true);
    expect(parseCommandInput('reboot', at(MAX_PARAMS_JSON + 1))).toEqual({ ok: false, error: 'params_size' });
  });

  it('never throws on free text, and what it accepts is what the API accepts', () => {
    fc.assert(
      fc.property(
        fc.string(),
        fc.oneof(
          fc.string(),
          fc.json(),
          fc.jsonValue().map((v) => JSON.stringify(v)),
        ),
        (name, params) => {
          const input = parseCommandInput(name, params);
          if (!input.ok) return;
          expect(input.name).toMatch(COMMAND_NAME);
          if (input.params === undefined) {
            expect(params.trim()).toBe('');
          } else {
            expect(typeof input.params).toBe('object');
            expect(Array.isArray(input.params)).toBe(false);
            expect(JSON.stringify(input.params).length).toBeLessThanOrEqual(MAX_PARAMS_JSON);
            expect(Object.keys(input.params).every((key) => key.length <= 64)).toBe(true);
          }
        },
      ),
    );
  });

  it('returns any small JSON object it is given, unchanged', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(COMMAND_NAME),
        fc.dictionary(fc.string({ maxLength: 64 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 5 }),
        (name, params) => {
          fc.pre(JSON.stringify(params).length <= MAX_PARAMS_JSON);
          const input = parseCommandInput(name, JSON.stringify(params, null, 2));
          expect(input).toEqual({ ok: true, name, params: JSON.parse(JSON.stringify(params)) });
        },
      ),
    );
  });
});

describe('invalidCommandField', () => {
  it.each([
    ['command_name', 'name'],
    ['params_json', 'params'],
    ['params_size', 'params'],
    ['not_active', undefined],
    ['sent', undefined],
    [undefined, undefined],
  ])('%s points at %s', (result, field) => {
    expect(invalidCommandField(result)).toBe(field);
  });
});
