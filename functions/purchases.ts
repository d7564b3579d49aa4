import { app } from '@azure/functions';
import { createPurchase, getPurchase, listPurchases } from '../src/http/routes/purchases';

app.http(listPurchases.name, listPurchases.options);
app.http(createPurchase.name, createPurchase.options);
app.http(getPurchase.name, getPurchase.options);
