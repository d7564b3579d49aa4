import { app } from '@azure/functions';
import { registerRoutes, ROUTE_GROUPS } from '../src/http/routes';

// docs/product.md §12: the membership lifecycle (renewal, the operator's level change).
registerRoutes(app, ROUTE_GROUPS.membership);
