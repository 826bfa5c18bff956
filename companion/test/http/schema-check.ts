/**
 * Checks a JSON value against the subset of JSON Schema the API's OpenAPI document uses ($ref, oneOf,
 * allOf, type, enum, const, properties, required, items, minimum, maximum), so the API tests can
 * hold every answer to what the document promises. Object properties the schema does not name are
 * problems too (outside allOf), so the document cannot fall behind the code either.
 */
type Schema = Record<string, unknown>;

export function schemaProblems(
  root: Schema,
  schema: Schema,
  value: unknown,
  at = '$',
  strict = true,
): string[] {
  if (typeof schema.$ref === 'string') {
    const name = schema.$ref.replace('#/components/schemas/', '');
    const target = (root.components as { schemas: Record<string, Schema> }).schemas[name];
    if (!target) return [`${at}: unknown $ref ${schema.$ref}`];
    return schemaProblems(root, target, value, at, strict);
  }
  if (Array.isArray(schema.oneOf)) {
    const fits = (schema.oneOf as Schema[]).filter(
      (s) => schemaProblems(root, s, value, at, strict).length === 0,
    );
    return fits.length === 1 ? [] : [`${at}: fits ${fits.length} of the oneOf schemas, not exactly one`];
  }
  if (Array.isArray(schema.allOf)) {
    const problems = (schema.allOf as Schema[]).flatMap((s) => schemaProblems(root, s, value, at, false));
    if (problems.length > 0 || !strict) return problems;
    const named = new Set((schema.allOf as Schema[]).flatMap((s) => Object.keys(propertiesOf(root, s))));
    return extraKeys(value, named, at);
  }
  const problems: string[] = [];
  if ('const' in schema && value !== schema.const)
    problems.push(`${at}: is ${JSON.stringify(value)}, not ${JSON.stringify(schema.const)}`);
  if (Array.isArray(schema.enum) && !schema.enum.includes(value)) {
    problems.push(`${at}: ${JSON.stringify(value)} is not one of ${JSON.stringify(schema.enum)}`);
  }
  if (schema.type !== undefined) {
    const types = Array.isArray(schema.type) ? (schema.type as string[]) : [schema.type as string];
    if (!types.some((t) => hasType(value, t)))
      return [...problems, `${at}: ${JSON.stringify(value)} is not ${types.join(' or ')}`];
  }
  if (typeof value === 'number') {
    if (typeof schema.minimum === 'number' && value < schema.minimum)
      problems.push(`${at}: below ${schema.minimum}`);
    if (typeof schema.maximum === 'number' && value > schema.maximum)
      problems.push(`${at}: above ${schema.maximum}`);
  }
  if (Array.isArray(value) && schema.items) {
    value.forEach((item, i) =>
      problems.push(...schemaProblems(root, schema.items as Schema, item, `${at}[${i}]`, strict)),
    );
  }
  if (value && typeof value === 'object' && !Array.isArray(value) && schema.properties) {
    const properties = schema.properties as Record<string, Schema>;
    const record = value as Record<string, unknown>;
    for (const key of (schema.required as string[] | undefined) ?? []) {
      if (!(key in record)) problems.push(`${at}.${key}: missing`);
    }
    for (const [key, sub] of Object.entries(properties)) {
      if (key in record) problems.push(...schemaProblems(root, sub, record[key], `${at}.${key}`, true));
    }
    if (strict) problems.push(...extraKeys(value, new Set(Object.keys(properties)), at));
  }
  return problems;
}

function propertiesOf(root: Schema, schema: Schema): Record<string, Schema> {
  if (typeof schema.$ref === 'string') {
    const name = schema.$ref.replace('#/components/schemas/', '');
    return propertiesOf(root, (root.components as { schemas: Record<string, Schema> }).schemas[name] ?? {});
  }
  if (Array.isArray(schema.allOf)) {
    return Object.assign({}, ...(schema.allOf as Schema[]).map((s) => propertiesOf(root, s))) as Record<
      string,
      Schema
    >;
  }
  return (schema.properties as Record<string, Schema> | undefined) ?? {};
}

function extraKeys(value: unknown, named: Set<string>, at: string): string[] {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return [];
  return Object.keys(value)
    .filter((k) => !named.has(k))
    .map((k) => `${at}.${k}: not in the document`);
}

function hasType(value: unknown, type: string): boolean {
  switch (type) {
    case 'null':
      return value === null;
    case 'array':
      return Array.isArray(value);
    case 'object':
      return typeof value === 'object' && value !== null && !Array.isArray(value);
    case 'integer':
      return Number.isInteger(value);
    default:
      return typeof value === type;
  }
}
