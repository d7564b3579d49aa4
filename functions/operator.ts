import { app } from '@azure/functions';
import { registerRoutes, ROUTE_GROUPS } from '../src/http/routes';

registerRoutes(app, ROUTE_GROUPS.operator);
