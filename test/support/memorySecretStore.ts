import { SecretStore } from "../../src/cache/secretStore";

type Listener = (event: { key: string }) => unknown;

/**
 * SecretStorage as desktop VS Code has it: one store per editor, shared by every window, with
 * change events delivered asynchronously to every window (the writer included). `window()` gives
 * one window's view. Faults (throwing or hanging calls) can be switched on.
 */
export class MemorySecretStorage {
  readonly values = new Map<string, string>();
  private readonly listeners = new Set<Listener>();
  failing: "throw" | "hang" | undefined;
  reads = 0;
  writes = 0;

  window(): SecretStore & { dispose(): void } {
    const own = new Set<Listener>();
    return {
      get: (key) => this.call(() => { this.reads++; return this.values.get(key); }),
      store: (key, value) => this.call(() => { this.writes++; this.values.set(key, value); this.emit(key); }),
      delete: (key) => this.call(() => { if (this.values.delete(key)) this.emit(key); }),
      keys: () => this.call(() => [...this.values.keys()]),
      onDidChange: (listener) => {
        own.add(listener);
        this.listeners.add(listener);
        return { dispose: () => { own.delete(listener); this.listeners.delete(listener); } };
      },
      dispose: () => own.forEach((l) => this.listeners.delete(l)),
    };
  }

  private call<T>(operation: () => T): Promise<T> {
    if (this.failing === "throw") {
      return Promise.reject(new Error("Cannot access the OS keyring (test fault)"));
    }
    if (this.failing === "hang") {
      return new Promise<T>(() => undefined);
    }
    return Promise.resolve().then(operation);
  }

  private emit(key: string): void {
    for (const listener of [...this.listeners]) {
      setTimeout(() => listener({ key }), 0);
    }
  }
}

/** Waits until every change event queued so far has been delivered. */
export function settle(ms = 5): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
