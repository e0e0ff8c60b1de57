/**
 * The data map (`privacy/data-map.yaml`) as typed data: every table and column, its data category,
 * how a row links to a data subject and what erasure does. Data-subject requests, the retention
 * engine and the record of processing all read this one declaration.
 */
import { z } from 'zod';

const identifier = z.string().regex(/^[a-z_][a-z0-9_]*$/, 'a lower-case SQL identifier');
const categoryName = z
  .string()
  .regex(/^(user|system)(\.[a-z][a-z0-9-]*)+$/, 'a category such as user.contact.email');

export const erasureActions = ['delete', 'anonymise', 'crypto-shred', 'keep', 'none'] as const;
export type ErasureAction = (typeof erasureActions)[number];
export const subjectKinds = ['patient', 'user'] as const;
export type SubjectLinkKind = (typeof subjectKinds)[number];
/**
 * Where a table's data comes from (GDPR art. 15(1)(g)): the subject gave it, it was observed about
 * them (devices, their use of the platform), their organisation recorded it, or the platform keeps it
 * as a record of what was done. Data the subject provided or that was observed about them is what
 * portability (art. 20) hands over.
 */
export const dataOrigins = ['provided', 'observed', 'organisation', 'platform'] as const;
export type DataOrigin = (typeof dataOrigins)[number];
/** Attributes a rectification request may correct; columns holding one say so with `rectify`. */
export const rectifiableAttributes = ['name', 'email'] as const;
export type RectifiableAttribute = (typeof rectifiableAttributes)[number];

const categorySchema = z
  .object({
    description: z.string().min(1),
    /** false for system categories; personal data is the default. */
    personal: z.boolean().default(true),
    /** A special category (GDPR art. 9): health data. */
    special: z.boolean().default(false),
  })
  .strict();

const anonymiseValue = z.union([z.string(), z.null(), z.object({}).strict()]);

const columnSchema = z.union([
  categoryName,
  z
    .object({
      category: categoryName,
      anonymise: anonymiseValue.optional(),
      erasure: z.literal('keep').optional(),
      reason: z.string().min(1).optional(),
      /** The column holds this attribute of the subject: rectification writes the corrected value. */
      rectify: z.enum(rectifiableAttributes).optional(),
    })
    .strict()
    .refine((column) => column.erasure !== 'keep' || column.reason, 'a kept column needs a reason'),
]);

const columnsOrList = z.union([identifier, z.array(identifier).min(1)]);
const viaSchema = z
  .object({ table: identifier, on: identifier, column: identifier, kind: z.enum(subjectKinds) })
  .strict();
const subjectSchema = z
  .object({
    patient: columnsOrList.optional(),
    user: columnsOrList.optional(),
    /** Audit tables: the column holds the subject's keyed pseudonym. */
    pseudonym: identifier.optional(),
    /**
     * The row belongs to the subject of another table's row; a list when that row may name them in
     * several ways (a request about a patient, or about someone known only by their account).
     */
    via: z.union([viaSchema, z.array(viaSchema).min(1)]).optional(),
  })
  .strict();

const tableSchema = z
  .object({
    description: z.string().min(1),
    subject: subjectSchema.optional(),
    erasure: z.enum(erasureActions),
    reason: z.string().min(1).optional(),
    /** Where the data comes from; `organisation` when not said. */
    origin: z.enum(dataOrigins).optional(),
    /** false: an access request leaves the table out (e.g. earlier bundles, which copy the rest). */
    export: z.boolean().optional(),
    /** Rectification changes only rows whose `column` is not one of `notIn` (e.g. answered requests stay as they were). */
    rectifyRows: z
      .object({ column: identifier, notIn: z.array(z.string()).min(1) })
      .strict()
      .optional(),
    columns: z.record(identifier, columnSchema),
  })
  .strict();

export const dataMapSchema = z
  .object({
    version: z.literal(1),
    categories: z.record(categoryName, categorySchema),
    tables: z.record(identifier, tableSchema),
  })
  .strict();

export type DataCategory = z.infer<typeof categorySchema> & { name: string };

export interface MappedColumn {
  name: string;
  category: string;
  personal: boolean;
  special: boolean;
  /** What erasure writes into this column, when the table is anonymised ({id} = the row's id). */
  anonymise?: string | null | Record<string, never>;
  /** Set when the column of an erased row is kept, with why. */
  keptBecause?: string;
  /** The subject's attribute this column holds, for rectification. */
  rectify?: RectifiableAttribute;
}

/** A way a row of the table belongs to a data subject. */
export type SubjectLink =
  | { kind: SubjectLinkKind; column: string }
  | { kind: 'pseudonym'; column: string }
  | { kind: SubjectLinkKind; via: { table: string; on: string; column: string } };

export interface MappedTable {
  name: string;
  description: string;
  erasure: ErasureAction;
  /** Why rows are kept or anonymised rather than deleted (a legal duty). */
  reason?: string;
  links: SubjectLink[];
  columns: MappedColumn[];
  /** Whether any column holds personal data. */
  personal: boolean;
  origin: DataOrigin;
  /** Whether an access request exports the table's rows. */
  exported: boolean;
  /** Rectification leaves rows alone whose `column` holds one of `notIn`. */
  rectifyRows?: { column: string; notIn: string[] };
}

