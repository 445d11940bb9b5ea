// The Electron entry: one instance, one engine, a window that hides to the tray, and a clean
// stop on Quit. Everything else lives in ./electron (the edge) and ./engine (plain Node).
import { app } from 'electron';
import { join } from 'node:path';
import { APP_DIR_NAME } from './engine/paths';
import { startApp, type RunningApp } from './electron/app';

// The same folder the command line uses (engine/paths.ts): set before anything asks for it.
app.setName(APP_DIR_NAME);
app.setPath('userData', process.env.OUTBOX_MONITOR_HOME || join(app.getPath('appData'), APP_DIR_NAME));

let running: RunningApp | null = null;

if (!app.requestSingleInstanceLock()) {
  // A copy is already running; it receives 'second-instance' and comes to the front.
  app.quit();
} else {
  app.on('second-instance', () => running?.showWindow());
  // The tray keeps the app alive with no window open.
  app.on('window-all-closed', () => {});
  app.on('activate', () => running?.showWindow());

  let stopped = false;
  app.on('before-quit', (event) => {
    if (stopped || !running) return;
    // Hold the quit until the engine has finished its current writes and closed the database.
    event.preventDefault();
    void running.shutdown().finally(() => {
      stopped = true;
      app.quit();
    });
  });

  app
    .whenReady()
    .then(async () => {
      running = await startApp(app.getAppPath());
      if (!running) app.exit(1);
    })
    .catch((error: unknown) => {
      console.error('Outbox Monitor failed to start', error);
      app.exit(1);
    });
}
