// Liveness for load balancers at the root: the same endpoint as GET /api/v1/healthz (no token
// needed; 200 once the database answers, 503 problem+json while it does not).
export { GET, POST, PUT, PATCH, DELETE, OPTIONS } from '../api/v1/healthz/route';
