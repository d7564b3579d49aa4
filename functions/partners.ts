import { app } from '@azure/functions';
import { createPartner, createUser, getMe, getPartner, listUsers } from '../src/http/routes/partners';

app.http(getMe.name, getMe.options);
app.http(getPartner.name, getPartner.options);
app.http(listUsers.name, listUsers.options);
app.http(createUser.name, createUser.options);
app.http(createPartner.name, createPartner.options);
