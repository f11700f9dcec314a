import { apiRoutes, ErrorBodySchema, type AnyRoute, type ErrorResponse } from '@pytest-platform/schema';
import { z } from 'zod';

type JsonSchema = Record<string, unknown>;

const jsonSchema = (schema: z.ZodType, io: 'input' | 'output' = 'output'): JsonSchema => {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' });
  return rest;
};

const content = (schema: JsonSchema, type = 'application/json') => ({ [type]: { schema } });

/** The document's `components`: named schemas and shared error responses, filled as operations refer to them. */
class Components {
  readonly schemas: Record<string, JsonSchema> = { ErrorBody: jsonSchema(ErrorBodySchema) };
  readonly responses: Record<string, unknown> = {};

  schema(schema: z.ZodType, name: string | undefined, io: 'input' | 'output' = 'output'): JsonSchema {
    if (name === undefined) return jsonSchema(schema, io);
    this.schemas[name] ??= jsonSchema(schema, io);
    return { $ref: `#/components/schemas/${name}` };
  }

  error({ codes, description, component }: ErrorResponse): unknown {
    const response = { description: `${description} (${codes.map((code) => `\`${code}\``).join(', ')})`, content: content(this.schema(ErrorBodySchema, 'ErrorBody')) };
    if (component === undefined) return response;
    this.responses[component] ??= response;
    return { $ref: `#/components/responses/${component}` };
  }
}

/** Each field of `schema` as a parameter: the JSON Schema of its value (type, bounds, default) and its description. */
function parameters(schema: z.ZodObject | undefined, where: 'path' | 'query') {
  if (schema === undefined) return [];
  const { properties = {}, required = [] } = jsonSchema(schema, 'input') as { properties?: Record<string, JsonSchema>; required?: string[] };
  return Object.entries(properties).map(([name, { description, ...value }]) => ({
    name,
    in: where,
    required: where === 'path' || required.includes(name),
    description,
    schema: value,
    ...(value.type === 'array' ? { style: 'form', explode: true } : {}),
  }));
}

function operation(route: AnyRoute, components: Components) {
  const { response } = route;
  const body = content(components.schema(response.schema, response.name), response.contentType);
  const responses: Record<number, unknown> = { [response.status]: { description: response.description ?? 'OK', content: body } };
  for (const [status, description] of Object.entries(response.alsoAnswers ?? {})) responses[Number(status)] = { description, content: body };
  for (const [status, error] of Object.entries(route.errors)) responses[Number(status)] = components.error(error);
  const params = [...parameters(route.params, 'path'), ...parameters(route.query, 'query')];
  return {
    operationId: route.operationId,
    tags: [route.tag],
    summary: route.summary,
    ...(params.length > 0 ? { parameters: params } : {}),
    ...(route.body ? { requestBody: { required: true, content: content(components.schema(route.body.schema, route.body.name, 'input')) } } : {}),
    responses,
    ...(route.public ? { security: [] } : {}),
  };
}

/** The OpenAPI 3.1 document of this API, generated from the route contract in `@pytest-platform/schema`. */
export function buildOpenApiDocument(options: { auth: boolean }): Record<string, unknown> {
  const components = new Components();
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of apiRoutes) (paths[route.path] ??= {})[route.method] = operation(route, components);
  return {
    openapi: '3.1.0',
    info: {
      title: 'pytest-platform API',
      version: '1.0.0',
      description:
        'Read API over stored test runs, and `POST /results` for workers that can only speak HTTP. JSON only; every error body is `{"error":{"code","message"}}`. ' +
        'Pass rate is `passed / (passed + failed + errors)`; a run that executed nothing has `null`.',
    },
    servers: [{ url: '/' }],
    ...(options.auth ? { security: [{ bearerAuth: [] }] } : {}),
    tags: [{ name: 'results' }, { name: 'builds' }, { name: 'stats' }, { name: 'intelligence' }, { name: 'quarantine' }, { name: 'ops' }],
    paths,
    components: {
      schemas: components.schemas,
      responses: components.responses,
      securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', description: 'API_TOKEN (every route) or API_READ_TOKEN (GET routes only)' } },
    },
  };
}
