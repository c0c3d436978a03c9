// Placeholder so the registry compiles while the nm backend is written in parallel;
// the backend's owner replaces this whole file.
import type { Backend } from './backend.js';

export const nm: Backend = () => {
  throw new Error('the nm backend is not available in this build yet');
};
