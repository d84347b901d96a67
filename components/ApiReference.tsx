import type { ReactNode } from 'react';
import { Badge, Card, type Tone } from './ui';

/**
 * The API reference, rendered from the OpenAPI document as plain markup: no script of its own,
 * no inline style, so it works under the dashboard's nonce-only CSP (the npm renderers inject
 * style attributes or <style> tags without the nonce). Operations open with <details>.
 */

type Schema = { [key: string]: unknown };
interface Doc {
  info: { title: string; version: string; description?: string };
  tags: { name: string; description: string }[];
  paths: Record<string, Record<string, Schema>>;
  components: { schemas: Record<string, Schema>; securitySchemes: Record<string, Schema> };
}

const METHOD_TONE: Record<string, Tone> = { get: 'blue', post: 'green', patch: 'amber', delete: 'red' };
const REF = '#/components/schemas/';
const anchor = (s: string) => s.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '');

/** `code` and **bold** of the document's descriptions, as markup (nothing else is interpreted). */
function Text({ children }: { children?: unknown }) {
  if (typeof children !== 'string') return null;
  return (
    <>
      {children.split('\n\n').map((para, i) => (
        <p key={i} className="text-sm text-slate-700">
          {para.split(/(`[^`]+`|\*\*[^*]+\*\*)/).map((part, j) =>
            part.startsWith('`') ? (
              <code key={j} className="rounded bg-slate-100 px-1 text-[0.8rem]">
                {part.slice(1, -1)}
              </code>
            ) : part.startsWith('**') ? (
              <strong key={j}>{part.slice(2, -2)}</strong>
            ) : (
              part
            ),
          )}
        </p>
      ))}
    </>
  );
}

/** A schema's type in one line: `WorkItem[]`, `string | null`, `"pending" | "claimed"`. */
function TypeOf({ schema }: { schema: Schema }): ReactNode {
  if (typeof schema.$ref === 'string') {
    const name = schema.$ref.slice(REF.length);
    return (
      <a href={`#schema-${name}`} className="text-sky-700 underline">
        {name}
      </a>
    );
  }
  const alternatives = (schema.anyOf ?? schema.oneOf) as Schema[] | undefined;
  if (alternatives) return join(alternatives.map((s, i) => <TypeOf key={i} schema={s} />), ' | ');
  if (schema.const !== undefined) return JSON.stringify(schema.const);
  if (Array.isArray(schema.enum)) return schema.enum.map((v) => JSON.stringify(v)).join(' | ');
  if (schema.type === 'array') return <>{schema.items ? <TypeOf schema={schema.items as Schema} /> : 'any'}[]</>;
  if (Array.isArray(schema.type)) return schema.type.join(' | ');
  if (typeof schema.type === 'string') return schema.type;
  return 'any JSON';
}

function join(parts: ReactNode[], sep: string): ReactNode {
  return parts.flatMap((p, i) => (i ? [sep, p] : [p]));
}

/** Limits worth reading next to a type: bounds, pattern, default, format. */
function constraints(schema: Schema): string[] {
  const out: string[] = [];
  const pairs: [string, string][] = [
    ['minimum', '≥'], ['maximum', '≤'], ['minLength', 'length ≥'], ['maxLength', 'length ≤'], ['minItems', 'items ≥'], ['maxItems', 'items ≤'],
  ];
  for (const [key, label] of pairs) if (typeof schema[key] === 'number') out.push(`${label} ${schema[key]}`);
  if (typeof schema.pattern === 'string') out.push(`pattern ${schema.pattern}`);
  if (typeof schema.format === 'string') out.push(schema.format);
  if (schema.default !== undefined) out.push(`default ${JSON.stringify(schema.default)}`);
  return out;
}

/** An object's fields, one row each (nested objects indented); any other schema in one line. */
function Fields({ schema, depth = 0 }: { schema: Schema; depth?: number }) {
  const props = schema.properties as Record<string, Schema> | undefined;
  if (!props) {
    const limits = constraints(schema);
    return (
      <p className="font-mono text-xs text-slate-700">
        <TypeOf schema={schema} />
        {limits.length > 0 && <span className="text-slate-500"> · {limits.join(' · ')}</span>}
      </p>
    );
  }
  const required = new Set((schema.required as string[] | undefined) ?? []);
  return (
    <ul className={depth ? 'ml-4 border-l border-slate-200 pl-3' : ''}>
      {Object.entries(props).map(([name, prop]) => (
        <li key={name} className="py-0.5 text-xs">
          <span className="font-mono font-semibold">{name}</span>
          {!required.has(name) && <span className="text-slate-500">?</span>}{' '}
          <span className="font-mono text-slate-700">
            <TypeOf schema={prop.type === 'object' && prop.properties ? { type: 'object' } : prop} />
          </span>
          {constraints(prop).length > 0 && <span className="text-slate-500"> · {constraints(prop).join(' · ')}</span>}
          {typeof prop.description === 'string' && <span className="text-slate-600"> — {prop.description}</span>}
          {prop.type === 'object' && prop.properties !== undefined && <Fields schema={prop} depth={depth + 1} />}
          {prop.type === 'array' && (prop.items as Schema | undefined)?.properties !== undefined && <Fields schema={prop.items as Schema} depth={depth + 1} />}
        </li>
      ))}
    </ul>
  );
}

