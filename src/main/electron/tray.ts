import { Menu, Tray, nativeImage, type MenuItemConstructorOptions, type NativeImage } from 'electron';
import { join } from 'node:path';
import type { StatusSummary, TrayState } from '../../shared/model';

export interface TrayView {
  state: TrayState;
  /** hover text on every platform */
  tooltip: string;
  /** text beside the icon in the macOS menu bar ('' hides it) */
  title: string;
  /** the number worth the user's eye: what needs them, else what is retrying */
  count: number;
}

/** The tray's look for a status summary: the engine decides the state, we decide the words. */
export function trayView(summary: StatusSummary): TrayView {
  const parts: string[] = [];
  if (summary.needsYou > 0) parts.push(`${summary.needsYou} need${summary.needsYou === 1 ? 's' : ''} you`);
  if (summary.retrying > 0) parts.push(`${summary.retrying} retrying`);
  if (summary.paused) parts.push('sending paused');
  const tooltip = `Outbox Monitor — ${parts.length ? parts.join(', ') : 'all clear'}`;
  const count = summary.tray === 'needs_you' ? summary.needsYou : summary.tray === 'retrying' ? summary.retrying : 0;
  return { state: summary.tray, tooltip, title: count > 0 ? String(count) : '', count };
}

export interface TrayActions {
  open(): void;
  pause(): void;
  resume(): void;
  resendReady(): void;
  quit(): void;
}

export function trayMenuTemplate(summary: StatusSummary, actions: TrayActions): MenuItemConstructorOptions[] {
  return [
    { id: 'open', label: 'Open Outbox Monitor', click: () => actions.open() },
    { type: 'separator' },
    summary.paused
      ? { id: 'resume', label: 'Resume sending', click: () => actions.resume() }
      : { id: 'pause', label: 'Pause sending', click: () => actions.pause() },
    { id: 'resend', label: 'Resend all ready', enabled: summary.retrying > 0 || summary.needsYou > 0, click: () => actions.resendReady() },
    { type: 'separator' },
    { id: 'quit', label: 'Quit Outbox Monitor', click: () => actions.quit() },
  ];
}

/**
 * The tray icon files for a state. macOS gets a monochrome "Template" image the menu bar tints
 * itself; the others get the coloured icon (nativeImage picks @2x beside it on HiDPI screens).
 */
export function trayIconPath(resourcesDir: string, state: TrayState, platform: NodeJS.Platform = process.platform): string {
  const name = platform === 'darwin' ? `tray-${state}Template.png` : `tray-${state}.png`;
  return join(resourcesDir, 'tray', name);
}

export interface AppTray {
  update(summary: StatusSummary): void;
  destroy(): void;
}

export function createAppTray(resourcesDir: string, initial: StatusSummary, actions: TrayActions): AppTray {
  const images = new Map<TrayState, NativeImage>();
  const imageFor = (state: TrayState) => {
    let image = images.get(state);
    if (!image) {
      image = nativeImage.createFromPath(trayIconPath(resourcesDir, state));
      if (process.platform === 'darwin') image.setTemplateImage(true);
      images.set(state, image);
    }
    return image;
  };
  const tray = new Tray(imageFor(initial.tray));
  tray.on('click', () => actions.open());
  const update = (summary: StatusSummary) => {
    const view = trayView(summary);
    tray.setImage(imageFor(view.state));
    tray.setToolTip(view.tooltip);
    if (process.platform === 'darwin') tray.setTitle(view.title);
    tray.setContextMenu(Menu.buildFromTemplate(trayMenuTemplate(summary, actions)));
  };
  update(initial);
  return { update, destroy: () => tray.destroy() };
}
