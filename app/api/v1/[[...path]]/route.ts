import { unknownRoute } from '@/lib/http/route';

// Any path under /api/v1 that no route serves: 404 problem+json, whatever the method.
export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = unknownRoute();
