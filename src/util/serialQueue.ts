/**
 * Runs tasks one after another. MSAL's cache is not safe for interleaved access through a plugin,
 * so every call of one client goes through one queue (as VS Code's own Microsoft sign-in does).
 */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task, task);
    this.tail = result.catch(() => undefined);
    return result;
  }
}
