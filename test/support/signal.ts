import { AbortSignalLike } from "../../src/util/cancellation";

/** A cancellation token a test can trigger, shaped like vscode.CancellationToken. */
export class TestSignal implements AbortSignalLike {
  isCancellationRequested = false;
  private readonly listeners = new Set<() => unknown>();
  onCancellationRequested(listener: () => unknown) {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }
  cancel(): void {
    this.isCancellationRequested = true;
    this.listeners.forEach((l) => l());
  }
}
