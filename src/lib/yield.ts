// Letting requests in during long background work. On SQLite every query runs on the event loop and an awaited
// query resolves in a microtask, so a job of many queries never lets a request through until it ends; awaiting
// this between pages does (the setImmediate queue runs after the pending I/O callbacks).
export const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