function Operation({ path, method, op, schemas }: { path: string; method: string; op: Schema; schemas: Record<string, Schema> }) {
  const params = (op.parameters as Schema[] | undefined) ?? [];
  const body = (op.requestBody as Schema | undefined)?.content as Record<string, Schema> | undefined;
  const responses = op.responses as Record<string, Schema>;
  return (
    <details id={`op-${op.operationId as string}`} className="border-t border-slate-200 first:border-t-0">
      <summary className="flex cursor-pointer flex-wrap items-center gap-2 px-4 py-2 hover:bg-slate-50">
        <Badge tone={METHOD_TONE[method]}>{method.toUpperCase()}</Badge>
        <code className="text-sm">{path}</code>
        <span className="text-sm text-slate-600">{op.summary as string}</span>
      </summary>
      <div className="space-y-3 px-4 pt-1 pb-4">
        <Text>{op.description}</Text>
        {params.length > 0 && (
          <section>
            <h4 className="text-xs font-semibold tracking-wide text-slate-500 uppercase">Parameters</h4>
            <ul>
              {params.map((p) => (
                <li key={`${p.in as string}-${p.name as string}`} className="py-0.5 text-xs">
                  <span className="font-mono font-semibold">{p.name as string}</span>
                  {!p.required && <span className="text-slate-500">?</span>} <span className="text-slate-500">({p.in as string})</span>{' '}
                  <span className="font-mono text-slate-700">
                    <TypeOf schema={p.schema as Schema} />
                  </span>
                  {constraints(p.schema as Schema).length > 0 && <span className="text-slate-500"> · {constraints(p.schema as Schema).join(' · ')}</span>}
                </li>
              ))}
            </ul>
          </section>
        )}
        {body && (
          <section>
            <h4 className="text-xs font-semibold tracking-wide text-slate-500 uppercase">
              Request body{(op.requestBody as Schema).required ? '' : ' (optional)'}
            </h4>
            {Object.entries(body).map(([type, media]) => {
              const schema = media.schema as Schema;
              const resolved = typeof schema.$ref === 'string' ? schemas[schema.$ref.slice(REF.length)] : undefined;
              return (
                <div key={type}>
                  {resolved && (
                    <p className="font-mono text-xs">
                      <TypeOf schema={schema} />
                    </p>
                  )}
                  <Fields schema={resolved ?? schema} />
                </div>
              );
            })}
          </section>
        )}
        <section>
          <h4 className="text-xs font-semibold tracking-wide text-slate-500 uppercase">Responses</h4>
          <ul className="space-y-1">
            {Object.entries(responses).map(([status, r]) => {
              const content = r.content as Record<string, Schema> | undefined;
              const [type, media] = content ? Object.entries(content)[0]! : [];
              const schema = media?.schema as Schema | undefined;
              return (
                <li key={status} className="text-xs">
                  <Badge tone={status.startsWith('2') ? 'green' : status.startsWith('4') ? 'amber' : 'red'}>{status}</Badge>{' '}
                  <Text>{r.description}</Text>
                  {type && (
                    <span className="ml-1 font-mono text-slate-600">
                      {type}
                      {schema && !schema.allOf && (
                        <>
                          {' '}
                          <TypeOf schema={schema} />
                        </>
                      )}
                    </span>
                  )}
                </li>
              );
            })}
          </ul>
        </section>
      </div>
    </details>
  );
}

export function ApiReference({ doc, documentUrl }: { doc: Doc; documentUrl: string }) {
  const byTag = doc.tags.map((tag) => ({
    tag,
    ops: Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.entries(item)
        .filter(([, op]) => (op.tags as string[])[0] === tag.name)
        .map(([method, op]) => ({ path, method, op })),
    ),
  }));
  return (
    <div className="space-y-6">
      <Card title={`${doc.info.title} API ${doc.info.version}`}>
        <div className="space-y-2 px-4 py-3">
          <Text>{doc.info.description}</Text>
          <p className="text-sm">
            OpenAPI 3.1 document:{' '}
            <a href={documentUrl} className="font-mono text-sky-700 underline">
              {documentUrl}
            </a>
          </p>
          <ul className="text-sm">
            {Object.entries(doc.components.securitySchemes).map(([name, s]) => (
              <li key={name}>
                <span className="font-mono font-semibold">{name}</span>: <Text>{s.description}</Text>
              </li>
            ))}
          </ul>
        </div>
      </Card>
      {byTag.map(({ tag, ops }) => (
        <Card key={tag.name} title={<span id={`tag-${anchor(tag.name)}`}>{tag.name}</span>}>
          <p className="px-4 pt-2 text-sm text-slate-600">{tag.description}</p>
          <div className="mt-2">
            {ops.map(({ path, method, op }) => (
              <Operation key={`${method} ${path}`} path={path} method={method} op={op} schemas={doc.components.schemas} />
            ))}
          </div>
        </Card>
      ))}
      <Card title="Schemas">
        <div className="divide-y divide-slate-200">
          {Object.entries(doc.components.schemas).map(([name, schema]) => (
            <section key={name} id={`schema-${name}`} className="px-4 py-2">
              <h3 className="font-mono text-sm font-semibold">{name}</h3>
              <Text>{schema.description}</Text>
              <Fields schema={schema} />
            </section>
          ))}
        </div>
      </Card>
    </div>
  );
}
