// Placeholder so the registry compiles while the netplan backend is written in parallel;
// the backend's owner replaces this whole file.
import type { Backend } from './backend.js';

export const netplan: Backend = () => {
  throw new Error('the netplan backend is not available in this build yet');
};
