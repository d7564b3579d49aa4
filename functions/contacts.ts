import { app } from '@azure/functions';
import { setMarketingContact, verifyContact } from '../src/http/routes/contacts';

app.http(setMarketingContact.name, setMarketingContact.options);
app.http(verifyContact.name, verifyContact.options);
