import { json, route } from '@/lib/server/route';
import { openApiDocument } from '@/lib/openapi/document';

// The API described (OpenAPI 3.1), built from the same contracts the routes validate with.
export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route({
  GET: { need: 'public', handle: async () => json(openApiDocument()) },
});
