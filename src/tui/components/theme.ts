// Colours of the UI in one place. With colour off (NO_COLOR, or not a colour
// terminal) every entry is undefined and components fall back to bold,
// dim and inverse, which NO_COLOR (no-color.org) leaves alone.
import type { Badge, Tone } from '../view-model.js';
import type { Severity } from '../../diagnose/finding.js';

export type Colour = 'red' | 'green' | 'yellow' | 'cyan' | 'magenta' | 'gray' | undefined;

export function badgeColour(b: Badge, color: boolean): Colour {
  if (!color) return undefined;
  if (b === 'failing') return 'red';
  if (b === 'stuck') return 'yellow';
  if (b === 'updated' || b === 'up-to-date') return 'green';
  if (b === 'updating') return 'cyan';
  if (b === 'site') return 'magenta';
  return undefined;
}

export function severityColour(s: Severity, color: boolean): Colour {
  if (!color) return undefined;
  return s === 'error' ? 'red' : s === 'warning' ? 'yellow' : 'cyan';
}

export function toneColour(t: Tone, color: boolean): Colour {
  if (!color) return undefined;
  switch (t) {
    case 'heading':
      return 'cyan';
    case 'expected':
    case 'error':
      return 'red';
    case 'actual':
      return 'green';
    case 'warning':
      return 'yellow';
    case 'info':
      return 'cyan';
    default:
      return undefined;
  }
}
