import { CliError } from './errors';

/** The `--backend` line every command's help shows. */
export const BACKEND_HELP =
  '  --backend B         wasm (default), cpu, auto, webgpu (needs @residual/backend-webgpu; in Node also webgpu),\n' +
  '                      node or node-gpu (need @residual/backend-node)';

/** Activates the backend named on the command line (default wasm) and returns its name. */
export async function selectBackend(name: string | undefined): Promise<string> {
  const tensor = await import('@residual/tensor');
  const wanted = name ?? 'wasm';
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
