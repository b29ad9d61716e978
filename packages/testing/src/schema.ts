/**
 * The structural OpenAPI schema of a CustomResourceDefinition version, and what the API server
 * does with it on every write: prune the fields the schema does not know, fill in defaults,
 * and validate, reporting each violation with its field path and reason as a `StatusCause`.
 *
 * Enforced: type (with `nullable` and `x-kubernetes-int-or-string`), required, enum, pattern,
 * minLength/maxLength (in characters), minimum/maximum (and their exclusive forms),
 * minItems/maxItems, minProperties/maxProperties and `format: date-time`. Not evaluated:
 * `x-kubernetes-validations` (CEL), list types (set and map uniqueness), other formats.
 */
import { copy, isRecord, jsonEqual, jsonTextStart } from './json';

/** The parts of `JSONSchemaProps` (apiextensions.k8s.io/v1) the fake reads. */
export interface JsonSchema {
  readonly type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';
  readonly properties?: Readonly<Record<string, JsonSchema>>;
  readonly additionalProperties?: JsonSchema | boolean;
  readonly items?: JsonSchema;
  readonly required?: readonly string[];
  readonly enum?: readonly unknown[];
  readonly pattern?: string;
  readonly format?: string;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly exclusiveMinimum?: boolean;
  readonly exclusiveMaximum?: boolean;
  readonly minItems?: number;
  readonly maxItems?: number;
  readonly minProperties?: number;
  readonly maxProperties?: number;
  readonly default?: unknown;
  readonly nullable?: boolean;
  readonly 'x-kubernetes-preserve-unknown-fields'?: boolean;
  readonly 'x-kubernetes-embedded-resource'?: boolean;
  readonly 'x-kubernetes-int-or-string'?: boolean;
  readonly 'x-kubernetes-list-type'?: string;
  readonly 'x-kubernetes-list-map-keys'?: readonly string[];
  readonly 'x-kubernetes-map-type'?: string;
  /** CEL rules: kept in fixtures for the record, never evaluated by the fake. */
  readonly 'x-kubernetes-validations'?: readonly unknown[];
  readonly [key: string]: unknown;
}

/** One violation, as the API server lists it in `Status.details.causes`. */
export interface StatusCause {
  /** `FieldValueRequired`, `FieldValueInvalid`, `FieldValueNotSupported`, `FieldValueTypeInvalid`, `FieldValueTooLong`, `FieldValueTooMany`. */
  readonly reason: string;
  readonly message: string;
  /** The field path, e.g. `spec.controlPlaneEndpoint.port` or `status.conditions[0].type`. */
  readonly field: string;
}

type Path = readonly (string | number)[];

const fieldOf = (path: Path): string =>
  path.reduce<string>((text, segment) => (typeof segment === 'number' ? `${text}[${segment}]` : text ? `${text}.${segment}` : segment), '');

// The object's own fields at the root, which the API server handles as ObjectMeta and the type.
const rootFields = new Set(['apiVersion', 'kind', 'metadata']);

const preservesUnknown = (schema: JsonSchema): boolean => schema['x-kubernetes-preserve-unknown-fields'] === true;

/**
 * `value` with every field the schema does not know removed, and nulls removed where the
 * schema does not allow them. At the root (and in embedded resources), apiVersion, kind and
 * metadata are kept as they are.
 */
export const prune = (value: unknown, schema: JsonSchema, root = true): unknown => {
  if (Array.isArray(value)) return schema.items ? value.map((item) => prune(item, schema.items as JsonSchema, false)) : value;
  if (!isRecord(value)) return value;
  const keepsResourceFields = root || schema['x-kubernetes-embedded-resource'] === true;
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) {
    if (keepsResourceFields && rootFields.has(key)) {
      out[key] = field;
      continue;
    }
    const known = schema.properties?.[key];
    const additional = typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined;
    const fieldSchema = known ?? additional;
    if (fieldSchema) {
      if (field === null && fieldSchema.nullable !== true) continue;
      out[key] = prune(field, fieldSchema, false);
    } else if (preservesUnknown(schema) || schema.additionalProperties === true) out[key] = field;
  }
  return out;
};

/** `value` with the schema's defaults filled in where a field is absent, inside out as the API server does. */
export const applyDefaults = (value: unknown, schema: JsonSchema): unknown => {
  if (Array.isArray(value)) return schema.items ? value.map((item) => applyDefaults(item, schema.items as JsonSchema)) : value;
  if (!isRecord(value)) return value;
  const out: Record<string, unknown> = { ...value };
  for (const [key, fieldSchema] of Object.entries(schema.properties ?? {}))
    if (out[key] === undefined && fieldSchema.default !== undefined) out[key] = copy(fieldSchema.default);
  const additional = typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined;
  for (const [key, field] of Object.entries(out)) {
    const fieldSchema = schema.properties?.[key] ?? additional;
    if (fieldSchema) out[key] = applyDefaults(field, fieldSchema);
  }
  return out;
};

const typeName = (value: unknown): string =>
  value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value === 'number' ? (Number.isInteger(value) ? 'integer' : 'number') : typeof value;

const hasType = (value: unknown, schema: JsonSchema): boolean => {
  if (schema['x-kubernetes-int-or-string'] === true) return typeof value === 'string' || Number.isInteger(value);
  switch (schema.type) {
    case undefined:
      return true;
    case 'object':
      return isRecord(value);
    case 'array':
      return Array.isArray(value);
    case 'integer':
      return Number.isInteger(value);
    case 'number':
      return typeof value === 'number';
    default:
      return typeof value === schema.type;
  }
};

