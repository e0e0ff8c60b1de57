/**
 * Puts values into a message's simple `{name}` arguments, for client components: they get their
 * texts as plain strings from the server and have no ICU runtime (ADR 0016). Unknown arguments
 * are left as they are.
 */
export const fill = (message: string, values: Record<string, string>) =>
  message.replace(/\{(\w+)\}/g, (whole, name: string) => values[name] ?? whole);
