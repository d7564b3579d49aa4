// Registrations of the serviceRequests trigger group are added here.
export {};