/** How the API server quotes a value in a message: strings JSON-quoted, long ones cut. */
const shown = (value: unknown): string => {
  const text = jsonTextStart(value, 81);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
};

// RFC 3339, as the API server's date-time format accepts it.
const dateTime = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

const patterns = new Map<string, RegExp | undefined>();
const compiled = (pattern: string): RegExp | undefined => {
  if (!patterns.has(pattern)) {
    let regex: RegExp | undefined;
    try {
      regex = new RegExp(pattern, 'u');
    } catch {
      regex = undefined;
    }
    patterns.set(pattern, regex);
  }
  return patterns.get(pattern);
};

/** Every violation of `schema` in `value`, in document order. */
export const validate = (value: unknown, schema: JsonSchema, path: Path = []): StatusCause[] => {
  const causes: StatusCause[] = [];
  const at = fieldOf(path);
  const invalid = (reason: string, message: string): void => {
    causes.push({ reason, message, field: at });
  };
  if (value === null) {
    if (schema.nullable !== true && path.length > 0)
      invalid('FieldValueTypeInvalid', `Invalid value: "null": ${at} in body must be of type ${schema.type ?? 'object'}: "null"`);
    return causes;
  }
  if (!hasType(value, schema)) {
    const expected = schema['x-kubernetes-int-or-string'] === true ? 'integer,string' : String(schema.type);
    invalid('FieldValueTypeInvalid', `Invalid value: "${typeName(value)}": ${at} in body must be of type ${expected}: ${shown(value)}`);
    return causes;
  }
  if (schema.enum && !schema.enum.some((allowed) => jsonEqual(allowed, value)))
    invalid('FieldValueNotSupported', `Unsupported value: ${shown(value)}: supported values: ${schema.enum.map(shown).join(', ')}`);
  if (typeof value === 'string') {
    const length = [...value].length;
    if (schema.maxLength !== undefined && length > schema.maxLength)
      invalid('FieldValueTooLong', `Too long: may not be more than ${schema.maxLength} bytes`);
    if (schema.minLength !== undefined && length < schema.minLength)
      invalid('FieldValueInvalid', `Invalid value: ${shown(value)}: ${at} in body should be at least ${schema.minLength} chars long`);
    if (schema.pattern !== undefined && compiled(schema.pattern)?.test(value) === false)
      invalid('FieldValueInvalid', `Invalid value: ${shown(value)}: ${at} in body should match '${schema.pattern}'`);
    if (schema.format === 'date-time' && !dateTime.test(value))
      invalid('FieldValueInvalid', `Invalid value: ${shown(value)}: ${at} in body must be of type date-time: ${shown(value)}`);
  }
  if (typeof value === 'number') {
    if (schema.minimum !== undefined && (schema.exclusiveMinimum ? value <= schema.minimum : value < schema.minimum))
      invalid('FieldValueInvalid', `Invalid value: ${value}: ${at} in body should be greater than ${schema.exclusiveMinimum ? '' : 'or equal to '}${schema.minimum}`);
    if (schema.maximum !== undefined && (schema.exclusiveMaximum ? value >= schema.maximum : value > schema.maximum))
      invalid('FieldValueInvalid', `Invalid value: ${value}: ${at} in body should be less than ${schema.exclusiveMaximum ? '' : 'or equal to '}${schema.maximum}`);
  }
  if (Array.isArray(value)) {
    if (schema.maxItems !== undefined && value.length > schema.maxItems)
      invalid('FieldValueTooMany', `Too many: ${value.length}: must have at most ${schema.maxItems} items`);
    if (schema.minItems !== undefined && value.length < schema.minItems)
      invalid('FieldValueInvalid', `Invalid value: ${value.length}: ${at} in body should have at least ${schema.minItems} items`);
    if (schema.items) value.forEach((item, index) => causes.push(...validate(item, schema.items as JsonSchema, [...path, index])));
  }
  if (isRecord(value)) {
    const size = Object.keys(value).length;
    if (schema.minProperties !== undefined && size < schema.minProperties)
      invalid('FieldValueInvalid', `Invalid value: ${size}: ${at} in body should have at least ${schema.minProperties} properties`);
    if (schema.maxProperties !== undefined && size > schema.maxProperties)
      invalid('FieldValueTooMany', `Too many: ${size}: must have at most ${schema.maxProperties} items`);
    for (const required of schema.required ?? [])
      if (value[required] === undefined) causes.push({ reason: 'FieldValueRequired', message: 'Required value', field: fieldOf([...path, required]) });
    const additional = typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined;
    for (const [key, field] of Object.entries(value)) {
      if (path.length === 0 && rootFields.has(key)) continue;
      const fieldSchema = schema.properties?.[key] ?? additional;
      if (fieldSchema) causes.push(...validate(field, fieldSchema, [...path, key]));
    }
  }
  return causes;
};

/** The value at a field path as `validate` writes it (`a.b[0].c`), or undefined. */
export const valueAtField = (value: unknown, field: string): unknown => {
  let current = value;
  for (const match of field.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) {
    if (match[2] !== undefined) current = Array.isArray(current) ? current[Number(match[2])] : undefined;
    else current = isRecord(current) ? current[match[1] as string] : undefined;
    if (current === undefined) return undefined;
  }
  return current;
};
