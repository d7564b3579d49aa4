import { app } from '@azure/functions';
import { health } from '../src/http/routes/system';
import { listPackages } from '../src/http/routes/catalog';

app.http(health.name, health.options);
app.http(listPackages.name, listPackages.options);
