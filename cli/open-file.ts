import { spawn } from 'node:child_process';
import { pathToFileURL } from 'node:url';

/**
 * Opens a local file with the desktop's opener (`open` on macOS, `xdg-open` elsewhere), detached,
 * so the command does not wait for the browser. Resolves to what happened, in words a person
 * reads: where no opener exists (a server, a container) it says so and gives the file's URL.
 */
export async function openInBrowser(file: string): Promise<{ opened: boolean; message: string }> {
  const opener =
    process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
  const url = pathToFileURL(file).href;
  return new Promise((resolve) => {
    const child = spawn(opener, [file], { detached: true, stdio: 'ignore' });
    child.once('error', () =>
      resolve({ opened: false, message: `no \`${opener}\` here to open it: open ${url} in a browser` }),
    );
    child.once('spawn', () => {
      child.unref();
      resolve({ opened: true, message: `opened ${url} with ${opener}` });
    });
  });
}
