import { getLocale, getTranslations } from 'next-intl/server';
import type { DeviceCommand } from '@/features/api/types';
import { DateTime } from '@/features/shell/date-time';
import { sendCommand } from './command-action';
import { invalidCommandField } from './command-input';
import { ResultNotice } from './result-notice';

/** How many of the device's recent commands the page lists. */
const SHOWN = 10;

/**
 * Sending a command (users who may, to an active device) and the device's recent commands with
 * their status, as of loading the page.
 */
export async function CommandsPanel({
  deviceId,
  commands,
  mayCommand,
  active,
  result,
  sentId,
  typed,
}: {
  deviceId: string;
  commands: DeviceCommand[] | undefined;
  /** The user holds `command` on devices: the form is offered (if the device is active). */
  mayCommand: boolean;
  active: boolean;
  result?: string;
  /** The command just sent, if one was. */
  sentId?: string;
  /** What was typed before a refusal, to correct it. */
  typed: { name: string; params: string };
}) {
  const t = await getTranslations('device.commands');
  const locale = await getLocale();
  const resultKey = `result.${result}` as Parameters<typeof t>[0];
  const invalid = invalidCommandField(result);
  const described = (hint: string, field: 'name' | 'params') =>
    invalid === field ? `${hint} command-result` : hint;
  if (!mayCommand && !commands) return null;
  return (
    <section id="commands" aria-labelledby="commands-heading" className="card">
      <h2 id="commands-heading">{t('title')}</h2>
      {/* Keyed: a second outcome on the same page is a new message, focused in turn. */}
      {result && (
        <ResultNotice
          key={`${result}|${sentId}`}
          id="command-result"
          success={result === 'sent'}
          title={t.has(resultKey) ? t(resultKey) : t('result.failed')}
        />
      )}
      {mayCommand && !active && <p>{t('notActive')}</p>}
      {mayCommand && active && (
        // A fresh form after each outcome: a sent command's text does not linger.
        <form
          key={`${result}|${sentId}|${typed.name}|${typed.params}`}
          action={sendCommand}
          className="command-form"
        >
          <input type="hidden" name="id" value={deviceId} />
          <input type="hidden" name="locale" value={locale} />
          <div className="field">
            <label htmlFor="command-name">{t('name')}</label>
            <input
              id="command-name"
              name="name"
              type="text"
              dir="ltr"
              required
              maxLength={64}
              defaultValue={typed.name}
              autoComplete="off"
              autoCapitalize="none"
              spellCheck={false}
              aria-invalid={invalid === 'name' || undefined}
              aria-describedby={described('command-name-hint', 'name')}
            />
            <p id="command-name-hint" className="hint">
              {t('nameHint')}
            </p>
          </div>
          <div className="field">
            <label htmlFor="command-params">{t('params')}</label>
            <textarea
              id="command-params"
              name="params"
              rows={4}
              dir="ltr"
              defaultValue={typed.params}
              spellCheck={false}
              aria-invalid={invalid === 'params' || undefined}
              aria-describedby={described('command-params-hint', 'params')}
            />
            <p id="command-params-hint" className="hint">
              {t('paramsHint')}{' '}
              <code lang="en" dir="ltr">
                {'{"seconds": 60}'}
              </code>
            </p>
          </div>
          <div>
            <button type="submit" className="button">
              {t('send')}
            </button>
          </div>
        </form>
      )}
      {commands?.length === 0 && <p>{t('none')}</p>}
      {commands && commands.length > 0 && (
        // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard (WCAG 2.1.1).
        <section className="table-scroll" aria-labelledby="commands-caption" tabIndex={0}>
          <table>
            <caption id="commands-caption">{t('caption')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('name')}</th>
                <th scope="col">{t('status')}</th>
                <th scope="col">{t('sent')}</th>
                <th scope="col">{t('completed')}</th>
              </tr>
            </thead>
            <tbody>
              {commands.slice(0, SHOWN).map((command) => (
                <tr key={command.id} className={command.id === sentId ? 'just-sent' : undefined}>
                  <th scope="row">
                    <code>{command.name}</code>
                  </th>
                  <td>
                    <span className={`badge command-${command.status}`}>
                      {t(`statuses.${command.status}`)}
                    </span>
                    {command.error && (
                      <>
                        {' '}
                        <code>{command.error}</code>
                      </>
                    )}
                  </td>
                  <td>
                    <DateTime value={command.createdAt} />
                  </td>
                  <td>{command.completedAt ? <DateTime value={command.completedAt} /> : '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
    </section>
  );
}
