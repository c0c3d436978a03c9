// Placeholder so the registry compiles while the networkd backend is written in parallel;
// the backend's owner replaces this whole file.
import type { Backend } from './backend.js';

export const networkd: Backend = () => {
  throw new Error('the networkd backend is not available in this build yet');
};
