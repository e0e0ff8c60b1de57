import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { requestTypes } from '@/features/api/types';
import { type FilingForm, fieldsOfProblem, knownTimeZone, LIMITS, parseFiling } from './filing-input';

const purposes = ['fleet-operations', 'analytics', 'research'];
const form = (change: Partial<FilingForm> = {}): FilingForm => ({
  type: 'erasure',
  email: 'anna@example.org',
  jurisdiction: 'gdpr',
  locale: 'de',
  timeZone: 'Europe/Berlin',
  subjectReference: '',
  details: '',
  rectificationName: '',
  rectificationEmail: '',
  objectionPurposes: [],
  ...change,
});
const parse = (change: Partial<FilingForm> = {}, emailRequired = true) =>
  parseFiling(form(change), { emailRequired, purposes });

describe('parseFiling', () => {
  it('sends an erasure request with only what the form asked, trimmed', () => {
    expect(parse({ email: '  anna@example.org ', details: ' bitte alles löschen\r\n' })).toEqual({
      ok: true,
      body: {
        type: 'erasure',
        email: 'anna@example.org',
        jurisdiction: 'gdpr',
        locale: 'de',
        timeZone: 'Europe/Berlin',
        details: 'bitte alles löschen',
      },
    });
  });

  it('needs an address from a visitor, but not from a signed-in data subject', () => {
    expect(parse({ email: '' })).toEqual({ ok: false, error: 'invalid_fields', fields: ['email'] });
    const signedIn = parse({ email: '' }, false);
    expect(signedIn.ok && signedIn.body).toEqual(expect.not.objectContaining({ email: expect.anything() }));
  });

  it.each(['anna', 'anna@', '@example.org', 'anna @example.org', `${'a'.repeat(320)}@example.org`])(
    'refuses the address %j',
    (email) => {
      expect(parse({ email })).toMatchObject({ ok: false, fields: ['email'] });
    },
  );

  it('takes the corrections of a rectification (one is enough) and nothing of them for other rights', () => {
    expect(parse({ type: 'rectification', rectificationName: 'Anna Weber' })).toMatchObject({
      ok: true,
      body: { rectification: { name: 'Anna Weber' } },
    });
    expect(parse({ type: 'rectification' })).toMatchObject({ ok: false, fields: ['rectificationName'] });
    expect(parse({ type: 'rectification', rectificationEmail: 'x@' })).toMatchObject({
      ok: false,
      fields: ['rectificationEmail'],
    });
    const erasure = parse({ rectificationName: 'left over from another step' });
    expect(erasure.ok && erasure.body.rectification).toBeUndefined();
  });

  it('takes an objection only to purposes the portal offers, each once', () => {
    expect(
      parse({ type: 'objection', objectionPurposes: ['analytics', 'analytics', 'research'] }),
    ).toMatchObject({ ok: true, body: { objectionPurposes: ['analytics', 'research'] } });
    expect(parse({ type: 'objection' })).toMatchObject({ ok: false, fields: ['objectionPurposes'] });
    expect(parse({ type: 'objection', objectionPurposes: ['care'] })).toMatchObject({
      ok: false,
      fields: ['objectionPurposes'],
    });
  });

  it('drops a time zone the runtime does not know rather than refusing the request', () => {
    const parsed = parse({ timeZone: 'Mars/Olympus_Mons' });
    expect(parsed.ok && parsed.body.timeZone).toBeUndefined();
    expect(knownTimeZone('America/Los_Angeles')).toBe('America/Los_Angeles');
  });

  it('names every field at fault at once, in the order of the form', () => {
    expect(
      parse({
        type: 'objection',
        email: 'nope',
        details: 'x'.repeat(LIMITS.details + 1),
        subjectReference: 'y'.repeat(LIMITS.subjectReference + 1),
      }),
    ).toEqual({
      ok: false,
      error: 'invalid_fields',
      fields: ['email', 'subjectReference', 'details', 'objectionPurposes'],
    });
  });

  it('never throws, and anything it accepts stays within the API limits', () => {
    fc.assert(
      fc.property(
        fc.record({
          type: fc.oneof(fc.constantFrom(...requestTypes), fc.string()),
          email: fc.oneof(fc.emailAddress(), fc.string()),
          jurisdiction: fc.string({ maxLength: 40 }),
          locale: fc.constant('en'),
          timeZone: fc.string({ maxLength: 70 }),
          subjectReference: fc.string({ maxLength: 300 }),
          details: fc.string({ maxLength: 4100 }),
          rectificationName: fc.string({ maxLength: 250 }),
          rectificationEmail: fc.oneof(fc.constant(''), fc.emailAddress(), fc.string()),
          objectionPurposes: fc.array(fc.oneof(fc.constantFrom(...purposes), fc.string())),
        }),
        (input) => {
          const parsed = parseFiling(input, { emailRequired: true, purposes });
          if (!parsed.ok) return;
          expect(requestTypes).toContain(parsed.body.type);
          expect((parsed.body.details ?? '').length).toBeLessThanOrEqual(LIMITS.details);
          expect((parsed.body.subjectReference ?? '').length).toBeLessThanOrEqual(LIMITS.subjectReference);
          expect(parsed.body.rectification === undefined).toBe(parsed.body.type !== 'rectification');
          expect(parsed.body.objectionPurposes === undefined).toBe(parsed.body.type !== 'objection');
        },
      ),
    );
  });
});

describe('fieldsOfProblem', () => {
  it("maps the API's field paths to the form's fields, once each, in form order", () => {
    expect(
      fieldsOfProblem([
        { path: 'rectification.email' },
        { path: 'objectionPurposes.1' },
        { path: '/email' },
        { path: 'email' },
        { path: 'unknown' },
        {},
      ]),
    ).toEqual(['email', 'rectificationEmail', 'objectionPurposes']);
  });
});
