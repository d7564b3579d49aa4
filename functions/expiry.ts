// Registrations of the expiry trigger group are added here.
export {};
