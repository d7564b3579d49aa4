import { app } from '@azure/functions';
import { listOperatorPartners } from '../src/http/routes/operatorPartners';
import { listOperatorActivations } from '../src/http/routes/operatorQueue';

app.http(listOperatorActivations.name, listOperatorActivations.options);
app.http(listOperatorPartners.name, listOperatorPartners.options);
