import { app } from '@azure/functions';
import { getBenefit, listBenefits } from '../src/http/routes/benefits';

app.http(listBenefits.name, listBenefits.options);
app.http(getBenefit.name, getBenefit.options);
