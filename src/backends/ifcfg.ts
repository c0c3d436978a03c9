// Placeholder so the registry compiles while the ifcfg backend is written in parallel;
// the backend's owner replaces this whole file.
import type { Backend } from './backend.js';

export const ifcfg: Backend = () => {
  throw new Error('the ifcfg backend is not available in this build yet');
};
