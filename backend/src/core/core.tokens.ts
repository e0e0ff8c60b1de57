/** Injection tokens of values the core provides (kept apart from core.module.ts to avoid import cycles). */
export const APP_LOGGER = Symbol('APP_LOGGER');
