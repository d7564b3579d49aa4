import { app } from '@azure/functions';
import { createPartner, createUser, getMe, getPartner, listUsers } from '../src/http/routes/partners';
import { deleteUser, getUser, updateUser } from '../src/http/routes/users';

app.http(getMe.name, getMe.options);
app.http(getPartner.name, getPartner.options);
app.http(listUsers.name, listUsers.options);
app.http(createUser.name, createUser.options);
app.http(getUser.name, getUser.options);
app.http(updateUser.name, updateUser.options);
app.http(deleteUser.name, deleteUser.options);
app.http(createPartner.name, createPartner.options);
