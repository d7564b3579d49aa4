// Registrations of the activation trigger group are added here.
export {};
