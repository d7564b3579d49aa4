import { app } from '@azure/functions';
import { health } from '../src/http/routes/system';
import { listPackages } from '../src/http/routes/catalog';
import { getOpenApi } from '../src/http/routes/openapi';
import { downloadFile } from '../src/http/routes/downloads';

app.http(health.name, health.options);
app.http(listPackages.name, listPackages.options);
app.http(getOpenApi.name, getOpenApi.options);
app.http(downloadFile.name, downloadFile.options);
