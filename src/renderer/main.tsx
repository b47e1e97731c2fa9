import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { transportKind } from './api.ts';
import { App } from './App.tsx';
import './styles.css';

// OpenSeadragon injects a <style> element (it hides the focus ring on touch screens) unless one with this marker
// exists. The CSP refuses inline styles, and the focus ring must stay visible, so an empty marker stands in for it.
if (!document.querySelector('style[data-openseadragon-mobile-css]')) {
  const marker = document.createElement('style');
  marker.setAttribute('data-openseadragon-mobile-css', 'true');
  document.head.appendChild(marker);
}

// Pick the transport first: on the bridge this consumes `#token=` from the address bar before routing reads the hash.
transportKind();

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
