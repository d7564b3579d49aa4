import { app } from '@azure/functions';
import { listAuditEvents } from '../src/http/routes/audit';

app.http(listAuditEvents.name, listAuditEvents.options);
