import { app } from '@azure/functions';
import { getBenefit, listBenefits } from '../src/http/routes/benefits';
import { assignBenefit, getAssignment, unassignBenefit } from '../src/http/routes/assignments';
import { revealBenefitKeys } from '../src/http/routes/keys';

app.http(listBenefits.name, listBenefits.options);
app.http(getBenefit.name, getBenefit.options);
app.http(assignBenefit.name, assignBenefit.options);
app.http(unassignBenefit.name, unassignBenefit.options);
app.http(getAssignment.name, getAssignment.options);
app.http(revealBenefitKeys.name, revealBenefitKeys.options);
