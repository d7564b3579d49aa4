import { app } from '@azure/functions';
import { requestCancellation } from '../src/http/routes/cancellation';
import { createServiceRequest, listServiceRequests } from '../src/http/routes/serviceRequests';

app.http(requestCancellation.name, requestCancellation.options);
app.http(listServiceRequests.name, listServiceRequests.options);
app.http(createServiceRequest.name, createServiceRequest.options);
