// Worker threads start without the parent's TypeScript loader (tsx or vitest),
// so each one registers tsx itself before loading the real entry.
import { register } from 'tsx/esm/api';

register();
await import('./worker-entry.ts');
