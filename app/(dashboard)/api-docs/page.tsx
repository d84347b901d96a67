import { ApiReference } from '@/components/ApiReference';
import { openApiDocument } from '@/lib/openapi/document';

export const metadata = { title: 'API · flatmachines-hub' };

// The document is built from the contracts in this process: the same one /api/v1/openapi.json serves.
export default function ApiDocsPage() {
  return <ApiReference doc={openApiDocument()} documentUrl="/api/v1/openapi.json" />;
}
