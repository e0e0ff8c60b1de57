/**
 * UUIDs in requests, normalised to lower case: PostgreSQL compares uuids case-insensitively, the
 * policies (compared as strings in memory) do not, so one spelling must reach both.
 */
import { z } from 'zod';

export const uuidInput = z.uuid().transform((value) => value.toLowerCase());