export interface DataMap {
  /** The file's format version (`version:`), named in every export. */
  version: number;
  categories: ReadonlyMap<string, DataCategory>;
  tables: ReadonlyMap<string, MappedTable>;
  /** Tables whose rows link to a data subject, in declaration order. */
  subjectTables(): MappedTable[];
}

/** Validates the parsed YAML; returns the problems found (cross-references included). */
export function buildDataMap(document: unknown): { map?: DataMap; issues: string[] } {
  const parsed = dataMapSchema.safeParse(document);
  if (!parsed.success) {
    return {
      issues: parsed.error.issues.map((i) => `${i.path.map(String).join('.') || '(file)'}: ${i.message}`),
    };
  }
  const issues: string[] = [];
  const categories = new Map<string, DataCategory>(
    Object.entries(parsed.data.categories).map(([name, c]) => [name, { ...c, name }]),
  );
  const tables = new Map<string, MappedTable>();
  for (const [tableName, table] of Object.entries(parsed.data.tables)) {
    const columns: MappedColumn[] = [];
    for (const [columnName, spec] of Object.entries(table.columns)) {
      const column = typeof spec === 'string' ? { category: spec } : spec;
      const category = categories.get(column.category);
      if (!category) {
        issues.push(`tables.${tableName}.columns.${columnName}: unknown category ${column.category}`);
        continue;
      }
      if (category.personal && category.name.startsWith('system.')) {
        issues.push(`categories.${category.name}: system categories must say personal: false`);
      }
      columns.push({
        name: columnName,
        category: category.name,
        personal: category.personal,
        special: category.special,
        ...('anonymise' in column ? { anonymise: column.anonymise } : {}),
        ...('erasure' in column && column.erasure === 'keep' ? { keptBecause: column.reason } : {}),
        ...('rectify' in column && column.rectify ? { rectify: column.rectify } : {}),
      });
    }
    const links = subjectLinks(table.subject);
    for (const link of links) {
      const column = 'via' in link ? link.via.on : link.column;
      if (!(column in table.columns)) issues.push(`tables.${tableName}.subject: no column ${column}`);
    }
    const personal = columns.some((column) => column.personal);
    if (personal && links.length === 0 && table.erasure !== 'crypto-shred') {
      issues.push(`tables.${tableName}: holds personal data but says no subject link`);
    }
    if (table.erasure === 'keep' && !table.reason) {
      issues.push(`tables.${tableName}: erasure keep needs a reason`);
    }
    if (table.erasure === 'anonymise' && !columns.some((column) => column.anonymise !== undefined)) {
      issues.push(`tables.${tableName}: erasure anonymise but no column says what to write`);
    }
    if (!personal && table.erasure !== 'none' && links.length === 0) {
      issues.push(`tables.${tableName}: holds no personal data, so erasure must be none`);
    }
    if (columns.some((column) => column.rectify) && links.length === 0) {
      issues.push(`tables.${tableName}: a rectified column needs the table to link to a subject`);
    }
    if (table.rectifyRows && !(table.rectifyRows.column in table.columns)) {
      issues.push(`tables.${tableName}.rectifyRows: no column ${table.rectifyRows.column}`);
    }
    tables.set(tableName, {
      name: tableName,
      description: table.description,
      erasure: table.erasure,
      ...(table.reason ? { reason: table.reason } : {}),
      links,
      columns,
      personal,
      origin: table.origin ?? 'organisation',
      exported: table.export ?? true,
      ...(table.rectifyRows ? { rectifyRows: table.rectifyRows } : {}),
    });
  }
  for (const table of tables.values()) {
    for (const link of table.links) {
      if ('via' in link) {
        const target = tables.get(link.via.table);
        if (!target) issues.push(`tables.${table.name}.subject.via: unknown table ${link.via.table}`);
        else if (!target.columns.some((c) => c.name === link.via.column)) {
          issues.push(`tables.${table.name}.subject.via: ${link.via.table} has no column ${link.via.column}`);
        }
      }
    }
  }
  if (issues.length > 0) return { issues };
  const frozenTables: ReadonlyMap<string, MappedTable> = tables;
  return {
    issues,
    map: {
      version: parsed.data.version,
      categories,
      tables: frozenTables,
      subjectTables: () => [...tables.values()].filter((table) => table.links.length > 0),
    },
  };
}

function subjectLinks(subject: z.infer<typeof subjectSchema> | undefined): SubjectLink[] {
  if (!subject) return [];
  const links: SubjectLink[] = [];
  for (const kind of subjectKinds) {
    const columns = subject[kind];
    if (!columns) continue;
    for (const column of Array.isArray(columns) ? columns : [columns]) links.push({ kind, column });
  }
  if (subject.pseudonym) links.push({ kind: 'pseudonym', column: subject.pseudonym });
  for (const { kind, ...via } of [subject.via ?? []].flat()) links.push({ kind, via });
  return links;
}
