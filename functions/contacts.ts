import { app } from '@azure/functions';
import { setMarketingContact, verifyContact } from '../src/http/routes/contacts';
import { lookupContactVerification } from '../src/http/routes/contactLookup';

app.http(setMarketingContact.name, setMarketingContact.options);
app.http(verifyContact.name, verifyContact.options);
app.http(lookupContactVerification.name, lookupContactVerification.options);
