import { CliError } from './errors';

/** The `--backend` line every command's help shows. */
export const BACKEND_HELP =
  '  --backend B         wasm (default), cpu, auto, webgpu (needs @residual/backend-webgpu; in Node also webgpu),\n' +
  '                      node or node-gpu (need @residual/backend-node)\n' +
  '  --threads N|auto    wasm threads (default: $RESIDUAL_WASM_THREADS, else 1; auto = the cores, at most 8)';

/** Activates the backend named on the command line (default wasm) and returns its name. */
export async function selectBackend(name: string | undefined, threads?: string): Promise<string> {
  const tensor = await import('@residual/tensor');
  const wanted = name ?? 'wasm';
  if (threads !== undefined) {
    if (threads !== 'auto' && !(Number.isInteger(Number(threads)) && Number(threads) >= 1 && Number(threads) <= 8)) {
      throw new CliError(`--threads must be an integer from 1 to 8 or 'auto', got '${threads}'`, 2);
    }
    // Read by @residual/backend-wasm when it starts (see its THREADS.md).
    process.env.RESIDUAL_WASM_THREADS = threads;
  }
  if (wanted !== 'auto' && !(tensor.BACKENDS as readonly string[]).includes(wanted)) {
    throw new CliError(`unknown backend '${wanted}'; choose one of ${tensor.BACKENDS.join(', ')} or auto`, 2);
  }
  if (wanted === 'wasm') await import('@residual/backend-wasm');
  try {
    return await tensor.useBackend(wanted as import('@residual/tensor').BackendName | 'auto');
  } catch (e) {
    if (e instanceof tensor.BackendUnavailableError) throw new CliError(e.message);
    throw e;
  }
}
