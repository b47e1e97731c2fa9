/** Small inline SVG icons (no icon font, no network). Decorative: always paired with visible text or an aria-label. */
import type { ReactElement } from 'react';

type IconName =
  | 'worklist' | 'patients' | 'models' | 'audit' | 'settings' | 'users' | 'lock' | 'logout' | 'search' | 'plus'
  | 'edit' | 'warning' | 'check' | 'clock' | 'dot' | 'archive' | 'review' | 'chevron-left' | 'chevron-right'
  | 'shield' | 'slide' | 'eye' | 'zoom-in' | 'zoom-out' | 'home' | 'fullscreen' | 'info' | 'x' | 'download';

const paths: Record<IconName, ReactElement> = {
  worklist: <path d="M4 6h16M4 12h16M4 18h10" />,
  patients: <><circle cx="9" cy="8" r="3.2" /><path d="M3.5 19c.8-3.2 3-5 5.5-5s4.7 1.8 5.5 5" /><path d="M15.5 5.2a3 3 0 0 1 0 5.6M17.5 14.5c1.5.7 2.5 2.3 3 4.5" /></>,
  models: <><rect x="4" y="4" width="7" height="7" rx="1" /><rect x="13" y="4" width="7" height="7" rx="1" /><rect x="4" y="13" width="7" height="7" rx="1" /><path d="M13 16.5h7M16.5 13v7" /></>,
  audit: <><path d="M7 3h8l4 4v14H7z" /><path d="M15 3v4h4M10 12h6M10 16h6" /></>,
  settings: <><circle cx="12" cy="12" r="3" /><path d="M12 2.5v3M12 18.5v3M2.5 12h3M18.5 12h3M5.3 5.3l2.1 2.1M16.6 16.6l2.1 2.1M5.3 18.7l2.1-2.1M16.6 7.4l2.1-2.1" /></>,
  users: <><circle cx="12" cy="8" r="3.5" /><path d="M5 20c1-4 3.8-6 7-6s6 2 7 6" /></>,
  lock: <><rect x="5" y="11" width="14" height="9" rx="1.5" /><path d="M8 11V8a4 4 0 0 1 8 0v3" /></>,
  logout: <><path d="M10 4H5v16h5" /><path d="M14 8l4 4-4 4M18 12H9" /></>,
  search: <><circle cx="11" cy="11" r="6" /><path d="M20 20l-4.5-4.5" /></>,
  plus: <path d="M12 5v14M5 12h14" />,
  edit: <><path d="M4 20h4L19 9l-4-4L4 16z" /><path d="M13.5 6.5l4 4" /></>,
  warning: <><path d="M12 3.5L2.5 20h19z" /><path d="M12 10v4.5M12 17.2v.3" /></>,
  check: <path d="M4.5 12.5l5 5 10-11" />,
  clock: <><circle cx="12" cy="12" r="8.5" /><path d="M12 7v5l3.5 2" /></>,
  dot: <circle cx="12" cy="12" r="4" />,
  archive: <><rect x="3.5" y="4" width="17" height="4.5" rx="1" /><path d="M5 8.5V20h14V8.5M10 12.5h4" /></>,
  review: <><circle cx="11" cy="11" r="6" /><path d="M20 20l-4.5-4.5M8.5 11l2 2 3.5-3.5" /></>,
  'chevron-left': <path d="M15 5l-7 7 7 7" />,
  'chevron-right': <path d="M9 5l7 7-7 7" />,
  shield: <><path d="M12 3l8 3v6c0 4.5-3.4 8-8 9-4.6-1-8-4.5-8-9V6z" /><path d="M8.5 12l2.5 2.5 4.5-5" /></>,
  slide: <><rect x="2.5" y="7" width="19" height="10" rx="1" /><path d="M7 7v10" /><circle cx="14" cy="12" r="2.5" /></>,
  eye: <><path d="M2.5 12S6 5.5 12 5.5 21.5 12 21.5 12 18 18.5 12 18.5 2.5 12 2.5 12z" /><circle cx="12" cy="12" r="3" /></>,
  'zoom-in': <><circle cx="11" cy="11" r="6" /><path d="M20 20l-4.5-4.5M8 11h6M11 8v6" /></>,
  'zoom-out': <><circle cx="11" cy="11" r="6" /><path d="M20 20l-4.5-4.5M8 11h6" /></>,
  home: <path d="M4 11l8-7 8 7v9h-5v-6H9v6H4z" />,
  fullscreen: <path d="M4 9V4h5M20 9V4h-5M4 15v5h5M20 15v5h-5" />,
  info: <><circle cx="12" cy="12" r="8.5" /><path d="M12 11v5.5M12 7.8v.3" /></>,
  x: <path d="M6 6l12 12M18 6L6 18" />,
  download: <><path d="M12 4v11M7.5 10.5L12 15l4.5-4.5" /><path d="M5 19h14" /></>,
};

export function Icon({ name, size = 18, className }: { name: IconName; size?: number; className?: string }) {
  return (
    <svg className={`icon ${className ?? ''}`} width={size} height={size} viewBox="0 0 24 24" fill="none" stroke="currentColor"
      strokeWidth={1.7} strokeLinecap="round" strokeLinejoin="round" aria-hidden="true" focusable="false">
      {paths[name]}
    </svg>
  );
}

export type { IconName };
