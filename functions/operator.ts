import { app } from '@azure/functions';
import { listOperatorActivations } from '../src/http/routes/operatorQueue';

app.http(listOperatorActivations.name, listOperatorActivations.options);
