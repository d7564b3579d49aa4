import { app } from '@azure/functions';
import { changePartnerLevel, getMembership, renewMembershipRoute } from '../src/http/routes/membership';

// docs/product.md §12: the membership lifecycle (renewal, the operator's level change).
app.http(getMembership.name, getMembership.options);
app.http(renewMembershipRoute.name, renewMembershipRoute.options);
app.http(changePartnerLevel.name, changePartnerLevel.options);
